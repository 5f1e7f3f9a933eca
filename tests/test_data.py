"""The data layer: deterministic offline splits, checked caches, no exemplar in a test split."""

import argparse
import hashlib
from collections import Counter

import pytest

from distill import cli, data, exemplars, grading
from distill.benchmarks import get_benchmark, offline_benchmarks
from distill.errors import DistillError, Unavailable
from distill.sources import bigbench, symbolic

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
    for key, unit in (("last_letter", "words"), ("coin_flip", "flips")):
        assert sizes[key] == {"train": 1000, "train_mixed": 1000, **{f"test_{n}{unit}": 150 for n in range(2, 7)}}


# sha256 of the symbolic test splits and exemplars as first published (data version 2, 350 training questions):
# growing the training split must not change a byte of them, or earlier results stop being comparable.
PUBLISHED = {
    "last_letter": {
        "exemplars.jsonl": "70751f4966bb4772fd5f0f387941b6572e20df4b7a53624f86f83d23b38b709e",
        "test_2words.jsonl": "dc38bac6478b5d5385be4e89fb05bcf1333bb3a12fd3ab832fc874f695f45ab2",
        "test_3words.jsonl": "a5700edc1c6b05cf4c4e5861a1d2805d8a5c7f25359467a951094c405c1e77a9",
        "test_4words.jsonl": "acd24bc2617ab82a32671509ea795708eebb4028d3bcdc6227192d37fba9a61b"},
    "coin_flip": {
        "exemplars.jsonl": "1a3bbcf1f300320a3418df102ca949150a48a46f8d6e11e65511a9fff926ef8d",
        "test_2flips.jsonl": "549194f3f332182e77e342308326ce5c5d4b818e18c005567a0939addbd0948c",
        "test_3flips.jsonl": "fa5d0fcc5e8cf1fcfa755d22b4625819e87337f32a082614cb71c7719ea2b260",
        "test_4flips.jsonl": "f4cbdbd567978989ceda1151280813f2dd64af8075483f44556dbe33121ed625"},
    "gsm_symbolic": {  # as the committed results used them (data version 5); the teacher's CoTs name these ids
        "exemplars.jsonl": "5ccd59ba9239cadd646e0c74328536c56ccd20cbf09430a0c831a2d293d339dd",
        "train.jsonl": "026e3bc9bce7d5de57b867c8b4844b68ff791c4503605a578858215052c3f53c",
        "test.jsonl": "21271971c8c9d1a32e821f398b198393099a42e18b1994e273975596a0191f86"},
}


@pytest.mark.parametrize("key", sorted(PUBLISHED))
def test_symbolic_test_splits_stay_the_published_bytes(prepared, key):
    out = data.benchmark_dir(key, prepared[0])
    for name, sha in PUBLISHED[key].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == sha, name


def test_symbolic_training_split_keeps_its_first_questions(prepared):
    train = data.load_split("last_letter", "train", prepared[0])
    assert [r["id"] for r in train[:2]] == ["last_letter-train-0000", "last_letter-train-0001"]
    assert {r["meta"]["length"] for r in train} == {2}
    assert len({r["id"] for r in train}) == len(train) == 1000


def test_symbolic_answers_follow_the_rule():
    assert symbolic.last_letter(["Elon", "Musk"])["answer"] == "nk"
    assert symbolic.coin_flip(["Ka", "Bo"], [True, False])["answer"] == "no"
    assert symbolic.coin_flip(["Ka", "Bo", "Al"], [True, True, False])["answer"] == "yes"


def test_test_splits_grow_in_length(prepared):
    for words in range(2, 7):
        for r in data.load_split("last_letter", f"test_{words}words", prepared[0]):
            assert len(r["answer"]) == words == r["meta"]["length"]


def test_the_mixed_training_split_has_a_third_of_each_length_and_no_test_question(prepared):
    for key, length_of in (("last_letter", lambda r: len(r["answer"])),
                           ("coin_flip", lambda r: r["question"].count(" the coin."))):
        mixed = data.load_split(key, "train_mixed", prepared[0])
        assert Counter(length_of(r) for r in mixed) == Counter(r["meta"]["length"] for r in mixed) == {
            1: 334, 2: 333, 3: 333}
        others = {r["question"] for split in get_benchmark(key).splits if split != "train_mixed"
                  for r in data.load_split(key, split, prepared[0])}
        assert not others & {r["question"] for r in mixed}


def test_a_corrupted_cache_file_is_reported(prepared, tmp_path):
    data.prepare("coin_flip", data_dir=tmp_path)
    path = tmp_path / "coin_flip/test_2flips.jsonl"
    path.write_bytes(path.read_bytes()[:-40])  # a truncated write
    fix = r"`distill data prepare --benchmarks coin_flip --out .* --force`"
    with pytest.raises(DistillError, match=r"corrupted .*" + fix):
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


def test_prepare_carries_on_past_a_source_this_machine_cannot_get(tmp_path, monkeypatch):
    """A package index that withholds BIG-bench stops sports only: coin_flip after it is still prepared."""
    def withheld():
        raise Unavailable("the package index offers no sdist of bigbench==1.0.0")

    monkeypatch.setattr(bigbench, "fetch_tasks", withheld)
    args = argparse.Namespace(benchmarks="sports,coin_flip", out=tmp_path, seed=data.DEFAULT_SEED, force=False)
    with pytest.raises(Unavailable, match=r"^sports could not be prepared here"):
        cli.cmd_data_prepare(args)
    assert len(data.load_split("coin_flip", "test_2flips", tmp_path)) == 150
    assert not (tmp_path / "sports").exists()


def test_every_arithmetic_exemplar_program_computes_its_answer():
    for ex in exemplars.build(get_benchmark("gsm_symbolic"), [], 0):
        assert grading.program_answer(ex["program"]) == (ex["answer"], None), ex["question"]
