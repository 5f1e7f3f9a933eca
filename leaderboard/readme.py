"""The README's results section, generated from results/: the board's main table with base rates and flags,
the paired comparisons of every CoT and PoT student with its references, the sweeps' points (in a table of
their own, as on the board's trade-offs page), and each recipe's compute budget.

    python -m leaderboard.readme            # rewrite the section between the markers in README.md
    python -m leaderboard.readme --check    # exit 1 if README.md is not what results/ says (run by the tests)
    python -m leaderboard.readme --print    # print the section instead
"""

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from distill.jsonio import atomic_write_text
from distill.results import DEFAULT_DIR
from leaderboard import compare, transforms
from leaderboard.load import BY_HAND, SPENT_STAGES, Board, load_board, read_outcomes, spending

START, END = "<!-- results:start (python -m leaderboard.readme) -->", "<!-- results:end -->"


def _cell(value, interval: str = "") -> str:
    """'53.3', or with its interval '53.3 [36.1–69.8]' (the sizes line below the table gives n)."""
    if pd.isna(value):
        return ""
    return f"{value:.1f}" + (f" [{interval.split(' (n=')[0]}]" if interval else "")


def _markdown(header: list[str], rows: list[list[str]], right_from: int) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    cells = [[str(c).replace("|", "\\|") for c in line] for line in rows]
    return ["| " + " | ".join(line) + " |" for line in (header, align, *cells)]


def _text(value) -> str:
    return "" if pd.isna(value) else str(value)


def main_table(scores: pd.DataFrame, entries: pd.DataFrame, summary: pd.DataFrame | None = None) -> list[str]:
    """Ranked rows (averages only with full coverage, see transforms.with_averages), each split with its
    95% interval; with a `summary` (compare.summary), the base rates at the bottom."""
    table = transforms.with_averages(transforms.collapse_seeds(transforms.wide_table(scores, entries)))
    ranked = transforms.ranked(table)
    averages = [c for c in transforms.AVERAGES if ranked[c].notna().any()]
    splits = [c for c in transforms.split_columns() if c in ranked.columns and ranked[c].notna().any()]
    header = ["rank", "model", "format", "role", "params", "coverage", *averages, *splits]
    rows = [[_text(r["rank"]), r["name"], r["format"], r["role"], transforms.size_label(r["params"]), r["coverage"],
             *(_cell(r[c]) for c in averages), *(_cell(r[c], r[transforms.interval_column(c)]) for c in splits)]
            for _, r in ranked.iterrows()]
    if summary is not None:
        rates = compare.rate_rows(compare.base_rates(summary), table).reindex(columns=["name", "coverage", *splits])
        rows += [["", f"*{r['name']}*", "", "", "", "", *(_cell(r[c]) for c in averages),
                  *(_cell(r[c]) for c in splits)]
                 for _, r in transforms.with_averages(rates).iterrows()]
    return _markdown(header, rows, right_from=4)


def sizes_line(scores: pd.DataFrame) -> str:
    return f"Test questions per split (the first N of each): {transforms.test_sizes_text(scores)}."


def flags_table(summary: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Every entry and split whose score says more about the base rate than about the model."""
    flagged = summary[summary["constant"] | summary["near_majority"]]
    header = ["model", "test split", "most common answer", "score %", "majority class %", "chance %", "flag"]
    rows = [[names[r["entry"]], r["column"], f"{r['top_answer']} ({int(r['top_count'])} of {int(r['n'])})",
             f"{r['correct'] / r['n'] * 100:.1f}", f"{r['majority'] * 100:.1f}", f"{r['chance'] * 100:.1f}",
             "same answer to ≥90%" if r["constant"] else "within noise of the majority class"]
            for _, r in flagged.iterrows()]
    return _markdown(header, rows, right_from=3)


def paired_table(paired: pd.DataFrame, names: dict[str, str]) -> list[str]:
    header = ["student", "against", "reference", "test split", "n", "wins", "losses", "student %",
              "reference %", "difference, points [95% interval], exact paired p", "engines"]
    rows = [[names[r["student"]], r["versus"], names[r["reference"]], r["column"], str(r["n"]), str(r["wins"]),
             str(r["losses"]), f"{r['student_pct']:.1f}", f"{r['reference_pct']:.1f}",
             compare.gain_text(r) if r["significant"] else f"*{compare.gain_text(r)}*",
             "same" if pd.isna(r["engines"]) else f"differ: {r['engines']}"]
            for _, r in paired.iterrows()]
    return _markdown(header, rows, right_from=4)


def budget_table(spent: pd.DataFrame) -> list[str]:
    """Hours per recipe and stage (load.spending), and how many items were filed before their time was kept."""
    header = ["recipe", *(f"{stage} (h)" for stage in SPENT_STAGES), "total (h)", "items without a time"]
    rows = []
    for recipe, part in sorted(spent.groupby("recipe"), key=lambda item: (item[0] == BY_HAND, item[0])):
        hours = [part.loc[part["stage"] == stage, "seconds"].sum() / 3600 for stage in SPENT_STAGES]
        missing = part.groupby("stage")["seconds"].apply(lambda s: int(s.isna().sum()))
        rows.append([recipe, *(f"{h:.2f}" for h in hours), f"{sum(hours):.2f}",
                     ", ".join(f"{n} {stage}" for stage, n in missing.items() if n) or "none"])
    return _markdown(header, rows, right_from=1)


def tradeoffs_table(points: pd.DataFrame) -> list[str]:
    """Each sweep point (compare.tradeoffs rows) on each benchmark: student, twin and teacher accuracy and the
    paired test of student against twin."""
    def pct(r, who: str) -> str:
        return "" if pd.isna(r[f"{who}_pct"]) else \
            f"{r[f'{who}_pct']:.1f} [{r[f'{who}_low']:.1f}–{r[f'{who}_high']:.1f}]"

    header = ["sweep", "benchmark", "setting = value", "seeds", "kept CoTs", "teacher right in training %",
              "CoT student %", "twin %", "teacher %", "student vs twin, exact paired p"]
    rows = [[r["sweep"], r["benchmark"], f"{r['axis']} = {r['value']}", str(r["runs"]),
             "" if pd.isna(r["train_examples"]) else f"{r['train_examples']:.0f}", _cell(r["teacher_train_pct"]),
             pct(r, "student"), pct(r, "twin") if isinstance(r["twin"], str) else compare.UNFILED, pct(r, "teacher"),
             "" if pd.isna(r["p"]) else compare.p_text(r["p"]) + ("" if r["significant"] else ", not significant")]
            for _, r in points.iterrows()]
    return _markdown(header, rows, right_from=3)


def without_sweep_points(board: Board) -> Board:
    """The board's entries that are not a sweep's points (a student and twin per value and seed each)."""
    main = board.entries[board.entries["sweep"].isna()]
    keep = set(main["entry"])
    return replace(board, entries=main, scores=board.scores[board.scores["entry"].isin(keep)],
                   metadata={e: m for e, m in board.metadata.items() if e in keep})


INTRO = ("Generated from `{name}/`. Exact match in percent with its 95% Wilson interval. An average (overall, a "
         "category) is the mean of its benchmarks, a benchmark with several test lengths counting once, and is "
         "given only to a model that has every split the table has (`coverage`): a model tested on one benchmark "
         "is not ranked. Names say what a student is: base ← teacher (or gold rationales) CoT or answers · the "
         "benchmark it was trained on.")
BASE_RATES = (" The last two rows are the base rates over the questions most models were asked: guessing (chance: "
              "1/2 for yes/no, 1/options, 0 for free answers) and always giving the most common gold answer of those "
              "questions (majority class).")
PAIRED = ("Paired comparisons: each CoT or program-of-thought (PoT) student against its answer-only twin (same base "
          "model, same training questions, answers only), its untrained base model (few-shot, with programs for a "
          "PoT student where measured), its teacher (few-shot CoT) and, for a PoT student, the CoT students of the "
          "same base model and benchmark (the one trained on the same teacher's chains, and the one trained on gold "
          "rationales), on the questions both answered. Wins: questions only the student got right; losses: only "
          "the reference. The interval is Newcombe's for paired proportions; p is the exact McNemar test (two-sided "
          "binomial on wins and losses); a difference not significant at 0.05 says so, in *italics*; near the edge "
          "the two can disagree (an interval just clear of 0, p just above 0.05), and the mark follows the test. A "
          "benchmark with several test splits also gets a row pooling them (all). A student trained with several "
          "seeds pools its (question, seed) pairs into n, wins, losses and the difference, but a question counts "
          "once in its test: the seeds of a question are flipped together (the exact sign-flip test of wins minus "
          "losses, McNemar's with one seed), and its interval is widened as much as the seeds agree. `engines`: "
          "whether one engine with one weights' type ran both models; where they differ, part of the difference may "
          "come from the engine (the same weights through llama.cpp's Q4 and transformers' fp32 give other "
          "answers).")
SWEEPS = ("Sweeps: a recipe with `sweep:` trains a CoT student and its answer-only twin at each value of one setting "
          "(left out of the tables above; the board's Trade-offs page draws them). Kept CoTs: the teacher's chains "
          "the filter kept, what the CoT student learned from (its twin: the same questions' answers); teacher right "
          "in training: the teacher's final answers on those training questions before filtering. Test accuracy in "
          "percent (the teacher's few-shot CoT) with its 95% Wilson interval over every question, each once however "
          "many seeds answered it, the test splits of a benchmark pooled; p is the exact paired test of student "
          "against twin on the same questions (as above: a question counts once over its seeds).")
BUDGET = ("Compute budget: wall hours on the machine that ran each stage (the board shows its hardware), from what "
          "the runs recorded. Wall time counts every wait: where the machine also ran tests or a run was paused, it "
          "is more than the work took. Teacher: the share of a teacher file's generation time its students' "
          "training questions used, counted once per recipe (a file that several recipes share counts in each). "
          "Filtering takes seconds and is not counted. Runs filed before a stage kept its time are counted, not "
          "timed (last column); `by hand`: `distill train` or `distill eval` outside a recipe.")


def section(results_dir: Path) -> str:
    everything = load_board(results_dir)
    lines = [START, "", INTRO.format(name=Path(results_dir).name), ""]
    if everything.entries.empty:
        return "\n".join([*lines, "Nothing is filed under results/ yet.", "", END])
    board = without_sweep_points(everything)
    every_question, _ = read_outcomes(everything)
    # One summary for the main table's base rates and for the flags, which cover the sweeps' points too.
    tested = everything.entries[everything.entries["role"] != "reported"]
    summary = compare.summary(every_question[every_question["entry"].isin(tested["entry"])])
    lines += [*_main_tables(board, summary), *_paired_section(board, every_question),
              *_sweeps_section(everything, every_question), *_budget_section(everything)]
    return "\n".join([*lines, *flags_section(everything, summary), END])


def _main_tables(board: Board, summary: pd.DataFrame) -> list[str]:
    """The measured models with base rates, then the numbers published in papers."""
    lines = []
    measured = board.entries[board.entries["role"] != "reported"]
    if not measured.empty:
        lines += main_table(board.scores[board.scores["role"] != "reported"], measured,
                            summary[summary["entry"].isin(measured["entry"])])
        lines += ["", sizes_line(board.scores) + BASE_RATES, ""]
    if (board.entries["role"] == "reported").any():
        lines += ["Published in papers, not measured here (see the board for sources):", "",
                  *main_table(board.scores, board.entries[board.entries["role"] == "reported"]), ""]
    return lines


def _paired_section(board: Board, every_question: pd.DataFrame) -> list[str]:
    """Every student of the main table against its references, a seed group named as one student."""
    paired = compare.paired(every_question[every_question["entry"].isin(board.entries["entry"])], board.entries)
    if paired.empty:
        return []
    return [PAIRED, "", *paired_table(paired, transforms.display_names(board.entries, groups=True)), ""]


def _sweeps_section(everything: Board, every_question: pd.DataFrame) -> list[str]:
    """The sweeps' points, which the tables above leave out."""
    if everything.entries["sweep"].isna().all():
        return []
    paired = compare.paired(every_question, everything.entries)
    points = compare.tradeoffs(paired, everything.entries, every_question)
    return [SWEEPS, "", *tradeoffs_table(points), ""]


def _budget_section(everything: Board) -> list[str]:
    spent = spending(everything)
    return [] if spent.empty else [BUDGET, "", *budget_table(spent), ""]


def flags_section(everything: Board, summary: pd.DataFrame) -> list[str]:
    """The base-rate flags of every measured entry (`summary`), the sweeps' points included: a twin that answers
    "no" to every question says as little in a sweep as on the main table."""
    if summary.empty or not (summary["constant"] | summary["near_majority"]).any():
        return []
    return ["Base-rate flags: a model that gives one answer to ≥90% of a split's questions scores that answer's "
            "share of the gold answers, and a score within its 95% interval of always giving the majority answer "
            "is not evidence of more. A sweep's point is named by its setting.", "",
            *flags_table(summary, transforms.display_names(everything.entries)), ""]


def replace_section(text: str, new: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"README has no results markers: add the lines\n{START}\n{END}")
    head, rest = text.split(START, 1)
    return head + new + rest.split(END, 1)[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=DEFAULT_DIR, help="results directory (default results)")
    parser.add_argument("--readme", type=Path, default=Path("README.md"), help="file to update (default README.md)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="fail if the README is out of date")
    action.add_argument("--print", action="store_true", help="print the section, change nothing")
    args = parser.parse_args(argv)
    new = section(args.results)
    if args.print:
        print(new)
        return 0
    text = args.readme.read_text()
    updated = replace_section(text, new)
    if args.check:
        if updated != text:
            print(f"{args.readme} is out of date with {args.results}/: run `python -m leaderboard.readme`",
                  file=sys.stderr)
            return 1
        return 0
    if updated != text:
        atomic_write_text(args.readme, updated)
    print(f"{args.readme}: results section {'updated' if updated != text else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
