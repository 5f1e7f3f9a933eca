"""A `distill train` run: fine-tune a student on a `distill filter` training file, with CoTs or answers only.

    distill train --student smollm2-135m-instruct --format ft_cot \\
        --data artifacts/train/last_letter.gold.ft_cot.jsonl --out artifacts/students/ll-cot --eval
    distill train --student smollm2-135m-instruct --format ft_direct \\
        --data artifacts/train/last_letter.gold.ft_direct.jsonl --out artifacts/students/ll-direct --eval
    accelerate launch --config_file recipes/train/accelerate_ddp.yaml -m distill.cli train --config ...

The phases: setup, resume, load, train, save, evaluate. The student's config decides between
AutoModelForCausalLM and AutoModelForSeq2SeqLM (T5). Into --out go the student (merged weights after LoRA,
or with --no-merge-lora the adapter, which names its base), `train_config.yaml` (the settings given, which
`--config` reads back), `train_summary.json` (resolved settings, steps, tokens, wall time, hardware) and
`trainer_state.json`. Run the same command again after a crash: it resumes from the last complete
checkpoint, and a finished run is not trained twice. `--eval` then files the student on the board with
`distill eval`, in the format it was trained on.

torch, transformers and the modules built on them (train_config, train_report) are imported where a run
needs them: `distill run` imports this module to read trained_on() of every student, also when all is done.
"""

import json
import os
import shutil
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import yaml

from distill import locks, models, train_data
from distill.errors import DistillError
from distill.jsonio import atomic_write_text, file_sha256
from distill.paths import slug
from distill.train_settings import seeded

CONFIG_FILE, SUMMARY_FILE = "train_config.yaml", "train_summary.json"
TRAINED_ON = "trained_on.sha256"  # in a student's directory: its training file's sha256, stamped as the run starts
# Settings that change only the evaluation after training, so a finished or resumed run may differ in them.
EVAL_ONLY = {"run_eval", "eval_benchmarks", "eval_limit", "name", "results_dir", "per_device_eval_batch_size"}
# Variables that make a process part of a distributed job; the lm-eval run after training must not see them.
LAUNCHER_ENV = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "GROUP_RANK", "ROLE_RANK",
                "ROLE_WORLD_SIZE", "GROUP_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "TORCHELASTIC_RUN_ID")


def trained_on(student_dir: Path) -> str | None:
    """The sha256 of the training file the run in `student_dir` trains or trained on: its stamp, or for a run
    that finished before runs were stamped as they start, its summary's record; None for neither."""
    stamp, summary = student_dir / TRAINED_ON, student_dir / SUMMARY_FILE
    if stamp.exists():
        return stamp.read_text().strip()
    return (json.loads(summary.read_text()).get("data") or {}).get("sha256") if summary.exists() else None


def record_trained_on(student_dir: Path, sha256: str) -> None:
    """Stamp a student's directory with its training file's sha256, which trained_on() reads back."""
    atomic_write_text(student_dir / TRAINED_ON, sha256 + "\n")


def train(cfg, command: str | None = None) -> Path:
    """Fine-tune the student (or find it already trained), then evaluate it if asked; returns --out."""
    out = Path(cfg.output_dir)
    # One run per --out: process 0 holds it for the run's processes (the others follow process 0).
    with locks.hold(out, "distill train") if cfg.process_index == 0 else nullcontext():
        records = train_data.load_records(Path(cfg.data), cfg.format)  # a bad file fails before a model loads
        digest = file_sha256(Path(cfg.data))
        summary = _finished_run(cfg, digest)
        if summary is None:
            summary = _fit(cfg, records, command, digest)
        elif cfg.process_index == 0:
            print(f"{out} already holds this run, trained to step {summary['steps']}: not training again")
        if cfg.run_eval and cfg.process_index == 0:
            _evaluate(cfg, summary, command)
    return out


def _finished_run(cfg, digest: str) -> dict | None:
    """The summary of the same run finished in --out; None to train (fresh, or resuming a killed run). A run on
    another version of the training file (`digest`: its sha256 now), finished or not, is refused."""
    from distill.train_config import config_yaml

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
    if trained_on(out) not in (None, digest):
        raise DistillError(f"--out {out} holds a run on another version of {cfg.data} (the file changed since): "
                           "remove that directory to train again, or choose another --out")
    summary = out / SUMMARY_FILE
    return json.loads(summary.read_text()) if summary.exists() else None


def _last_complete_checkpoint(out: Path) -> str | None:
    """The newest checkpoint that was fully written; a kill during a save leaves one without trainer_state.json."""
    steps = sorted((int(p.name.split("-")[1]), p) for p in out.glob("checkpoint-*") if p.name.split("-")[1].isdigit())
    complete = [p for _, p in steps if (p / "trainer_state.json").exists()]
    return str(complete[-1]) if complete else None


def checkpoint_progress(out: Path) -> tuple[int, int] | None:
    """Where a run interrupted in `out` resumes: the step of its last complete checkpoint and the run's total
    steps; None before its first checkpoint."""
    checkpoint = _last_complete_checkpoint(out)
    return None if checkpoint is None else _steps(checkpoint)


def _steps(checkpoint: str) -> tuple[int, int]:
    """A complete checkpoint's step and its run's total steps."""
    state = json.loads((Path(checkpoint) / "trainer_state.json").read_text())
    return state["global_step"], state["max_steps"]


def _fit(cfg, records: list[dict], command: str | None, digest: str) -> dict:
    from transformers import Trainer, set_seed
    from transformers.trainer_callback import ProgressCallback

    from distill.train_config import config_yaml
    from distill.train_report import TokenMeter, TokenProgress, summary_text

    out = Path(cfg.output_dir)
    set_seed(cfg.seed)
    student = _load_student(cfg)
    dataset, data_stats = train_data.build_dataset(records, cfg.format, student.tokenizer, student.encoder_decoder,
                                                   cfg.max_length)
    if cfg.process_index == 0:  # what the run trains on, before it trains: a resumed run is checked against both
        atomic_write_text(out / CONFIG_FILE, config_yaml(cfg))
        record_trained_on(out, digest)

    meter = TokenMeter()
    trainer = Trainer(model=student.model, args=cfg, train_dataset=dataset, processing_class=student.tokenizer,
                      data_collator=train_data.collator(student.batching, student.tokenizer, student.model),
                      callbacks=[meter])
    if trainer.pop_callback(ProgressCallback):
        trainer.add_callback(TokenProgress(meter))
    checkpoint = _resume_point(cfg)
    result = trainer.train(resume_from_checkpoint=checkpoint)
    student.model.config.use_cache = student.use_cache  # the saved student generates with its cache
    _save_student(trainer, cfg, student.path, student.encoder_decoder)

    summary = {**_summary(cfg, student, trainer.state, result.training_loss, checkpoint),
               "data": train_data.data_info(Path(cfg.data), records, data_stats, digest),
               **meter.session(trainer.state), "command": command}
    if cfg.process_index == 0:
        trainer.save_state()
        atomic_write_text(out / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")
        if not cfg.keep_checkpoints:
            for done in out.glob("checkpoint-*"):
                shutil.rmtree(done)
        print(summary_text(summary))
    return summary


@dataclass
class _Student:
    """The model about to train, and what the run needs to know about it."""
    path: str  # where its weights were read
    model: object
    tokenizer: object
    encoder_decoder: bool
    params: int  # before LoRA adds any
    batching: str
    use_cache: bool  # as its config had it: the saved student gets it back


def _load_student(cfg) -> _Student:
    """Load the student and settle the settings that depend on it (size defaults, batching, token counting)."""
    import torch
    from transformers import AutoConfig, AutoTokenizer

    path = models.resolve(cfg.student)
    encoder_decoder = bool(AutoConfig.from_pretrained(path).is_encoder_decoder)
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:  # padded batches need one; padding positions carry no loss anyway
        tokenizer.pad_token = tokenizer.eos_token
    model = _load_model(path, encoder_decoder, torch.bfloat16 if cfg.lora and cfg.bf16 else torch.float32,
                        cfg.attn_implementation)
    params = model.num_parameters()
    # No KV cache while training: it only costs memory, and transformers reads the example boundaries of
    # a padding-free batch from its position ids only when no cache is being built.
    use_cache, model.config.use_cache = model.config.use_cache, False
    cfg.resolve_size_defaults(params)
    batching = train_data.resolve_batching(cfg.batching, encoder_decoder, model.config._attn_implementation)
    if cfg.lora:
        model = _with_lora(model, cfg, encoder_decoder)
    # Count only real tokens: a flattened batch holds nothing else; a padded one is counted by its attention mask.
    cfg.include_num_input_tokens_seen = "all" if batching == "padding_free" else "non_padding"
    if batching == "length_grouped":
        cfg.train_sampling_strategy = "group_by_length"
    return _Student(path, model, tokenizer, encoder_decoder, params, batching, use_cache)


def _resume_point(cfg) -> str | None:
    """The checkpoint to resume from, with the half-written ones a kill left removed (their step is saved again)."""
    out = Path(cfg.output_dir)
    checkpoint = _last_complete_checkpoint(out)
    if checkpoint and cfg.process_index == 0:
        for stale in out.glob("checkpoint-*"):
            if not (stale / "trainer_state.json").exists():
                shutil.rmtree(stale)
        step, steps = _steps(checkpoint)
        print(f"resuming {out} from its checkpoint at step {step:,} of {steps:,}")
    return checkpoint


def _summary(cfg, student: _Student, state, train_loss: float, checkpoint: str | None) -> dict:
    """What the run was and what it did: the student, the resolved settings, steps, tokens and losses."""
    from distill.train_report import hardware, versions

    return {
        "student": cfg.student, "student_path": student.path, "params": student.params,
        "architecture": "encoder-decoder" if student.encoder_decoder else "decoder-only",
        "method": "lora" if cfg.lora else "full", "format": cfg.format, "batching": student.batching,
        "trainable_params": sum(p.numel() for p in student.model.parameters() if p.requires_grad),
        "lora": {"r": cfg.lora_r, "alpha": cfg.lora_alpha, "dropout": cfg.lora_dropout, "merged": cfg.merge_lora}
        if cfg.lora else None,
        "precision": "bf16" if cfg.bf16 else "fp16" if cfg.fp16 else "fp32",
        "learning_rate": cfg.learning_rate, "epochs": state.epoch, "steps": state.global_step,
        "global_batch_size": cfg.per_device_train_batch_size * cfg.gradient_accumulation_steps * cfg.world_size,
        "tokens": state.num_input_tokens_seen,
        "tokens_counted": "encoder inputs (prompts)" if student.encoder_decoder else "prompts and targets, no padding",
        "train_loss": train_loss,
        "final_loss": next((h["loss"] for h in reversed(state.log_history) if "loss" in h), None),
        "resumed_from_step": int(Path(checkpoint).name.split("-")[1]) if checkpoint else None,
        "hardware": hardware(cfg), "versions": versions(),
    }


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


@contextmanager
def _single_process_env():
    """Hide the launcher's variables, so the lm-eval subprocess does not try to join the training job."""
    saved = {k: os.environ.pop(k) for k in LAUNCHER_ENV if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def group_name(student: str, benchmarks: str, source: str, fmt: str) -> str:
    """A student's name on the board, whatever its seed: <student>-<benchmarks>-<source>-<format>."""
    return f"{slug(student)}-{benchmarks}-{source}-{fmt}"


def seed_group(cfg, summary: dict) -> str:
    """`--name`, else the group name of what the student was trained on."""
    data = summary["data"]
    return cfg.name or group_name(cfg.student, "+".join(data["benchmarks"]), data["source"], cfg.format)


def student_name(cfg, summary: dict) -> str:
    """Its entry. Students of one seed group share everything but the seed; the board shows them as one row."""
    return seeded(seed_group(cfg, summary), cfg.seed)


def cost(summary: dict) -> dict:
    """What it took to make this student: the teacher's share (from the filter report) and training's."""
    report = summary["data"].get("filter_report") or {}
    return {"teacher_tokens": report.get("tokens"), "teacher_seconds": report.get("teacher_seconds"),
            "train_examples": summary["data"].get("examples"), "train_tokens": summary["tokens"],
            "train_steps": summary["steps"], "train_seconds": summary["wall_time_s"]}


def eval_config(cfg, summary: dict, command: str | None, **overrides):
    """How `distill eval` files this student: its name, base, teacher, and training details as metadata."""
    from distill.evaluate import CACHE_DIR, EvalConfig

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
                    cache_dir=Path(cfg.output_dir) / CACHE_DIR,
                    extra={"training": training, "data": data, "seed": cfg.seed,
                           "seed_group": seed_group(cfg, summary), "cost": cost(summary)})
    return EvalConfig(**(settings | overrides))


def _evaluate(cfg, summary: dict, command: str | None) -> Path:
    from distill.evaluate import evaluate

    with _single_process_env():
        entry = evaluate(eval_config(cfg, summary, command))
    print(f"results filed under {entry}")
    return entry


