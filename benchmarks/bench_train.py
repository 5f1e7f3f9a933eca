"""Training throughput: `distill train` against a plain fp32 Trainer with padded batches, on the same data.

    python benchmarks/bench_train.py [--student smollm2-135m-instruct] [--steps 8] [--batch-size 8]

Every arm trains the same examples (the first steps x batch-size of the gold last_letter ft_cot file, loss
on the target only) for the same number of optimizer steps, timed from the first step to the last by the
same callback. Tokens are real tokens only: padding is never counted. Model FLOPs utilisation (MFU) is
achieved model FLOPs per second over this machine's matmul peak, measured here with torch in fp32 and bf16.
Prints a table and writes artifacts/bench_train.json.
"""

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402

from distill import filter as filtering  # noqa: E402
from distill import models, train_data, train_settings  # noqa: E402
from distill.jsonio import read_jsonl, write_jsonl  # noqa: E402
from distill.train import train  # noqa: E402
from distill.train_config import TrainConfig  # noqa: E402
from distill.train_report import TokenMeter  # noqa: E402

DATA = Path("artifacts/train/last_letter.gold.ft_cot.jsonl")


def matmul_peak(dtype: torch.dtype) -> float:
    return train_settings.matmul_peak(dtype, sizes=(1024, 2048, 3072), repeats=5)


def flops_per_token(model, mean_length: float) -> float:
    """Training FLOPs per real token: 6 per matmul weight (forward 2, backward 4), plus causal attention.

    The tied embedding counts once, as the output projection (its lookup is not a matmul). Attention scores
    and their weighted sum are 2 matmuls of head_dim x heads over, on average, half the sequence.
    """
    linear = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))
    cfg = model.config
    attention = 6 * 2 * cfg.num_hidden_layers * cfg.num_attention_heads * cfg.head_dim * mean_length / 2
    return 6 * linear + attention


class PlainArm:
    """transformers' Trainer as a user writes it first: fp32, random batches padded by the collator."""

    def __init__(self, path: str, padding: str, max_length: int):
        self.path, self.padding, self.max_length = path, padding, max_length

    def run(self, examples, steps: int, batch_size: int, out: Path) -> dict:
        import datasets
        from transformers import AutoModelForCausalLM, AutoTokenizer, DataCollatorForSeq2Seq, Trainer, TrainingArguments

        tok = AutoTokenizer.from_pretrained(self.path)
        model = AutoModelForCausalLM.from_pretrained(self.path, dtype=torch.float32)
        collator = DataCollatorForSeq2Seq(tok, padding=self.padding, max_length=self.max_length,
                                          label_pad_token_id=train_data.IGNORE_INDEX)
        args = TrainingArguments(output_dir=str(out), per_device_train_batch_size=batch_size, max_steps=steps,
                                 learning_rate=1e-4, bf16=False, save_strategy="no", report_to="none",
                                 logging_steps=steps, disable_tqdm=True, remove_unused_columns=False,
                                 include_num_input_tokens_seen="non_padding", seed=0)
        meter = TokenMeter()
        trainer = Trainer(model=model, args=args, train_dataset=datasets.Dataset.from_list(examples),
                          data_collator=collator, callbacks=[meter])
        trainer.train()
        return {"tokens": trainer.state.num_input_tokens_seen, **meter.session(trainer.state)}


def distill_arm(student: str, data: Path, steps: int, batch_size: int, out: Path, **settings) -> dict:
    """`distill train` with its defaults (bf16 where supported, length-grouped batches), saving no checkpoints."""
    cfg = TrainConfig(student=student, data=str(data), format="ft_cot", output_dir=str(out),
                      max_steps=steps, per_device_train_batch_size=batch_size, save_strategy="no",
                      logging_steps=steps, disable_tqdm=True, seed=0, **settings)
    train(cfg)
    summary = json.loads((out / "train_summary.json").read_text())
    return {k: summary[k] for k in ("tokens", "wall_time_s", "tokens_per_second", "precision", "batching")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--student", default="smollm2-135m-instruct", help="decoder-only model name or directory")
    parser.add_argument("--steps", type=int, default=8, help="optimizer steps per arm (default 8)")
    parser.add_argument("--batch-size", type=int, default=8, help="examples per step (default 8)")
    parser.add_argument("--max-length", type=int, default=256, help="the padded baseline's length (default 256)")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench_train.json"))
    args = parser.parse_args()

    if not DATA.exists():
        filtering.gold_sets(["last_letter"], DATA.parent)
    path = models.resolve(args.student)
    records = read_jsonl(DATA)[: args.steps * args.batch_size]  # each arm sees every example once
    load = os.getloadavg()[0]
    before = {"fp32": matmul_peak(torch.float32), "bf16": matmul_peak(torch.bfloat16)}

    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    examples = [train_data.encode(r, "ft_cot", tok, encoder_decoder=False) for r in records]
    mean_length = sum(len(e["input_ids"]) for e in examples) / len(examples)
    per_token = flops_per_token(AutoModelForCausalLM.from_pretrained(path), mean_length)

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        tmp = Path(tmp)
        data = tmp / DATA.name
        write_jsonl(data, records)
        arms = [
            ("plain Trainer, fp32, padded to max_length", "fp32",
             lambda out: PlainArm(path, "max_length", args.max_length).run(examples, args.steps, args.batch_size, out)),
            ("plain Trainer, fp32, padded to batch's longest", "fp32",
             lambda out: PlainArm(path, "longest", None).run(examples, args.steps, args.batch_size, out)),
            ("distill train (full fine-tune)", None,
             lambda out: distill_arm(args.student, data, args.steps, args.batch_size, out)),
            ("distill train --lora", None, lambda out: distill_arm(args.student, data, args.steps, args.batch_size, out,
                                                                 lora=True)),
        ]
        for i, (name, precision, run) in enumerate(arms):
            result = run(tmp / f"arm{i}")
            rate = result["tokens"] / result["wall_time_s"]
            rows.append({"arm": name, "precision": result.get("precision", precision), "tokens": result["tokens"],
                         "wall_s": result["wall_time_s"], "tokens_per_s": round(rate, 1),
                         "model_tflops": round(rate * per_token / 1e12, 4)})
            print(f"{name}: {rate:.1f} tokens/s", flush=True)
    # Measured again after the arms: a machine shared with other jobs can depress either measurement,
    # and a peak is the best the hardware did, so the larger of the two counts.
    after = {"fp32": matmul_peak(torch.float32), "bf16": matmul_peak(torch.bfloat16)}
    peaks = {dtype: max(before[dtype], after[dtype]) for dtype in before}
    for r in rows:
        r["mfu_own_dtype"] = round(r["model_tflops"] * 1e12 / peaks[r["precision"]], 4)
        r["mfu_bf16_peak"] = round(r["model_tflops"] * 1e12 / peaks["bf16"], 4)

    base = rows[0]["tokens_per_s"]
    print(f"\nSmolLM2-135M training, {args.steps} steps x {args.batch_size} examples (mean {mean_length:.0f} real "
          f"tokens each), {platform.machine()}, {os.cpu_count()} cores, torch threads {torch.get_num_threads()}, "
          f"load average {load:.2f} before / {os.getloadavg()[0]:.2f} after")
    print(f"measured matmul peak (before / after the arms): fp32 {before['fp32'] / 1e9:.0f} / "
          f"{after['fp32'] / 1e9:.0f} GFLOP/s, bf16 {before['bf16'] / 1e9:.0f} / {after['bf16'] / 1e9:.0f} GFLOP/s; "
          f"{per_token / 1e6:.0f} MFLOP per real token")
    print("| arm | precision | real tokens/s | vs padded fp32 | MFU (own dtype peak) | MFU (bf16 peak) |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['arm']} | {r['precision']} | {r['tokens_per_s']} | {r['tokens_per_s'] / base:.2f}x | "
              f"{r['mfu_own_dtype']:.1%} | {r['mfu_bf16_peak']:.1%} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"peaks_flops": peaks, "peaks_before": before, "peaks_after": after,
                                    "load_average": [load, os.getloadavg()[0]], "flops_per_token": per_token,
                                    "mean_length": mean_length,
                                    "steps": args.steps, "batch_size": args.batch_size, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
