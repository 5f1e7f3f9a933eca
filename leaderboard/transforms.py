"""Pure pandas over the tidy scores of `leaderboard.load`: the main table, filters, gains, teacher links.

Tables made for display hold percentages (0-100), the tidy scores fractions (0-1).
Averages: a benchmark with several test splits (last_letter, coin_flip) counts once, as the mean of its
splits; a category is the mean of its benchmarks and "overall" the mean of all benchmarks, so each is
the unweighted mean the lm-eval groups `sr_<category>_<format>` and `sr_all_<format>` report.
Standard errors of means assume independent benchmarks: sqrt(sum of squares) / count.
"""

import math

import numpy as np
import pandas as pd

from distill.benchmarks import BENCHMARKS, CATEGORIES, FORMATS, split_suffix
from distill.paths import slug

ROLE_ORDER = ("teacher", "student", "baseline", "reported")
SIZE_STEPS = {"0": 0.0, "100M": 1e8, "300M": 3e8, "1B": 1e9, "3B": 3e9, "10B": 1e10, "30B": 3e10,
              "100B": 1e11, "300B": 3e11, "1T": 1e12, "any": math.inf}
INFO_COLUMNS = ["model", "format", "role", "params", "benchmarks"]
TAIL_COLUMNS = ["base_model", "teacher", "source", "entry"]


def column_label(benchmark: str, split: str) -> str:
    """A benchmark split's column: 'sports', or 'last_letter 3words' for one of several test splits."""
    return benchmark if len(BENCHMARKS[benchmark].test_splits) == 1 else f"{benchmark} {split_suffix(split)}"


def split_columns() -> list[str]:
    """Every possible score column, in registry order."""
    return [column_label(b.key, s) for b in BENCHMARKS.values() for s in b.test_splits]


def stderr_column(column: str) -> str:
    return f"{column} ±"


def entry_label(model: str, fmt: str) -> str:
    return f"{model} · {fmt}"


def _combined_stderr(stderrs: pd.Series) -> float:
    """Standard error of an unweighted mean; unknown if any part is unknown."""
    if stderrs.isna().any():
        return np.nan
    return math.sqrt((stderrs.astype(float) ** 2).sum()) / len(stderrs)


def benchmark_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per entry and benchmark: the mean over its splits (fractions), with category."""
    grouped = scores.groupby(["entry", "benchmark", "category"], sort=False)
    return grouped.agg(score=("score", "mean"), stderr=("stderr", _combined_stderr)).reset_index()


def _averages(scores: pd.DataFrame) -> pd.DataFrame:
    """Per entry: 'overall' and one column per category (percent), with their standard errors."""
    bench = benchmark_scores(scores)
    parts = {"overall": bench.groupby("entry")}
    parts.update({c: bench[bench["category"] == c].groupby("entry") for c in CATEGORIES})
    columns = {}
    for name, groups in parts.items():
        columns[name] = groups["score"].mean() * 100
        columns[stderr_column(name)] = groups["stderr"].agg(_combined_stderr) * 100
    averages = pd.DataFrame(columns)
    averages["benchmarks"] = bench.groupby("entry").size()
    return averages


def _with_columns(scores: pd.DataFrame) -> pd.DataFrame:
    """The scores with each one's table column ('last_letter 3words')."""
    return scores.assign(column=[column_label(b, s) for b, s in zip(scores["benchmark"], scores["split"])])


def wide_table(scores: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """The main table: one row per entry (model and format), percentages, best overall first."""
    scores = _with_columns(scores)
    values = scores.pivot(index="entry", columns="column", values="score") * 100
    errors = scores.pivot(index="entry", columns="column", values="stderr").astype(float) * 100
    present = [c for c in split_columns() if c in values.columns]
    per_split = pd.concat([values[present], errors[present].rename(columns=stderr_column)], axis=1)
    per_split = per_split[[c for column in present for c in (column, stderr_column(column))]]
    table = entries.set_index("entry").join(_averages(scores), how="inner").join(per_split)
    table = table.reset_index().sort_values("overall", ascending=False, kind="stable")
    average_columns = [c for name in ("overall", *CATEGORIES) for c in (name, stderr_column(name))]
    return table[INFO_COLUMNS + average_columns + list(per_split.columns) + TAIL_COLUMNS].reset_index(drop=True)


def filter_scores(scores: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    """Only the chosen categories' scores, so averages and columns cover just those."""
    return scores[scores["category"].isin(categories)]


def filter_entries(entries: pd.DataFrame, roles: list[str], formats: list[str], search: str = "",
                   size: tuple[str, str] = ("0", "any"), unknown_size: bool = True) -> pd.DataFrame:
    """Entries matching every filter; `search` is a case-insensitive substring of model, base or teacher."""
    keep = entries["role"].isin(roles) & entries["format"].isin(formats)
    if search.strip():
        needle = search.strip().lower()
        names = entries[["model", "base_model", "teacher"]].fillna("").apply(lambda col: col.str.lower())
        keep &= names.apply(lambda col: col.str.contains(needle, regex=False)).any(axis=1)
    low, high = SIZE_STEPS[size[0]], SIZE_STEPS[size[1]]
    params = entries["params"].astype(float)
    in_range = params.between(low, high)
    keep &= in_range | (params.isna() & unknown_size)
    return entries[keep]


def size_label(params) -> str:
    """11000000000 -> '11B', 134515008 -> '135M'; '?' when unknown."""
    if params is None or pd.isna(params):
        return "?"
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if params >= scale:
            return f"{params / scale:.3g}{unit}"
    return str(int(params))


def _same_model(name, other) -> bool:
    return isinstance(name, str) and isinstance(other, str) and slug(name) == slug(other)


def _matches(entries: pd.DataFrame, name: str) -> pd.DataFrame:
    """Entries of the model called `name` (by slug, so 'HuggingFaceTB/SmolLM2-135M' finds 'smollm2-135m')."""
    return entries[[_same_model(name, m) or _same_model(name, s)
                    for m, s in zip(entries["model"], entries["model_source"])]]


def _preferred(candidates: pd.DataFrame, formats: tuple[str, ...]) -> pd.Series | None:
    """The candidate whose format comes first in `formats`; None if there is none."""
    ranked = candidates[candidates["format"].isin(formats)]
    if ranked.empty:
        return None
    order = ranked["format"].map({f: i for i, f in enumerate(formats)})
    return ranked.loc[order.sort_values(kind="stable").index[0]]


def teacher_links(entries: pd.DataFrame) -> list[tuple[str, str]]:
    """(teacher entry, student entry) for every student whose teacher is on the board, of the same kind.

    Measured students link only to measured teachers and reported to reported: the two never mix.
    """
    students = entries[entries["teacher"].notna()]
    return [(teacher, student["entry"]) for _, student in students.iterrows()
            if (teacher := _teacher_entry(entries, student)) is not None]


def _teacher_entry(entries: pd.DataFrame, student: pd.Series) -> str | None:
    """The entry of a student's teacher, of the same kind (measured or reported), few-shot CoT first."""
    if not isinstance(student["teacher"], str):
        return None
    kind = entries["role"] == "reported" if student["role"] == "reported" else entries["role"] != "reported"
    teacher = _preferred(_matches(entries[kind & (entries["entry"] != student["entry"])], student["teacher"]),
                         FORMATS)  # few-shot CoT first
    return None if teacher is None else teacher["entry"]


def references(entries: pd.DataFrame, student: pd.Series) -> dict[str, str]:
    """What a measured student is compared with: its answer-only baseline and its untrained base.

    answer-only baseline: the twin the student names (metadata `answer_only_twin`: the same questions
    without rationales), else an ft_direct entry from the same base model that covers one of the
    student's benchmarks, from the same teacher's data where there is one.
    untrained base: the base model's own entry, in the student's format if there is one, else few-shot.
    """
    measured = entries[(entries["role"] != "reported") & (entries["entry"] != student["entry"])]
    found = {}
    if not isinstance(student["base_model"], str):
        return found
    same_base = measured[[_same_model(b, student["base_model"]) for b in measured["base_model"]]]
    named = _matches(same_base, student["twin"]) if isinstance(student.get("twin"), str) else same_base.iloc[:0]
    covered = set(student["covers"].split(","))
    overlapping = same_base[[bool(covered & set(c.split(","))) for c in same_base["covers"]]]
    same_teacher = overlapping[[_same_model(t, student["teacher"]) for t in overlapping["teacher"]]]
    baseline = next((b for b in (_preferred(c, ("ft_direct",)) for c in (named, same_teacher, overlapping))
                     if b is not None), None)
    if baseline is not None:
        found["answer-only baseline"] = baseline["entry"]
    base = _preferred(_matches(measured, student["base_model"]), (student["format"], *FORMATS))
    if base is not None:
        found["untrained base"] = base["entry"]
    return found


def gains(scores: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """Percentage-point gain of each measured student over its references, per category.

    Each gain compares only the benchmarks both entries have, so a reference evaluated on more or
    fewer benchmarks does not tilt it.
    """
    bench = benchmark_scores(scores).set_index(["entry", "benchmark"])
    rows = []
    for _, student in entries[entries["role"] == "student"].iterrows():
        for versus, ref in references(entries, student).items():
            pair = pd.concat({"student": bench.loc[student["entry"]], "ref": bench.loc[ref]}, axis=1, join="inner")
            for category, part in pair.groupby(pair[("student", "category")]):
                rows.append({"student": student["entry"], "versus": versus, "reference": ref, "category": category,
                             "gain": (part[("student", "score")].mean() - part[("ref", "score")].mean()) * 100,
                             "benchmarks": len(part)})
    return pd.DataFrame(rows, columns=["student", "versus", "reference", "category", "gain", "benchmarks"])


def heatmap_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Benchmark-by-model scores (percent): one row per entry of `table`, one column per split column."""
    columns = [c for c in split_columns() if c in table.columns]
    labels = [entry_label(m, f) for m, f in zip(table["model"], table["format"])]
    return table[columns].set_axis(labels, axis=0)


def distillation_gains(scores: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """Per CoT student and test split: its score, its answer-only twin's, the gain in points with the
    standard error of a difference of independent means, and retention (student / teacher score)."""
    rows = []
    by_entry = {e: part.set_index("column") for e, part in _with_columns(scores).groupby("entry")}
    for _, student in entries[(entries["role"] == "student") & (entries["format"] == "ft_cot")].iterrows():
        twin = references(entries, student).get("answer-only baseline")
        if twin is None:
            continue
        teacher = _teacher_entry(entries, student)
        mine, theirs = by_entry[student["entry"]], by_entry[twin]
        for column in [c for c in split_columns() if c in mine.index and c in theirs.index]:
            s, t = mine.loc[column], theirs.loc[column]
            teacher_score = by_entry[teacher]["score"].get(column) if teacher else None
            rows.append({
                "student": student["model"], "teacher": student["teacher"], "column": column,
                "student_score": s["score"] * 100, "twin_score": t["score"] * 100,
                "gain": (s["score"] - t["score"]) * 100,
                "gain_stderr": math.hypot(s["stderr"], t["stderr"]) * 100 if pd.notna(s["stderr"]) and pd.notna(
                    t["stderr"]) else np.nan,
                "teacher_score": np.nan if teacher_score is None else teacher_score * 100,
                "retention": s["score"] / teacher_score if teacher_score else np.nan,
                "n": s["n"],
            })
    return pd.DataFrame(rows, columns=["student", "teacher", "column", "student_score", "twin_score", "gain",
                                       "gain_stderr", "teacher_score", "retention", "n"])


def test_sizes(scores: pd.DataFrame) -> pd.DataFrame:
    """Questions scored per test split, over measured entries: the smallest and largest count."""
    measured = _with_columns(scores[scores["role"] != "reported"].dropna(subset=["n"]))
    sizes = measured.groupby("column")["n"].agg(["min", "max"]).astype(int)
    return sizes.reindex([c for c in split_columns() if c in sizes.index])


def test_sizes_text(scores: pd.DataFrame) -> str:
    """'sports 50, last_letter 2words 30-150, ...': the test subset sizes behind the measured scores."""
    sizes = test_sizes(scores)
    return ", ".join(f"{c} {lo}" if lo == hi else f"{c} {lo}-{hi}" for c, (lo, hi) in sizes.iterrows())
