"""Pure pandas over the tidy scores of `leaderboard.load`: names, the main table and its fair ranking, seed
groups, filters, teacher links and the references a student is compared with.

Tables made for display hold percentages (0-100), the tidy scores fractions (0-1).
Averages: a benchmark with several test splits (last_letter, coin_flip) counts once, as the mean of its
splits; a category is the mean of its benchmarks and "overall" the mean of all benchmarks, so each is
the unweighted mean the lm-eval groups `sr_<category>_<format>` and `sr_all_<format>` report. An average
is only given to a row that has every split the compared rows have (`with_averages`): a model scored on
one easy benchmark is never ranked above one scored on six.
Intervals are 95% Wilson intervals (leaderboard.stats), which hold at the small test sets used here.
"""

import math

import numpy as np
import pandas as pd

from distill.benchmarks import BENCHMARKS, CATEGORIES, FORMATS, PROGRAM_FORMATS, split_suffix
from distill.paths import slug
from leaderboard import stats
from leaderboard.load import COST_COLUMNS, COST_TEXT, SWEEP_COLUMNS

ROLE_ORDER = ("teacher", "student", "baseline", "reported")
SIZE_STEPS = {"0": 0.0, "100M": 1e8, "300M": 3e8, "1B": 1e9, "3B": 3e9, "10B": 1e10, "30B": 3e10,
              "100B": 1e11, "300B": 3e11, "1T": 1e12, "any": math.inf}
INFO_COLUMNS = ["name", "format", "role", "params"]
TAIL_COLUMNS = ["seeds", "base_model", "teacher", "source", "entry"]
AVERAGES = ("overall", *CATEGORIES)
FORMAT_WORDS = {"fewshot_cot": "few-shot CoT", "fewshot_direct": "few-shot direct", "ft_cot": "CoT",
                "ft_direct": "answers", "fewshot_pot": "few-shot programs", "ft_pot": "programs"}


def column_label(benchmark: str, split: str) -> str:
    """A benchmark split's column: 'sports', or 'last_letter 3words' for one of several test splits."""
    return benchmark if len(BENCHMARKS[benchmark].test_splits) == 1 else f"{benchmark} {split_suffix(split)}"


def split_columns() -> list[str]:
    """Every possible score column, in registry order."""
    return [column_label(b.key, s) for b in BENCHMARKS.values() for s in b.test_splits]


BENCHMARK_OF = {column_label(b.key, s): b.key for b in BENCHMARKS.values() for s in b.test_splits}


def interval_column(column: str) -> str:
    return f"{column} 95%"


def n_column(column: str) -> str:
    return f"{column} n"


def interval_text(score: float, n) -> str | None:
    """'36.1–69.9 (n=30)': the Wilson interval (percent) of a score over n questions; None when n is unknown."""
    if pd.isna(n) or pd.isna(score) or n <= 0:
        return None
    low, high = stats.wilson(round(score * n), int(n))
    return f"{low * 100:.1f}–{high * 100:.1f} (n={int(n)})"


def display_names(entries: pd.DataFrame, groups: bool = False) -> dict[str, str]:
    """entry -> a name saying what the entry is; the entry (directory name) stays its id.

    A student: 'base ← teacher CoT · benchmarks' ('gold' for gold rationales, 'answers' for an
    answer-only student), with its sweep point ('train_questions = 125') and seed; any other model:
    'model · format'. A PoT student's twin says so ('answers (PoT twin)'): it learns the answers to the
    questions the teacher's programs got right, not those of the CoT student's twin. Names that would collide
    get their entry appended. With `groups`, each entry of a seed group gets the group's name instead
    ('... · 3 seeds'), as where one row stands for the group.
    """
    group_sizes = entries["seed_group"].value_counts()
    program_twins = set(entries.loc[entries["format"].isin(PROGRAM_FORMATS), "twin"].dropna())
    names = {}
    for row in entries.itertuples(index=False):
        what = FORMAT_WORDS.get(row.format, row.format) + (" (PoT twin)" if row.model in program_twins else "")
        if row.role == "student" and isinstance(row.base_model, str):
            source = row.teacher if isinstance(row.teacher, str) else "?"
            name = f"{row.base_model} ← {source} {what}"
            if isinstance(row.trained_on, str):
                name += f" · {row.trained_on.replace(',', ', ')}"
            if isinstance(row.sweep, str):  # the point of its sweep: several points share the rest of the name
                name += f" · {row.sweep_axis} = {row.sweep_value}"
        elif row.role == "reported":
            name = row.model  # the paper's own name
        else:
            name = f"{row.model} · {what}"
        if isinstance(row.seed_group, str) and group_sizes.get(row.seed_group, 0) > 1 and pd.notna(row.seed):
            name += f" · seed {row.seed}"
        names[row.entry] = name
    counts = pd.Series(names).value_counts()
    names = {e: f"{n} [{e}]" if counts[n] > 1 else n for e, n in names.items()}
    if groups:
        for _, members in entries[entries["seed_group"].notna()].sort_values("seed").groupby("seed_group"):
            if len(members) > 1:
                names.update(dict.fromkeys(members["entry"], group_name(names[members["entry"].iloc[0]],
                                                                        len(members))))
    return names


def group_name(name: str, seeds: int) -> str:
    """The name of a seed group's row: its first member's name without that member's seed."""
    return name.rsplit(" · seed ", 1)[0] + f" · {seeds} seeds"


def _with_columns(scores: pd.DataFrame) -> pd.DataFrame:
    """The scores with each one's table column ('last_letter 3words')."""
    return scores.assign(column=[column_label(b, s) for b, s in zip(scores["benchmark"], scores["split"])])


def wide_table(scores: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """One row per entry (model and format): its name, a percentage per split column with the split's
    question count and Wilson interval, no averages yet (see `main_table`)."""
    scores = _with_columns(scores)
    values = scores.pivot(index="entry", columns="column", values="score") * 100
    counts = scores.pivot(index="entry", columns="column", values="n")
    present = [c for c in split_columns() if c in values.columns]
    per_split = {}
    for column in present:
        per_split[column] = values[column]
        per_split[n_column(column)] = counts[column]
        per_split[interval_column(column)] = [interval_text(v / 100, n) for v, n in
                                              zip(values[column], counts[column])]
    table = entries.set_index("entry").join(pd.DataFrame(per_split, index=values.index), how="inner")
    table["name"] = table.index.map(display_names(entries))
    table["seeds"] = table["seed"].astype("string")
    columns = [*INFO_COLUMNS, *per_split, *TAIL_COLUMNS, *COST_COLUMNS, "seed", "seed_group"]
    return table.reset_index()[columns]


def collapse_seeds(table: pd.DataFrame) -> pd.DataFrame:
    """One row per seed group (entries that differ only in their seed): the mean of each score over the
    seeds, the range across seeds where the interval was, the seeds listed, the mean cost of one seed; its
    entry is the first seed's. Seeds are summarised together, never by their best."""
    grouped = table["seed_group"].notna() & table.duplicated("seed_group", keep=False)
    if not grouped.any():
        return table
    rows = [table[~grouped]]
    for _, members in table[grouped].sort_values("seed").groupby("seed_group", sort=False):
        row = members.iloc[[0]].copy()
        row["name"] = group_name(row["name"].iloc[0], len(members))
        row["seeds"] = ", ".join(str(s) for s in members["seed"])
        for column in set(COST_COLUMNS) - set(COST_TEXT):
            row[column] = members[column].mean()
        for column in [c for c in split_columns() if c in table.columns]:
            values = members[column].dropna()
            if values.empty:
                continue
            mean, sd, low, high = stats.spread(list(values))
            row[column] = mean
            row[interval_column(column)] = (f"{low:.1f}–{high:.1f} over {len(values)} seeds, sd {sd:.1f} "
                                            f"(n={int(members[n_column(column)].max())} each)")
        rows.append(row)
    return pd.concat(rows, ignore_index=True)


def with_averages(table: pd.DataFrame) -> pd.DataFrame:
    """`table` with 'overall' and one column per category (percent), each over the split columns some row of
    `table` has, given only to the rows that have all of them; and `coverage`, 'k/K': the benchmarks the row
    has every compared split of, out of the K compared."""
    splits = [c for c in split_columns() if c in table.columns and table[c].notna().any()]
    scores = table[splits].astype(float)
    benchmark = [BENCHMARK_OF[c] for c in splits]
    means = scores.T.groupby(benchmark, sort=False).mean().T.reindex(table.index) if splits else scores
    covered = scores.notna().T.groupby(benchmark, sort=False).all().T.reindex(table.index, fill_value=False) \
        if splits else scores.notna()
    result = table.copy()
    for name in AVERAGES:
        chosen = [b for b in means.columns if name == "overall" or BENCHMARKS[b].category == name]
        result[name] = means[chosen].mean(axis=1).where(covered[chosen].all(axis=1)) if chosen else np.nan
    result["coverage"] = [f"{int(k)}/{len(means.columns)}" for k in covered.sum(axis=1)]
    front = [c for c in INFO_COLUMNS if c in result.columns] + ["coverage", *AVERAGES]
    return result[front + [c for c in result.columns if c not in front]]


def ranked(table: pd.DataFrame, by: str = "overall") -> pd.DataFrame:
    """Best first by `by` (an average or a split column), numbered; rows without a value there (they lack
    a split it needs) follow, unranked, the better covered first."""
    covered = pd.to_numeric(table["coverage"].astype(str).str.split("/").str[0])
    order = table.assign(_covered=covered).sort_values([by, "_covered", "name"], ascending=[False, False, True],
                                                       na_position="last", kind="stable")
    order.insert(0, "rank", order[by].rank(ascending=False, method="min").astype("Int64"))
    return order.drop(columns="_covered").reset_index(drop=True)


def main_table(scores: pd.DataFrame, entries: pd.DataFrame, by: str = "overall") -> pd.DataFrame:
    """The board's table: one row per entry or seed group, fair averages, ranked by `by`."""
    return ranked(with_averages(collapse_seeds(wide_table(scores, entries))), by)


def filter_scores(scores: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    """Only the chosen categories' scores, so averages and columns cover just those."""
    return scores[scores["category"].isin(categories)]


def filter_entries(entries: pd.DataFrame, roles: list[str], formats: list[str], search: str = "",
                   size: tuple[str, str] = ("0", "any"), unknown_size: bool = True,
                   sweep_points: bool = True) -> pd.DataFrame:
    """Entries matching every filter; `search` is a case-insensitive substring of model, base or teacher;
    `sweep_points`: also the students of sweeps (metadata `sweep`), whose own page is the trade-offs page."""
    keep = entries["role"].isin(roles) & entries["format"].isin(formats) & (entries["sweep"].isna() | sweep_points)
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


def _rows(table: pd.DataFrame, keep: list[bool]) -> pd.DataFrame:
    """The rows of `table` where `keep` is true (a plain list would select columns when it is empty)."""
    return table[np.array(keep, dtype=bool)]


def _matches(entries: pd.DataFrame, name: str) -> pd.DataFrame:
    """Entries of the model called `name` (by slug, so 'HuggingFaceTB/SmolLM2-135M' finds 'smollm2-135m')."""
    return _rows(entries, [_same_model(name, m) or _same_model(name, s)
                           for m, s in zip(entries["model"], entries["model_source"])])


def _preferred(candidates: pd.DataFrame, formats: tuple[str, ...]) -> pd.Series | None:
    """The candidate whose format comes first in `formats` (a format listed twice counts where it is first);
    None if there is none."""
    ranked = candidates[candidates["format"].isin(formats)]
    if ranked.empty:
        return None
    order = ranked["format"].map({f: i for i, f in enumerate(dict.fromkeys(formats))})
    return ranked.loc[order.sort_values(kind="stable").index[0]]


def teacher_links(entries: pd.DataFrame) -> list[tuple[str, str]]:
    """(teacher entry, student entry) for every student whose teacher is on the board, of the same kind.

    Measured students link only to measured teachers and reported to reported: the two never mix.
    """
    students = entries[entries["teacher"].notna()]
    return [(teacher, student["entry"]) for _, student in students.iterrows()
            if (teacher := teacher_entry(entries, student)) is not None]


def teacher_entry(entries: pd.DataFrame, student: pd.Series) -> str | None:
    """The entry of a student's teacher, of the same kind (measured or reported), few-shot CoT first."""
    if not isinstance(student["teacher"], str):
        return None
    kind = entries["role"] == "reported" if student["role"] == "reported" else entries["role"] != "reported"
    teacher = _preferred(_matches(entries[kind & (entries["entry"] != student["entry"])], student["teacher"]),
                         FORMATS)  # few-shot CoT first
    return None if teacher is None else teacher["entry"]


def references(entries: pd.DataFrame, student: pd.Series) -> dict[str, str]:
    """What a measured student is compared with: its answer-only twin, its untrained base and, for a PoT
    student, the CoT students it is an alternative to. A sweep point's student is compared with its own
    point's twin and CoT students, any other student with no sweep point's.

    answer-only twin: the twin the student names (metadata `answer_only_twin`: the same questions
    without rationales), and none while that twin is not on the board (still training, say: another
    twin's questions would not be the same); for a student that names none, an ft_direct entry from the
    same base model that covers one of the student's benchmarks, from the same teacher's data where
    there is one.
    untrained base: the base model's own entry, in the student's format if there is one, a PoT student's
    base few-shot with programs next (so both sides write programs), else few-shot.
    CoT student: for a PoT student only, an ft_cot entry from the same base model and teacher that covers
    one of its benchmarks: programs against rationales, all else equal.
    gold CoT student: for a PoT student only, an ft_cot entry from the same base model trained on the
    benchmark's own gold rationales (teacher `gold`) that covers one of its benchmarks.
    """
    measured = entries[(entries["role"] != "reported") & (entries["entry"] != student["entry"])]
    found = {}
    if not isinstance(student["base_model"], str):
        return found
    trained = measured[_of_point(measured, student)]  # never another sweep point's twin or CoT student
    same_base = _rows(trained, [_same_model(b, student["base_model"]) for b in trained["base_model"]])
    covered = set(student["covers"].split(","))
    overlapping = _rows(same_base, [bool(covered & set(c.split(","))) for c in same_base["covers"]])
    same_teacher = _rows(overlapping, [_same_model(t, student["teacher"]) for t in overlapping["teacher"]])
    if isinstance(student.get("twin"), str):
        baseline = _preferred(_matches(same_base, student["twin"]), ("ft_direct",))
    else:
        baseline = next((b for b in (_preferred(c, ("ft_direct",)) for c in (same_teacher, overlapping))
                         if b is not None), None)
    if baseline is not None:
        found["answer-only twin"] = baseline["entry"]
    own = (student["format"], "fewshot_pot") if student["format"] == "ft_pot" else (student["format"],)
    base = _preferred(_matches(measured, student["base_model"]), (*own, *FORMATS))
    if base is not None:
        found["untrained base"] = base["entry"]
    if student["format"] == "ft_pot":
        gold = _rows(overlapping, [t == "gold" for t in overlapping["teacher"]])
        for versus, candidates in (("CoT student", same_teacher), ("gold CoT student", gold)):
            cot = _preferred(candidates, ("ft_cot",))
            if cot is not None:
                found[versus] = cot["entry"]
    return found


def _of_point(entries: pd.DataFrame, student: pd.Series) -> pd.Series:
    """Which entries are of the student's sweep point (a sweep's name, setting and value), or like the
    student of none."""
    same = pd.Series(True, index=entries.index)
    for column in SWEEP_COLUMNS:
        same &= entries[column].isna() if pd.isna(student[column]) else entries[column] == student[column]
    return same


def shown_rows(table: pd.DataFrame, kept: pd.DataFrame, members: dict[str, list[tuple]]) -> pd.DataFrame:
    """The rows of a main table that stand for at least one of the `kept` entries (a seed group's row stands
    for all of its seeds)."""
    keep = set(kept["entry"])
    return _rows(table, [any(m in keep for m, _ in members.get(e, [(e, None)])) for e in table["entry"]])


def seed_members(entries: pd.DataFrame) -> dict[str, list[tuple[str, object]]]:
    """entry -> [(entry, seed)] of every entry of its seed group, seeds in order; an entry without a group
    is its own one member."""
    members = {e: [(e, s if pd.notna(s) else None)] for e, s in zip(entries["entry"], entries["seed"])}
    grouped = entries[entries["seed_group"].notna()].sort_values("seed")
    for _, group in grouped.groupby("seed_group"):
        runs = [(e, s if pd.notna(s) else None) for e, s in zip(group["entry"], group["seed"])]
        members.update({e: runs for e, _ in runs})
    return members


def heatmap_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """Benchmark-by-model scores (percent): one row per entry of `table`, one column per split column."""
    columns = [c for c in split_columns() if c in table.columns]
    return table[columns].set_axis(list(table["name"]), axis=0)


def test_sizes(scores: pd.DataFrame) -> pd.DataFrame:
    """Questions scored per test split, over measured entries: the smallest and largest count."""
    measured = _with_columns(scores[scores["role"] != "reported"].dropna(subset=["n"]))
    sizes = measured.groupby("column")["n"].agg(["min", "max"]).astype(int)
    return sizes.reindex([c for c in split_columns() if c in sizes.index])


def test_sizes_text(scores: pd.DataFrame) -> str:
    """'sports 50, last_letter 2words 30-150, ...': the test subset sizes behind the measured scores."""
    sizes = test_sizes(scores)
    return ", ".join(f"{c} {lo}" if lo == hi else f"{c} {lo}-{hi}" for c, (lo, hi) in sizes.iterrows())
