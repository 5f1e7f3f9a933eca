"""The lm-eval task suite: generated files are current, every task and group validates, utils wire through,
and lm-eval's own few-shot machinery renders exactly our prompts."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from distill import data, prompts
from distill.benchmarks import BENCHMARKS, CATEGORIES, FORMATS, PROGRAM_FORMATS
from distill.results import task_name

ROOT = Path(__file__).resolve().parent.parent
TASKS = ROOT / "harness_tasks"
sys.path.insert(0, str(TASKS))
import generate_tasks  # noqa: E402
import utils  # noqa: E402


def test_generated_files_are_up_to_date():
    assert generate_tasks.main(check=True) == 0, "run python harness_tasks/generate_tasks.py"


def test_task_files_use_tags_never_group():
    for path in TASKS.glob("*.yaml"):
        text = path.read_text()
        content = yaml.safe_load(text.replace("!function", ""))
        assert ("group" in content) != ("task" in content and "include" in content), path.name


def all_names() -> list[str]:
    return [name.removesuffix(".yaml") for name in generate_tasks.files() if name.endswith(".yaml")]


def test_names_cover_every_benchmark_format_and_group():
    names = set(all_names())
    for fmt in FORMATS:
        for key, b in BENCHMARKS.items():
            assert (f"sr_{key}_{fmt}" in names) == (fmt in b.formats), (key, fmt)
        groups = ("arithmetic", "all", "offline") if fmt in PROGRAM_FORMATS else CATEGORIES + ("all", "offline")
        for group in ("arithmetic", "commonsense", "symbolic", "all", "offline"):
            assert (f"sr_{group}_{fmt}" in names) == (group in groups), (group, fmt)
    assert "sr_last_letter_3words_fewshot_cot" in names and "sr_coin_flip_4flips_ft_direct" in names
    assert "sr_gsm_symbolic_fewshot_pot" in names and "sr_strategyqa_ft_pot" not in names  # programs: arithmetic


def test_lm_eval_validate_passes_for_every_task_and_group():
    result = subprocess.run([sys.executable, "-m", "lm_eval", "validate", "--tasks", ",".join(all_names()),
                             "--include_path", str(TASKS)], capture_output=True, text=True)
    assert result.returncode == 0 and "All tasks found and valid" in result.stdout, result.stdout + result.stderr


def test_lm_eval_validate_rejects_an_unknown_task():
    result = subprocess.run([sys.executable, "-m", "lm_eval", "validate", "--tasks", "sr_nope_fewshot_cot",
                             "--include_path", str(TASKS)], capture_output=True, text=True)
    assert result.returncode != 0


def test_utils_load_serves_the_test_split_and_our_exemplars_and_grades_through_distill():
    dataset = utils.load(benchmark="coin_flip", split="test_3flips", version=1.0)
    docs, exemplars = dataset["test"], dataset["exemplars"]
    doc = docs[0]
    assert len(docs) == 150 and doc["benchmark"] == "coin_flip"
    assert list(exemplars) == [{k: ex[k] for k in exemplars.column_names} for ex in data.load_exemplars("coin_flip")]
    right = f" Some reasoning. The answer is {doc['answer']}."
    wrong = f" The answer is {'no' if doc['answer'] == 'yes' else 'yes'}."
    assert utils.process_results(doc, [right]) == {"exact_match": 1.0}
    assert utils.process_results(doc, [wrong]) == {"exact_match": 0.0}


OFFLINE = [b for b in BENCHMARKS.values() if b.offline]
OFFLINE_TASKS = {task_name(b, split, fmt): (b, fmt) for b in OFFLINE for split in b.test_splits for fmt in b.formats}


@pytest.fixture(scope="module")
def lm_eval_tasks() -> dict:
    """Our offline tasks as lm-eval itself builds them from the YAMLs (no model needed)."""
    from lm_eval.tasks import TaskManager

    return TaskManager(include_path=str(TASKS)).load(list(OFFLINE_TASKS))["tasks"]


@pytest.mark.parametrize("name", list(OFFLINE_TASKS))
def test_lm_eval_builds_the_very_prompt_of_distill_prompts(lm_eval_tasks, name):
    """Default settings: lm-eval's few-shot machinery lays out our exemplars byte for byte as
    distill.prompts does for the teacher and for training, all of them for few-shot formats, none for ft."""
    bench, fmt = OFFLINE_TASKS[name]
    task = lm_eval_tasks[name]
    exemplars = data.load_exemplars(bench.key)
    assert len(exemplars) == bench.n_exemplars
    assert task.config.num_fewshot == (bench.n_exemplars if fmt.startswith("fewshot") else 0)
    task.build_all_requests(limit=3)
    assert len(task.instances) == 3
    for instance in task.instances:
        assert instance.args[0] == prompts.prompt(instance.doc, fmt, exemplars)


@pytest.mark.parametrize("bench", OFFLINE, ids=lambda b: b.key)
def test_num_fewshot_two_shows_the_first_two_exemplars_in_order(lm_eval_tasks, bench):
    task = lm_eval_tasks[task_name(bench, bench.test_splits[0], "fewshot_cot")]
    doc = task.test_docs()[0]
    first_two = data.load_exemplars(bench.key)[:2]
    assert task.fewshot_context(doc, num_fewshot=2) == prompts.prompt(doc, "fewshot_cot", first_two)


def test_fewshot_as_multiturn_gives_each_exemplar_a_user_and_an_assistant_turn(lm_eval_tasks):
    task = lm_eval_tasks["sr_sports_fewshot_direct"]
    doc = task.test_docs()[0]
    messages = task.fewshot_context(doc, num_fewshot=3, apply_chat_template=True, fewshot_as_multiturn=True,
                                    chat_template=lambda turns, **_: turns)
    shots = [turn for ex in data.load_exemplars("sports")
             for turn in ({"role": "user", "content": prompts.question(ex)},
                          {"role": "assistant", "content": prompts.target(ex, "fewshot_direct")})]
    assert messages == shots + [{"role": "user", "content": prompts.question(doc)}]


@pytest.mark.parametrize("bench", OFFLINE, ids=lambda b: b.key)
def test_logged_doc_and_target_stay_our_record_and_gold_answer(lm_eval_tasks, bench):
    """distill submit matches each sample's doc and target against our prepared split."""
    task = lm_eval_tasks[task_name(bench, bench.test_splits[0], "fewshot_cot")]
    doc = task.test_docs()[0]
    record = data.load_split(bench.key, bench.test_splits[0])[0]
    assert doc == {k: v for k, v in record.items() if k != "meta"}
    assert task.doc_to_target(doc) == record["answer"]


def test_the_evaluator_passes_num_fewshot_to_fewshot_tasks_only_and_logs_our_doc_and_gold_target():
    """lm-eval's own evaluator with its dummy model, as `lm_eval --num_fewshot 2 --log_samples` runs it."""
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    out = simple_evaluate(model="dummy", tasks=["sr_date_fewshot_cot", "sr_date_ft_cot"], num_fewshot=2, limit=2,
                          log_samples=True, task_manager=TaskManager(include_path=str(TASKS)))
    assert out["n-shot"] == {"sr_date_fewshot_cot": 2, "sr_date_ft_cot": 0}
    first_two = data.load_exemplars("date")[:2]
    for task, fmt in (("sr_date_fewshot_cot", "fewshot_cot"), ("sr_date_ft_cot", "ft_cot")):
        for sample in out["samples"][task]:
            assert sample["arguments"][0][0] == prompts.prompt(sample["doc"], fmt, first_two)
            assert sample["target"] == sample["doc"]["answer"]


def _simple_evaluate(model: str, model_args: str, task: str, **kwargs) -> dict:
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    return simple_evaluate(model=model, model_args=model_args, tasks=[task], limit=2, device="cpu",
                           task_manager=TaskManager(include_path=str(TASKS)), **kwargs)


@pytest.mark.slow
def test_simple_evaluate_with_the_hf_model_type(smollm2):
    out = _simple_evaluate("hf", f"pretrained={smollm2},dtype=float32", "sr_date_fewshot_direct", batch_size=2)
    assert 0 <= out["results"]["sr_date_fewshot_direct"]["exact_match,none"] <= 1


@pytest.mark.slow
def test_simple_evaluate_with_local_completions(smollm2, llama_server):
    args = (f"model=smollm2-135m-instruct,base_url={llama_server}/v1/completions,tokenizer={smollm2},"
            "tokenizer_backend=huggingface,tokenized_requests=False")
    out = _simple_evaluate("local-completions", args, "sr_strategyqa_fewshot_direct", log_samples=True)
    assert 0 <= out["results"]["sr_strategyqa_fewshot_direct"]["exact_match,none"] <= 1
    assert all(s["resps"][0][0].strip() for s in out["samples"]["sr_strategyqa_fewshot_direct"])
    # programs: each sample keeps the interpreter's reason, and the task reports the share that failed
    pot = _simple_evaluate("local-completions", args, "sr_gsm_symbolic_fewshot_pot", log_samples=True)
    samples = pot["samples"]["sr_gsm_symbolic_fewshot_pot"]
    assert all(isinstance(s["program_error"], str) for s in samples)
    failed = pot["results"]["sr_gsm_symbolic_fewshot_pot"]["program_error,none"]
    assert failed == sum(bool(s["program_error"]) for s in samples) / len(samples)


def test_program_tasks_grade_what_the_program_computes_and_keep_why_one_computed_nothing():
    doc = {"benchmark": "gsm_symbolic", "answer": "5", "choices": None}
    right = utils.process_program_results(doc, [" pens = 2\nanswer = pens + 3"])
    assert right == {"exact_match": 1.0, "program_error": ""}
    wrong = utils.process_program_results(doc, [" answer = 2 + 2"])
    assert wrong == {"exact_match": 0.0, "program_error": ""}  # it ran; its answer is wrong
    prose = utils.process_program_results(doc, ["The answer is 5."])  # not a program
    hostile = utils.process_program_results(doc, ["import os\nanswer = 5"])
    assert prose["exact_match"] == hostile["exact_match"] == 0.0
    assert "syntax" in prose["program_error"].lower() and "import" in hostile["program_error"].lower()
    assert utils.failed_share([r["program_error"] for r in (right, wrong, prose, hostile)]) == 0.5
