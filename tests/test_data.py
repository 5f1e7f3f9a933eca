"""The data layer: deterministic offline splits, checked caches, no exemplar in a test split."""

import pytest

from distill import data, grading
from distill.benchmarks import get_benchmark, offline_benchmarks
from distill.errors import DistillError
from distill.sources import symbolic

OFFLINE = [b.key for b in offline_benchmarks()]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """Every offline benchmark prepared twice with the same seed, into two directories."""
    dirs = [tmp_path_factory.mktemp(f"data{i}") for i in range(2)]
    for d in dirs:
        for key in OFFLINE:
            data.prepare(key, seed=0, data_dir=d)
    return dirs


def test_same_seed_gives_byte_identical_files(prepared):
    first, second = prepared
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert len(files) == len(OFFLINE) * 2 + sum(len(get_benchmark(k).splits) for k in OFFLINE)
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_another_seed_gives_other_splits(prepared, tmp_path):
    data.prepare("coin_flip", seed=1, data_dir=tmp_path)
    assert (tmp_path / "coin_flip/train.jsonl").read_bytes() != (prepared[0] / "coin_flip/train.jsonl").read_bytes()


@pytest.mark.parametrize("key", OFFLINE)
def test_records_are_canonical_and_gradable(prepared, key):
    benchmark = get_benchmark(key)
    ids = set()
    for split in benchmark.splits:
        records = data.load_split(key, split, prepared[0])
        assert records, split
        for r in records:
            assert tuple(sorted(r)) == tuple(sorted(data.FIELDS))
            assert (r["benchmark"], r["split"]) == (key, split)
            assert grading.normalize(r["answer"], benchmark.answer_type) == r["answer"]
            if r["rationale"]:  # a gold rationale followed by its answer grades correct
                assert grading.is_correct(f"{r['rationale']} The answer is {r['answer']}.", r["answer"],
                                          benchmark.answer_type, r["choices"])
        ids |= {r["id"] for r in records}
    assert len(ids) == sum(data.split_sizes(key, prepared[0]).values()), "ids are unique across splits"


@pytest.mark.parametrize("key", OFFLINE)
def test_no_exemplar_or_train_question_in_a_test_split(prepared, key):
    benchmark = get_benchmark(key)
    shots = data.load_exemplars(key, prepared[0])
    assert len(shots) == benchmark.n_exemplars
    seen = {data.question_key(ex["question"]) for ex in shots}
    if key in ("last_letter", "coin_flip", "gsm_symbolic"):  # generated: train and test are disjoint too
        seen |= {data.question_key(r["question"]) for r in data.load_split(key, "train", prepared[0])}
    for split in benchmark.test_splits:
        assert not seen & {data.question_key(r["question"]) for r in data.load_split(key, split, prepared[0])}


def test_split_sizes_follow_the_documented_splits(prepared):
    sizes = {key: data.split_sizes(key, prepared[0]) for key in OFFLINE}
    assert sizes["strategyqa"] == {"train": 1603, "test": 687}  # Ho et al. (2023)
    assert sizes["date"] == {"train": 258, "test": 111}
    assert sizes["last_letter"] == {"train": 350, "test_2words": 150, "test_3words": 150, "test_4words": 150}


def test_symbolic_answers_follow_the_rule():
    assert symbolic.last_letter(["Elon", "Musk"])["answer"] == "nk"
    assert symbolic.coin_flip(["Ka", "Bo"], [True, False])["answer"] == "no"
    assert symbolic.coin_flip(["Ka", "Bo", "Al"], [True, True, False])["answer"] == "yes"


def test_test_splits_grow_in_length(prepared):
    for split, words in (("test_2words", 2), ("test_3words", 3), ("test_4words", 4)):
        for r in data.load_split("last_letter", split, prepared[0]):
            assert len(r["answer"]) == words


def test_a_corrupted_cache_file_is_reported(prepared, tmp_path):
    data.prepare("coin_flip", data_dir=tmp_path)
    path = tmp_path / "coin_flip/test_2flips.jsonl"
    path.write_bytes(path.read_bytes()[:-40])  # a truncated write
    with pytest.raises(DistillError, match=r"corrupted .*`distill data prepare --benchmarks coin_flip --out .* --force`"):
        data.load_split("coin_flip", "test_2flips", tmp_path)
    data.prepare("coin_flip", data_dir=tmp_path, force=True)
    assert len(data.load_split("coin_flip", "test_2flips", tmp_path)) == 150


def test_unknown_benchmark_or_split():
    with pytest.raises(DistillError, match="unknown benchmark 'nope'"):
        data.load_split("nope", "test")
    with pytest.raises(DistillError, match="has no split 'dev'"):
        data.load_split("coin_flip", "dev")


def test_hub_only_benchmark_offline_says_what_to_do(tmp_path):
    with pytest.raises(DistillError, match=r"'gsm8k' needs the Hugging Face Hub .* offline benchmark"):
        data.prepare("gsm8k", data_dir=tmp_path)
