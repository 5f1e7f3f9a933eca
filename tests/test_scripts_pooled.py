"""scripts/pooled.py: the command line of the per-benchmark output analyses, through each script that uses it."""

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

SCRIPTS = Path(__file__).parent.parent / "scripts"
# script -> (its benchmark, one of its test splits)
USERS = {"coin_flip_counts.py": ("coin_flip", "test_3flips"), "last_letter_steps.py": ("last_letter", "test_2words")}


def _run(script: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPTS / script), *map(str, args)], capture_output=True, text=True,
                          check=False)


@pytest.mark.parametrize("script", USERS)
def test_an_unknown_split_is_named(script, tmp_path):
    benchmark, split = USERS[script]
    entry = synth.write_entry(tmp_path, "student", fmt="ft_cot", n=10, scores={(benchmark, split): 0.5})
    done = _run(script, entry, "--splits", f"{split},{split}x")
    assert done.returncode == 2 and f"no {benchmark} test split {split}x: choose from" in done.stderr


@pytest.mark.parametrize("script", USERS)
def test_an_entry_without_the_benchmarks_samples_is_named(script, tmp_path):
    benchmark, _ = USERS[script]
    other = next(key for key in USERS.values() if key[0] != benchmark)
    entry = synth.write_entry(tmp_path, "student", fmt="ft_cot", n=10, scores={other: 0.5})
    done = _run(script, entry)
    assert done.returncode == 2 and f"no {benchmark} samples for student__ft_cot" in done.stderr


@pytest.mark.parametrize("script", USERS)
def test_a_directory_that_is_no_entry_is_named(script, tmp_path):
    done = _run(script, tmp_path / "absent__ft_cot")
    assert done.returncode == 2 and "no metadata.json" in done.stderr and "Traceback" not in done.stderr
