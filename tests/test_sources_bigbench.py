"""BIG-bench tasks become our splits: task files in BIG-bench's own shape, made up here (no download), so the
conversion is tested wherever the 358 MB sdist cannot be fetched."""

import made_up_bigbench
import pytest

from distill import data, grading
from distill.benchmarks import BENCHMARKS, get_benchmark
from distill.errors import DistillError, Unavailable
from distill.sources import bigbench

N_TRAIN = 20  # made-up examples beyond each test split
KEYS = {b.bigbench_task: b.key for b in BENCHMARKS.values() if b.bigbench_task}  # BIG-bench task -> ours


@pytest.fixture
def task_files(tmp_path, monkeypatch):
    """Made-up task files of each test split's size and N_TRAIN more, read from where DISTILL_BIGBENCH says."""
    sizes = {task: bigbench.N_TEST[key] + N_TRAIN for task, key in KEYS.items()}
    made_up_bigbench.write(tmp_path / "bigbench", sizes)
    monkeypatch.setenv("DISTILL_BIGBENCH", str(tmp_path / "bigbench"))
    return {key: made_up_bigbench.examples(task, sizes[task]) for task, key in KEYS.items()}


def _source_example(record: dict, examples: dict) -> dict:
    """The made-up example a record says it came from ('bigbench strategyqa #12')."""
    return examples[record["id"].rsplit("-", 1)[0]][int(record["meta"]["source"].rsplit("#", 1)[1])]


@pytest.mark.parametrize("key", sorted(KEYS.values()))
def test_a_seeded_shuffle_splits_every_example_once(task_files, key):
    benchmark = get_benchmark(key)
    splits = bigbench.build(benchmark, seed=0)
    (test,) = benchmark.test_splits
    assert len(splits[test]) == bigbench.N_TEST[key] and len(splits[benchmark.train_split]) == N_TRAIN
    sources = [r["meta"]["source"] for records in splits.values() for r in records]
    assert len(set(sources)) == len(sources) == len(task_files[key])
    assert bigbench.build(benchmark, seed=0) == splits
    assert bigbench.build(benchmark, seed=1)[test] != splits[test]


@pytest.mark.parametrize("key", sorted(KEYS.values()))
def test_each_record_keeps_its_examples_question_and_right_answer(task_files, key):
    for record in bigbench.build(get_benchmark(key), seed=0)["test"]:
        example = _source_example(record, task_files)
        assert example["input"] in record["question"]
        right = next(option for option, score in example["target_scores"].items() if score == 1)
        if key == "date":  # the options are shuffled and the answer is the right one's letter
            assert sorted(record["choices"]) == sorted(example["target_scores"])
            assert record["choices"]["ABCDEF".index(record["answer"])] == right
        else:
            assert record["answer"] == {"Yes": "yes", "No": "no", "plausible": "yes", "implausible": "no"}[right]


def test_strategyqa_keeps_the_explanation_after_the_answer_as_its_gold_rationale(task_files):
    for record in bigbench.build(get_benchmark("strategyqa"), seed=0)["train"]:
        assert _source_example(record, task_files)["target"] == f"{record['answer'].title()}. {record['rationale']}"


@pytest.mark.parametrize("key", sorted(KEYS.values()))
def test_prepared_records_are_canonical_and_gradable(task_files, tmp_path, key):
    data.prepare(key, data_dir=tmp_path / "data")
    benchmark = get_benchmark(key)
    for record in data.load_split(key, "test", tmp_path / "data"):
        assert grading.is_correct(f"The answer is {record['answer']}.", record["answer"], benchmark.answer_type,
                                  record["choices"])


def test_a_folder_named_by_distill_bigbench_without_the_files_is_an_error_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("DISTILL_BIGBENCH", str(tmp_path))
    with pytest.raises(DistillError, match=r"date_understanding/task.json does not exist: DISTILL_BIGBENCH must"):
        bigbench.build(get_benchmark("date"), seed=0)
    assert list(tmp_path.iterdir()) == []  # nothing downloaded into the user's folder


def test_a_withheld_download_is_tried_once_per_process(tmp_path, monkeypatch):
    """`distill verify` asks for BIG-bench's questions once per task: a withheld sdist is asked for once."""
    monkeypatch.delenv("DISTILL_BIGBENCH", raising=False)
    monkeypatch.setenv("DISTILL_HOME", str(tmp_path))  # no task files downloaded before
    monkeypatch.setattr(bigbench, "_WITHHELD", [])
    asked = []

    def withheld(requirement, dest, kind):
        asked.append(requirement)
        raise Unavailable(f"the index withholds {requirement}")
    monkeypatch.setattr(bigbench.pypi, "download", withheld)
    for _ in range(3):
        with pytest.raises(Unavailable, match="the index withholds bigbench==1.0.0; or set DISTILL_BIGBENCH"):
            bigbench.fetch_tasks()
    assert asked == ["bigbench==1.0.0"]
