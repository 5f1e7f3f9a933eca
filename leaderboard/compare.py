"""Question-by-question views of the samples: base rates, what each model answers, and paired comparisons.

Pure pandas over `leaderboard.load.read_outcomes`'s table (one row per entry, test split and question:
gold answer, the answer the grader read, whether it was right); the statistics are `leaderboard.stats`.

    summary(questions)              # per entry and split: score, most common answer, majority and chance rates
    paired(questions, entries)      # each CoT or PoT student against its twin, untrained base, teacher, ...
    head_to_head(questions, entries, a, b)  # any two entries, the same way (scripts/paired.py)
    tradeoffs(paired, entries, questions)  # each sweep point: student, twin and teacher accuracy, p of student vs twin
    tradeoffs(paired, entries, questions, by_split=True)  # the same per test split (test lengths, for instance)
"""

import math

import pandas as pd

from distill.benchmarks import BENCHMARKS, get_benchmark
from leaderboard import stats
from leaderboard.transforms import column_label, n_column, references, seed_members, split_columns, teacher_entry

KEYS = ["entry", "benchmark", "split"]
SUMMARY_COLUMNS = [*KEYS, "column", "n", "correct", "top_answer", "top_count", "majority", "chance", "constant",
                   "near_majority"]
VERSUS = ("answer-only twin", "untrained base", "teacher", "CoT student", "gold CoT student")  # the CoT ones: PoT only
UNFILED = "not filed yet"  # what a sweep point shows for its twin while the twin is still training
REASONING_FORMATS = ("ft_cot", "ft_pot")  # students trained on rationales (CoT) or programs (PoT)
PAIRED_COLUMNS = ["student", "versus", "reference", "benchmark", "column", "whole", "runs", "n", "wins", "losses",
                  "student_pct", "reference_pct", "difference", "low", "high", "p", "significant", "engines"]
TRADEOFF_COLUMNS = ["sweep", "axis", "value", "benchmark", "split", "student", "twin", "teacher", "runs",
                    "train_examples", "teacher_train_pct", "student_pct",
                    "student_low", "student_high", "student_n", "twin_pct", "twin_low", "twin_high", "twin_n",
                    "teacher_pct", "teacher_low", "teacher_high", "teacher_n", "p", "significant"]


def summary(questions: pd.DataFrame) -> pd.DataFrame:
    """SUMMARY_COLUMNS, one row per entry and test split.

    majority: the share of the most common gold answer among the questions this entry was asked, i.e. the
    score of always giving it; chance: the score of guessing (stats.chance); constant: one answer given to
    at least 90% of the questions; near_majority: the majority rate lies inside the score's 95% interval,
    checked only where answers come from a closed set (yes/no, options), where answering the majority
    class is a strategy a model can fall into.
    """
    table = questions.groupby(KEYS, sort=False).agg(
        n=("correct", "size"), correct=("correct", "sum"), answers=("answer", list), golds=("gold", list),
        options=("options", list)).reset_index()
    top = [stats.most_common(a) for a in table["answers"]]
    table["top_answer"], table["top_count"] = [a for a, _ in top], [k for _, k in top]
    table["majority"] = [stats.majority(g) for g in table["golds"]]
    table["chance"] = [stats.chance(get_benchmark(b).answer_type, [int(k) for k in o if pd.notna(k)])
                       for b, o in zip(table["benchmark"], table["options"])]
    table["column"] = [column_label(b, s) for b, s in zip(table["benchmark"], table["split"])]
    table["constant"] = [stats.is_constant(a) for a in table["answers"]]
    table["near_majority"] = [c > 0 and stats.within_noise(int(k), int(n), m)
                              for c, k, n, m in zip(table["chance"], table["correct"], table["n"], table["majority"])]
    return table[SUMMARY_COLUMNS]


def base_rates(summaries: pd.DataFrame) -> pd.DataFrame:
    """Per test split column and number of questions asked (the first n of the split): chance and majority
    rates in percent. Every entry asked the first n questions was asked the same ones, so they agree."""
    rates = summaries.groupby(["column", "n"], sort=False)[["chance", "majority"]].first() * 100
    return rates.reset_index()


def rate_rows(rates: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Rows 'chance' and 'majority class' (`name`) holding, for each split column of `table` (a wide table),
    its base rate in percent over the questions most of the table's rows were asked; passed through
    transforms.with_averages beside the table, they give the base rate of each average too."""
    rows = {}
    for column in [c for c in split_columns() if c in table.columns]:
        asked = table[n_column(column)].mode()
        at = rates[(rates["column"] == column) & rates["n"].isin(asked)]
        if not at.empty:
            rows[column] = at.iloc[0][["chance", "majority"]].tolist()
    frame = pd.DataFrame(rows, index=["chance", "majority class"])
    return frame.rename_axis("name").reset_index().assign(coverage="")


def flags(summaries: pd.DataFrame) -> pd.Series:
    """entry -> what its score on some splits says about the base rate rather than the model, e.g.
    "same answer ('no'): sports, strategyqa; ≈ majority: date"; entries with nothing to say are left out.
    Summaries of several entries under one name (a seed group's) are flagged together."""
    same = summaries[summaries["constant"]].groupby("entry", sort=False)
    near = summaries[summaries["near_majority"] & ~summaries["constant"]].groupby("entry", sort=False)
    answers = same["top_answer"].agg(lambda a: ", ".join(repr(x) for x in sorted(set(map(str, a)))))
    parts = pd.DataFrame({"same": "same answer (" + answers + "): " + same["column"].agg(_listed),
                          "near": "≈ majority: " + near["column"].agg(_listed)})
    if parts.empty:
        return pd.Series(dtype="string")
    return parts.apply(lambda row: "; ".join(row.dropna()), axis=1).astype("string")


def _listed(columns: pd.Series) -> str:
    return ", ".join(dict.fromkeys(columns))  # once each, in order, though several seeds flag it


def answer_counts(questions: pd.DataFrame, entry: str, top: int = 5) -> pd.DataFrame:
    """One entry's answers per split: the `top` most common answers it gave, each with how often it was gold,
    and the rest summed as 'other'; 'no answer' counts outputs the grader could not read."""
    rows = []
    mine = questions[questions["entry"] == entry]
    for (benchmark, split), part in mine.groupby(["benchmark", "split"], sort=False):
        given = part["answer"].fillna("no answer").value_counts()
        gold = part["gold"].value_counts()
        shown = list(given.index[:top])
        for answer in shown:
            rows.append((column_label(benchmark, split), answer, int(given[answer]), int(gold.get(answer, 0))))
        if len(given) > top:
            rest = [a for a in given.index if a not in shown]
            rows.append((column_label(benchmark, split), "other", int(given[rest].sum()),
                         int(gold.reindex(rest).fillna(0).sum())))
    table = pd.DataFrame(rows, columns=["split", "answer", "given", "gold"])
    totals = table.groupby("split", sort=False)["given"].transform("sum")
    return table.assign(share=table["given"] / totals * 100)


def reasoning_students(entries: pd.DataFrame) -> pd.DataFrame:
    """The measured CoT and PoT students, one per seed group (its first seed): the students whose training the
    paired tests judge; answer-only students are only their references."""
    students = entries[(entries["role"] == "student") & entries["format"].isin(REASONING_FORMATS)]
    students = students.sort_values("seed")
    grouped = students["seed_group"].notna()
    return pd.concat([students[~grouped], students[grouped].drop_duplicates("seed_group")]).sort_index()


def paired(questions: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """PAIRED_COLUMNS: each CoT or PoT student (a seed group counts once) against its answer-only twin, its
    untrained base, its teacher and, for a PoT student, its CoT students (transforms.references), on the
    questions both answered: per test split, and pooled over the splits of a benchmark that has several
    (`whole` marks the rows that cover a whole benchmark). Percentages are points; low and high bound the
    difference's 95% interval; p is the exact McNemar test, a question's seeds flipped together
    (stats.paired_test). engines: None where one engine with the same weights' type ran both on these
    questions (the runs that answered them, not every run of the entries), else what ran each (their numbers
    may differ for that reason alone)."""
    compared = _comparer(questions, entries)
    rows = []
    for _, student in reasoning_students(entries).iterrows():
        found = {**references(entries, student), "teacher": teacher_entry(entries, student)}
        rows += [row for versus in VERSUS if found.get(versus) is not None
                 for row in compared(student["entry"], versus, found[versus])]
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)


def head_to_head(questions: pd.DataFrame, entries: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """PAIRED_COLUMNS for any two entries (`first` in the student columns, `versus` "head to head"), as `paired`
    compares a student with its references: wins are the questions only `first` got right. An entry of a
    seed group stands for its whole group, so two seeds of one group are refused (ValueError)."""
    missing = [e for e in (first, second) if e not in set(entries["entry"])]
    if missing:
        raise KeyError(f"no entry {', '.join(missing)} on the board")
    members = seed_members(entries)
    if members[first] == members[second]:
        raise ValueError(f"{first} and {second} are one model (seeds of one group are pooled)")
    return pd.DataFrame(_comparer(questions, entries)(first, "head to head", second), columns=PAIRED_COLUMNS)


def _comparer(questions: pd.DataFrame, entries: pd.DataFrame):
    """A function (student, versus, reference) -> the rows of their paired tests, over `questions`."""
    members = seed_members(entries)
    outcomes = {e: dict(zip(zip(part["benchmark"], part["split"], part["id"]), part["correct"]))
                for e, part in questions.groupby("entry", sort=False)}
    engines = {key: engine for key, engine in questions.groupby(KEYS, sort=False)["engine"].first().items()
               if isinstance(engine, str)}

    def compared(student: str, versus: str, reference: str) -> list[dict]:
        runs = members[student]
        head = {"student": student, "versus": versus, "reference": reference, "runs": len(runs)}
        return [{**head, **row} for row in _tests(_pairs(outcomes, runs, members[reference]), engines)]
    return compared


def _engines(pairs: pd.DataFrame, engines: dict) -> str | None:
    """None where one engine with one weights' type answered both sides of every pair (per the run that
    answered each test split), else what answered each side."""
    sides = [", ".join(sorted({engines.get((e, b, s)) or "not recorded"
                               for e, b, s in zip(pairs[column], pairs["benchmark"], pairs["split"])}))
             for column in ("student_entry", "reference_entry")]
    return None if sides[0] == sides[1] and "," not in sides[0] else f"student: {sides[0]}; reference: {sides[1]}"


def _pairs(outcomes: dict, student_runs: list[tuple], reference_runs: list[tuple]) -> list[tuple]:
    """(benchmark, split, question id, student right, reference right, student entry, reference entry) for
    every question both answered; runs are (entry, seed) pairs (transforms.seed_members).

    With seeds, (question, seed) pairs are pooled: where both were trained with seeds (a student and its
    answer-only twin), each student run is paired with the reference run of the same seed, and a seed the
    reference has not filed (yet) is left out; otherwise (an untrained base or a teacher has no seed) each
    student run is paired with each reference run. The test then asks whether the recipe, over its seeds,
    beats the reference on these questions, keeping each question's pairs together (stats.paired_test).
    """
    reference_seeds = {seed for _, seed in reference_runs if seed is not None}
    pairs = []
    for entry, seed in student_runs:
        mine = outcomes.get(entry, {})
        same_seed = [e for e, s in reference_runs if s == seed]
        for partner in same_seed if seed is not None and reference_seeds else [e for e, _ in reference_runs]:
            theirs = outcomes.get(partner, {})
            pairs += [(*key, right, theirs[key], entry, partner)
                      for key, right in mine.items() if key in theirs]
    return pairs


def _tests(pairs: list[tuple], engines: dict) -> list[dict]:
    """One row per split, and one per benchmark pooling its splits when it has several; `engines` maps
    (entry, benchmark, split) to the engine that answered it. `whole`: the row covers every test split of
    its benchmark (a reference with some splits still to be filed has no whole row)."""
    table = pd.DataFrame(pairs, columns=["benchmark", "split", "id", "student", "reference", "student_entry",
                                         "reference_entry"])
    rows = []
    for benchmark, part in table.groupby("benchmark", sort=False):
        splits = list(part.groupby("split", sort=False))
        whole = {split for split, _ in splits} >= set(get_benchmark(benchmark).test_splits)
        for split, one in splits:
            rows.append({"benchmark": benchmark, "column": column_label(benchmark, split),
                         "whole": whole and len(splits) == 1, **_test(one), "engines": _engines(one, engines)})
        if len(splits) > 1:
            rows.append({"benchmark": benchmark, "column": f"{benchmark} (all)", "whole": whole, **_test(part),
                         "engines": _engines(part, engines)})
    return rows


def _test(pairs: pd.DataFrame) -> dict:
    """The paired test of these pairs, each question's (one per seed) counted together; n, wins and losses
    count pairs."""
    student, reference = pairs["student"].astype(bool), pairs["reference"].astype(bool)
    cells = pd.DataFrame({"both": student & reference, "wins": student & ~reference,
                          "losses": ~student & reference, "neither": ~student & ~reference})
    tables = cells.groupby([pairs["split"], pairs["id"]], sort=False).sum()
    difference, low, high, p = stats.paired_test(list(tables.itertuples(index=False, name=None)))
    both, wins, losses, _ = (int(k) for k in tables.sum())
    n = len(pairs)
    return {"n": n, "wins": wins, "losses": losses, "student_pct": (both + wins) / n * 100,
            "reference_pct": (both + losses) / n * 100, "difference": difference * 100, "low": low * 100,
            "high": high * 100, "p": p, "significant": stats.significant(p)}


def tradeoffs(paired_rows: pd.DataFrame, entries: pd.DataFrame, questions: pd.DataFrame,
              by_split: bool = False) -> pd.DataFrame:
    """TRADEOFF_COLUMNS: one row per sweep point (a CoT or PoT student whose metadata names its sweep, its
    axis and value; a seed group counts once) and benchmark it was scored on, in percent, values in order;
    with `by_split`, one row per point and test split instead (`split` is None in the pooled rows).

    Each accuracy is its model's own over every question it was asked, pooled over its seed group (the seeds
    both student and twin have, as the paired test pairs them; `runs` counts them) and (unless
    `by_split`) over the test splits of a benchmark that has several: the whole benchmark, as the `whole`
    paired rows count it; n counts answers (questions times seeds). low and high bound its 95% Wilson interval,
    a question counting once over its seeds (stats.wilson_by_question). The twin and teacher are those
    `paired` compared the student with, and p (from `paired_rows`, the paired() table) is the exact paired
    test of student against twin on the questions both answered. train_examples: the CoTs (or programs) the
    student learned from; teacher_train_pct: the share of its training questions the teacher got right
    before filtering (both from the student's metadata).
    """
    members = seed_members(entries)
    tests = paired_rows[paired_rows["versus"] == "answer-only twin"]
    tests = tests[~tests["column"].str.endswith("(all)")] if by_split else tests[tests["whole"]]
    p_of = dict(zip(zip(tests["student"], tests["column" if by_split else "benchmark"]), tests["p"]))
    rows = []
    for _, student in reasoning_students(entries).dropna(subset=["sweep"]).iterrows():
        twin, teacher = references(entries, student).get("answer-only twin"), teacher_entry(entries, student)
        runs, twin_runs = _matched_seeds(members[student["entry"]], members.get(twin, []))
        for benchmark in student["covers"].split(","):
            answered = _answered_splits(questions, runs, benchmark)
            for split in answered if by_split else [None]:
                splits = [split] if split else answered  # each side on the same splits, or not at all
                p = p_of.get((student["entry"], column_label(benchmark, split) if split else benchmark), float("nan"))
                rows.append({"sweep": student["sweep"], "axis": student["sweep_axis"], "value": student["sweep_value"],
                             "benchmark": benchmark, "split": split, "student": student["entry"], "twin": twin,
                             "teacher": teacher, "runs": len(runs), "train_examples": student["train_examples"],
                             "teacher_train_pct": pd.to_numeric(student["teacher_accuracy"]) * 100,
                             **_accuracy(questions, runs, benchmark, "student", splits),
                             **_accuracy(questions, twin_runs, benchmark, "twin", splits),
                             **_accuracy(questions, members.get(teacher, []), benchmark, "teacher", splits),
                             "p": p, "significant": stats.significant(p)})
    return pd.DataFrame(_in_axis_order(rows, entries), columns=TRADEOFF_COLUMNS)


def _in_axis_order(points: list[dict], entries: pd.DataFrame) -> list[dict]:
    """Per sweep and benchmark, splits in the registry's order; values that are numbers in numeric order, then
    text (modes, model names) by the student's size (model names are not in size order), then alphabetically."""
    order = {split: i for b in BENCHMARKS.values() for i, split in enumerate(b.test_splits)}
    params = dict(zip(entries["entry"], entries["params"].astype(float).fillna(math.inf)))

    def value_order(row: dict) -> tuple:
        text = isinstance(row["value"], str)
        return text, params[row["student"]] if text else float(row["value"]), str(row["value"])

    return sorted(points, key=lambda r: (r["sweep"], r["benchmark"], order.get(r["split"], -1), value_order(r)))


def _matched_seeds(student_runs: list[tuple], twin_runs: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The student's and its twin's runs of the seeds both have, as the paired test pairs them: while one
    seed's twin is still training, that seed's student waits for it. Runs without a seed are kept."""
    student_seeds, twin_seeds = ({s for _, s in runs if s is not None} for runs in (student_runs, twin_runs))
    if not (student_seeds and twin_seeds):
        return student_runs, twin_runs
    return ([r for r in student_runs if r[1] is None or r[1] in twin_seeds],
            [r for r in twin_runs if r[1] is None or r[1] in student_seeds])


def _answers_of(questions: pd.DataFrame, runs: list[tuple], benchmark: str) -> pd.DataFrame:
    """The runs' graded answers on `benchmark`, one row per run and question."""
    return questions[questions["entry"].isin([e for e, _ in runs]) & (questions["benchmark"] == benchmark)]


def _answered_splits(questions: pd.DataFrame, runs: list[tuple], benchmark: str) -> list[str]:
    answered = set(_answers_of(questions, runs, benchmark)["split"])
    return [s for s in get_benchmark(benchmark).test_splits if s in answered]


def _accuracy(questions: pd.DataFrame, runs: list[tuple], benchmark: str, who: str, splits: list[str]) -> dict:
    """{who_pct, who_low, who_high, who_n}: the runs' right answers on these `splits` of `benchmark`, pooled
    over runs and splits (percent, 95% interval with each question once); missing (NaN) where one of the
    splits has no answered run (a reference still being evaluated would otherwise be pooled over other splits
    than the student)."""
    mine = _answers_of(questions, runs, benchmark)
    mine = mine[mine["split"].isin(splits)]
    if mine.empty or set(mine["split"]) != set(splits):
        return dict.fromkeys([f"{who}_pct", f"{who}_low", f"{who}_high", f"{who}_n"], float("nan"))
    per_question = mine.groupby(["split", "id"], sort=False)["correct"].agg(["sum", "size"])
    low, high = stats.wilson_by_question(list(zip(per_question["sum"], per_question["size"])))
    right, n = int(per_question["sum"].sum()), len(mine)
    return {f"{who}_pct": right / n * 100, f"{who}_low": low * 100, f"{who}_high": high * 100, f"{who}_n": n}


def gain_text(row) -> str:
    """'+23.3 [-1.1, +44.2], p = 0.118, not significant': how a paired difference is written everywhere."""
    verdict = "" if row["significant"] else ", not significant"
    return f"{row['difference']:+.1f} [{row['low']:+.1f}, {row['high']:+.1f}], {p_text(row['p'])}{verdict}"


def p_text(p: float) -> str:
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.4f}" if p < 0.001 else f"p = {p:.3f}"
