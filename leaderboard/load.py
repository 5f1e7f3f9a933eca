"""Reads every entry under results/ into one tidy table; whatever cannot be read is rejected with a reason.

    from leaderboard.load import load_board
    board = load_board("results")
    board.scores    # one row per entry and task: model, role, params, ..., benchmark, score, stderr, n, date
    board.rejected  # one row per rejected file or task: path, reason
    outcomes, problems = read_outcomes(board)  # one row per entry, split and question, read on demand
    spending(board)  # the seconds each recipe spent: teacher, training, evaluation

What an entry is and how it is read belongs to `distill.results`, the one owner of the results format;
this module only gathers its entries into pandas tables for the board. A bad file, task or score is
rejected on its own; it never stops the rest from loading. Scores are read as filed: `distill.results`
re-derived them from their samples when they were written (and `distill verify` does again), so a page
view stays fast; per-question outcomes (`read_outcomes`, every samples file) are read only when a page
needs them. No Streamlit here: the app caches both.
"""

import hashlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from distill.benchmarks import PROGRAM_FORMATS
from distill.results import Rejected, as_object, engine_label, load_entry, read_samples, recipe_of
from distill.results import entries as entry_dirs

SCORE_COLUMNS = ["entry", "model", "role", "params", "base_model", "teacher", "format", "task", "benchmark",
                 "split", "category", "score", "stderr", "n", "date", "command", "engine", "lm_eval_version",
                 "git_hash", "source", "results_file", "samples_file"]
# What made an entry, from its metadata (training, data, runs, cost); any of them may be missing.
COST_COLUMNS = ["train_seconds", "train_tokens", "train_steps", "hardware", "precision", "train_examples",
                "train_questions", "teacher_tokens", "teacher_accuracy", "teacher_seconds", "eval_seconds", "engine"]
COST_TEXT = ("hardware", "precision", "engine")  # the other cost columns are numbers
# The sweep point an entry is (metadata `sweep`: the sweep recipe's name, the setting it varies, this run's value).
SWEEP_COLUMNS = ["sweep", "sweep_axis", "sweep_value"]
ENTRY_COLUMNS = ["entry", "model", "model_source", "role", "params", "base_model", "teacher", "format", "source",
                 "twin", "covers", "trained_on", "seed", "seed_group", *COST_COLUMNS, *SWEEP_COLUMNS]
REJECTED_COLUMNS = ["path", "reason"]
# The compute a recipe spent, item by item (`spending`): a teacher run's share, a training run, an evaluation.
SPENT_COLUMNS = ["recipe", "stage", "item", "seconds"]
SPENT_STAGES = ("teacher", "training", "evaluation")
BY_HAND = "by hand"  # work done with `distill eval` or `distill train` rather than a recipe


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
                            "covers": ",".join(sorted({row["benchmark"] for row in entry_rows})),
                            **_made_of(meta), **_cost(meta), **_sweep(meta)})
    scores = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    sweep_values = pd.Series([e["sweep_value"] for e in entries], dtype=object)  # 125 stays an int beside a None
    entries = pd.DataFrame(entries, columns=ENTRY_COLUMNS).assign(sweep_value=sweep_values)
    for table in (scores, entries):
        table["params"] = table["params"].astype("Float64")  # nullable: unknown sizes stay missing
    entries["seed"] = entries["seed"].astype("Int64")
    for column in set(COST_COLUMNS) - set(COST_TEXT):
        entries[column] = entries[column].astype(float)
    rejected_df = pd.DataFrame([(_relative(p, root), reason) for p, reason in rejected], columns=REJECTED_COLUMNS)
    return Board(str(root), scores, entries, rejected_df, metadata)


def read_outcomes(board: Board) -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """(one row per entry, test split and question from every samples file on the board: entry, benchmark,
    split, the engine of the run that answered it and samples.OUTCOME_COLUMNS; REJECTED_COLUMNS: each
    samples file that cannot be read, whose task is then left out)."""
    import pandas as pd

    from leaderboard.samples import OUTCOME_COLUMNS, outcomes  # the grader: only when answers are needed

    rows, rejected = [], []
    tasks = board.scores[board.scores["samples_file"].notna()]
    for entry, benchmark, split, engine, fmt, path in zip(tasks["entry"], tasks["benchmark"], tasks["split"],
                                                          tasks["engine"], tasks["format"], tasks["samples_file"]):
        try:
            records = read_samples(path)
        except Rejected as e:
            rejected.append((_relative(Path(path), Path(board.results_dir)), str(e)))
            continue
        rows += [(entry, benchmark, split, engine, *row)
                 for row in outcomes(records, benchmark, fmt in PROGRAM_FORMATS)]
    columns = ["entry", "benchmark", "split", "engine", *OUTCOME_COLUMNS]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(rejected, columns=REJECTED_COLUMNS)


def spending(board: Board) -> "pd.DataFrame":
    """SPENT_COLUMNS from every measured entry's metadata: each evaluation run (its `eval_seconds`), each
    training run, and the teacher's share of the generation time behind a student's training set (one item per
    teacher output and recipe, so a student's twin and seeds do not count it again; where a recipe's points
    use more or less of one output, as a sweep of training-set sizes or of CoTs per question does, its
    largest share, since the smaller ones are part of it). The recipe is the one
    named in the run's command; seconds are None where the entry was written before its stage recorded
    them. A copy of another entry (`same_student_as`) cost nothing of its own."""
    import pandas as pd

    rows = []
    for entry, meta in board.metadata.items():
        if meta.get("same_student_as"):
            continue  # a copy of another entry (distill.results.copy_entry): its runs are that entry's
        for run in (r for r in meta.get("runs") or [] if isinstance(r, dict)):
            rows.append((_recipe(run.get("command")), "evaluation", f"{entry} {run.get('date')}",
                         _number(run.get("eval_seconds"))))
        training = as_object(meta.get("training"))
        if not training:
            continue
        recipe, cost = _recipe(training.get("command")), as_object(meta.get("cost"))
        rows.append((recipe, "training", entry, _number(cost.get("train_seconds"), training.get("wall_time_s"))))
        report = as_object(as_object(meta.get("data")).get("filter_report"))
        if report.get("teacher") and report.get("mode") != "gold":  # gold rationales cost no teacher time
            # older reports name only their source (one greedy CoT each), or before that their training file
            output = report.get("teacher_output") or report.get("source") or report.get("ft_cot_file")
            rows.append((recipe, "teacher", f"{report.get('benchmark')}.{output}",
                         _number(report.get("teacher_seconds"), cost.get("teacher_seconds"))))
    spent = pd.DataFrame(rows, columns=SPENT_COLUMNS)
    return spent.sort_values("seconds", ascending=False, kind="stable").drop_duplicates(["recipe", "stage", "item"])


def _recipe(command) -> str:
    """'symbolic' for 'distill run recipes/symbolic.yaml'; BY_HAND for any other command."""
    recipe = recipe_of(command)
    return recipe.stem if recipe else BY_HAND


def _made_of(meta: dict) -> dict:
    """What the entry is beyond its model: the benchmarks it was trained on, its seed and seed group (the
    entries of one group differ only in the seed). Values of the wrong type count as missing."""
    benchmarks = as_object(meta.get("data")).get("benchmarks")
    trained_on = [b for b in benchmarks if isinstance(b, str)] if isinstance(benchmarks, list) else []
    seed, group = meta.get("seed"), meta.get("seed_group")
    return {"trained_on": ",".join(trained_on) or None,
            "seed": seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
            "seed_group": group if isinstance(group, str) and group.strip() else None}


def _cost(meta: dict) -> dict:
    """COST_COLUMNS from metadata: its `cost` object (teacher tokens and seconds, training examples, tokens,
    steps and seconds), else what `training` (wall time, tokens, steps) and `data` (examples, its filter
    report's teacher tokens) say; hardware and precision from `training`, the teacher's accuracy on its
    training questions from the filter report, and the runs' engines and `eval_seconds` (summed over the
    runs that record it)."""
    training, data, cost = (as_object(meta.get(k)) for k in ("training", "data", "cost"))
    report, hardware = as_object(data.get("filter_report")), as_object(training.get("hardware"))
    runs = [r for r in meta.get("runs") or [] if isinstance(r, dict)]
    evals = [s for s in (_number(r.get("eval_seconds")) for r in runs) if s is not None]
    return {"train_seconds": _number(cost.get("train_seconds"), training.get("wall_time_s")),
            "train_tokens": _number(cost.get("train_tokens"), training.get("tokens")),
            "train_steps": _number(cost.get("train_steps"), training.get("steps")),
            "hardware": _text(hardware.get("name") or hardware.get("device")),
            "precision": _text(training.get("precision")),
            "train_examples": _number(cost.get("train_examples"), data.get("examples")),
            "train_questions": _number(data.get("questions")),
            "teacher_tokens": _number(cost.get("teacher_tokens"), report.get("tokens")),
            "teacher_accuracy": _number(report.get("teacher_accuracy")),
            "teacher_seconds": _number(cost.get("teacher_seconds")), "eval_seconds": sum(evals) if evals else None,
            "engine": ", ".join(sorted({label for r in runs if (label := engine_label(r))})) or None}


def _sweep(meta: dict) -> dict:
    """SWEEP_COLUMNS from metadata `sweep` ({name, axis, value}); all None unless the name and axis are text and
    the value a finite number or text, so one odd entry is simply not a sweep point."""
    sweep = as_object(meta.get("sweep"))
    name, axis, value = _text(sweep.get("name")), _text(sweep.get("axis")), sweep.get("value")
    if name is None or axis is None or not (_finite(value) or _text(value)):
        return dict.fromkeys(SWEEP_COLUMNS)
    return {"sweep": name, "sweep_axis": axis, "sweep_value": value}


def _finite(value) -> bool:
    """A number a float holds: not a bool, NaN, infinity or an integer too large for a float (a plot's x)."""
    return (number := _number(value)) is not None and math.isfinite(number)


def _number(*values) -> float | None:
    """The first of `values` that is a number a float can hold; None if none is (an integer too large for a
    float, 10**400 in a hand-edited file, counts as missing rather than taking the board down)."""
    numbers = (v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool))
    return next((float(v) for v in numbers if not isinstance(v, int) or abs(v) < 2 ** 1023), None)


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def fingerprint(results_dir) -> str:
    """A digest of every file's name, size and mtime: changes whenever results do, costs only stat calls.
    Hidden files and folders are a writer's locks and staging, which come and go while a run files results:
    they are not the board's, and a file gone between listing and stat is skipped, not an error."""
    digest = hashlib.sha1()
    root = Path(results_dir)
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(f for f in filenames if not f.startswith(".")):
                try:
                    stat = os.stat(os.path.join(dirpath, name))
                except FileNotFoundError:
                    continue
                digest.update(f"{dirpath}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
