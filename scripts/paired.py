"""Compare any two results entries question by question: the paired test the board runs for a student
against its references (wins, losses, the difference with its 95% interval, the exact paired p), for two
entries the board does not pair, such as two students trained on different rationales.

    .venv/bin/python scripts/paired.py results/<first entry> results/<second entry>

Wins are the questions only the first got right. Both entries must be in the same results directory; a
seed group's entry stands for all of its seeds: wins and losses count (question, seed) pairs, and the test
counts each question once (its seeds flipped together).
"""

import argparse
import sys
from pathlib import Path

from leaderboard import compare, readme, transforms
from leaderboard.load import load_board, read_outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", type=Path, help="an entry directory under a results directory")
    parser.add_argument("second", type=Path, help="another entry of the same results directory")
    args = parser.parse_args(argv)
    results_dir = args.first.resolve().parent
    if args.second.resolve().parent != results_dir:
        parser.error(f"{args.first} and {args.second} are not in one results directory")
    board = load_board(results_dir)
    questions, _ = read_outcomes(board)
    try:
        rows = compare.head_to_head(questions, board.entries, args.first.name, args.second.name)
    except KeyError as err:
        parser.error(f"{err.args[0]} (it may be under `Rejected files`: run the board or `distill verify`)")
    except ValueError as err:
        parser.error(str(err))
    if rows.empty:
        print(f"{args.first.name} and {args.second.name} answered no question in common", file=sys.stderr)
        return 1
    print("\n".join(readme.paired_table(rows, transforms.display_names(board.entries, groups=True))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
