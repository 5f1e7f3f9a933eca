"""How the board scales: load N generated entries and render the main table.

    python benchmarks/bench_board.py [--entries 1000] [--runs 5]

Writes N entries shaped like real `distill eval` output (tests/fixtures/board/synth.py: lm-eval's
results JSON with the real file as template, gzip samples for every offline test split, metadata)
into a temporary directory, then times, in one process as the Streamlit server would run them:
- the first load: `load_board` reading every file, uncached;
- the first page view: the app's first run, which fills the cache;
- later page views: a fresh session (AppTest) running the main page on the warm cache;
- a filter change: typing a search in a session that is already open.
The issue's target is a later page view under 2 s at 1,000 entries. Prints a table, writes
artifacts/bench_board.json. Where BIG-bench's task files cannot be downloaded, the entries' sports, date and
strategyqa samples quote made-up questions of the same shape (prepared in the temporary directory, never the
cache): the timings do not depend on what the questions say.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "tests" / "fixtures" / "board"), str(REPO / "tests" / "fixtures")]
import made_up_bigbench  # noqa: E402
import synth  # noqa: E402

from distill import results  # noqa: E402
from distill.benchmarks import FORMATS  # noqa: E402
from leaderboard.load import load_board  # noqa: E402

APP = str(REPO / "leaderboard" / "app.py")
ROLES = tuple(r for r in results.ROLES if r != "reported")


def generate(root: Path, count: int, seed: int = 0) -> None:
    """`count` entries of assorted roles, formats and sizes, each with every offline test split."""
    rng = random.Random(seed)
    for i in range(count):
        params = int(10 ** rng.uniform(8, 11))
        role = rng.choice(ROLES)
        synth.write_entry(root, f"model-{i:04d}", fmt=rng.choice(FORMATS), role=role, params=params,
                          base_model=f"model-{rng.randrange(count):04d}" if role == "student" else None,
                          teacher=f"model-{rng.randrange(count):04d}" if role == "student" else None,
                          scores=synth.random_scores(rng, rng.uniform(0.1, 0.9)))


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def page_view() -> "AppTest":  # noqa: F821
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120).run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000, help="entries to generate (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="later page views to time (default 5)")
    parser.add_argument("--out", type=Path, default=REPO / "artifacts" / "bench_board.json")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-board-") as tmp:
        root = Path(tmp) / "results"
        if made_up_bigbench.stand_in(Path(tmp) / "bigbench"):
            os.environ["DISTILL_DATA"] = str(Path(tmp) / "data")
            print("BIG-bench cannot be downloaded here: sports, date and strategyqa samples quote made-up questions")
        generate_s = timed(lambda: generate(root, args.entries))
        files = sum(len(f) for _, _, f in os.walk(root))
        board = None

        def first_load():
            nonlocal board
            board = load_board(root)

        load_s = timed(first_load)
        os.environ["DISTILL_RESULTS"] = str(root)
        first_view_s = timed(page_view)
        later = [timed(page_view) for _ in range(args.runs)]
        at = page_view()
        rows_shown = len(at.dataframe[0].value)
        search_s = timed(lambda: at.text_input(key="search").input("model-00").run())

    result = {"entries": args.entries, "files": files, "scores": len(board.scores), "rejected": len(board.rejected),
              "rows_shown": rows_shown, "generate_s": round(generate_s, 2), "first_load_s": round(load_s, 3),
              "first_view_s": round(first_view_s, 3), "later_view_median_s": round(statistics.median(later), 3),
              "later_view_max_s": round(max(later), 3), "search_s": round(search_s, 3),
              "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nboard over {args.entries} generated entries ({files} files, {len(board.scores)} scores), "
          f"{result['machine']}")
    print("| first load (uncached) | first page view | later page view, median / max | search typed |")
    print("|---:|---:|---:|---:|")
    print(f"| {load_s:.2f} s | {first_view_s:.2f} s | {statistics.median(later):.2f} / {max(later):.2f} s "
          f"| {search_s:.2f} s |")
    if board.rejected.size or rows_shown != args.entries:
        sys.exit(f"expected {args.entries} entries on the board, showed {rows_shown} ({len(board.rejected)} rejected)")


if __name__ == "__main__":
    main()
