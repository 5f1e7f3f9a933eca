"""Offline models: name resolution, integrity checks, and the real converted SmolLM2."""

import hashlib
import json

import pytest

from distill import models
from distill.errors import DistillError

from conftest import STUDENT


def test_resolve_names(tmp_path, smollm2):
    assert models.resolve(STUDENT) == smollm2
    assert models.resolve("SmolLM2-135M-Instruct".lower()) == smollm2
    assert models.resolve("Qwen/Qwen2.5-0.5B") == "Qwen/Qwen2.5-0.5B"  # a hub ID passes through
    (tmp_path / "config.json").write_text("{}")
    assert models.resolve(str(tmp_path)) == str(tmp_path)


@pytest.mark.parametrize("name, message", [("gpt-17", "unknown model 'gpt-17'"), ("../x/y/z", "unknown model")])
def test_unknown_model_names_the_options(name, message):
    with pytest.raises(DistillError, match=message) as info:
        models.resolve(name)
    assert "distill models list" in str(info.value)


def test_a_directory_without_config_is_refused(tmp_path):
    with pytest.raises(DistillError, match="has no config.json"):
        models.resolve(str(tmp_path))


def test_reassembled_gguf_is_checked(tmp_path):
    model = models.OFFLINE_MODELS["qwen2.5-coder-1.5b-instruct"]
    bad = tmp_path / "x.gguf"
    bad.write_bytes(b"\0" * 10)
    with pytest.raises(DistillError, match="corrupt .*10 bytes, expected 1,117,320,768"):
        models._check(model, bad, hashlib.sha256(b"\0" * 10).hexdigest())
    assert not bad.exists(), "a corrupt file is removed so the next pull starts clean"


def test_pulled_student_is_a_real_converted_model(smollm2):
    from pathlib import Path

    config = json.loads((Path(smollm2) / "config.json").read_text())
    assert config["model_type"] == "llama" and "quantization_config" not in config
    assert 130e6 < models.parameter_count(smollm2) < 140e6
    assert models.pull(STUDENT) == Path(smollm2)  # a second pull reuses the cache
    assert json.loads((Path(smollm2) / "distill_source.json").read_text())["hub_id"] == \
        "HuggingFaceTB/SmolLM2-135M-Instruct"


@pytest.mark.slow
def test_student_generates_in_the_prompt_format(smollm2):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(smollm2)
    model = AutoModelForCausalLM.from_pretrained(smollm2)
    ids = tokenizer("Q: What is 2 + 3?\nA:", return_tensors="pt")
    out = model.generate(**ids, max_new_tokens=8, do_sample=False)
    assert tokenizer.decode(out[0][ids["input_ids"].shape[1]:]).strip()
