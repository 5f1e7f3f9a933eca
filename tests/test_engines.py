"""distill.engines and distill.llama_tools: which engine runs a model, and the llama-server build."""

import subprocess

import pytest

from distill import engines, export, llama_tools, models
from distill.errors import DistillError

from conftest import STUDENT


def test_setup_built_llama_server():
    """`make setup` compiles llama-server; if that failed, this says so rather than every test going slow."""
    binary = llama_tools.server_binary()
    assert binary is not None, "llama-server is not built: run `distill engines build` and read its error"
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and "version" in (version.stdout + version.stderr).lower()


@pytest.mark.parametrize("native, python_server, expected", [
    (True, True, "llama.cpp"), (True, False, "llama.cpp"), (False, True, "llama.cpp"), (False, False, "hf")])
def test_auto_takes_the_fastest_engine_installed(monkeypatch, native, python_server, expected):
    monkeypatch.setattr(engines, "native_available", lambda: native)
    monkeypatch.setattr(engines, "python_server_available", lambda: python_server)
    assert engines.choose("auto") == expected


def test_a_named_engine_is_taken_as_named_and_an_unknown_one_refused():
    assert engines.choose("hf") == "hf"
    with pytest.raises(DistillError, match="unknown engine 'tgi': choose from auto, llama.cpp, vllm, openai, hf"):
        engines.choose("tgi")
    with pytest.raises(DistillError, match="the openai engine needs --base-url"):
        engines.check("openai", None)


def test_which_gguf_is_served(tmp_path):
    assert engines.gguf_for("/models/x.gguf", None).as_posix() == "/models/x.gguf"
    assert engines.gguf_for(STUDENT, None) == models.OFFLINE_MODELS[STUDENT].gguf_path  # what its package ships
    with pytest.raises(DistillError, match="'some/dir' ships no GGUF of its own"):
        engines.gguf_for("some/dir", "shipped")
    with pytest.raises(DistillError, match="unknown weights 'q2'"):
        engines.gguf_for(STUDENT, "q2")
    with pytest.raises(DistillError, match="is not a saved transformers model"):
        export.to_gguf(tmp_path, "f32")


def test_a_failed_build_says_why_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("DISTILL_HOME", str(tmp_path))
    monkeypatch.delenv("DISTILL_LLAMA_SERVER", raising=False)
    monkeypatch.setattr(llama_tools.shutil, "which", lambda name: None)
    with pytest.raises(DistillError, match="building llama-server needs cmake and a C\\+\\+ compiler"):
        llama_tools.build()
    assert llama_tools.server_binary() is None  # nothing half-built is ever found


def test_a_named_server_binary_must_exist(monkeypatch):
    monkeypatch.setenv("DISTILL_LLAMA_SERVER", "/nowhere/llama-server")
    with pytest.raises(DistillError, match="DISTILL_LLAMA_SERVER=/nowhere/llama-server is not an executable"):
        llama_tools.server_binary()
