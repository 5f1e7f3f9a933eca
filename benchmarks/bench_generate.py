"""Teacher generation throughput: the same prompts through every backend that runs here, side by side.

    python benchmarks/bench_generate.py [--model smollm2-135m-instruct] [--benchmark coin_flip] [--n 32]

Backends: a naive batch-1 `transformers.generate` loop (the baseline), distill's hf backend (batched,
length-sorted), the openai backend against a llama.cpp server started here on 127.0.0.1, and vLLM's
offline engine where vLLM is installed. Greedy decoding, the same stop strings and token budget for
all. Prints a table (generated tokens/s, ratio to the naive loop) and writes artifacts/bench_generate.json.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from distill import data, models, prompts  # noqa: E402
from distill.backends import Completion, HFBackend, OpenAIBackend, Request, Sampling, cut_at_stop  # noqa: E402
from distill.serve import LlamaServer  # noqa: E402


class NaiveLoop:
    """One prompt at a time, fp32, no batching: what a first script would do. Loads the model when made,
    as the other backends do, so its load time is not counted as generation."""

    def __init__(self, model_path: str):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model_path)
        self.model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch.float32).eval()

    def generate(self, requests: list[Request], sampling: Sampling):
        import torch

        for i, r in enumerate(requests):
            ids = self.tokenizer(r.prompt, return_tensors="pt")
            with torch.inference_mode():
                out = self.model.generate(**ids, max_new_tokens=sampling.max_new_tokens, do_sample=False,
                                          stop_strings=prompts.STOP, tokenizer=self.tokenizer)
            new = out[0][ids["input_ids"].shape[1]:]
            yield i, Completion(cut_at_stop(self.tokenizer.decode(new, skip_special_tokens=True)), len(new))


def timed(name: str, make, requests: list[Request], sampling: Sampling) -> dict:
    start = time.perf_counter()
    backend = make()
    ready = time.perf_counter()
    results = dict(backend.generate(requests, sampling))
    wall = time.perf_counter() - ready
    tokens = sum(c.tokens for c in results.values())
    print(f"{name}: {tokens} tokens in {wall:.1f} s", file=sys.stderr)
    return {"backend": name, "prompts": len(results), "gen_tokens": tokens, "wall_s": round(wall, 1),
            "load_s": round(ready - start, 1), "tok_per_s": round(tokens / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="smollm2-135m-instruct", help="an offline model name")
    parser.add_argument("--benchmark", default="coin_flip", help="offline benchmark whose train prompts are used")
    parser.add_argument("--mode", default="hint", help="teacher prompt mode (default hint)")
    parser.add_argument("--n", type=int, default=32, help="number of prompts (default 32)")
    parser.add_argument("--max-new-tokens", type=int, default=64, help="token budget per prompt (default 64)")
    parser.add_argument("--batch-size", type=int, default=16, help="hf backend batch size (default 16)")
    parser.add_argument("--concurrency", type=int, default=4, help="openai backend requests in flight (default 4)")
    parser.add_argument("--skip", default="", help="comma-separated backends to leave out")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench_generate.json"))
    args = parser.parse_args()

    path = models.resolve(args.model)
    exemplars = data.load_exemplars(args.benchmark)
    questions = data.load_split(args.benchmark, "train")[: args.n]
    requests = [Request(prompts.teacher_prompt(q, args.mode, exemplars), seed=0) for q in questions]
    sampling = Sampling(max_new_tokens=args.max_new_tokens)
    skip = set(args.skip.split(","))
    rows = []
    if "naive" not in skip:
        rows.append(timed("naive transformers loop (batch 1)", lambda: NaiveLoop(path), requests, sampling))
    if "hf" not in skip:
        rows.append(timed(f"hf (batch {args.batch_size})", lambda: HFBackend(path, args.batch_size), requests,
                          sampling))
    if "openai" not in skip:
        with LlamaServer(models.OFFLINE_MODELS[args.model].gguf_path, args.model) as server:
            rows.append(timed(f"openai: llama.cpp server ({args.concurrency} in flight)",
                              lambda: OpenAIBackend(server.url, args.model, args.concurrency), requests, sampling))
    if "vllm" not in skip:
        try:
            from distill.backends import VLLMBackend
            rows.append(timed("vllm (offline engine, bf16)", lambda: VLLMBackend(path), requests, sampling))
        except Exception as e:  # noqa: BLE001 - report and carry on: vLLM is optional
            print(f"vllm skipped: {e}", file=sys.stderr)
    base = next((r["tok_per_s"] for r in rows if r["backend"].startswith("naive")), None)
    print(f"\n{args.n} {args.benchmark} {args.mode} prompts, {args.model}, greedy, <= {args.max_new_tokens} new "
          f"tokens, {os.cpu_count()} cores")
    print("| backend | generated tokens | wall s | tokens/s | x naive loop |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        r["x_naive"] = round(r["tok_per_s"] / base, 2) if base else None
        print(f"| {r['backend']} | {r['gen_tokens']} | {r['wall_s']} | {r['tok_per_s']} | {r['x_naive']} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
