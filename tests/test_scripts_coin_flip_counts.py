"""scripts/coin_flip_counts.py: coin-flip outputs tallied by how many people flip, and what the chains count."""

import gzip
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

SCRIPT = Path(__file__).parent.parent / "scripts" / "coin_flip_counts.py"


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False)


def _answer_with_gold_rationales(entry: Path) -> Counter:
    """Rewrite the entry's samples so that each output is its question's gold rationale (which states the true
    count); returns the questions per flip count, read from those rationales."""
    counts = Counter()
    for path in entry.glob("samples_*.jsonl.gz"):
        with gzip.open(path, "rt") as lines:
            records = [json.loads(line) for line in lines]
        for r in records:
            output = f" {r['doc']['rationale']} The answer is {r['doc']['answer']}."
            r["resps"], r["filtered_resps"] = [[output]], [output]
            counts[int(re.search(r"flipped (\d+) time", output)[1])] += 1
        path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    return counts


def test_it_tallies_answers_and_stated_counts_by_flips(tmp_path):
    entry = synth.write_entry(tmp_path, "student", fmt="ft_cot", n=40, scores={("coin_flip", "test_3flips"): 1.0})
    counts = _answer_with_gold_rationales(entry)
    done = _run(entry)
    assert done.returncode == 0, done.stderr
    rows = {int(cells[0]): cells[1:] for line in done.stdout.splitlines()[2:]
            for cells in [line.strip("| ").split(" | ")]}
    assert {k: int(v[0]) for k, v in rows.items()} == dict(counts)
    for flips, (n, right, states, above, nobody, sound) in rows.items():
        assert right == states == sound == f"{n} (100%)"
        assert above == (f"{n} (100%)" if flips > 2 else "0 (0%)")
        assert nobody == (f"{n} (100%)" if flips == 0 else "0 (0%)")
