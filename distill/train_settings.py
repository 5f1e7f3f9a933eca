"""What a user sets for `distill train`: each setting's default and help, the checks, and the derived defaults.

`distill train`'s flags are made from these fields (distill/cli.py), so this module imports neither torch nor
transformers at import time: every `distill` command builds the whole command line. `TrainConfig`
(distill/train_config.py) puts these settings over transformers' TrainingArguments.
"""

import dataclasses
from dataclasses import dataclass, field
from functools import cache

from distill import results, train_data
from distill.errors import DistillError
from distill.flags import field_default

DEFAULT_SEED = 42  # transformers' own default; a student trained with it keeps the name it has always had


def seeded(name: str, seed: int) -> str:
    """A student's entry name: its seed group's name, with `-seed<N>` for any seed but the default."""
    return name if seed == DEFAULT_SEED else f"{name}-seed{seed}"


@dataclass
class TrainSettings:
    """What `distill train` adds to transformers' TrainingArguments, and the TrainingArguments fields it gives
    a flag or another default (their help is written here). None means "derived"."""

    student: str | None = field(default=None, metadata={"help": "model to fine-tune: offline name, directory or "
                                                                 "hub ID"})
    data: str | None = field(default=None, metadata={"help": "training file written by `distill filter`"})
    format: str | None = field(default=None, metadata={"help": "ft_cot (rationale + answer), ft_direct (answer "
                                                                 "only) or ft_pot (a program that sets `answer`)"})
    output_dir: str | None = field(default=None, metadata={"help": "directory for the student, checkpoints, "
                                                                   "config and summary"})
    lora: bool = field(default=False, metadata={"help": "train LoRA adapters (peft) instead of every weight"})
    run_eval: bool = field(default=False, metadata={"help": "run `distill eval` on the student when training ends"})
    max_steps: int = field(default=-1, metadata={"help": "stop after N optimizer steps (overrides --epochs)"})
    num_train_epochs: float = field(default=3.0, metadata={"help": "passes over the training file"})
    learning_rate: float | None = field(default=None, metadata={"help": "peak learning rate (default: by model "
                                                                        "size and method)"})
    per_device_train_batch_size: int = field(default=8, metadata={"help": "examples per step on each device "
                                                                          "(default %(default)s)"})
    gradient_accumulation_steps: int = field(default=1, metadata={"help": "steps whose gradients make one update"})
    warmup_steps: float = field(default=0.03, metadata={"help": "warmup: steps, or a fraction of all steps below 1"})
    max_length: int = field(default=1024, metadata={"help": "longest example in tokens; longer ones are dropped"})
    lora_r: int | None = field(default=None, metadata={"help": "LoRA rank (default 16)"})
    lora_alpha: int | None = field(default=None, metadata={"help": "LoRA scale numerator (default: 2 x rank)"})
    lora_dropout: float = field(default=0.05, metadata={"help": "dropout on the LoRA branch"})
    merge_lora: bool = field(default=True, metadata={"help": "save LoRA merged into full weights (default), "
                                                             "or with --no-merge-lora the adapter alone"})
    batching: str = field(default="auto", metadata={"help": "padding_free (one row per batch), length_grouped, or "
                                                            "auto: padding_free with FlashAttention, else "
                                                            "length_grouped"})
    attn_implementation: str | None = field(default=None, metadata={"help": "sdpa, eager, flash_attention_2, ... "
                                                                              "(default: transformers' choice)"})
    # Whole steps, where TrainingArguments also takes a fraction of the run: a flag reads an int.
    save_steps: int = field(default=50, metadata={"help": "checkpoint every N optimizer steps (a killed run "
                                                          "resumes from the last one)"})
    save_total_limit: int | None = field(default=1, metadata={"help": "checkpoints kept; resuming needs only the last"})
    keep_checkpoints: bool = field(default=False, metadata={"help": "keep checkpoint-* after a finished run"})
    logging_steps: int = field(default=5, metadata={"help": "log loss every N optimizer steps"})
    seed: int = field(default=DEFAULT_SEED, metadata={"help": "seed of data order and initialisation (default "
                                                              "%(default)s; another seed names its own entry)"})
    bf16: bool | None = field(default=None, metadata={"help": "bf16 mixed precision (default: where supported)"})
    use_cpu: bool | None = field(default=None, metadata={"help": "train on the CPU (default: when no accelerator)"})
    gradient_checkpointing: bool | None = field(default=None, metadata={"help": "recompute activations to save "
                                                                                "memory (default: from 1B parameters)"})
    eval_benchmarks: str | None = field(default=None, metadata={"help": "benchmarks to evaluate (default: the "
                                                                        "training file's)"})
    eval_limit: int | None = field(default=None, metadata={"help": "evaluate only the first N examples per task"})
    name: str | None = field(default=None, metadata={"help": "the student's name on the board (default: "
                                                             "<student>-<benchmark>-<source>-<format>)"})
    results_dir: str = field(default=str(results.DEFAULT_DIR), metadata={"help": "where --eval files the entry"})
    remove_unused_columns: bool = field(default=False, metadata={"help": "the dataset holds only model inputs"})

    def __post_init__(self):
        # What the user set, before anything is derived: this is what train_config.yaml records.
        self.given = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                      if f.init and getattr(self, f.name) != field_default(f)}
        missing = [flag for flag, value in (("--student", self.student), ("--data", self.data),
                                            ("--format", self.format), ("--out", self.output_dir)) if not value]
        if missing:
            raise DistillError(f"distill train needs {', '.join(missing)} (as flags or in --config)")
        if self.format not in train_data.TRAIN_FORMATS:
            raise DistillError(f"--format must be one of {', '.join(train_data.TRAIN_FORMATS)}, not '{self.format}'")
        if self.run_eval and self.lora and not self.merge_lora:
            raise DistillError("--eval needs a merged student: drop --no-merge-lora")
        import torch

        if self.use_cpu is None:
            accelerator = getattr(torch, "accelerator", None)  # torch >= 2.6 knows every device type
            self.use_cpu = not (accelerator.is_available() if accelerator else torch.cuda.is_available())
        if self.bf16 is None:
            self.bf16 = not self.fp16 and _bf16_faster(self.use_cpu)
        self.label_names = self.label_names or ["labels"]  # PeftModel's forward hides them from Trainer's search
        super().__post_init__()  # TrainingArguments'

    def resolve_size_defaults(self, n_params: int) -> None:
        """Fill what was left to the model's size. Small models take larger steps, LoRA's few zero-initialised
        weights need a larger rate than full fine-tuning, and past 1B parameters activations are recomputed."""
        big = n_params >= 1e9
        if self.learning_rate is None:
            self.learning_rate = (2e-4 if big else 3e-4) if self.lora else (2e-5 if big else 1e-4)
        self.lora_r = self.lora_r or 16
        self.lora_alpha = self.lora_alpha or 2 * self.lora_r
        if self.gradient_checkpointing is None:
            self.gradient_checkpointing = big


def _bf16_faster(use_cpu: bool) -> bool:
    """bf16 where the hardware is faster with it. On a CPU that is measured, not assumed: with the same
    instructions (avx512_bf16) one host ran bf16 matmuls at twice fp32's rate and another at half."""
    import torch

    if not use_cpu and torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    return use_cpu and _cpu_bf16_faster()


@cache  # once per process: the hardware does not change between the configs a process builds
def _cpu_bf16_faster() -> bool:
    import torch

    fp32, bf16 = matmul_peak(torch.float32), matmul_peak(torch.bfloat16)
    faster = bf16 > 1.1 * fp32  # by a clear margin, not by noise
    print(f"precision probe: matmuls at fp32 {fp32 / 1e9:.0f} GFLOP/s, bf16 {bf16 / 1e9:.0f} GFLOP/s: training in "
          f"{'bf16' if faster else 'fp32'} (--bf16 or --no-bf16 chooses)", flush=True)
    return faster


def matmul_peak(dtype, sizes=(512,), repeats: int = 3) -> float:
    """Best FLOP/s of square matmuls in `dtype` with the threads training uses: the machine's practical peak.
    Larger sizes are skipped once one call takes over a second (bf16 without hardware support is ~100x slow)."""
    import time

    import torch

    best = 0.0
    for n in sizes:
        a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
        a @ b  # warm-up: oneDNN picks and caches its kernel
        for _ in range(repeats):
            start = time.perf_counter()
            a @ b
            seconds = time.perf_counter() - start
            best = max(best, 2 * n**3 / seconds)
        if seconds > 1:
            break
    return best
