"""lm-eval throughput of the hf backend on the offline suite (documents/s and generated tokens/s).

    python benchmarks/bench_eval.py [--model smollm2-135m-instruct] [--limit 10] [--batch-size 8]

Runs lm_eval.simple_evaluate in-process with the model loaded once, so the figures measure
generation and scoring, not start-up. Prints a table and writes artifacts/bench_eval.json.
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from distill import models  # noqa: E402
from distill.evaluate import HARNESS_TASKS  # noqa: E402


def run(model: str, fmt: str, limit: int, batch_size: int, lm, tokenizer) -> dict:
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    task_manager = TaskManager(include_path=str(HARNESS_TASKS))
    start = time.perf_counter()
    out = simple_evaluate(model=lm, tasks=[f"sr_offline_{fmt}"], limit=limit, task_manager=task_manager,
                          log_samples=True, device="cpu")
    wall = time.perf_counter() - start
    samples = [s for task in out["samples"].values() for s in task]
    tokens = sum(len(tokenizer(s["resps"][0][0], add_special_tokens=False)["input_ids"]) for s in samples)
    return {"model": model, "format": fmt, "documents": len(samples), "wall_s": round(wall, 1),
            "docs_per_s": round(len(samples) / wall, 3), "gen_tokens": tokens,
            "gen_tokens_per_s": round(tokens / wall, 1), "batch_size": batch_size, "limit": limit,
            "score": round(out["results"][f"sr_offline_{fmt}"]["exact_match,none"], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="smollm2-135m-instruct", help="model name, directory or hub ID")
    parser.add_argument("--limit", type=int, default=10, help="documents per task (default 10)")
    parser.add_argument("--batch-size", type=int, default=8, help="hf batch size (default 8)")
    parser.add_argument("--formats", default="fewshot_cot,fewshot_direct", help="comma-separated formats")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench_eval.json"))
    args = parser.parse_args()

    from lm_eval.models.huggingface import HFLM

    path = models.resolve(args.model)
    lm = HFLM(pretrained=path, dtype="float32", batch_size=args.batch_size, device="cpu")
    rows = [run(args.model, fmt, args.limit, args.batch_size, lm, lm.tokenizer) for fmt in args.formats.split(",")]
    print(f"\nlm-eval hf backend, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch threads {__import__('torch').get_num_threads()}")
    print("| model | format | documents | wall s | documents/s | generated tokens/s | exact match |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['model']} | {r['format']} | {r['documents']} | {r['wall_s']} | {r['docs_per_s']} | "
              f"{r['gen_tokens_per_s']} | {r['score']} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
