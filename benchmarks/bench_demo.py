"""`make demo` from a fresh clone, twice: wall time until the board answers, and a screenshot of it.

    make bench-demo    (or: .venv/bin/python benchmarks/bench_demo.py [--workdir DIR] [--fresh-cache])

Clones this repository's HEAD into a new directory, runs `make demo` there (setup, recipes/demo.yaml,
then the board on 127.0.0.1), waits for the board's health endpoint, screenshots the page with headless
Chromium, stops it, and does it all again: the second run should only check and serve. Model and data
downloads are cached in $DISTILL_HOME (~/.cache/distill) across clones; --fresh-cache uses an empty one,
so PyPI downloads and conversions are timed too. Writes artifacts/bench_demo.<runs>.json and artifacts/demo/board.png.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
import test_leaderboard_browser as browser  # noqa: E402 - the browser test's own Chromium calls

from distill.pipeline import RUN_LOG, load_recipe  # noqa: E402
from distill.serve import free_port  # noqa: E402


def run_demo(clone: Path, port: int, log: Path, env: dict) -> float:
    """Seconds from `make demo` to a board that answers; the board is stopped afterwards."""
    start = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(["make", "demo", f"BOARD_PORT={port}"], cwd=clone, stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    return time.perf_counter() - start
            except OSError:
                pass
            if proc.poll() is not None:
                raise SystemExit(f"make demo exited with {proc.returncode} before the board started; see {log}")
            time.sleep(1)
    finally:
        if proc.poll() is None:
            screenshot(port)
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
        _wait_until_closed(port)  # the next run must not find this board still shutting down


def _wait_until_closed(port: int) -> None:
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
        except OSError:
            return
        time.sleep(0.5)
    raise SystemExit(f"the board on port {port} did not stop")


def screenshot(port: int) -> None:
    """Once the page shows its main table (the first view imports the app), a screenshot of it."""
    if browser.CHROMIUM is None:
        print("no chromium: no screenshot", file=sys.stderr)
        return
    out, url = REPO / "artifacts" / "demo" / "board.png", f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as profile:
        browser.rendered(url, Path(profile), "Measured here")
        drawn = browser.screenshot(url, Path(profile), out)
    print(f"screenshot: {out} ({'tables drawn' if drawn > 0.02 else 'NO tables drawn'})", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="where to clone (default: a new temporary directory)")
    parser.add_argument("--fresh-cache", action="store_true", help="use an empty $DISTILL_HOME for this clone")
    parser.add_argument("--runs", default="first,second", help="labels of the runs to time (default first,second); "
                                                              "with an existing clone in --workdir, e.g. 'repeat'")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="demo-"))
    clone = work / "small-reasoners"
    if clone.exists():
        print(f"reusing the clone in {clone}: what it has done stays done", file=sys.stderr)
    else:
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "DISTILL_"))}
    if args.fresh_cache:
        env["DISTILL_HOME"] = str(work / "distill-home")
    demo = load_recipe(clone / "recipes/demo.yaml")  # its paths are relative to the clone, where make runs
    port = free_port()
    rows = []
    for attempt in args.runs.split(","):
        seconds = run_demo(clone, port, work / f"demo-{attempt}.log", env)
        print(f"{attempt} make demo: board up after {seconds:.0f} s", file=sys.stderr)
        stages = json.loads((clone / demo.work / RUN_LOG).read_text())["stages"]
        rows.append({"run": attempt, "seconds_to_board": round(seconds, 1),
                     "stages": {s["stage"]: s["seconds"] for s in stages}})
    summary = {"clone": str(clone), "fresh_cache": args.fresh_cache, "cores": os.cpu_count(), "runs": rows}
    out = REPO / "artifacts" / f"bench_demo.{'_'.join(args.runs.split(','))}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print("| make demo | seconds to the board |\n|---|---:|")
    for r in rows:
        print(f"| {r['run']} run | {r['seconds_to_board']} |")
    print(subprocess.run([sys.executable, "-m", "leaderboard.readme", "--print", "--results",
                          str(clone / demo.results_dir)], cwd=REPO, capture_output=True, text=True).stdout)


if __name__ == "__main__":
    main()
