"""The command line the per-benchmark output analyses share (scripts/coin_flip_counts.py,
scripts/last_letter_steps.py): entries of one student (its seeds, say), pooled, and the test splits to read."""

import argparse
from pathlib import Path

from distill.benchmarks import parse_test_splits
from distill.errors import DistillError
from distill.results import Rejected, pooled_samples


def parse_args(description: str, benchmark: str, example: str) -> tuple[list[str], list[tuple[str, dict]]]:
    """(the chosen test splits, their (split, sample record) pairs) from the command line; a usage error names
    an unknown split, or an entry that is not one or has no samples of `benchmark`."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("entries", type=Path, nargs="+", help="results/ entries, pooled")
    parser.add_argument("--splits", help=f"comma-separated test splits (default: every {benchmark} split), e.g. "
                                         f"{example}")
    args = parser.parse_args()
    try:
        splits = parse_test_splits(benchmark, args.splits)
        return splits, pooled_samples(args.entries, benchmark, splits)
    except (DistillError, Rejected) as e:  # an unknown split; an entry that is none, or without samples there
        parser.error(str(e))


def share(part: int, whole: int) -> str:
    """'45 (82%)': a count and its share of `whole`."""
    return f"{part} ({part / whole:.0%})" if whole else str(part)
