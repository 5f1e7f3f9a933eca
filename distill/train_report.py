"""What a `distill train` run reports: live progress with real tokens per second, the wall time and token
rate of the session, the hardware and library versions it ran on, and its one-line summary."""

import importlib.metadata
import os
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm
from transformers import TrainerCallback
from transformers.trainer_callback import ProgressCallback


class TokenMeter(TrainerCallback):
    """Wall time and real tokens per second of this session (a resumed run's earlier tokens took no time here)."""

    def on_train_begin(self, args, state, control, **kwargs):
        self.start, self.start_tokens, self.end = time.monotonic(), state.num_input_tokens_seen, None

    def on_train_end(self, args, state, control, **kwargs):
        self.end = time.monotonic()

    def session(self, state) -> dict:
        wall = (self.end or time.monotonic()) - self.start
        return {"wall_time_s": round(wall, 3),
                "tokens_per_second": round((state.num_input_tokens_seen - self.start_tokens) / max(wall, 1e-9), 1)}


class TokenProgress(ProgressCallback):
    """Trainer's progress bar (steps, time left) with the last logged loss and real tokens per second."""

    def __init__(self, meter: TokenMeter):
        super().__init__()
        self.meter, self.loss = meter, None

    def on_train_begin(self, args, state, control, **kwargs):
        if state.is_world_process_zero:  # a resumed run starts mid-bar; its time left counts only new steps
            self.training_bar = tqdm(total=state.max_steps, initial=state.global_step, dynamic_ncols=True)
        self.current_step = state.global_step

    def on_step_end(self, args, state, control, **kwargs):
        self._postfix(state)  # shown when the parent advances the bar
        super().on_step_end(args, state, control, **kwargs)

    def on_log(self, args, state, control, logs=None, **kwargs):
        self.loss = (logs or {}).get("loss", self.loss)
        self._postfix(state)
        super().on_log(args, state, control, logs=logs, **kwargs)

    def _postfix(self, state):
        if self.training_bar is not None:
            rate = self.meter.session(state)["tokens_per_second"]
            loss = {"loss": f"{self.loss:.4f}"} if self.loss is not None else {}
            self.training_bar.set_postfix({"tok/s": f"{rate:.0f}", **loss}, refresh=False)


def hardware(cfg) -> dict:
    if cfg.device.type == "cuda":
        name, peak = torch.cuda.get_device_name(), torch.cuda.max_memory_allocated() / 2**30
    else:
        import resource

        cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
        name = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                    "unknown CPU") + f" ({os.cpu_count()} cores, {torch.get_num_threads()} threads per process)"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    backend = torch.distributed.get_backend() if torch.distributed.is_initialized() else None
    return {"device": cfg.device.type, "name": name, "processes": cfg.world_size, "distributed_backend": backend,
            "peak_memory_gib": round(peak, 2)}


def versions() -> dict:
    return {p: importlib.metadata.version(p) for p in ("torch", "transformers", "accelerate", "peft")}


def summary_text(s: dict) -> str:
    resumed = f" (resumed at step {s['resumed_from_step']})" if s["resumed_from_step"] else ""
    return (f"trained {s['student']} ({s['method']}, {s['precision']}, {s['batching']}) on {s['data']['file']} "
            f"as {s['format']}: {s['steps']} steps{resumed}, {s['epochs']:.2f} epochs, {s['tokens']:,} tokens, "
            f"{s['wall_time_s'] / 60:.1f} min, {s['tokens_per_second']:.0f} tok/s, final loss {s['final_loss']}")
