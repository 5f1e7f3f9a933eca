"""lm-eval's local-completions and local-chat-completions against a real llama.cpp server on 127.0.0.1."""

from pathlib import Path

import pytest

from distill import evaluate
from distill.benchmarks import get_benchmark
from distill.evaluate import EvalConfig

from conftest import STUDENT
from test_evaluate import read_entry


@pytest.mark.slow
@pytest.mark.parametrize("chat", [False, True], ids=["completions", "chat-template"])
def test_openai_backend_against_llama_cpp(llama_server, tmp_path, chat):
    cfg = EvalConfig(model=STUDENT, format="fewshot_cot" if not chat else "ft_cot", benchmarks="coin_flip",
                     limit=2, backend="openai", base_url=llama_server, apply_chat_template=chat,
                     results_dir=tmp_path, num_concurrent=2)
    entry = evaluate.evaluate(cfg)
    (results,), samples, meta = read_entry(entry)
    splits = len(get_benchmark("coin_flip").test_splits)
    assert len(samples) == splits and all(len(s) == 2 for s in samples.values())
    responses = [s["resps"][0][0] for task in samples.values() for s in task]
    assert any(r.strip() for r in responses), "the server generated text"
    model_type = "local-chat-completions" if chat else "local-completions"
    assert f"--model {model_type}" in meta["runs"][0]["lm_eval_command"]
    assert 0 <= results["groups"]["sr_coin_flip_" + cfg.format]["exact_match,none"] <= 1


@pytest.mark.slow
def test_a_served_model_without_a_local_copy_is_evaluated_without_a_tokenizer(llama_server, tmp_path):
    """A model known only by its server name (here, the GGUF's path): lm-eval needs no tokenizer to generate."""
    from distill import models

    gguf = str(models.OFFLINE_MODELS[STUDENT].gguf_path)
    entry = evaluate.evaluate(EvalConfig(model=gguf, name="served-smollm2", format="fewshot_direct",
                                         benchmarks="sports", limit=2, backend="openai", base_url=llama_server,
                                         served_model=STUDENT, results_dir=tmp_path))
    (results,), samples, meta = read_entry(entry)
    assert "tokenizer_backend=none" in meta["runs"][0]["lm_eval_command"]
    assert [len(s) for s in samples.values()] == [2] and meta["params"] == 134_515_008
    for filed in entry.glob("*.json"):  # publishable: no absolute path of this machine
        text = filed.read_text()
        assert str(Path.home()) not in text and str(Path(__file__).resolve().parent.parent) not in text, filed
