"""Teacher time saved by ending each chain of thought at its answer sentence (`Sampling.stop_at_answer`).

    python benchmarks/bench_answer_stop.py [--model qwen2.5-coder-1.5b-instruct] [--benchmark coin_flip] [--n 32]

The same train prompts (hint mode, greedy, the recipes' token budget) through one llama.cpp server on
127.0.0.1, twice each way, alternating, so that neither way always meets a warm prompt cache: the server's
decoding stops when the client hangs up after the answer. Prints a table (wall s, tokens, CoTs per minute)
and writes artifacts/bench_answer_stop.json.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from distill import data, models, prompts  # noqa: E402
from distill.backends import OpenAIBackend, Request, Sampling  # noqa: E402
from distill.grading import answer_end  # noqa: E402
from distill.serve import LlamaServer  # noqa: E402


def timed(backend: OpenAIBackend, requests: list[Request], sampling: Sampling) -> dict:
    start = time.perf_counter()
    done = dict(backend.generate(requests, sampling))
    wall = time.perf_counter() - start
    row = {"stop_at_answer": sampling.stop_at_answer, "wall_s": round(wall, 1),
           "tokens": sum(c.tokens for c in done.values()), "cots_per_min": round(60 * len(done) / wall, 1),
           "answered": sum(answer_end(c.text + " ") is not None for c in done.values())}
    print(row, file=sys.stderr)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct", help="an offline model name (the teacher)")
    parser.add_argument("--benchmark", default="coin_flip", help="offline benchmark whose train prompts are used")
    parser.add_argument("--n", type=int, default=32, help="number of prompts (default 32)")
    parser.add_argument("--max-new-tokens", type=int, default=96, help="token budget per CoT (default 96, as "
                                                                       "the symbolic recipes)")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench_answer_stop.json"))
    args = parser.parse_args()

    exemplars = data.load_exemplars(args.benchmark)
    requests = [Request(prompts.teacher_prompt(q, "hint", exemplars), seed=0)
                for q in data.load_split(args.benchmark, "train")[: args.n]]
    with LlamaServer(models.OFFLINE_MODELS[args.model].gguf_path, args.model) as server:
        backend = OpenAIBackend(server.url, args.model, concurrency=server.slots)
        rows = [timed(backend, requests, Sampling(max_new_tokens=args.max_new_tokens, stop_at_answer=stop))
                for stop in (False, True, True, False)]
    print(f"\n{args.n} {args.benchmark} hint prompts, {args.model}, llama.cpp, {server.slots} in flight, greedy, "
          f"<= {args.max_new_tokens} new tokens, {os.cpu_count()} cores")
    print("| stop at the answer | wall s | tokens | CoTs per minute | CoTs with an answer sentence |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {'yes' if r['stop_at_answer'] else 'no'} | {r['wall_s']} | {r['tokens']} | {r['cots_per_min']} "
              f"| {r['answered']} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
