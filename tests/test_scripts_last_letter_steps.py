"""scripts/last_letter_steps.py: last-letter outputs tallied per test split, step by step."""

import gzip
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

SCRIPT = Path(__file__).parent.parent / "scripts" / "last_letter_steps.py"


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False)


def _answer(entry: Path, output) -> None:
    """Rewrite the entry's samples so that each output is `output(record)`."""
    for path in entry.glob("samples_*.jsonl.gz"):
        with gzip.open(path, "rt") as lines:
            records = [json.loads(line) for line in lines]
        for r in records:
            r["resps"] = [[output(r)]]
            r["filtered_resps"] = [output(r)]
        path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))


def _rows(stdout: str) -> dict[str, list[str]]:
    return {cells[0]: cells[1:] for line in stdout.splitlines()[2:] for cells in [line.strip("| ").split(" | ")]}


def test_gold_rationales_get_every_step_right(tmp_path):
    entry = synth.write_entry(tmp_path, "student", fmt="ft_cot", n=20,
                              scores={("last_letter", "test_2words"): 1.0, ("last_letter", "test_4words"): 1.0})
    _answer(entry, lambda r: f" {r['doc']['rationale']} The answer is {r['doc']['answer']}.")
    done = _run(entry)
    assert done.returncode == 0, done.stderr
    rows = _rows(done.stdout)
    assert list(rows) == ["test_2words", "test_4words"]
    assert rows["test_2words"] == ["20", "20 (100%)", "20 (100%)", "40", "40 (100%)", "40 (100%)", "40 (100%)"]
    assert rows["test_4words"][3:] == ["80", "80 (100%)", "80 (100%)", "80 (100%)"]


def test_a_two_step_template_on_longer_names_is_counted_step_by_step(tmp_path):
    """The student the audit found: two steps for any name, the second word's letter wrong."""
    entry = synth.write_entry(tmp_path, "student", fmt="ft_cot", n=10, scores={("last_letter", "test_3words"): 0.0})

    def two_steps(record):
        first, second = record["doc"]["question"].split('"')[1].split()[:2]
        return f' The last letter of "{first}" is "{first[-1]}". The last letter of "{second}" is "#". The answer is x.'
    _answer(entry, two_steps)
    (row,) = _rows(_run(entry, "--splits", "test_3words").stdout).values()
    assert row[:4] == ["10", "0 (0%)", "0 (0%)", "20"]  # no chain has three steps
    assert row[4:] == ["20 (100%)", "10 (50%)", "10 (50%)"]
