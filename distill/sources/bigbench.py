"""BIG-bench tasks (strategyqa, date, sports) from the `bigbench==1.0.0` sdist on PyPI.

The sdist is 358 MB; it is downloaded once, only the task files we need are extracted into the cache,
and the archive is deleted. Where an index withholds it, `$DISTILL_BIGBENCH` names a folder holding the
task files instead (`paths.bigbench_dir`). Splits are a seeded shuffle (sizes as in Ho et al. 2023).
"""

import json
import os
import random
import sys
import tarfile
import tempfile
from pathlib import Path

from distill import paths, pypi
from distill.benchmarks import BENCHMARKS, Benchmark
from distill.errors import DistillError, Unavailable

SDIST = "bigbench==1.0.0"
TASKS = sorted(b.bigbench_task for b in BENCHMARKS.values() if b.bigbench_task)  # extracted in one download
N_TEST = {"strategyqa": 687, "date": 111, "sports": 300}  # Ho et al. splits: 1603/687, 258/111; sports 70/30


def task_file(name: str) -> Path:
    return paths.bigbench_dir() / name / "task.json"


_WITHHELD: list[str] = []  # why the download failed, once this process has tried: not tried again


def fetch_tasks() -> None:
    """Download the sdist once and extract every task file we use; a no-op when they are there."""
    missing = [task_file(name) for name in TASKS if not task_file(name).exists()]
    if not missing:
        return
    if "DISTILL_BIGBENCH" in os.environ:  # the user's own copy: never download into it
        raise DistillError(f"{missing[0]} does not exist: DISTILL_BIGBENCH must name a folder holding "
                           f"{', '.join(f'{name}/task.json' for name in TASKS)}")
    if _WITHHELD:
        raise Unavailable(_WITHHELD[0])
    with tempfile.TemporaryDirectory() as tmp:
        print(f"Downloading {SDIST} from PyPI once (358 MB) for its BIG-bench task files...", file=sys.stderr)
        try:
            archive = pypi.download(SDIST, Path(tmp), kind="sdist")
        except Unavailable as e:
            _WITHHELD.append(f"{e}; or set DISTILL_BIGBENCH to the bigbench/benchmark_tasks folder of a "
                             "BIG-bench clone")
            raise Unavailable(_WITHHELD[0]) from None
        with tarfile.open(archive) as tar:
            for name in TASKS:
                member = tar.getmember(f"bigbench-1.0.0/bigbench/benchmark_tasks/{name}/task.json")
                data = tar.extractfile(member).read()
                task_file(name).parent.mkdir(parents=True, exist_ok=True)
                task_file(name).write_bytes(data)


def load_examples(benchmark: Benchmark) -> list[dict]:
    path = task_file(benchmark.bigbench_task)
    try:
        return json.loads(path.read_text(encoding="utf-8"))["examples"]
    except (OSError, ValueError, KeyError) as e:
        raise DistillError(f"cached BIG-bench file {path} is unreadable ({e}): delete it and run "
                           "`distill data prepare` again") from None


def _strategyqa(ex: dict, rng: random.Random) -> dict:
    answer, _, rationale = ex["target"].partition(". ")  # "Yes. Because ..." -> "Yes", "Because ..."
    return {"question": ex["input"], "answer": answer.strip(". ").lower(),
            "rationale": " ".join(rationale.split()) or None, "choices": None}


def _sports(ex: dict, rng: random.Random) -> dict:
    plausible = ex["target_scores"]["plausible"] == 1
    return {"question": f'Is the following sentence plausible? "{ex["input"]}."',
            "answer": "yes" if plausible else "no", "rationale": None, "choices": None}


def _date(ex: dict, rng: random.Random) -> dict:
    options = list(ex["target_scores"])
    rng.shuffle(options)  # the file lists the right option first
    correct = next(o for o, s in ex["target_scores"].items() if s == 1)
    return {"question": ex["input"], "answer": "ABCDEF"[options.index(correct)],
            "rationale": None, "choices": options}


CONVERT = {"strategyqa": _strategyqa, "sports": _sports, "date": _date}


def build(benchmark: Benchmark, seed: int) -> dict[str, list[dict]]:
    """{'train': [...], 'test': [...]} canonical records."""
    fetch_tasks()
    key = benchmark.key
    rng = random.Random(f"{key}-{seed}")
    records = []
    for i, ex in enumerate(load_examples(benchmark)):
        records.append({"id": f"{key}-{i:04d}", **CONVERT[key](ex, rng),
                        "meta": {"source": f"bigbench {benchmark.bigbench_task} #{i}"}})
    rng.shuffle(records)
    (test,) = benchmark.test_splits
    return {test: records[:N_TEST[key]], benchmark.train_split: records[N_TEST[key]:]}
