"""A local llama.cpp OpenAI-compatible server for a GGUF model, on 127.0.0.1, stopped by its own PID.

    with LlamaServer(gguf, alias="qwen2.5-coder-1.5b-instruct", log=Path("server.log")) as server:
        ...  # server.url is http://127.0.0.1:PORT

The pipeline serves the teacher this way, and the tests and benchmarks use the same class. One request
at a time reuses the shared few-shot prefix from llama.cpp's cache, which is what makes it fast here.
"""

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from distill.errors import DistillError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LlamaServer:
    def __init__(self, gguf: Path, alias: str, port: int | None = None, n_ctx: int = 4096, log: Path | None = None):
        self.gguf, self.alias, self.n_ctx = Path(gguf), alias, n_ctx
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log) if log else Path(tempfile.gettempdir()) / f"llama-server-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> "LlamaServer":
        try:
            import llama_cpp.server  # noqa: F401 - fail here in one line, not in a child process
        except ImportError:
            raise DistillError("the llama.cpp server needs llama-cpp-python[server]: "
                               "pip install 'small-reasoners[server]' (make setup does)") from None
        if not self.gguf.is_file():
            raise DistillError(f"no GGUF model file at {self.gguf}: run `distill models pull {self.alias}`")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "llama_cpp.server", "--model", str(self.gguf), "--host", "127.0.0.1",
                 "--port", str(self.port), "--n_ctx", str(self.n_ctx), "--model_alias", self.alias],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/v1/models", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise DistillError(f"the llama.cpp server for {self.gguf.name} did not start; see {self.log}")
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "LlamaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
