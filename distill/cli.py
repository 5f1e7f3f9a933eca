"""The `distill` command line: one subcommand per pipeline stage.

    distill data list                      benchmarks, categories, sources and split sizes
    distill data prepare [--benchmarks a,b] [--out DIR] [--seed N] [--force]
    distill models list | distill models pull NAME
    distill engines list | distill engines build    engines usable here; compile llama-server (once)
    distill eval --model M --format F (--benchmarks a,b | --group G) [--limit N] [--role R]
    distill generate --teacher M --backend hf|vllm|openai --benchmark B --mode fewshot|hint|zeroshot --out FILE
    distill filter FILE... --out DIR [--gold a,b]
    distill train --student M --data FILE --format ft_cot|ft_direct [--lora] [--config FILE] --out DIR [--eval]
    distill submit PATH --role teacher|baseline|student|reported [--base M] [--teacher M] [--dry-run]
    distill verify [DIR]                   re-derive every score under results/ from its samples
    distill run RECIPE.yaml                every stage above from one recipe, resumable (recipes/)

Every problem the user can fix is reported as one line, `distill: error: ...`, with exit status 2.
"""

import argparse
import signal
import sys
from pathlib import Path

from distill import data, engines, llama_tools, models, pipeline, prompts, results, submit, train_data
from distill import filter as filtering
from distill.benchmarks import BENCHMARKS, FORMATS, parse_benchmarks
from distill.errors import DistillError, Unavailable
from distill.evaluate import EvalConfig, evaluate
from distill.flags import add_flags
from distill.generate import GenerateConfig
from distill.paths import public_command
from distill.results import GROUPS, ROLES
from distill.train_settings import TrainSettings


def cmd_data_list(args) -> None:
    print(f"{'benchmark':<13} {'category':<12} {'answer':<7} {'source':<58} splits")
    for b in BENCHMARKS.values():
        sizes = data.split_sizes(b.key, args.data_dir)
        splits = ", ".join(f"{s} {sizes[s]}" for s in b.splits) if sizes else "not prepared: " + ", ".join(b.splits)
        source = b.offline_source or f"hub only: {b.hub_source}"
        print(f"{b.key:<13} {b.category:<12} {b.answer_type:<7} {source:<58} {splits}")


def cmd_data_prepare(args) -> None:
    from tqdm import tqdm

    chosen, unavailable = parse_benchmarks(args.benchmarks), []
    for b in (bar := tqdm(chosen, unit="benchmark")):
        bar.set_description(b.key)
        try:
            out = data.prepare(b.key, seed=args.seed, data_dir=args.out, force=args.force)
        except Unavailable as e:  # one source this machine cannot reach does not hold up the others
            tqdm.write(f"{b.key}: not prepared: {e}")
            unavailable.append(b.key)
            continue
        sizes = data.split_sizes(b.key, args.out)
        tqdm.write(f"{b.key}: {', '.join(f'{s} {n}' for s, n in sizes.items())} -> {out}")
    if unavailable:
        raise Unavailable(f"{', '.join(unavailable)} could not be prepared here (why is above); the others were")


def cmd_models_list(args) -> None:
    print(f"{'name':<30} {'original':<36} {'cached':<7} files")
    for m in models.OFFLINE_MODELS.values():
        print(f"{m.name:<30} {m.hub_id:<36} {'yes' if m.pulled else 'no':<7} "
              f"{len(m.packages)} PyPI package(s) -> {m.gguf_name}")
    print("Any hub ID (org/name) or local model directory also works wherever a model is named.")


def cmd_models_pull(args) -> None:
    print(models.pull(args.name))


def cmd_engines_list(args) -> None:
    for name, usable, how in engines.describe():
        print(f"{'yes' if usable else 'no':<4} {name:<52} {how}")
    print(f"--backend auto chooses: {engines.choose('auto')}")


def cmd_engines_build(args) -> None:
    print(f"llama-server: {llama_tools.build()}")


def cmd_eval(args) -> None:
    if args.benchmarks and args.group:
        raise DistillError("give either --benchmarks or --group, not both")
    cfg = EvalConfig(**{k: v for k, v in vars(args).items() if k in EvalConfig.__dataclass_fields__},
                     command=public_command(args.argv))
    entry = evaluate(cfg)
    print(f"results filed under {entry}")


def cmd_train(args) -> None:
    # torch and transformers load here, not when the command line is built for every `distill` command
    from distill.train import train
    from distill.train_config import load_config

    cfg = load_config(args.config, vars(args))
    out = train(cfg, command=public_command(args.argv))
    if cfg.process_index == 0:
        print(f"student written to {out}")


def cmd_generate(args) -> None:
    from distill.generate import generate, summary_line

    cfg = GenerateConfig(**{k: v for k, v in vars(args).items() if k in GenerateConfig.__dataclass_fields__})
    print(summary_line(generate(cfg), cfg.out))


def cmd_filter(args) -> None:
    if not args.files and not args.gold:
        raise DistillError("give teacher output files to filter, or --gold benchmarks, or both")
    report = (filtering.filter_teacher(args.files, args.out, args.max_per_question, args.questions, args.samples)
              if args.files else {})
    if args.gold:
        report |= filtering.gold_sets([b.key for b in parse_benchmarks(args.gold)], args.out, args.questions)
    for name, r in report.items():
        dropped = ", ".join(f"{k} {v}" for k, v in r.get("dropped", {}).items() if v) or "none"
        accuracy = f"teacher accuracy {r['teacher_accuracy']:.1%}, " if "teacher_accuracy" in r else ""
        print(f"{name}: {r['records']} records, {accuracy}{filtering.kept_text(r)}; dropped: {dropped}")
    print(f"report: {filtering.write_report(args.out, report)}")


def cmd_verify(args) -> None:
    if not args.results_dir.is_dir():
        raise DistillError(f"no results directory at {args.results_dir}")
    found, bad, unchecked = results.entries(args.results_dir), [], []
    for entry in found:
        try:
            problems = results.check_entry(entry, published=True) if entry.is_dir() else ["not an entry directory"]
        except Unavailable as e:  # no verdict on some tasks: their test split cannot be had here
            print(f"??? {entry.name}\n      not checked here: {e}", flush=True)
            unchecked.append(entry.name)
            continue
        print(f"{'ok ' if not problems else 'BAD'} {entry.name}", flush=True)
        for problem in problems:
            print(f"      {problem}")
        if problems:
            bad.append(entry.name)
    if bad:
        raise DistillError(f"{len(bad)} of {len(found)} entries in {args.results_dir} fail verification: "
                           f"{', '.join(bad)}")
    if unchecked:
        raise Unavailable(f"{len(unchecked)} of {len(found)} entries in {args.results_dir} have tasks that could "
                          f"not be checked here (everything else passes): {', '.join(unchecked)}")
    print(f"{len(found)} entries in {args.results_dir}: every score re-derived from its samples")


def cmd_run(args) -> None:
    if args.plan:
        print("\n".join(pipeline.plan(args.recipe)))
    else:
        pipeline.run(args.recipe)


def _add_data(sub) -> None:
    """`distill data list` and `distill data prepare`."""
    data_p = sub.add_parser("data", help="benchmark data").add_subparsers(dest="action", required=True)
    p = data_p.add_parser("list", help="print every benchmark, its category, source and split sizes")
    p.add_argument("--data-dir", type=Path, default=None, help="prepared data directory (default: the cache)")
    p.set_defaults(func=cmd_data_list)
    p = data_p.add_parser("prepare", help="materialise benchmarks as canonical JSONL (default: every offline one)")
    p.add_argument("--benchmarks", help="comma-separated keys, 'offline' (default) or 'all'")
    p.add_argument("--out", type=Path, default=None, help="output directory (default: $DISTILL_DATA or the cache)")
    p.add_argument("--seed", type=int, default=data.DEFAULT_SEED,
                   help="split and generation seed (default %(default)s)")
    p.add_argument("--force", action="store_true", help="rebuild even if a valid prepared copy exists")
    p.set_defaults(func=cmd_data_prepare)


def _add_models(sub) -> None:
    """`distill models list` and `distill models pull`."""
    models_p = sub.add_parser("models", help="offline models").add_subparsers(dest="action", required=True)
    models_p.add_parser("list", help="offline models and whether they are cached").set_defaults(func=cmd_models_list)
    p = models_p.add_parser("pull", help="download and convert one offline model (once)")
    p.add_argument("name", help=f"one of: {', '.join(models.OFFLINE_MODELS)}")
    p.set_defaults(func=cmd_models_pull)


def _add_engines(sub) -> None:
    """`distill engines list` and `distill engines build`."""
    engines_p = sub.add_parser("engines", help="the engines that can run models here; build llama-server")
    engines_p = engines_p.add_subparsers(dest="action", required=True)
    engines_p.add_parser("list", help="each engine, whether it is usable here, and how to get it").set_defaults(
        func=cmd_engines_list)
    engines_p.add_parser("build", help="compile llama.cpp's llama-server from the llama-cpp-python sdist (once)",
                         description=llama_tools.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
                         ).set_defaults(func=cmd_engines_build)


def _add_eval(sub) -> None:
    """`distill eval`: its flags come from EvalConfig."""
    p = sub.add_parser("eval", help="evaluate a model with lm-eval and file the result under results/")
    add_flags(p, EvalConfig, exclude=("command", "extra", "served"),
              choices={"format": FORMATS, "group": GROUPS, "backend": engines.ENGINES, "role": ROLES,
                       "weights": engines.WEIGHTS})
    p.set_defaults(func=cmd_eval)


def _add_verify(sub) -> None:
    p = sub.add_parser("verify", help="re-derive every score in a results directory from its samples",
                       description="Check every entry of a results directory as `distill submit` checks a "
                       "submission: files are plain files inside the entry; each sample is matched by document id "
                       "to our own test split (question and gold answer ours, each document once, the whole split "
                       "or its declared first N); each output is graded again; the mean must be the filed score. "
                       "Exits with status 2 naming each bad entry.")
    p.add_argument("results_dir", nargs="?", type=Path, default=results.DEFAULT_DIR,
                   help="the results directory (default %(default)s)")
    p.set_defaults(func=cmd_verify)


def _add_train(sub) -> None:
    """`distill train`: the usual settings as flags, the rest from --config."""
    p = sub.add_parser("train", help="fine-tune a student on an ft_cot, ft_pot or ft_direct training file",
                       description="`distill train`: fine-tune a student on a `distill filter` training file, "
                       "with CoTs, programs or answers only.", formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, help="YAML of TrainConfig fields, any TrainingArguments one included "
                                               "(recipes/train/*.yaml, or a run's train_config.yaml); flags "
                                               "override it")
    # Flags for the usual settings; the rest, and any TrainingArguments field, come from --config. A flag that
    # is not given leaves the config file's value (or the default) in place.
    add_flags(p, TrainSettings, keep_defaults=False,
              exclude=("warmup_steps", "lora_alpha", "lora_dropout", "attn_implementation", "save_total_limit",
                       "keep_checkpoints", "use_cpu", "gradient_checkpointing", "remove_unused_columns"),
              names={"output_dir": "--out", "run_eval": "--eval", "num_train_epochs": "--epochs",
                     "per_device_train_batch_size": "--batch-size", "gradient_accumulation_steps": "--grad-accum"},
              choices={"format": train_data.TRAIN_FORMATS, "batching": train_data.BATCHING})
    p.set_defaults(func=cmd_train)


def _add_generate(sub) -> None:
    """`distill generate`: its flags come from GenerateConfig."""
    p = sub.add_parser("generate", help="a teacher writes chains of thought (or programs) for a benchmark split "
                                        "(resumable)")
    add_flags(p, GenerateConfig, exclude=("served",),
              choices={"backend": engines.ENGINES, "mode": prompts.TEACHER_MODES, "format": prompts.TEACHER_FORMATS,
                       "weights": engines.WEIGHTS})
    p.set_defaults(func=cmd_generate)


def _add_filter(sub) -> None:
    p = sub.add_parser("filter", help="keep correct, clean teacher CoTs (or programs) and write ft_cot (ft_pot) / "
                                      "ft_direct training files")
    p.add_argument("files", nargs="*", type=Path, help="JSONL files written by distill generate")
    p.add_argument("--out", required=True, type=Path, help="directory for training files and report.json")
    p.add_argument("--gold", help="also build training sets from gold rationales of these benchmarks")
    p.add_argument("--max-per-question", dest="max_per_question", type=int, default=filtering.DEFAULT_CAP,
                   help="cap on kept CoTs per question (default %(default)s)")
    p.add_argument("--questions", type=int, help="only the first N questions of the split (default: all)")
    p.add_argument("--samples", type=int, help="only the first K samples of each question (default: all)")
    p.set_defaults(func=cmd_filter)


def _add_run(sub) -> None:
    p = sub.add_parser("run", help="the whole method from a recipe: data, teacher CoTs, filter, students, "
                                   "evaluations (each stage skipped when done, resumed when partial)",
                       description=pipeline.__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recipe", type=Path, help="a recipe YAML file, e.g. recipes/demo.yaml")
    p.add_argument("--plan", action="store_true",
                   help="print what is left to do (teacher CoTs, students, few-shot evaluations) and do none of it "
                        "(only the benchmark data it counts is prepared, if it is not yet); safe while the recipe runs")
    p.set_defaults(func=cmd_run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="distill", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="stage", required=True)
    for add in (_add_data, _add_models, _add_engines, _add_eval, submit.register, _add_verify, _add_train,
                _add_generate, _add_filter, _add_run):
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    args.argv = argv
    # `kill` (SIGTERM) unwinds like Ctrl-C, so a llama.cpp server a command started is stopped with it.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        args.func(args)
    except DistillError as e:
        parser.exit(2, f"distill: error: {e}\n")
    finally:  # a caller that runs main() in its own process keeps its own handler (None: not set from Python)
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
