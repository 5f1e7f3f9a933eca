"""distill.export: a transformers directory as a GGUF that llama.cpp serves with the directory's own numbers."""

import os

import pytest

from distill import data, export, grading, prompts
from distill.backends import HFBackend, OpenAIBackend, Request, Sampling
from distill.benchmarks import get_benchmark
from distill.serve import LlamaServer

from conftest import BIGBENCH_MADE_UP, STUDENT, needs_llama_server


@pytest.mark.slow
def test_the_served_f32_conversion_answers_as_transformers(smollm2):
    """Greedy few-shot CoTs on 12 real test questions (2 per offline benchmark, or 4 per generated one where
    BIG-bench's questions are made up) from transformers in fp32 and from llama-server on the F32 conversion:
    the final answers agree (their rate is printed)."""
    needs_llama_server()
    keys = [k for k in ("last_letter", "coin_flip", "gsm_symbolic", "strategyqa", "date", "sports")
            if not (BIGBENCH_MADE_UP and get_benchmark(k).bigbench_task)]
    cases = []
    for key in keys:
        b = get_benchmark(key)
        for q in data.load_split(key, b.test_splits[0])[: 12 // len(keys)]:
            cases.append((b, q, prompts.prompt(q, "fewshot_cot", data.load_exemplars(key))))
    requests, sampling = [Request(p, seed=0) for _, _, p in cases], Sampling(max_new_tokens=64)
    # One request at a time on both sides: padding and batch composition move near-ties between the two.
    local = dict(HFBackend(smollm2, batch_size=1).generate(requests, sampling))
    with LlamaServer(export.to_gguf(smollm2, "f32"), STUDENT) as server:
        served = dict(OpenAIBackend(server.url, STUDENT, concurrency=1).generate(requests, sampling))
    same = [grading.extract_answer(local[i].text, b.answer_type, q.get("choices")) ==
            grading.extract_answer(served[i].text, b.answer_type, q.get("choices"))
            for i, (b, q, _) in enumerate(cases)]
    print(f"same final answer: {sum(same)}/{len(same)}; same text: "
          f"{sum(local[i].text.strip() == served[i].text.strip() for i in range(len(cases)))}/{len(cases)}")
    assert sum(same) >= len(same) - 1, [(local[i].text, served[i].text) for i, s in enumerate(same) if not s]


def test_a_conversion_older_than_the_weights_is_redone(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"w")
    gguf = export.gguf_path(tmp_path, "f32")
    gguf.parent.mkdir()
    gguf.write_bytes(b"g")
    assert export._current(gguf, tmp_path)
    os.utime(weights, (gguf.stat().st_mtime + 10,) * 2)  # trained again after the conversion
    assert not export._current(gguf, tmp_path)
