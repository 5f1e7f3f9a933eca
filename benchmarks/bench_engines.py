"""The engines side by side on this machine: teacher generation, lm-eval evaluation, and served students.

    python benchmarks/bench_engines.py [--parts teacher,eval,agreement] [--teacher-n 64] [--eval-limit 9]

teacher: Qwen2.5-Coder-1.5B-Instruct (its Q4_K_M GGUF) writes hint-mode CoTs for gsm_symbolic training
  questions: llama-server with every core and the default slots (serve.SLOTS) on the first `--teacher-n`;
  against it, on the first `--sweep-n` (a subset, to keep the run short), today's path (llama-cpp-python's
  Python server at its default threads, one request at a time) and llama-server with the other slot counts.
  Greedy, the pipeline's token budget. Questions/s and generated tokens/s.
eval: `distill eval` of SmolLM2-135M-Instruct on the offline fewshot_cot suite, the first `--eval-limit`
  questions of each of its test splits: lm-eval's hf backend (fp32, batch 8) against llama.cpp serving
  the GGUF the model ships (Q4_1) and a GGUF converted from its transformers weights (F32). Documents/s.
  With `--student DIR` (a `distill train` output), the same for that student in ft_cot (hf against F32).
agreement: the same greedy continuations of `--agreement-n` few-shot CoT prompts from transformers (fp32)
  and from llama-server on the F32 conversion: the share of identical final answers and of identical texts.

Each part writes artifacts/bench_engines/<part>.json and prints a markdown table.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from distill import data, export, grading, models, prompts, results  # noqa: E402
from distill.backends import HFBackend, OpenAIBackend, Request, Sampling  # noqa: E402
from distill.benchmarks import get_benchmark  # noqa: E402
from distill.evaluate import EvalConfig, evaluate  # noqa: E402
from distill.serve import SLOTS, LlamaServer, cores  # noqa: E402

TEACHER, STUDENT = "qwen2.5-coder-1.5b-instruct", "smollm2-135m-instruct"
OUT = Path("artifacts/bench_engines")


def timed_generation(name: str, server: LlamaServer, requests: list[Request], in_flight: int) -> dict:
    with server:
        backend = OpenAIBackend(server.url, server.alias, concurrency=in_flight, timeout=900)
        start = time.perf_counter()
        done = dict(backend.generate(requests, Sampling(max_new_tokens=prompts.MAX_GEN_TOKS["cot"])))
        wall = time.perf_counter() - start
    tokens = sum(c.tokens for c in done.values())
    row = {"engine": name, "in_flight": in_flight, "questions": len(done), "tokens": tokens, "wall_s": round(wall, 1),
           "questions_per_s": round(len(done) / wall, 4), "tokens_per_s": round(tokens / wall, 1),
           "texts": [done[i].text for i in range(len(done))]}
    print(f"{name}, {in_flight} in flight: {len(done)} questions in {wall:.0f} s, {row['tokens_per_s']} tok/s",
          file=sys.stderr, flush=True)
    return row


def teacher_part(args) -> list[dict]:
    questions = data.load_split("gsm_symbolic", "train")[: args.teacher_n]
    exemplars = data.load_exemplars("gsm_symbolic")
    requests = [Request(prompts.teacher_prompt(q, "hint", exemplars), seed=0) for q in questions]
    gguf = models.gguf(TEACHER)
    rows = [timed_generation("today: llama-cpp-python server, its default threads", LlamaServer(
        gguf, TEACHER, native=False, threads=0), requests[: args.sweep_n], 1)]
    for slots in sorted({*args.slots, SLOTS}):
        n = args.teacher_n if slots == SLOTS else args.sweep_n
        rows.append(timed_generation(f"llama-server -t {cores()} -np {slots}",
                                     LlamaServer(gguf, TEACHER, slots=slots, native=True), requests[:n], slots))
    for r in rows:
        answers = [grading.extract_answer(t, "number") for t in r.pop("texts")]
        r["correct"] = sum(a == q["answer"] for a, q in zip(answers, questions))
        r["correct_of_first_sweep_n"] = sum(a == q["answer"] for a, q in zip(answers[: args.sweep_n], questions))
        r["x_today"] = round(r["questions_per_s"] / rows[0]["questions_per_s"], 2)
    print(f"\nTeacher {TEACHER} (Q4_K_M), gsm_symbolic hint prompts, greedy, {cores()} cores")
    print(f"| engine | requests in flight | questions | wall s | questions/s | generated tok/s | x today | correct | "
          f"correct of the first {args.sweep_n} |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['engine']} | {r['in_flight']} | {r['questions']} | {r['wall_s']} | {r['questions_per_s']} | "
              f"{r['tokens_per_s']} | {r['x_today']} | {r['correct']} | {r['correct_of_first_sweep_n']} |")
    return rows


def eval_part(args) -> list[dict]:
    arms = [("hf (transformers fp32, batch 8)", dict(backend="hf")),
            ("llama.cpp, shipped Q4_1 GGUF", dict(backend="llama.cpp", weights="shipped")),
            ("llama.cpp, F32 GGUF from the HF weights", dict(backend="llama.cpp", weights="f32"))]
    runs = [(STUDENT, "fewshot_cot", name, settings) for name, settings in arms]
    if args.student:
        runs += [(args.student, "ft_cot", name, settings) for name, settings in (arms[0], arms[2])]
    rows = []
    for model, fmt, name, settings in runs:
        export.to_gguf(models.resolve(model), "f32")  # converted before the clock starts, as a cache holds it
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            entry = evaluate(EvalConfig(model=model, format=fmt, group="offline", limit=args.eval_limit,
                                        results_dir=Path(tmp), **settings))
            wall = time.perf_counter() - start
            scores = json.loads(next(entry.glob("results_*.json")).read_text())["groups"]
            n = sum(len(results.read_samples(f)) for f in entry.iterdir()  # documents answered, split by split
                    if results.SAMPLES_FILE.fullmatch(f.name))
            rows.append({"model": Path(model).name, "format": fmt, "engine": name, "documents": n,
                         "wall_s": round(wall, 1), "docs_per_s": round(n / wall, 3),
                         "score": scores[f"sr_offline_{fmt}"]["exact_match,none"]})
            print(f"{model} {fmt}, {name}: {n} documents in {wall:.0f} s", file=sys.stderr, flush=True)
    for r in rows:
        hf = next(h for h in rows if h["model"] == r["model"] and h["engine"] == arms[0][0])
        r["x_hf"] = round(r["docs_per_s"] / hf["docs_per_s"], 1)
    print(f"\nlm-eval on the offline suite, first {args.eval_limit} questions of each of its test splits")
    print("| model | format | engine | documents | wall s (with start-up) | documents/s | x hf | suite score |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['model']} | {r['format']} | {r['engine']} | {r['documents']} | {r['wall_s']} | "
              f"{r['docs_per_s']} | {r['x_hf']} | {r['score']:.3f} |")
    return rows


def agreement_part(args) -> dict:
    """Greedy continuations of the same few-shot prompts from transformers and from the served F32 GGUF."""
    path = models.resolve(STUDENT)
    records = []
    for key in ("last_letter", "coin_flip", "gsm_symbolic", "strategyqa", "date", "sports"):
        b = get_benchmark(key)
        exemplars = data.load_exemplars(key)
        for q in data.load_split(key, b.test_splits[0])[: args.agreement_n // 6]:
            records.append((b, q, prompts.prompt(q, "fewshot_cot", exemplars)))
    requests = [Request(p, seed=0) for _, _, p in records]
    sampling = Sampling(max_new_tokens=prompts.MAX_GEN_TOKS["cot"])
    hf = dict(HFBackend(path, batch_size=8).generate(requests, sampling))
    with LlamaServer(export.to_gguf(path, "f32"), STUDENT) as server:
        served = dict(OpenAIBackend(server.url, STUDENT, concurrency=server.slots).generate(requests, sampling))
    same_text = sum(hf[i].text.strip() == served[i].text.strip() for i in range(len(records)))
    same_answer = sum(grading.extract_answer(hf[i].text, b.answer_type, q.get("choices")) ==
                      grading.extract_answer(served[i].text, b.answer_type, q.get("choices"))
                      for i, (b, q, _) in enumerate(records))
    result = {"prompts": len(records), "same_answer": same_answer, "same_text": same_text}
    print(f"\n{STUDENT}, {len(records)} few-shot CoT prompts, greedy: transformers fp32 vs llama-server F32 GGUF: "
          f"same final answer {same_answer}/{len(records)}, same text {same_text}/{len(records)}")
    return result


PARTS = {"teacher": teacher_part, "eval": eval_part, "agreement": agreement_part}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="teacher,eval,agreement", help="comma-separated: teacher, eval, agreement")
    parser.add_argument("--teacher-n", type=int, default=64, help="gsm_symbolic hint prompts (default 64)")
    parser.add_argument("--sweep-n", type=int, default=16, help="the first N of those for today's path and the "
                                                                 "other slot counts (default 16)")
    parser.add_argument("--slots", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 8],
                        help="llama-server parallel slots to try besides the default (default 1,2,8)")
    parser.add_argument("--eval-limit", type=int, default=9, help="questions per test split (default 9)")
    parser.add_argument("--student", help="a trained student's directory, also evaluated in ft_cot")
    parser.add_argument("--agreement-n", type=int, default=60, help="prompts for the agreement part (default 60)")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    for part in args.parts.split(","):
        result = PARTS[part](args)
        (OUT / f"{part}.json").write_text(json.dumps({"args": vars(args), "load_average": os.getloadavg()[0],
                                                      "result": result}, indent=2) + "\n")


if __name__ == "__main__":
    main()
