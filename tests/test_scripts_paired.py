"""scripts/paired.py: two entries of a results directory compared question by question, and clear errors."""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

SCRIPT = Path(__file__).parent.parent / "scripts" / "paired.py"
SPLIT = ("last_letter", "test_2words")


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False)


def test_it_prints_the_paired_row_of_two_entries(tmp_path):
    first = synth.write_entry(tmp_path, "gold-student", fmt="ft_cot", n=30, scores={SPLIT: 0.9})
    second = synth.write_entry(tmp_path, "teacher-student", fmt="ft_cot", n=30, scores={SPLIT: 0.4})
    done = _run(first, second)
    assert done.returncode == 0, done.stderr
    row = done.stdout.splitlines()[-1].strip("| ").split(" | ")
    assert row[:5] == ["gold-student · CoT", "head to head", "teacher-student · CoT", "last_letter 2words", "30"]
    assert row[7:9] == ["90.0", "40.0"]


def test_it_names_what_is_wrong(tmp_path):
    first = synth.write_entry(tmp_path / "a", "one", fmt="ft_cot", n=30, scores={SPLIT: 0.9})
    second = synth.write_entry(tmp_path / "b", "two", fmt="ft_cot", n=30, scores={SPLIT: 0.4})
    apart = _run(first, second)
    assert apart.returncode == 2 and "are not in one results directory" in apart.stderr
    missing = _run(first, tmp_path / "a" / "three__ft_cot")
    assert missing.returncode == 2 and "no entry three__ft_cot" in missing.stderr
