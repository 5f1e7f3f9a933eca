"""The data layer: materialise benchmarks as canonical JSONL and read them back, checked.

Layout under the data directory (default `$DISTILL_HOME/data`, or `$DISTILL_DATA`):

    <benchmark>/<split>.jsonl      one canonical record a line:
                                   {id, benchmark, split, question, answer, rationale, choices, meta}
    <benchmark>/exemplars.jsonl    the few-shot exemplars
    <benchmark>/manifest.json      seed, source, and a sha256 and count per file

The same seed gives byte-identical files. Reading verifies each file against the manifest, so a
corrupted cache is reported rather than silently evaluated.
"""

import hashlib
import importlib
import json
from pathlib import Path

from distill import exemplars, grading, paths
from distill.benchmarks import Benchmark, get_benchmark
from distill.errors import DistillError
from distill.jsonio import atomic_write_text, dumps_jsonl

DATA_VERSION = 5  # bump when a source's records change, so old caches are rebuilt
DEFAULT_SEED = 0
FIELDS = ("id", "benchmark", "split", "question", "answer", "rationale", "choices", "meta")


def _build_splits(benchmark: Benchmark, seed: int) -> dict[str, list[dict]]:
    """Every split from the source the registry names (imported only when needed: some are heavy)."""
    source = importlib.import_module(f"distill.sources.{benchmark.builder or 'hub'}")
    return source.build(benchmark, seed)


def question_key(text: str) -> str:
    """Normalised question text, for overlap checks between exemplars, training and test data."""
    return " ".join(text.lower().split())


def _canonical(benchmark: Benchmark, split: str, record: dict) -> dict:
    answer = grading.normalize(str(record["answer"]), benchmark.answer_type)
    if answer is None:
        raise DistillError(f"{benchmark.key} record {record.get('id')} has answer {record['answer']!r}, which is "
                           f"not a valid {benchmark.answer_type} answer: the source changed; please report it")
    return {**{k: record.get(k) for k in FIELDS}, "benchmark": benchmark.key, "split": split, "answer": answer}


def _exemplar(benchmark: Benchmark, ex: dict) -> dict:
    return {**ex, "answer": grading.normalize(str(ex["answer"]), benchmark.answer_type)}


def benchmark_dir(key: str, data_dir: Path | None = None) -> Path:
    return Path(data_dir or paths.data_dir()) / key


def prepare(key: str, seed: int = DEFAULT_SEED, data_dir: Path | None = None, force: bool = False) -> Path:
    """Write every split, the exemplars and the manifest of one benchmark; reuse a valid cache."""
    benchmark = get_benchmark(key)
    out = benchmark_dir(key, data_dir)
    if not force and _is_prepared(out, seed):
        return out
    splits = _build_splits(benchmark, seed)
    shots = [_exemplar(benchmark, ex) for ex in exemplars.build(benchmark, splits.get(benchmark.train_split, []), seed)]
    # Exemplar questions never appear in a test split: a model must not be scored on what it was shown.
    shown = {question_key(ex["question"]) for ex in shots}
    files, excluded = {}, {}
    for split, records in splits.items():
        kept = [_canonical(benchmark, split, r) for r in records
                if split in benchmark.train_splits or question_key(r["question"]) not in shown]
        excluded[split] = len(records) - len(kept)
        files[f"{split}.jsonl"] = dumps_jsonl(kept)
    files["exemplars.jsonl"] = dumps_jsonl(shots)
    for name, text in files.items():
        atomic_write_text(out / name, text)
    manifest = {
        "benchmark": key, "seed": seed, "data_version": DATA_VERSION,
        "source": benchmark.offline_source or benchmark.hub_source, "exemplars": benchmark.exemplars,
        "excluded_exemplar_questions": excluded,
        "files": {name: {"sha256": _sha256(text.encode()), "records": text.count("\n")}
                  for name, text in files.items()},
    }
    atomic_write_text(out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return out


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / "manifest.json").read_text())
    except (OSError, ValueError):
        return None


def _is_prepared(out: Path, seed: int) -> bool:
    manifest = read_manifest(out)
    return bool(manifest) and manifest.get("seed") == seed and manifest.get("data_version") == DATA_VERSION


def _rebuild_hint(out: Path) -> str:
    where = "" if out.parent == paths.data_dir() else f" --out {out.parent}"
    return f"`distill data prepare --benchmarks {out.name}{where} --force`"


def _read_checked(out: Path, name: str) -> list[dict]:
    manifest = read_manifest(out)
    path = out / name
    if manifest is None or name not in manifest["files"]:
        raise DistillError(f"{path} is not part of a prepared benchmark: run {_rebuild_hint(out)}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DistillError(f"cannot read {path} ({e.strerror}): run {_rebuild_hint(out)}") from None
    if _sha256(data) != manifest["files"][name]["sha256"]:
        raise DistillError(f"cached file {path} is corrupted (checksum mismatch): run {_rebuild_hint(out)} "
                           "to rebuild it")
    return [json.loads(line) for line in data.decode().splitlines()]


def _ensure_prepared(key: str, data_dir: Path | None) -> Path:
    """The benchmark's directory, prepared first if it never was or was made by an older version of this code."""
    out = benchmark_dir(key, data_dir)
    manifest = read_manifest(out)
    if manifest is None or manifest.get("data_version") != DATA_VERSION:
        prepare(key, seed=(manifest or {}).get("seed", DEFAULT_SEED), data_dir=data_dir, force=True)
    return out


def load_split(key: str, split: str, data_dir: Path | None = None) -> list[dict]:
    """One split's records, preparing the benchmark first if it has never been prepared."""
    benchmark = get_benchmark(key)
    if split not in benchmark.splits:
        raise DistillError(f"benchmark '{key}' has no split '{split}': choose from {', '.join(benchmark.splits)}")
    return _read_checked(_ensure_prepared(key, data_dir), f"{split}.jsonl")


def load_exemplars(key: str, data_dir: Path | None = None) -> list[dict]:
    return _read_checked(_ensure_prepared(key, data_dir), "exemplars.jsonl")


def split_sizes(key: str, data_dir: Path | None = None) -> dict[str, int] | None:
    """Records per split from the manifest, or None when the benchmark is not prepared."""
    manifest = read_manifest(benchmark_dir(key, data_dir))
    if manifest is None:
        return None
    return {name.removesuffix(".jsonl"): f["records"] for name, f in manifest["files"].items()
            if name != "exemplars.jsonl"}
