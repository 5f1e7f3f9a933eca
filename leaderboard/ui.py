"""Streamlit glue the pages share: where the results are, cached loading, and drawing helpers.

Nothing read from a file is ever passed to a Markdown or HTML element: names, questions and chains
of thought go through st.dataframe, st.text, st.code and st.json, which show text as text.
"""

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from distill.benchmarks import CATEGORIES
from leaderboard import transforms
from distill.results import Rejected, read_samples
from leaderboard.load import Board, fingerprint, load_board
from leaderboard.samples import sample_table

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_ENV = "DISTILL_RESULTS"


def results_dir() -> Path:
    return Path(os.environ.get(RESULTS_ENV) or REPO_ROOT / "results")


# Keyed by a fingerprint of every file's size and mtime: a rerun costs only stat calls until results
# change, and then the board reloads on its own.
@st.cache_data(show_spinner="Reading results...", max_entries=4)
def _board(root: str, files_digest: str) -> Board:
    return load_board(root)


@st.cache_data(max_entries=16)
def _wide(root: str, files_digest: str, categories: tuple[str, ...]) -> pd.DataFrame:
    board = _board(root, files_digest)
    return transforms.wide_table(transforms.filter_scores(board.scores, list(categories)), board.entries)


def snapshot() -> tuple[str, str]:
    """The results directory and a digest of its files: the cache key of all that is read from it."""
    root = str(results_dir())
    return root, fingerprint(root)


def board(key: tuple[str, str] | None = None) -> Board:
    return _board(*(key or snapshot()))


def wide(key: tuple[str, str], categories: list[str]) -> pd.DataFrame:
    """The main table over the chosen categories, cached like the board."""
    return _wide(*key, tuple(categories))


@st.cache_data(max_entries=64)
def _samples(path: str, mtime_ns: int, benchmark: str) -> tuple[pd.DataFrame | None, str | None]:
    try:
        return sample_table(read_samples(path), benchmark), None
    except Rejected as e:
        return None, str(e)


def samples(path: str, benchmark: str) -> tuple[pd.DataFrame | None, str | None]:
    """(the sample browser's table, None) for one samples file, or (None, why it cannot be read)."""
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError as e:
        return None, f"{Path(path).name} cannot be read ({e.strerror})"
    return _samples(path, mtime, benchmark)


def require_entries(loaded: Board) -> bool:
    """False, after saying how to add some, when the board has nothing to show."""
    if not loaded.entries.empty:
        return True
    st.info(f"No results to show from `{loaded.results_dir}` yet.\n\n"
            "Evaluate a model into it with `distill eval --model smollm2-135m-instruct --format fewshot_cot "
            "--limit 5`, or file any lm-eval output directory with `distill submit PATH --role baseline`. "
            f"To look at another directory, start the board with `{RESULTS_ENV}=DIR`.")
    if not loaded.rejected.empty:
        st.warning(f"{len(loaded.rejected)} files or tasks there were rejected; the Rejected files page says why.")
    return False


def plain(value) -> str:
    """Any metadata value as one line of text for a table cell; '' when missing."""
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def entry_labels(entries: pd.DataFrame) -> dict[str, str]:
    return {e: transforms.entry_label(m, f) for e, m, f in zip(entries["entry"], entries["model"], entries["format"])}


def score_table(table: pd.DataFrame, key: str) -> None:
    """A score table: percentages with two decimals (as papers print them), standard errors beside them,
    and a link to each model's page."""
    config = {"params": st.column_config.NumberColumn("params", format="compact"),
              "model": st.column_config.TextColumn("model", pinned=True),
              "benchmarks": st.column_config.NumberColumn("benchmarks", help="benchmarks the averages cover"),
              "page": st.column_config.LinkColumn("page", display_text="open", help="the model page")}
    for column in table.columns:
        if column.endswith(" ±"):
            config[column] = st.column_config.NumberColumn(column, format="± %.2f", help="standard error, points")
        elif column in ("overall", *CATEGORIES, *transforms.split_columns()):
            config[column] = st.column_config.NumberColumn(column, format="%.2f%%")
    st.dataframe(table.assign(page="model?entry=" + table["entry"]), hide_index=True, width="stretch",
                 column_config=config, placeholder="–", key=key)
