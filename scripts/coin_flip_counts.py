"""Do coin-flip students count the flips, or copy the training length's counts?

Students trained on two-person questions are tested on 3-6 people. This script pools the coin_flip outputs of
one or more entries (the seeds of one student, say) and tallies, by how many people in the question flip the
coin: how many questions there are, how many the entries answer right, how many of their chains state that
count ("so it was flipped 3 times"), and how many say nobody flips (a count of 0: right by luck when the true
count is even). A chain that never states a count above two cannot get the parity of three or more flips
right except by a second mistake.

    .venv/bin/python scripts/coin_flip_counts.py results/<student> [results/<same student, another seed> ...]

Scores are the samples' `exact_match`, which `distill verify` re-derives with the project's grader.
"""

import argparse
import collections
from pathlib import Path

from distill.benchmarks import get_benchmark
from distill.results import read_samples
from distill.sources.symbolic import flippers, stated_flips
from leaderboard.load import load_board
from leaderboard.samples import first_response


def tally(entries: list[Path], splits: set[str] | None) -> dict[int, collections.Counter]:
    """Per number of flips in the question: questions, right answers, chains stating that count, chains
    stating any count above two, chains stating a count of zero."""
    board = load_board(entries[0].resolve().parent)
    names = {e.name for e in entries}
    tasks = board.scores[board.scores["entry"].isin(names) & (board.scores["benchmark"] == "coin_flip")
                         & board.scores["samples_file"].notna()]
    if missing := names - set(tasks["entry"]):
        raise SystemExit(f"no coin_flip samples on the board for {', '.join(sorted(missing))}")
    by_flips = collections.defaultdict(collections.Counter)
    for split, path in zip(tasks["split"], tasks["samples_file"]):
        if splits and split not in splits:
            continue
        for record in read_samples(path):
            flips, counts = len(flippers(record["doc"]["question"])), stated_flips(first_response(record))
            row = by_flips[flips]
            row["questions"] += 1
            row["right"] += bool(record["exact_match"])
            row["states it"] += flips in counts
            row["states above 2"] += any(n > 2 for n in counts)
            row["states 0"] += 0 in counts
    return by_flips


def share(part: int, whole: int) -> str:
    return f"{part} ({part / whole:.0%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("entries", type=Path, nargs="+", help="results/ entries (one results directory), pooled")
    parser.add_argument("--splits", help="comma-separated test splits (default: every coin_flip split), e.g. "
                                          "test_3flips,test_4flips")
    args = parser.parse_args()
    if len({e.resolve().parent for e in args.entries}) > 1:
        parser.error("the entries are not in one results directory")
    splits = set(args.splits.split(",")) if args.splits else None
    if unknown := (splits or set()) - set(get_benchmark("coin_flip").test_splits):
        parser.error(f"no coin_flip test split {', '.join(sorted(unknown))}: choose from "
                     f"{', '.join(get_benchmark('coin_flip').test_splits)}")
    by_flips = tally(args.entries, splits)
    print("| people who flip | questions | answered right | chain states that count | chain states a count above 2 "
          "| chain says nobody flips |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for flips, row in sorted(by_flips.items()):
        n = row["questions"]
        print(f"| {flips} | {n} | {share(row['right'], n)} | {share(row['states it'], n)} "
              f"| {share(row['states above 2'], n)} | {share(row['states 0'], n)} |")


if __name__ == "__main__":
    main()
