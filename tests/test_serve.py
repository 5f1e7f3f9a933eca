"""distill.serve: a llama.cpp server that cannot start fails in one line, and leaves no process behind."""

import pytest

from distill.errors import DistillError
from distill.serve import LlamaServer
from conftest import needs_llama_server


def test_a_server_that_fails_to_start_says_so_and_leaves_nothing_running(tmp_path):
    needs_llama_server()
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model")
    server = LlamaServer(broken, alias="broken", log=tmp_path / "server.log")
    with pytest.raises(DistillError, match=r"the llama.cpp server for broken.gguf did not start; see .*server.log"):
        server.start(timeout=60)
    assert server.proc.poll() is not None, "the failed server process has exited"
    assert (tmp_path / "server.log").read_text(), "its log says why"


def test_a_missing_model_file_is_named():
    needs_llama_server()
    with pytest.raises(DistillError, match="no GGUF model file at /nowhere/m.gguf: run `distill models pull m`"):
        LlamaServer("/nowhere/m.gguf", alias="m").start()
