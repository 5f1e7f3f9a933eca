"""Reads every entry under results/ into one tidy table; whatever cannot be read is rejected with a reason.

    from leaderboard.load import load_board
    board = load_board("results")
    board.scores    # one row per entry and task: model, role, params, ..., benchmark, score, stderr, n, date
    board.rejected  # one row per rejected file or task: path, reason

What an entry is and how it is read belongs to `distill.results`, the one owner of the results format;
this module only gathers its entries into pandas tables for the board. A bad file, task or score is
rejected on its own; it never stops the rest from loading. Scores are read as filed: `distill.results`
re-derived them from their samples when they were written (and `distill verify` does again), so a page
view stays fast. No Streamlit here: the app caches `load_board`.
"""

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from distill.results import entries as entry_dirs
from distill.results import load_entry

SCORE_COLUMNS = ["entry", "model", "role", "params", "base_model", "teacher", "format", "task", "benchmark",
                 "split", "category", "score", "stderr", "n", "date", "command", "lm_eval_version", "git_hash",
                 "source", "results_file", "samples_file"]
ENTRY_COLUMNS = ["entry", "model", "model_source", "role", "params", "base_model", "teacher", "format", "source",
                 "twin", "covers"]
REJECTED_COLUMNS = ["path", "reason"]


if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Board:
    results_dir: str
    scores: "pd.DataFrame"  # SCORE_COLUMNS
    entries: "pd.DataFrame"  # ENTRY_COLUMNS, one row per loaded entry
    rejected: "pd.DataFrame"  # REJECTED_COLUMNS
    metadata: dict[str, dict] = field(default_factory=dict)  # entry -> its metadata.json


def load_board(results_dir) -> Board:
    """Every entry under `results_dir`; a missing directory is an empty board, not an error."""
    import pandas as pd  # only here: importing this module for its names should not cost pandas

    root = Path(results_dir)
    rows, rejected, metadata, entries = [], [], {}, []
    for child in entry_dirs(root):
        if not child.is_dir():
            rejected.append((child, "not an entry directory"))
            continue
        entry_rows, problems, meta = load_entry(child)
        rows += entry_rows
        rejected += problems
        if entry_rows:  # an entry with no loadable score is not on the board (its problems are rejected)
            metadata[child.name] = meta
            source = meta.get("model_source")
            entries.append({**entry_rows[0], "model_source": str(source) if source is not None else None,
                            "twin": meta.get("answer_only_twin"),
                            "covers": ",".join(sorted({row["benchmark"] for row in entry_rows}))})
    scores = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    entries = pd.DataFrame(entries, columns=ENTRY_COLUMNS)
    for table in (scores, entries):
        table["params"] = table["params"].astype("Float64")  # nullable: unknown sizes stay missing
    rejected_df = pd.DataFrame([(_relative(p, root), reason) for p, reason in rejected], columns=REJECTED_COLUMNS)
    return Board(str(root), scores, entries, rejected_df, metadata)


def fingerprint(results_dir) -> str:
    """A digest of every file's name, size and mtime: changes whenever results do, costs only stat calls."""
    digest = hashlib.sha1()
    root = Path(results_dir)
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                stat = os.stat(os.path.join(dirpath, name))
                digest.update(f"{dirpath}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
