"""The README's results section, generated from results/: the board's main table and the distillation gains.

    python -m leaderboard.readme            # rewrite the section between the markers in README.md
    python -m leaderboard.readme --check    # exit 1 if README.md is not what results/ says (run by the tests)
    python -m leaderboard.readme --print    # print the section instead
"""

import argparse
import sys
from pathlib import Path

import pandas as pd

from distill.benchmarks import CATEGORIES
from distill.jsonio import atomic_write_text
from leaderboard import transforms
from distill.results import DEFAULT_DIR
from leaderboard.load import load_board

START, END = "<!-- results:start (python -m leaderboard.readme) -->", "<!-- results:end -->"


def _cell(value, stderr=None) -> str:
    if pd.isna(value):
        return ""
    return f"{value:.1f}" + (f" ± {stderr:.1f}" if stderr is not None and pd.notna(stderr) else "")


def _markdown(header: list[str], rows: list[list[str]], right_from: int) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    return ["| " + " | ".join(line) + " |" for line in (header, align, *rows)]


def main_table(scores: pd.DataFrame, entries: pd.DataFrame, reported: bool = False) -> list[str]:
    """Measured entries, best overall first; or, with `reported`, the published numbers alone."""
    table = transforms.wide_table(scores, entries)
    measured = table[(table["role"] == "reported") == reported]
    averages = [c for c in ("overall", *CATEGORIES) if measured[c].notna().any()]
    splits = [c for c in transforms.split_columns() if c in measured.columns and measured[c].notna().any()]
    header = ["model", "format", "role", "params", *averages, *splits]
    rows = [[r["model"], r["format"], r["role"], transforms.size_label(r["params"]),
             *(_cell(r[c]) for c in averages), *(_cell(r[c], r[transforms.stderr_column(c)]) for c in splits)]
            for _, r in measured.iterrows()]
    return _markdown(header, rows, right_from=3)


def sizes_line(scores: pd.DataFrame) -> str:
    return f"Test questions per split (the first N of each): {transforms.test_sizes_text(scores)}."


def gains_table(scores: pd.DataFrame, entries: pd.DataFrame) -> list[str]:
    gains = transforms.distillation_gains(scores, entries)
    header = ["CoT student", "CoTs from", "test split", "CoT student %", "answer-only twin %", "gain (points)",
              "teacher %", "retention"]
    rows = [[g["student"], g["teacher"], g["column"], _cell(g["student_score"]), _cell(g["twin_score"]),
             f"{g['gain']:+.1f} ± {g['gain_stderr']:.1f}", _cell(g["teacher_score"]),
             "" if pd.isna(g["retention"]) else f"{g['retention']:.2f}"]
            for _, g in gains.iterrows()]
    return _markdown(header, rows, right_from=3)


def section(results_dir: Path) -> str:
    board = load_board(results_dir)
    lines = [START, "", f"Generated from `{Path(results_dir).name}/`. Exact match in percent (± standard error); category "
             "and overall columns average benchmarks, a benchmark with several test lengths counting once.", ""]
    if board.entries.empty:
        return "\n".join([*lines, "Nothing is filed under results/ yet.", "", END])
    lines += main_table(board.scores, board.entries) + ["", sizes_line(board.scores), ""]
    if (board.entries["role"] == "reported").any():
        lines += ["Published in papers, not measured here (see the board for sources):", "",
                  *main_table(board.scores, board.entries, reported=True), ""]
    gains = gains_table(board.scores, board.entries)
    if len(gains) > 2:
        lines += ["Distillation gain: each CoT student against its answer-only twin (same base model, same "
                  "training questions, answers only); gain ± the standard error of the difference; retention = "
                  "CoT student score / the teacher's few-shot CoT score.", "", *gains, ""]
    return "\n".join([*lines, END])


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
