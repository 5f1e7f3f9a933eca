"""Do coin-flip students count the flips, or copy the training length's counts?

Students trained on two-person questions are tested on 3-6 people. This script pools the coin_flip outputs of
one or more entries (the seeds of one student, say) and tallies, by how many times the question's people flip
the coin (a name drawn twice flips twice): how many questions there are, how many the entries answer right, how many of their chains state that
count ("so it was flipped 3 times"), and how many say nobody flips (a count of 0: right by luck when the true
count is even). A chain that never states a count above two cannot get the parity of three or more flips
right except by a second mistake.

    .venv/bin/python scripts/coin_flip_counts.py results/<student> [results/<same student, another seed> ...]

Scores are the samples' `exact_match`, which `distill verify` re-derives with the project's grader.
"""

import collections

from pooled import parse_args, share

from distill.sources.symbolic import flippers, stated_flips
from leaderboard.samples import first_response


def tally(records: list[tuple[str, dict]]) -> dict[int, collections.Counter]:
    """Per number of flips in the question: questions, right answers, chains stating that count, chains
    stating any count above two, chains stating a count of zero."""
    by_flips = collections.defaultdict(collections.Counter)
    for _, record in records:
        flips, counts = len(flippers(record["doc"]["question"])), stated_flips(first_response(record))
        row = by_flips[flips]
        row["questions"] += 1
        row["right"] += bool(record["exact_match"])
        row["states it"] += flips in counts
        row["states above 2"] += any(n > 2 for n in counts)
        row["states 0"] += 0 in counts
    return by_flips


def main() -> None:
    by_flips = tally(parse_args(__doc__, "coin_flip", "test_3flips,test_4flips")[1])
    print("| flips in the question | questions | answered right | chain states that count | chain states a count above 2 "
          "| chain says nobody flips |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for flips, row in sorted(by_flips.items()):
        n = row["questions"]
        print(f"| {flips} | {n} | {share(row['right'], n)} | {share(row['states it'], n)} "
              f"| {share(row['states above 2'], n)} | {share(row['states 0'], n)} |")


if __name__ == "__main__":
    main()
