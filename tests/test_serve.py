"""distill.serve: a llama.cpp server that cannot start fails in one line, and leaves no process behind."""

import pytest

from distill.errors import DistillError
from distill.serve import LlamaServer


def test_a_server_that_fails_to_start_says_so_and_leaves_nothing_running(tmp_path):
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed (make setup does)")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model")
    server = LlamaServer(broken, alias="broken", log=tmp_path / "server.log")
    with pytest.raises(DistillError, match=r"the llama.cpp server for broken.gguf did not start; see .*server.log"):
        server.start(timeout=60)
    assert server.proc.poll() is not None, "the failed server process has exited"
    assert (tmp_path / "server.log").read_text(), "its log says why"


def test_a_missing_model_file_is_named():
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed (make setup does)")
    with pytest.raises(DistillError, match="no GGUF model file at /nowhere/m.gguf: run `distill models pull m`"):
        LlamaServer("/nowhere/m.gguf", alias="m").start()
