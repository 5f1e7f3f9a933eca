"""`distill train`: fine-tune a student on a `distill filter` training file, with CoTs or answers only.

    distill train --student smollm2-135m-instruct --format ft_cot \\
        --data artifacts/train/last_letter.gold.ft_cot.jsonl --out artifacts/students/ll-cot --eval
    distill train --student smollm2-135m-instruct --format ft_direct \\
        --data artifacts/train/last_letter.gold.ft_direct.jsonl --out artifacts/students/ll-direct --eval
    distill train --config recipes/train/smollm2-135m-last_letter-gold-ft_cot.yaml --max-steps 5  # flags win
    accelerate launch --config_file recipes/train/accelerate_ddp.yaml -m distill.cli train --config ...

The student's config decides between AutoModelForCausalLM and AutoModelForSeq2SeqLM (T5). `TrainConfig`
is transformers' TrainingArguments plus `TrainSettings`, so a YAML config may set any of their fields;
the flags cover the usual ones. Into --out go the student (merged weights after LoRA, or with
--no-merge-lora the adapter, which names its base), `train_config.yaml` (the settings given, which
`--config` reads back), `train_summary.json` (resolved settings, steps, tokens, wall time, hardware) and
`trainer_state.json`. Run the same command again after a crash: it resumes from the last complete
checkpoint, and a finished run is not trained twice. `--eval` then files the student on the board with
`distill eval`, in the format it was trained on.
"""

import argparse
import dataclasses
import enum
import json
import os
import shlex
import shutil
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from distill import models, train_data
from distill.errors import DistillError
from distill.jsonio import atomic_write_text
from distill.paths import slug

CONFIG_FILE, SUMMARY_FILE = "train_config.yaml", "train_summary.json"
# Settings that change only the evaluation after training, so a finished or resumed run may differ in them.
EVAL_ONLY = {"run_eval", "eval_benchmarks", "eval_limit", "name", "results_dir", "per_device_eval_batch_size"}
# Variables that make a process part of a distributed job; the lm-eval run after training must not see them.
LAUNCHER_ENV = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK", "ROLE_RANK",
                "ROLE_WORLD_SIZE", "GROUP_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "TORCHELASTIC_RUN_ID")


@dataclass
class TrainSettings:
    """What `distill train` adds to transformers' TrainingArguments, and the defaults it changes there.

    A mixin of TrainConfig, kept apart so that the command line is built without importing transformers
    (seconds, torch included), which every `distill` command would otherwise pay. None means "derived".
    """

    student: str | None = field(default=None, metadata={"help": "model to fine-tune: offline name, directory or hub ID"})
    data: str | None = field(default=None, metadata={"help": "training file written by `distill filter`"})
    format: str | None = field(default=None, metadata={"help": "ft_cot (rationale + answer) or ft_direct (answer only)"})
    lora: bool = field(default=False, metadata={"help": "train LoRA adapters (peft) instead of every weight"})
    lora_r: int | None = field(default=None, metadata={"help": "LoRA rank (default 16)"})
    lora_alpha: int | None = field(default=None, metadata={"help": "LoRA scale numerator (default: 2 x rank)"})
    lora_dropout: float = field(default=0.05, metadata={"help": "dropout on the LoRA branch"})
    merge_lora: bool = field(default=True, metadata={"help": "save LoRA merged into full weights (default), "
                                                             "or with --no-merge-lora the adapter alone"})
    attn_implementation: str | None = field(default=None, metadata={"help": "sdpa, eager, flash_attention_2, ... "
                                                                              "(default: transformers' choice)"})
    max_length: int = field(default=1024, metadata={"help": "longest example in tokens; longer ones are dropped"})
    batching: str = field(default="auto", metadata={"help": "padding_free (one row per batch), length_grouped, or "
                                                            "auto: padding_free with FlashAttention, else length_grouped"})
    keep_checkpoints: bool = field(default=False, metadata={"help": "keep checkpoint-* after a finished run"})
    run_eval: bool = field(default=False, metadata={"help": "run `distill eval` on the student when training ends"})
    eval_benchmarks: str | None = field(default=None, metadata={"help": "benchmarks to evaluate (default: the "
                                                                        "training file's)"})
    eval_limit: int | None = field(default=None, metadata={"help": "evaluate only the first N examples per task"})
    name: str | None = field(default=None, metadata={"help": "the student's name on the board (default: "
                                                             "<student>-<benchmark>-<source>-<format>)"})
    results_dir: str = field(default="results", metadata={"help": "where --eval files the entry"})
    # TrainingArguments fields with other defaults here.
    output_dir: str | None = field(default=None, metadata={"help": "directory for the student, checkpoints, "
                                                                   "config and summary"})
    learning_rate: float | None = field(default=None, metadata={"help": "peak learning rate (default: by model "
                                                                        "size and method)"})
    gradient_checkpointing: bool | None = field(default=None, metadata={"help": "recompute activations to save "
                                                                                "memory (default: from 1B parameters)"})
    bf16: bool | None = field(default=None, metadata={"help": "bf16 mixed precision (default: where supported)"})
    use_cpu: bool | None = field(default=None, metadata={"help": "train on the CPU (default: when no accelerator)"})
    num_train_epochs: float = field(default=3.0, metadata={"help": "passes over the training file"})
    warmup_steps: float = field(default=0.03, metadata={"help": "warmup: steps, or a fraction of all steps below 1"})
    logging_steps: float = field(default=5, metadata={"help": "log loss every N optimizer steps"})
    save_steps: float = field(default=50, metadata={"help": "checkpoint every N optimizer steps (a killed run "
                                                            "resumes from the last one)"})
    save_total_limit: int | None = field(default=1, metadata={"help": "checkpoints kept; resuming needs only the last"})
    remove_unused_columns: bool = field(default=False, metadata={"help": "the dataset holds only model inputs"})

    def __post_init__(self):
        # What the user set, before anything is derived: this is what train_config.yaml records.
        self.given = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                      if f.init and getattr(self, f.name) != _default(f)}
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
            self.bf16 = not self.fp16 and _bf16_supported(self.use_cpu)
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


def _default(f: dataclasses.Field):
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def _bf16_supported(use_cpu: bool) -> bool:
    import torch

    if not use_cpu and torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    if use_cpu:  # oneDNN runs bf16 matmuls natively only with these instructions; emulated bf16 is slower than fp32
        return any(getattr(torch.cpu, probe, lambda: False)()
                   for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))
    return False


def _define_trainer_classes() -> None:
    """TrainConfig and the progress callbacks, defined on first use (see the module's __getattr__): they
    subclass transformers' classes, and `distill` imports this module to build its parser on every command.
    Declared global, so they live (and pickle, as Trainer saves its arguments) as distill.train.<name>."""
    global TrainConfig, TokenMeter, TokenProgress
    from tqdm.auto import tqdm
    from transformers import TrainerCallback, TrainingArguments
    from transformers.trainer_callback import ProgressCallback

    @dataclass
    class TrainConfig(TrainSettings, TrainingArguments):
        """Everything one `distill train` run needs: TrainSettings over transformers' TrainingArguments."""

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


def __getattr__(name: str):
    """PEP 562: `distill.train.TrainConfig` (and the callbacks) come into being when first asked for."""
    if name in ("TrainConfig", "TokenMeter", "TokenProgress"):
        _define_trainer_classes()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _cls(name: str):
    """A lazily defined class, from inside this module (where bare names bypass the module's __getattr__)."""
    return globals()[name] if name in globals() else __getattr__(name)


# --- the command line: flags for the usual fields, the rest in a --config YAML --------------------------------

_SETTINGS_HELP = {f.name: f.metadata["help"] for f in dataclasses.fields(TrainSettings)}
FLAGS = [  # (flag, field, argparse keywords, help where the field is transformers' own)
    ("--student", "student", {}, None), ("--data", "data", {}, None),
    ("--format", "format", {"choices": train_data.TRAIN_FORMATS}, None), ("--out", "output_dir", {}, None),
    ("--lora", "lora", {"action": "store_true"}, None), ("--eval", "run_eval", {"action": "store_true"}, None),
    ("--max-steps", "max_steps", {"type": int}, "stop after N optimizer steps (overrides --epochs)"),
    ("--epochs", "num_train_epochs", {"type": float}, None),
    ("--learning-rate", "learning_rate", {"type": float}, None),
    ("--batch-size", "per_device_train_batch_size", {"type": int}, "examples per step on each device (default 8)"),
    ("--grad-accum", "gradient_accumulation_steps", {"type": int}, "steps whose gradients make one update"),
    ("--max-length", "max_length", {"type": int}, None), ("--lora-r", "lora_r", {"type": int}, None),
    ("--merge-lora", "merge_lora", {"action": argparse.BooleanOptionalAction}, None),
    ("--batching", "batching", {"choices": train_data.BATCHING}, None),
    ("--save-steps", "save_steps", {"type": int}, None), ("--logging-steps", "logging_steps", {"type": int}, None),
    ("--seed", "seed", {"type": int}, "seed of data order and initialisation (default 42)"),
    ("--bf16", "bf16", {"action": argparse.BooleanOptionalAction}, None),
    ("--eval-benchmarks", "eval_benchmarks", {}, None), ("--eval-limit", "eval_limit", {"type": int}, None),
    ("--name", "name", {}, None), ("--results-dir", "results_dir", {}, None),
]


def register(subparsers) -> None:
    """Add `distill train` to the command line's subcommands."""
    p = subparsers.add_parser("train", help="fine-tune a student on an ft_cot or ft_direct training file",
                              description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, help="YAML of TrainConfig fields, any TrainingArguments one included "
                                               "(a recipe, or a run's train_config.yaml); flags override it")
    for flag, name, kwargs, help_text in FLAGS:
        if "action" not in kwargs and "choices" not in kwargs:
            kwargs = {**kwargs, "metavar": flag.lstrip("-").upper().replace("-", "_")}
        # SUPPRESS: a flag that is not given leaves the config file's value (or the default) in place.
        p.add_argument(flag, dest=name, default=argparse.SUPPRESS, help=help_text or _SETTINGS_HELP[name], **kwargs)
    p.set_defaults(func=cmd_train)


def config_from_args(args: argparse.Namespace):
    """A TrainConfig from the defaults, then the --config file, then the flags given."""
    fields = {f.name: f for f in dataclasses.fields(_cls("TrainConfig")) if f.init}
    values = {}
    if args.config:
        if not args.config.is_file():
            raise DistillError(f"config file '{args.config}' does not exist")
        values = yaml.safe_load(args.config.read_text()) or {}
        unknown = sorted(set(values) - set(fields))
        if unknown:
            raise DistillError(f"{args.config}: unknown setting(s) {', '.join(unknown)}")
        # YAML 1.1 reads 1e-4 as a string; the float fields take it as the number it is meant to be.
        values = {k: float(v) if isinstance(v, str) and "float" in str(fields[k].type) else v for k, v in values.items()}
    values.update({k: v for k, v in vars(args).items() if k in fields})
    return _cls("TrainConfig")(**values)


def config_yaml(cfg) -> str:
    """The settings given to this run, as `--config` reads them back."""
    def plain(value):  # enums and paths as YAML can hold them
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return str(value) if isinstance(value, Path) else value

    return yaml.safe_dump(plain(cfg.given), sort_keys=True)


def cmd_train(args) -> None:
    cfg = config_from_args(args)
    out = train(cfg, command=shlex.join(["distill", *args.argv]))
    if cfg.process_index == 0:
        print(f"student written to {out}")


def main(argv: list[str] | None = None) -> int:
    """`python -m distill.train ...`: the same as `distill train ...` (for example under `accelerate launch`)."""
    from distill import cli

    return cli.main(["train", *(sys.argv[1:] if argv is None else argv)])


# --- a run: setup, resume, load, train, save, evaluate -------------------------------------------------------

def train(cfg, command: str | None = None) -> Path:
    """Fine-tune the student (or find it already trained), then evaluate it if asked; returns --out."""
    out = Path(cfg.output_dir)
    records = train_data.load_records(Path(cfg.data), cfg.format)  # a bad file fails before a model loads
    summary = _finished_run(cfg)
    if summary is None:
        summary = _fit(cfg, records, command)
    elif cfg.process_index == 0:
        print(f"{out} already holds this run, trained to step {summary['steps']}: not training again")
    if cfg.run_eval and cfg.process_index == 0:
        _evaluate(cfg, summary, command)
    return out


def _finished_run(cfg) -> dict | None:
    """The summary of the same run finished in --out; None to train (fresh, or resuming a killed run)."""
    out = Path(cfg.output_dir)
    if not (out / CONFIG_FILE).exists():
        if out.is_dir() and any(out.iterdir()):
            raise DistillError(f"--out {out} is not empty and holds no {CONFIG_FILE}: choose a new directory")
        return None
    saved = yaml.safe_load((out / CONFIG_FILE).read_text()) or {}
    given = yaml.safe_load(config_yaml(cfg)) or {}
    differ = sorted(k for k in (set(saved) | set(given)) - EVAL_ONLY if saved.get(k) != given.get(k))
    if differ:
        raise DistillError(f"--out {out} holds a run with other settings ({', '.join(differ)}): run the same "
                           "command to resume or reuse it, or choose another --out")
    summary = out / SUMMARY_FILE
    return json.loads(summary.read_text()) if summary.exists() else None


def _last_complete_checkpoint(out: Path) -> str | None:
    """The newest checkpoint that was fully written; a kill during a save leaves one without trainer_state.json."""
    steps = sorted((int(p.name.split("-")[1]), p) for p in out.glob("checkpoint-*") if p.name.split("-")[1].isdigit())
    complete = [p for _, p in steps if (p / "trainer_state.json").exists()]
    return str(complete[-1]) if complete else None


def _fit(cfg, records: list[dict], command: str | None) -> dict:
    import torch
    from transformers import AutoConfig, AutoTokenizer, Trainer, set_seed
    from transformers.trainer_callback import ProgressCallback

    out = Path(cfg.output_dir)
    set_seed(cfg.seed)
    path = models.resolve(cfg.student)
    encoder_decoder = bool(AutoConfig.from_pretrained(path).is_encoder_decoder)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:  # padded batches need one; padding positions carry no loss anyway
        tokenizer.pad_token = tokenizer.eos_token
    model = _load_model(path, encoder_decoder, torch.bfloat16 if cfg.lora and cfg.bf16 else torch.float32,
                        cfg.attn_implementation)
    n_params = model.num_parameters()
    # No KV cache while training: it only costs memory, and transformers reads the example boundaries of
    # a padding-free batch from its position ids only when no cache is being built.
    use_cache, model.config.use_cache = model.config.use_cache, False
    cfg.resolve_size_defaults(n_params)
    batching = train_data.resolve_batching(cfg.batching, encoder_decoder, model.config._attn_implementation)
    if cfg.lora:
        model = _with_lora(model, cfg, encoder_decoder)
    # Count only real tokens: a flattened batch holds nothing else; a padded one is counted by its attention mask.
    cfg.include_num_input_tokens_seen = "all" if batching == "padding_free" else "non_padding"
    if batching == "length_grouped":
        cfg.train_sampling_strategy = "group_by_length"
    dataset, data_stats = train_data.build_dataset(records, cfg.format, tokenizer, encoder_decoder, cfg.max_length)
    if cfg.process_index == 0:
        atomic_write_text(out / CONFIG_FILE, config_yaml(cfg))

    meter = _cls("TokenMeter")()
    trainer = Trainer(model=model, args=cfg, train_dataset=dataset, processing_class=tokenizer,
                      data_collator=train_data.collator(batching, tokenizer, model), callbacks=[meter])
    if trainer.pop_callback(ProgressCallback):
        trainer.add_callback(_cls("TokenProgress")(meter))
    checkpoint = _last_complete_checkpoint(out)
    if checkpoint and cfg.process_index == 0:
        for stale in out.glob("checkpoint-*"):  # half-written by a kill; the run will save that step again
            if not (stale / "trainer_state.json").exists():
                shutil.rmtree(stale)
    result = trainer.train(resume_from_checkpoint=checkpoint)
    model.config.use_cache = use_cache  # the saved student generates with its cache
    _save_student(trainer, cfg, path, encoder_decoder)

    state = trainer.state
    summary = {
        "student": cfg.student, "student_path": path, "params": n_params,
        "architecture": "encoder-decoder" if encoder_decoder else "decoder-only",
        "method": "lora" if cfg.lora else "full", "format": cfg.format, "batching": batching,
        "data": train_data.data_info(Path(cfg.data), records, data_stats),
        "trainable_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "lora": {"r": cfg.lora_r, "alpha": cfg.lora_alpha, "dropout": cfg.lora_dropout, "merged": cfg.merge_lora}
        if cfg.lora else None,
        "precision": "bf16" if cfg.bf16 else "fp16" if cfg.fp16 else "fp32",
        "learning_rate": cfg.learning_rate, "epochs": state.epoch, "steps": state.global_step,
        "global_batch_size": cfg.per_device_train_batch_size * cfg.gradient_accumulation_steps * cfg.world_size,
        "tokens": state.num_input_tokens_seen,
        "tokens_counted": "encoder inputs (prompts)" if encoder_decoder else "prompts and targets, no padding",
        "train_loss": result.training_loss,
        "final_loss": next((h["loss"] for h in reversed(state.log_history) if "loss" in h), None),
        "resumed_from_step": int(Path(checkpoint).name.split("-")[1]) if checkpoint else None,
        **meter.session(state), "hardware": hardware(cfg), "versions": _versions(), "command": command,
    }
    if cfg.process_index == 0:
        trainer.save_state()
        atomic_write_text(out / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")
        if not cfg.keep_checkpoints:
            for done in out.glob("checkpoint-*"):
                shutil.rmtree(done)
        print(summary_text(summary))
    return summary


def _load_model(path: str, encoder_decoder: bool, dtype, attn_implementation: str | None = None):
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM

    # Full fine-tuning keeps fp32 master weights (bf16 only inside autocast); a frozen LoRA base may be bf16.
    auto = AutoModelForSeq2SeqLM if encoder_decoder else AutoModelForCausalLM
    return auto.from_pretrained(path, dtype=dtype, attn_implementation=attn_implementation)


def _with_lora(model, cfg, encoder_decoder: bool):
    from peft import LoraConfig, get_peft_model

    return get_peft_model(model, LoraConfig(
        r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout, target_modules="all-linear",
        task_type="SEQ_2_SEQ_LM" if encoder_decoder else "CAUSAL_LM"))


def _save_student(trainer, cfg, base_path: str, encoder_decoder: bool) -> None:
    """The student in --out: full weights, or after LoRA the merged weights (and the adapter in adapter/)."""
    import torch

    out = Path(cfg.output_dir)
    adapter_dir = out / "adapter" if cfg.lora and cfg.merge_lora else out
    trainer.save_model(str(adapter_dir))  # every process takes part: FSDP and DeepSpeed gather shards here
    if not (cfg.lora and cfg.merge_lora) or cfg.process_index != 0:
        return
    from peft import PeftModel

    # Merge into an fp32 copy of the base read from disk, not into the bf16 one that trained (rounding),
    # and not into a model that FSDP may still hold in shards.
    base = _load_model(base_path, encoder_decoder, torch.float32)
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    merged.save_pretrained(out)
    trainer.processing_class.save_pretrained(out)


def hardware(cfg) -> dict:
    import torch

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


def _versions() -> dict:
    import importlib.metadata

    return {p: importlib.metadata.version(p) for p in ("torch", "transformers", "accelerate", "peft")}


def summary_text(s: dict) -> str:
    resumed = f" (resumed at step {s['resumed_from_step']})" if s["resumed_from_step"] else ""
    return (f"trained {s['student']} ({s['method']}, {s['precision']}, {s['batching']}) on {s['data']['file']} "
            f"as {s['format']}: {s['steps']} steps{resumed}, {s['epochs']:.2f} epochs, {s['tokens']:,} tokens, "
            f"{s['wall_time_s'] / 60:.1f} min, {s['tokens_per_second']:.0f} tok/s, final loss {s['final_loss']}")


@contextmanager
def _single_process_env():
    """Hide the launcher's variables, so the lm-eval subprocess does not try to join the training job."""
    saved = {k: os.environ.pop(k) for k in LAUNCHER_ENV if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def student_name(cfg, summary: dict) -> str:
    data = summary["data"]
    return cfg.name or f"{slug(cfg.student)}-{'+'.join(data['benchmarks'])}-{data['source']}-{cfg.format}"


def eval_config(cfg, summary: dict, command: str | None, **overrides):
    """How `distill eval` files this student: its name, base, teacher, and training details as metadata."""
    from distill.evaluate import EvalConfig

    data = summary["data"]
    training = {k: summary[k] for k in ("method", "format", "batching", "precision", "learning_rate", "epochs",
                                        "steps", "global_batch_size", "tokens", "tokens_counted", "wall_time_s",
                                        "tokens_per_second", "train_loss", "final_loss", "params",
                                        "trainable_params", "lora", "hardware", "versions", "command")}
    settings = dict(model=str(cfg.output_dir), format=cfg.format,
                    benchmarks=cfg.eval_benchmarks or ",".join(data["benchmarks"]), role="student",
                    name=student_name(cfg, summary), base_model=cfg.student, teacher=data["teacher"],
                    limit=cfg.eval_limit, batch_size=cfg.per_device_eval_batch_size,
                    results_dir=Path(cfg.results_dir), command=command,
                    extra={"training": training, "data": data})
    return EvalConfig(**(settings | overrides))


def _evaluate(cfg, summary: dict, command: str | None) -> Path:
    from distill.evaluate import evaluate

    with _single_process_env():
        entry = evaluate(eval_config(cfg, summary, command))
    print(f"results filed under {entry}")
    return entry


if __name__ == "__main__":
    sys.exit(main())
