"""A local llama.cpp OpenAI-compatible server for a GGUF model, on 127.0.0.1, stopped by its own PID.

    with LlamaServer(gguf, alias="qwen2.5-coder-1.5b-instruct", log=Path("server.log")) as server:
        ...  # server.url is http://127.0.0.1:PORT; send up to server.slots requests at once

The server is llama.cpp's native `llama-server` (built by `distill engines build`): `slots` requests decode
together in one batch (continuous batching), and each slot keeps its last prompt's KV cache, so the few-shot
prefix that every prompt of a task shares is computed once per slot, not once per request. Where that binary
is not built, llama-cpp-python's Python server is the fallback: one request at a time (`slots` is 1).
The pipeline, tests and benchmarks start servers only through this class.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from functools import cache
from pathlib import Path

from distill import llama_tools
from distill.errors import DistillError

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when the thread that started it dies

# Measured with `make bench-engines` (benchmarks/bench_engines.py) on 2 cores: see the README's engine table.
SLOTS = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cores() -> int:
    return len(os.sched_getaffinity(0))


def native_available() -> bool:
    return llama_tools.server_binary() is not None


@cache  # an import attempt per call otherwise, and `auto` asks once per teacher record
def python_server_available() -> bool:
    try:
        import llama_cpp.server  # noqa: F401  (llama-cpp-python's package)
    except ImportError:
        return False
    return True


class LlamaServer:
    def __init__(self, gguf: Path, alias: str, port: int | None = None, n_ctx: int = 4096, slots: int = SLOTS,
                 threads: int | None = None, log: Path | None = None, native: bool | None = None):
        """threads: None for every core, 0 for the server's own default; native: None for llama-server where
        it is built, False for llama-cpp-python's server (the benchmark's baseline)."""
        self.gguf, self.alias, self.n_ctx = Path(gguf), alias, n_ctx
        self.native = native_available() if native is None else native
        self.slots = slots if self.native else 1
        self.threads = cores() if threads is None else threads
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log) if log else Path(tempfile.gettempdir()) / f"llama-server-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        common = ["--host", "127.0.0.1", "--port", str(self.port)]
        if self.native:
            # One KV pool shared by the slots (-kvu), each prompt up to n_ctx; no web UI.
            threads = ["-t", str(self.threads)] if self.threads else []
            return [str(llama_tools.server_binary()), "-m", str(self.gguf), *common, "-a", self.alias,
                    "-c", str(self.n_ctx * self.slots), "-np", str(self.slots), "-kvu", *threads, "--no-webui"]
        threads = ["--n_threads", str(self.threads)] if self.threads else []
        return [sys.executable, "-m", "llama_cpp.server", "--model", str(self.gguf), *common,
                "--n_ctx", str(self.n_ctx), "--model_alias", self.alias, *threads]

    def engine(self) -> dict:
        """What serves the model, for an entry's metadata: engine, server, weights' type, slots and threads."""
        return {"engine": "llama.cpp", "server": "llama-server" if self.native else "llama-cpp-python",
                "llama_cpp_version": llama_tools.VERSION, "weights": gguf_file_type(self.gguf),
                "slots": self.slots, "threads": self.threads}

    def start(self, timeout: float = 180) -> "LlamaServer":
        if self.native and not native_available():
            raise DistillError("llama-server is not built here: run `distill engines build` (make setup does)")
        if not self.native and not python_server_available():
            raise DistillError("no llama.cpp server here: build one with `distill engines build` (make setup "
                               "does), or pip install 'small-reasoners[server]' for the slower Python server")
        if not self.gguf.is_file():
            raise DistillError(f"no GGUF model file at {self.gguf}: run `distill models pull {self.alias}`")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        hook = _parent_death_hook() if sys.platform == "linux" else None
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=hook)  # noqa: PLW1509  (see _parent_death_hook)
        deadline = time.monotonic() + timeout
        while True:
            try:  # llama-server answers 503 until the model is loaded
                urllib.request.urlopen(f"{self.url}/v1/models", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise DistillError(f"the llama.cpp server for {self.gguf.name} did not start; see {self.log}")
                time.sleep(0.3)

    def stop(self) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        finally:  # too slow to go, or this command was itself killed while waiting: leave no server behind
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "LlamaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _parent_death_hook():
    """A function for the server's process to run before the server: it asks the kernel to kill that process
    when the thread that started it dies, so a command killed outright (SIGKILL, or SIGTERM to a script
    without a handler) leaves no server holding the cores. Servers are started from the main thread, which
    lives as long as the command. prctl is looked up here, in the parent: the child then makes one C call and
    nothing that could wait on a lock another thread held at the fork (what makes preexec_fn unsafe beside
    threads)."""
    prctl = ctypes.CDLL(None).prctl
    return lambda: prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


@cache
def gguf_file_type(gguf: Path) -> str:
    """The weights' type as the GGUF header states it: 'Q4_K_M', 'Q4_1', 'F32', 'BF16', ..."""
    from gguf import GGUFReader, LlamaFileType

    field = GGUFReader(gguf).fields.get("general.file_type")
    if field is None:
        return "unknown"
    name = LlamaFileType(int(field.parts[field.data[0]][0])).name
    return name.removeprefix("MOSTLY_").removeprefix("ALL_")
