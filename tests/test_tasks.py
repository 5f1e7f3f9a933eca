"""The lm-eval task suite: generated files are current, every task and group validates, utils wire through."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from distill.benchmarks import BENCHMARKS, FORMATS

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
        for key in BENCHMARKS:
            assert f"sr_{key}_{fmt}" in names
        for group in ("arithmetic", "commonsense", "symbolic", "all", "offline"):
            assert f"sr_{group}_{fmt}" in names
    assert "sr_last_letter_3words_fewshot_cot" in names and "sr_coin_flip_4flips_ft_direct" in names


def test_lm_eval_validate_passes_for_every_task_and_group():
    result = subprocess.run([sys.executable, "-m", "lm_eval", "validate", "--tasks", ",".join(all_names()),
                             "--include_path", str(TASKS)], capture_output=True, text=True)
    assert result.returncode == 0 and "All tasks found and valid" in result.stdout, result.stdout + result.stderr


def test_lm_eval_validate_rejects_an_unknown_task():
    result = subprocess.run([sys.executable, "-m", "lm_eval", "validate", "--tasks", "sr_nope_fewshot_cot",
                             "--include_path", str(TASKS)], capture_output=True, text=True)
    assert result.returncode != 0


def test_utils_load_prompts_and_grades_through_distill():
    docs = utils.load(benchmark="coin_flip", split="test_3flips", version=1.0)["test"]
    doc = docs[0]
    assert len(docs) == 150 and doc["benchmark"] == "coin_flip"
    prompt = utils.fewshot_cot(doc)
    assert prompt.count("\nA: ") == 8 and prompt.endswith(f"Q: {doc['question']}\nA:")
    assert utils.ft_direct(doc) == f"Q: {doc['question']}\nA:"
    right = f" Some reasoning. The answer is {doc['answer']}."
    wrong = f" The answer is {'no' if doc['answer'] == 'yes' else 'yes'}."
    assert utils.process_results(doc, [right]) == {"exact_match": 1.0}
    assert utils.process_results(doc, [wrong]) == {"exact_match": 0.0}


@pytest.mark.parametrize("key", ["date", "sports", "gsm_symbolic", "strategyqa", "last_letter"])
def test_fewshot_prompts_carry_the_documented_exemplar_count(key):
    split = BENCHMARKS[key].test_splits[0]
    doc = utils.load(benchmark=key, split=split)["test"][0]
    assert utils.fewshot_direct(doc).count("\nA: The answer is") == BENCHMARKS[key].n_exemplars


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
