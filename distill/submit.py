"""`distill submit PATH`: check an lm-eval output directory and file it under results/ as a board entry.

    distill submit out/ --role teacher
    distill submit out/ --role student --base smollm2-135m-instruct --teacher qwen2.5-coder-1.5b-instruct
    distill submit out/ --role reported --name "T5 XXL (PaLM 540B CoTs)" --source "Magister et al. 2023" --dry-run

PATH is any lm-eval run of our tasks made with --log_samples, not only `distill eval`'s: the directory
given as --output_path (lm-eval writes into a per-model subdirectory of it) or that subdirectory.
Nothing in it is trusted. Checked before anything is written: the tasks are ours (their config metadata
names a registry benchmark and the task name matches it), all in one format; every file is a plain file
inside PATH (no symbolic links); every score is re-derived: each sample is matched by document id to our
own prepared test split (same question, same gold answer, each document once, the whole split or the
first N the run declared with --limit), its output is graded again by our grader, and the mean must be
the score the results file claims; the model name is safe to show and to use as a path. Every problem
is listed in one refusal, and then nothing is written. `distill verify` runs the same checks over
entries already in results/.

`distill.results` writes the entry: assembled in a hidden directory inside results/, checked again, then
moved into place with atomic renames, so a reader sees it before or after, never half-written.
"""

import argparse
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from distill import results
from distill.errors import DistillError
from distill.paths import public_arg, public_command
from distill.results import ROLES, Rejected, name_problem


@dataclass
class SubmitConfig:
    path: Path
    role: str
    name: str | None = None  # the board's model name; default: the model lm-eval recorded
    base_model: str | None = None
    teacher: str | None = None
    params: int | None = None  # default: lm-eval's model_num_parameters, when it recorded one
    source: str | None = None  # a citation; required for role "reported"
    results_dir: Path = results.DEFAULT_DIR
    dry_run: bool = False
    command: str | None = None  # the command line, recorded in the metadata


@dataclass
class Plan:
    """What a submission would write, once every check has passed."""
    entry: Path
    metadata: dict
    runs: list[dict]
    merge: bool  # adding runs to an entry that already exists
    files: list[Path] = field(default_factory=list)  # results and samples files to copy in
    tasks: list[str] = field(default_factory=list)


def submit(cfg: SubmitConfig) -> Plan:
    """Check the run and, unless it is a dry run, file it; returns what was (or would be) written."""
    plan = check(cfg)
    if not cfg.dry_run:
        results.write_entry(Path(cfg.results_dir), plan.metadata, plan.runs, plan.files)
    return plan


def find_results(path: Path) -> list[Path]:
    """lm-eval's results files in PATH, or in the one model subdirectory lm-eval made under it."""
    here = sorted(path.glob("results_*.json"))
    if here:
        return here
    nested = sorted(path.glob("*/results_*.json"))
    if len({p.parent for p in nested}) > 1:
        raise DistillError(f"refused: {path} holds results of several models "
                           f"({', '.join(sorted({p.parent.name for p in nested}))}); submit one of those directories")
    return nested


def check(cfg: SubmitConfig) -> Plan:
    path = Path(cfg.path)
    if not path.is_dir():
        raise DistillError(f"refused: {path} is not a directory")
    results_files = find_results(path)
    if not results_files:
        raise DistillError(f"refused: no lm-eval results_*.json in {path} or its subdirectories "
                           "(run lm-eval with --output_path DIR --log_samples)")
    problems = []
    loaded = {}
    for file in results_files:
        try:
            results.check_file(file, path)
            loaded[file] = results.read_results(file)
        except Rejected as e:
            problems.append(f"{file.name}: {e}")
    fmt = _one_format(loaded, problems)
    tasks, runs, files = [], [], []
    for file, lm_eval_results in loaded.items():
        passed, found = results.check_results_file(file, fmt, path) if fmt else ([], [])
        problems += found
        tasks += passed
        samples = [results.find_samples(file.parent, t, file.name) for t in passed]
        runs.append(_run(cfg, file, lm_eval_results, passed, samples))
        files += [file, *samples]
    model = cfg.name or _recorded_model(loaded.values())
    meta = _metadata(cfg, model, fmt, loaded.values(), problems)
    entry = Path(cfg.results_dir) / results.entry_name(model or "model", fmt or "")
    if entry.is_dir() and fmt and model:
        problems += results.addition_problems(entry, meta, files)
    if problems:
        raise results.refusal(problems)
    return Plan(entry, meta, runs, entry.exists(), files, tasks)


def _one_format(loaded: dict[Path, dict], problems: list[str]) -> str | None:
    """The format every task of the run is in, read from the task configs' metadata."""
    formats = set().union(*(results.results_format(r) for r in loaded.values()))
    if len(formats) == 1:
        return formats.pop()
    if formats:
        problems.append(f"tasks in several formats ({', '.join(sorted(formats))}); submit one format at a time")
    else:
        problems.append("no task of ours (no task config names a format in its metadata)")
    return None


def _recorded_model(all_results) -> str | None:
    """The model lm-eval recorded; a local checkpoint path (absolute, relative or ~/...) gives its directory name."""
    names = {r.get("model_name") for r in all_results if isinstance(r.get("model_name"), str)}
    if len(names) != 1:
        return None
    name = names.pop()
    return Path(name).name if os.path.isabs(name) or name.startswith((".", "~")) else name


def _metadata(cfg: SubmitConfig, model: str | None, fmt: str | None, all_results, problems: list[str]) -> dict:
    if model is None:
        problems.append("lm-eval recorded no single model name; pass --name")
    for label, value in (("name", model), ("--base", cfg.base_model), ("--teacher", cfg.teacher)):
        if value is not None and (problem := name_problem(value)):
            problems.append(f"{label} {value!r} {problem}")
    if cfg.role not in ROLES:
        problems.append(f"role {cfg.role!r} is not one of {', '.join(ROLES)}")
    if cfg.role == "reported" and not (cfg.source or "").strip():
        problems.append("a reported entry needs --source, the paper or page its numbers come from")
    params = cfg.params if cfg.params is not None else _recorded_params(all_results)
    if params is not None and (isinstance(params, bool) or not isinstance(params, int) or params <= 0):
        problems.append(f"--params {params!r} is not a positive integer")
    sources = {r.get("model_name") for r in all_results} - {None}
    meta = {"model": model, "model_source": public_arg(sources.pop()) if len(sources) == 1 else None,
            "role": cfg.role, "format": fmt, "params": params, "base_model": cfg.base_model, "teacher": cfg.teacher}
    if cfg.source:
        meta["source"] = cfg.source
    return meta


def _recorded_params(all_results) -> int | None:
    counts = {r.get("config", {}).get("model_num_parameters") for r in all_results if isinstance(r.get("config"), dict)}
    counts = {c for c in counts if isinstance(c, int) and not isinstance(c, bool) and c > 0}
    return counts.pop() if len(counts) == 1 else None


def _run(cfg: SubmitConfig, file: Path, lm_eval_results: dict, tasks: list[str], samples: list[Path]) -> dict:
    """The metadata record of one results file and its tasks' samples, as `distill eval` writes it."""
    config = lm_eval_results.get("config") if isinstance(lm_eval_results.get("config"), dict) else {}
    date = lm_eval_results.get("date")
    return {"command": cfg.command, "lm_eval_command": None, "backend": config.get("model"), "tasks": tasks,
            "limit": config.get("limit"), "files": [results.stored_name(p) for p in [file, *samples]],
            "date": datetime.fromtimestamp(date, timezone.utc).isoformat(timespec="seconds")
            if isinstance(date, (int, float)) else None,
            "lm_eval_version": lm_eval_results.get("lm_eval_version"), "git_hash": lm_eval_results.get("git_hash")}


def cmd_submit(args) -> None:
    fields = SubmitConfig.__dataclass_fields__
    argv = getattr(args, "argv", ["submit", str(args.path)])
    cfg = SubmitConfig(**{k: v for k, v in vars(args).items() if k in fields},
                       command=public_command(argv))
    plan = submit(cfg)
    action = "would file" if cfg.dry_run else "filed"
    where = f"into the existing {plan.entry}" if plan.merge else f"as {plan.entry}"
    print(f"{action} {len(plan.tasks)} tasks ({', '.join(plan.tasks)}) {where}, "
          "every score re-derived from its samples")


def register(subparsers) -> None:
    """Add `distill submit` to the command line's subcommands."""
    p = subparsers.add_parser("submit", help="check an lm-eval output directory and file it under results/",
                              description=__doc__.split("\n\n")[0],
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", type=Path, help="lm-eval's --output_path directory, or the model subdirectory in it")
    p.add_argument("--role", required=True, choices=ROLES, help="the entry's role on the board")
    p.add_argument("--name", help="the model's name on the board (default: the model lm-eval recorded)")
    p.add_argument("--base", "--base-model", dest="base_model", help="the model a student was trained from")
    p.add_argument("--teacher", help="the teacher whose chains of thought trained a student")
    p.add_argument("--params", type=int, help="parameter count (default: what lm-eval recorded, if anything)")
    p.add_argument("--source", help="where the numbers come from (required for --role reported)")
    p.add_argument("--results-dir", dest="results_dir", type=Path, default=results.DEFAULT_DIR,
                   help="the board's results directory (default %(default)s)")
    p.add_argument("--dry-run", dest="dry_run", action="store_true", help="check and report, write nothing")
    p.set_defaults(func=cmd_submit)
