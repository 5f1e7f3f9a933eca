"""The scale benchmark (benchmarks/bench_board.py) runs, here on a small board so the suite stays fast;
`make bench-board` runs it on 1,000 entries."""

import json
import subprocess
import sys
from pathlib import Path

from distill.benchmarks import offline_benchmarks

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_board.py"


def test_the_board_benchmark_generates_loads_and_renders_every_entry(tmp_path):
    out = tmp_path / "bench_board.json"
    subprocess.run([sys.executable, str(BENCH), "--entries", "40", "--runs", "1", "--out", str(out)], check=True,
                   capture_output=True, timeout=300)
    result = json.loads(out.read_text())
    assert result["rows_shown"] == 40 and result["rejected"] == 0
    assert result["scores"] == 40 * sum(len(b.test_splits) for b in offline_benchmarks())  # each offline task
    assert result["later_view_median_s"] > 0  # timed; the 2 s goal is the benchmark's, at 1,000 entries
