"""distill.serve: a llama.cpp server that cannot start fails in one line, and leaves no process behind, even when
the command that started it is killed outright."""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import STUDENT, needs_llama_server

from distill.errors import DistillError
from distill.serve import LlamaServer


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


def _running(pid: int) -> bool:
    """Whether a process runs (an exited one whose parent is gone may linger as a zombie until reaped)."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the parent-death signal is Linux's")
def test_a_server_goes_when_the_command_that_started_it_is_killed(smollm2):
    needs_llama_server()
    starter = subprocess.Popen([sys.executable, "-c", f"""
import time
from distill import models
from distill.serve import LlamaServer
server = LlamaServer(models.OFFLINE_MODELS["{STUDENT}"].gguf_path, alias="{STUDENT}").start()
print(server.proc.pid, flush=True)
time.sleep(600)
"""], stdout=subprocess.PIPE, text=True)
    server_pid = int(starter.stdout.readline())
    assert _running(server_pid)
    starter.kill()  # SIGKILL: no handler, no __exit__ runs
    starter.wait()
    deadline = time.monotonic() + 20
    while _running(server_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _running(server_pid), "the server outlived the command that started it"
