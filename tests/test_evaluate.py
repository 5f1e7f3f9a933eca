"""`distill eval`: real lm-eval runs of SmolLM2-135M-Instruct, filed as board entries."""

import gzip
import os
import json
import subprocess
import sys

import pytest

from distill import engines, evaluate
from distill.benchmarks import offline_benchmarks
from distill.cli import main
from distill.errors import DistillError
from distill.evaluate import EvalConfig
from distill.paths import slug
from distill.results import absolute_paths, task_name

from conftest import STUDENT

OFFLINE_TASKS = [task_name(b, split, "fewshot_cot") for b in offline_benchmarks() for split in b.test_splits]


def read_entry(entry):
    results = [json.loads(p.read_text()) for p in entry.glob("results_*.json")]
    samples = {p.name.split("_20")[0].removeprefix("samples_"): [json.loads(line) for line in gzip.open(p, "rt")]
               for p in entry.glob("samples_*.jsonl.gz")}
    return results, samples, json.loads((entry / "metadata.json").read_text())


@pytest.mark.slow
def test_every_offline_benchmark_fewshot_cot_limit_2(smollm2, tmp_path):
    """The real thing: lm-eval over the whole offline suite through llama.cpp's server, on the GGUF the offline
    model ships, 2 questions per task (every task still runs)."""
    argv = ["eval", "--model", STUDENT, "--format", "fewshot_cot", "--group", "offline", "--limit", "2",
            "--backend", "llama.cpp", "--results-dir", str(tmp_path)]
    assert main(argv) == 0
    entry = tmp_path / f"{STUDENT}__fewshot_cot"
    (results,), samples, meta = read_entry(entry)
    assert sorted(samples) == sorted(OFFLINE_TASKS)
    for task in OFFLINE_TASKS:
        score = results["results"][task]["exact_match,none"]
        assert 0.0 <= score <= 1.0
        assert len(samples[task]) == 2
        # lm-eval's score is the mean of the per-sample grades our grader gave
        assert score == pytest.approx(sum(s["exact_match"] for s in samples[task]) / 2)
        assert all(s["arguments"]["gen_args_0"]["arg_0"].endswith("\nA:") for s in samples[task])
    assert "sr_offline_fewshot_cot" in results["groups"]
    assert len(offline_benchmarks()) == 6
    assert meta["role"] == "baseline" and meta["format"] == "fewshot_cot"
    assert 130e6 < meta["params"] < 140e6
    # Published as it is: the results directory (outside the project) by name only.
    assert meta["runs"][0]["command"] == "distill " + " ".join([*argv[:-1], tmp_path.name])
    assert not absolute_paths(meta)
    assert meta["runs"][0]["limit"] == 2 and meta["runs"][0]["lm_eval_version"] == "0.4.13"
    assert meta["runs"][0]["backend"] == "llama.cpp" and meta["runs"][0]["engine"]["weights"] == "Q4_1"


@pytest.mark.slow
def test_chat_template_on_the_hf_backend(smollm2, tmp_path):
    entry = evaluate.evaluate(EvalConfig(model=STUDENT, format="ft_cot", benchmarks="sports", limit=2,
                                         apply_chat_template=True, results_dir=tmp_path, backend="hf"))
    _, samples, meta = read_entry(entry)
    prompt = samples["sr_sports_ft_cot"][0]["arguments"]["gen_args_0"]["arg_0"]
    assert "<|im_start|>user" in prompt and prompt.rstrip().endswith("<|im_start|>assistant")
    assert "--apply_chat_template" in meta["runs"][0]["lm_eval_command"]


def test_bad_requests_fail_before_lm_eval_runs(tmp_path):
    with pytest.raises(DistillError, match="unknown role 'boss'"):
        evaluate.evaluate(EvalConfig(model=STUDENT, format="ft_cot", role="boss", results_dir=tmp_path))
    with pytest.raises(DistillError, match="unknown group 'maths'"):
        evaluate.task_names(EvalConfig(model=STUDENT, format="ft_cot", group="maths"))
    with pytest.raises(DistillError, match="no coin_flip test split test_9flips: choose from test_2flips,"):
        evaluate.task_names(EvalConfig(model=STUDENT, format="ft_cot", benchmarks="coin_flip", splits="test_9flips"))
    with pytest.raises(DistillError, match="--splits needs exactly one benchmark"):
        evaluate.task_names(EvalConfig(model=STUDENT, format="ft_cot", benchmarks="coin_flip,sports", splits="test"))
    with pytest.raises(DistillError, match="needs --base-url"):
        evaluate.evaluate(EvalConfig(model=STUDENT, format="ft_cot", backend="openai", benchmarks="sports",
                                     results_dir=tmp_path / "r"))
    assert not any(tmp_path.iterdir())


def test_splits_run_only_those_test_splits_of_a_benchmark():
    cfg = EvalConfig(model=STUDENT, format="fewshot_cot", benchmarks="coin_flip",
                     splits="test_5flips,test_3flips,test_5flips")  # once each, in the benchmark's order
    assert evaluate.task_names(cfg)[0] == ["sr_coin_flip_3flips_fewshot_cot", "sr_coin_flip_5flips_fewshot_cot"]
    cfg = EvalConfig(model=STUDENT, format="fewshot_cot", benchmarks="sports", splits="test")
    assert evaluate.task_names(cfg)[0] == ["sr_sports_fewshot_cot"]


def test_vllm_backend_without_vllm_names_the_alternative(tmp_path):
    try:
        import importlib.metadata
        importlib.metadata.version("vllm")
        pytest.skip("plain vLLM is installed here")
    except importlib.metadata.PackageNotFoundError:
        pass
    with pytest.raises(DistillError, match="--backend openai"):
        evaluate.lm_eval_command(EvalConfig(model=STUDENT, format="ft_cot", backend="vllm"),
                                 engines.Engine("vllm", "vllm"), "x", [], tmp_path)


def test_slug_is_a_safe_directory_name():
    assert slug("Qwen/Qwen2.5-Coder-1.5B-Instruct") == "qwen2.5-coder-1.5b-instruct"
    assert slug("../../etc/passwd") == "passwd"
    assert slug("<script>") == "script"


def test_a_model_given_by_a_path_outside_the_project_is_published_by_its_name(tmp_path):
    """As `distill submit` publishes it: `distill verify results/` refuses any absolute path in an entry."""
    student = tmp_path / "my-student"
    cfg = EvalConfig(model=str(student), format="ft_cot", benchmarks="sports", base_model=str(tmp_path / "base"),
                     teacher=str(tmp_path / "teacher"))
    meta = evaluate._metadata(cfg, str(student))
    assert [meta[k] for k in ("model", "model_source", "base_model", "teacher")] == \
        ["my-student", "my-student", "base", "teacher"]
    assert not absolute_paths(meta)


@pytest.mark.parametrize("argv, message", [
    (["eval", "--model", "nope", "--format", "ft_cot", "--benchmarks", "sports"], "unknown model 'nope'"),
    (["eval", "--model", STUDENT, "--format", "ft_cot", "--benchmarks", "sportz"], "unknown benchmark 'sportz'"),
    (["eval", "--model", STUDENT, "--format", "cot"], "invalid choice: 'cot'"),
    (["eval", "--model", STUDENT, "--format", "ft_cot", "--benchmarks", "csqa"], "needs the Hugging Face Hub"),
    (["models", "pull", "gpt-17"], "unknown offline model 'gpt-17'"),
    (["data", "prepare", "--benchmarks", "gsm8k"], "needs the Hugging Face Hub"),
])
def test_cli_errors_are_one_clear_line(argv, message, tmp_path):
    result = subprocess.run([sys.executable, "-m", "distill.cli", *argv], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert message in last and last.startswith(("distill: error:", "distill eval: error:"))
    assert "Traceback" not in result.stderr


def test_cli_reports_a_corrupted_cache_in_one_line(tmp_path):
    env = {**os.environ, "DISTILL_DATA": str(tmp_path / "data")}
    run = lambda *argv: subprocess.run([sys.executable, "-m", "distill.cli", *argv], capture_output=True,  # noqa: E731
                                       text=True, env=env, cwd=tmp_path)
    assert run("data", "prepare", "--benchmarks", "sports").returncode == 0
    (tmp_path / "data/sports/test.jsonl").write_text('{"id": "oops"\n')
    result = run("eval", "--model", STUDENT, "--format", "ft_cot", "--benchmarks", "sports")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "sports/test.jsonl is corrupted" in result.stderr.strip().splitlines()[-1]


@pytest.mark.slow
def test_an_interrupted_evaluation_resumes_from_the_answers_it_had(smollm2, tmp_path, capfd):
    """lm-eval answered 2 questions and was stopped before anything was filed; evaluating 3 asks the model only
    for the third, files all 3, and removes the cache."""
    cache = tmp_path / "cache"
    cfg = EvalConfig(model=STUDENT, format="fewshot_cot", benchmarks="sports", limit=3,
                     results_dir=tmp_path / "results", cache_dir=cache)
    tasks, _ = evaluate.task_names(cfg)
    with engines.serving(STUDENT, "llama.cpp") as engine:
        cut_short = EvalConfig(**{**vars(cfg), "limit": 2})
        cmd = evaluate.lm_eval_command(cut_short, engine, evaluate._served_path(STUDENT), tasks, tmp_path / "lost")
        assert subprocess.run(cmd).returncode == 0 and any(cache.iterdir())
        capfd.readouterr()
        entry = evaluate.evaluate(EvalConfig(**{**vars(cfg), "served": engine}))
    assert "Cached requests: 2, Requests remaining: 1" in capfd.readouterr().err
    _, samples, meta = read_entry(entry)
    assert [s["doc_id"] for s in samples["sr_sports_fewshot_cot"]] == [0, 1, 2]
    assert "--use_cache" in meta["runs"][0]["lm_eval_command"] and not cache.exists()
    # Published as it is: the temporary output folder and the cache (both outside the project) by name only.
    assert not absolute_paths(meta) and " --output_path distill-eval-" in meta["runs"][0]["lm_eval_command"]
