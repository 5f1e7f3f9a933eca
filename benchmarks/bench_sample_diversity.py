"""How many distinct chains K sampled CoTs per question give a student (Ho et al. 2023's diverse reasoning).

    python benchmarks/bench_sample_diversity.py [--benchmarks last_letter,coin_flip,gsm_symbolic] [--n 8] \\
        [--samples 8] [--temperature 0.7] [--mode hint]

The teacher (llama.cpp on 127.0.0.1, as the recipes run it) samples K CoTs for each of the first N training
questions of each benchmark; `distill filter` then keeps the correct, distinct ones at K = 1, 2, 4 ... as
`recipes/sweep-samples.yaml`'s points would. A K that keeps no more chains than K = 1 adds nothing to learn.
Prints a table and writes artifacts/bench_sample_diversity.json.
"""

import argparse
import json
import os
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from distill.filter import filter_teacher  # noqa: E402
from distill.generate import GenerateConfig, generate  # noqa: E402


def kept_at(teacher_file: Path, samples: int, out: Path) -> dict:
    """The filter's yield from the first `samples` CoTs of each question: kept chains, and why others went."""
    (report,) = filter_teacher([teacher_file], out / f"k{samples}", cap=samples, samples=samples).values()
    return {"samples": samples, "records": report["records"], "kept": report["kept"],
            "duplicate": report["dropped"]["duplicate"], "wrong": report["dropped"]["wrong"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teacher", default="qwen2.5-coder-1.5b-instruct", help="an offline model name")
    parser.add_argument("--benchmarks", default="last_letter,coin_flip,gsm_symbolic", help="comma-separated")
    parser.add_argument("--n", type=int, default=8, help="training questions per benchmark (default 8)")
    parser.add_argument("--samples", type=int, default=8, help="CoTs per question, the largest K (default 8)")
    parser.add_argument("--temperature", type=float, default=0.7, help="sampling temperature (default 0.7)")
    parser.add_argument("--mode", default="hint", help="teacher mode: hint (default), fewshot or zeroshot")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench_sample_diversity.json"))
    args = parser.parse_args()

    ks = [k for k in (1, 2, 4, 8, 16, 32) if k <= args.samples]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for benchmark in args.benchmarks.split(","):
            teacher_file = Path(tmp) / f"{benchmark}.jsonl"
            generate(GenerateConfig(teacher=args.teacher, benchmark=benchmark, out=teacher_file, mode=args.mode,
                                    samples=args.samples, temperature=args.temperature, limit=args.n))
            rows += [{"benchmark": benchmark, **kept_at(teacher_file, k, Path(tmp))} for k in ks]
    print(f"\n{args.teacher}, {args.mode} mode, temperature {args.temperature}, the first {args.n} training "
          f"questions of each benchmark")
    print("| benchmark | K | CoTs | wrong | duplicates | distinct correct chains kept | per question |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['benchmark']} | {r['samples']} | {r['records']} | {r['wrong']} | {r['duplicate']} | "
              f"{r['kept']} | {r['kept'] / args.n:.2f} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
