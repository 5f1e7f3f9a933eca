"""What do last-letter students get wrong: the template, copying the words, or naming their last letters?

This script pools the last_letter outputs of one or more entries (the seeds of one student, say) and tallies,
per test split (2 to 6 words): how many questions there are, how many the entries answer right, how many
chains write one step per word of the question ('The last letter of "Hazel" is "l".'), and, over all the
steps written, how many name the question's word at that position, how many give the last letter of the word
they name, and how many give the last letter of the question's word at that position (what a right answer
needs).

    .venv/bin/python scripts/last_letter_steps.py results/<student> [results/<same student, another seed> ...]

Scores are the samples' `exact_match`, which `distill verify` re-derives with the project's grader.
"""

import argparse
import collections
import re
from pathlib import Path

from distill.benchmarks import get_benchmark
from distill.results import read_samples
from distill.sources.symbolic import letter_steps
from leaderboard.load import load_board
from leaderboard.samples import first_response

_NAME = re.compile(r'words in "([^"]+)"')  # the name in a last_letter question


def tally(entries: list[Path], splits: set[str] | None) -> dict[str, collections.Counter]:
    """Per test split: questions, right answers, chains with one step per word, and over their steps: steps,
    the question's word named, the named word's last letter, the question word's last letter."""
    board = load_board(entries[0].resolve().parent)
    names = {e.name for e in entries}
    tasks = board.scores[board.scores["entry"].isin(names) & (board.scores["benchmark"] == "last_letter")
                         & board.scores["samples_file"].notna()]
    if missing := names - set(tasks["entry"]):
        raise SystemExit(f"no last_letter samples on the board for {', '.join(sorted(missing))}")
    by_split = collections.defaultdict(collections.Counter)
    for split, path in zip(tasks["split"], tasks["samples_file"]):
        if splits and split not in splits:
            continue
        for record in read_samples(path):
            words, steps = _NAME.search(record["doc"]["question"])[1].split(), letter_steps(first_response(record))
            row = by_split[split]
            row["questions"] += 1
            row["right"] += bool(record["exact_match"])
            row["one step per word"] += len(steps) == len(words)
            for (named, letter), word in zip(steps, words + [""] * len(steps)):
                row["steps"] += 1
                row["word copied"] += named == word
                row["letter of named"] += letter.lower() == named[-1].lower()
                row["letter of word"] += bool(word) and letter.lower() == word[-1].lower()
    return by_split


def share(part: int, whole: int) -> str:
    return f"{part} ({part / whole:.0%})" if whole else "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("entries", type=Path, nargs="+", help="results/ entries (one results directory), pooled")
    parser.add_argument("--splits", help="comma-separated test splits (default: every last_letter split), e.g. "
                                          "test_2words,test_3words")
    args = parser.parse_args()
    if len({e.resolve().parent for e in args.entries}) > 1:
        parser.error("the entries are not in one results directory")
    known = get_benchmark("last_letter").test_splits
    splits = set(args.splits.split(",")) if args.splits else None
    if unknown := (splits or set()) - set(known):
        parser.error(f"no last_letter test split {', '.join(sorted(unknown))}: choose from {', '.join(known)}")
    by_split = tally(args.entries, splits)
    print("| test split | questions | answered right | one step per word | steps | step names the question's word "
          "| step's letter ends the word it names | step's letter ends the question's word |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for split in [s for s in known if s in by_split]:
        row, n, steps = by_split[split], by_split[split]["questions"], by_split[split]["steps"]
        print(f"| {split} | {n} | {share(row['right'], n)} | {share(row['one step per word'], n)} | {steps} "
              f"| {share(row['word copied'], steps)} | {share(row['letter of named'], steps)} "
              f"| {share(row['letter of word'], steps)} |")


if __name__ == "__main__":
    main()
