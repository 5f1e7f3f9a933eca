"""Do coin-flip students count the flips, or copy the training length's counts?

Students trained on two-person questions are tested on 3-6 people. This script pools the coin_flip outputs of
one or more entries (the seeds of one student, say) and tallies, by how many times the question's people flip
the coin (a name drawn twice flips twice): how many questions there are, how many the entries answer right,
how many of their chains state that count ("so it was flipped 3 times"), how many say nobody flips (a count of
0: right by luck when the true count is even), and how many state no step the question contradicts (who flips,
the count, its parity: the filter's check of the teacher's chains). A chain that never states a count above
two cannot get the parity of three or more flips right except by a second mistake.

    .venv/bin/python scripts/coin_flip_counts.py results/<student> [results/<same student, another seed> ...]

Scores are the samples' `exact_match`, which `distill verify` re-derives with the project's grader.
"""

import collections

from pooled import parse_args, share

from distill.sources.symbolic import flippers, stated_flips, wrong_step
from leaderboard.samples import first_response


def tally(records: list[tuple[str, dict]]) -> dict[int, collections.Counter]:
    """Per number of flips in the question: questions, right answers, chains stating that count, chains
    stating any count above two, chains stating a count of zero, chains with no wrong step."""
    by_flips = collections.defaultdict(collections.Counter)
    for _, record in records:
        question, chain = record["doc"]["question"], first_response(record)
        flips, counts = len(flippers(question)), stated_flips(chain)
        row = by_flips[flips]
        row["questions"] += 1
        row["right"] += bool(record["exact_match"])
        row["states it"] += flips in counts
        row["states above 2"] += any(n > 2 for n in counts)
        row["states 0"] += 0 in counts
        row["sound"] += not wrong_step("coin_flip", question, chain)
    return by_flips


def main() -> None:
    by_flips = tally(parse_args(__doc__, "coin_flip", "test_3flips,test_4flips")[1])
    print("| flips in the question | questions | answered right | chain states that count "
          "| chain states a count above 2 | chain says nobody flips | chain states no wrong step |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for flips, row in sorted(by_flips.items()):
        n = row["questions"]
        print(f"| {flips} | {n} | {share(row['right'], n)} | {share(row['states it'], n)} "
              f"| {share(row['states above 2'], n)} | {share(row['states 0'], n)} | {share(row['sound'], n)} |")


if __name__ == "__main__":
    main()
