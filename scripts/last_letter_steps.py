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

import collections
import re

from pooled import parse_args, share

from distill.sources.symbolic import letter_steps
from leaderboard.samples import first_response

_NAME = re.compile(r'words in "([^"]+)"')  # the name in a last_letter question


def tally(records: list[tuple[str, dict]]) -> dict[str, collections.Counter]:
    """Per test split: questions, right answers, chains with one step per word, and over their steps: steps,
    the question's word named, the named word's last letter, the question word's last letter."""
    by_split = collections.defaultdict(collections.Counter)
    for split, record in records:
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


def main() -> None:
    splits, records = parse_args(__doc__, "last_letter", "test_2words,test_3words")
    by_split = tally(records)
    print("| test split | questions | answered right | one step per word | steps | step names the question's word "
          "| step's letter ends the word it names | step's letter ends the question's word |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for split in [s for s in splits if s in by_split]:
        row, n, steps = by_split[split], by_split[split]["questions"], by_split[split]["steps"]
        print(f"| {split} | {n} | {share(row['right'], n)} | {share(row['one step per word'], n)} | {steps} "
              f"| {share(row['word copied'], steps)} | {share(row['letter of named'], steps)} "
              f"| {share(row['letter of word'], steps)} |")


if __name__ == "__main__":
    main()
