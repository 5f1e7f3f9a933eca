"""`distill submit PATH`: check an lm-eval output directory and file it under results/ as a board entry.

    distill submit out/ --role teacher
    distill submit out/ --role student --base smollm2-135m-instruct --teacher qwen2.5-coder-1.5b-instruct
    distill submit out/ --role reported --name "T5 XXL (PaLM 540B CoTs)" --source "Magister et al. 2023" --dry-run

PATH is any lm-eval run of our tasks made with --log_samples, not only `distill eval`'s: the directory
given as --output_path (lm-eval writes into a per-model subdirectory of it) or that subdirectory.
Checked before anything is written: the tasks are ours (their config metadata names a registry
benchmark and the task name matches it), all in one format; every score and standard error is a number
in range; each task has its samples file, with as many samples as lm-eval counted, all of that
benchmark, whose grades average to the score; the model name is safe to show and to use as a path.
Every problem is listed in one refusal, and then nothing is written.

A new entry is assembled in a hidden directory inside results/ and renamed into place in one step.
Adding runs to an existing entry moves each new file in with an atomic rename (samples, then results,
then metadata.json), so a reader sees the entry before or after, never a half-written file.
"""

import argparse
import gzip
import json
import math
import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from distill.errors import DistillError
from distill.evaluate import ROLES
from distill.paths import slug
from distill.jsonio import atomic_write_text
from leaderboard.load import (
    SAMPLES_FILE, Rejected, is_group, load_entry, name_problem, pick_metric, read_metadata, read_results, read_samples,
    task_row)


@dataclass
class SubmitConfig:
    path: Path
    role: str
    name: str | None = None  # the board's model name; default: the model lm-eval recorded
    base_model: str | None = None
    teacher: str | None = None
    params: int | None = None  # default: lm-eval's model_num_parameters, when it recorded one
    source: str | None = None  # a citation; required for role "reported"
    results_dir: Path = Path("results")
    dry_run: bool = False
    command: str | None = None  # the command line, recorded in the metadata


@dataclass
class Plan:
    """What a submission would write, once every check has passed."""
    entry: Path
    metadata: dict
    merge: bool  # adding runs to an entry that already exists
    files: list[Path] = field(default_factory=list)  # results and samples files to copy in
    tasks: list[str] = field(default_factory=list)


def submit(cfg: SubmitConfig) -> Plan:
    """Check the run and, unless it is a dry run, file it; returns what was (or would be) written."""
    plan = check(cfg)
    if not cfg.dry_run:
        write(plan, Path(cfg.results_dir))
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
            loaded[file] = read_results(file)
        except Rejected as e:
            problems.append(f"{file.name}: {e}")
    fmt = _one_format(loaded, problems)
    tasks, runs = [], []
    for file, results in loaded.items():
        file_tasks = _check_tasks(file, results, fmt, problems) if fmt else []
        tasks += file_tasks
        runs.append(_run(cfg, file, results, file_tasks))
    model = cfg.name or _recorded_model(loaded.values())
    meta = _metadata(cfg, model, fmt, loaded.values(), runs, problems)
    entry = Path(cfg.results_dir) / f"{slug(model or 'model')}__{fmt}"
    if entry.exists() and fmt and model:
        _check_existing(entry, meta, runs, problems)
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise DistillError(f"refused: {count}: " + "; ".join(problems))
    files = [Path(f) for run in runs for f in run.pop("paths")]
    return Plan(entry, meta, entry.exists(), files, tasks)


def _one_format(loaded: dict[Path, dict], problems: list[str]) -> str | None:
    """The format every task of the run is in, read from the task configs' metadata."""
    formats = set()
    for results in loaded.values():
        for config in results["configs"].values():
            metadata = config.get("metadata") if isinstance(config, dict) else None
            if isinstance(metadata, dict) and "format" in metadata:
                formats.add(str(metadata["format"]))
    if len(formats) == 1:
        return formats.pop()
    if formats:
        problems.append(f"tasks in several formats ({', '.join(sorted(formats))}); submit one format at a time")
    else:
        problems.append("no task of ours (no task config names a format in its metadata)")
    return None


def _check_tasks(file: Path, results: dict, fmt: str, problems: list[str]) -> list[str]:
    """The file's tasks that pass, after checking each score and its samples; problems are appended."""
    passed = []
    for task, result in results["results"].items():
        if is_group(task, results):
            continue
        try:
            row = task_row(task, result, results, fmt)
            _check_samples(file.parent, task, file.name, row, pick_metric(result)[0])
        except Rejected as e:
            problems.append(f"{file.name}: task {task}: {e}")
            continue
        passed.append(task)
    return passed


def samples_path(directory: Path, task: str, results_name: str) -> Path | None:
    stamp = results_name.removeprefix("results_").removesuffix(".json")
    for name in (f"samples_{task}_{stamp}.jsonl", f"samples_{task}_{stamp}.jsonl.gz"):
        if (directory / name).is_file():
            return directory / name
    return None


def _check_samples(directory: Path, task: str, results_name: str, row: dict, metric_key: str) -> None:
    """The samples are this task's, as many as lm-eval counted, and their grades average to its score."""
    path = samples_path(directory, task, results_name)
    if path is None:
        raise Rejected("no samples file (run lm-eval with --log_samples)")
    metric, filter_name = metric_key.split(",", 1)
    records = [r for r in read_samples(path) if r.get("filter", filter_name) == filter_name]
    if row["n"] is not None and len(records) != row["n"]:
        raise Rejected(f"{path.name} has {len(records)} samples, the results count {row['n']}")
    docs = [r.get("doc") if isinstance(r.get("doc"), dict) else {} for r in records]
    foreign = sum(d.get("benchmark") != row["benchmark"] or d.get("split") != row["split"] for d in docs)
    if foreign:
        raise Rejected(f"{foreign} samples in {path.name} are not from {row['benchmark']} {row['split']}")
    grades = [r.get(metric) for r in records]
    if not records or not all(isinstance(g, (int, float)) and not isinstance(g, bool) for g in grades):
        raise Rejected(f"{path.name} has no {metric} grade on every sample")
    if not math.isclose(sum(grades) / len(grades), row["score"], abs_tol=1e-9):
        raise Rejected(f"the samples average {sum(grades) / len(grades):.4f}, the results say {row['score']:.4f}")


def _recorded_model(all_results) -> str | None:
    """The model lm-eval recorded; a local checkpoint path (absolute, relative or ~/...) gives its directory name."""
    names = {r.get("model_name") for r in all_results if isinstance(r.get("model_name"), str)}
    if len(names) != 1:
        return None
    name = names.pop()
    return Path(name).name if os.path.isabs(name) or name.startswith((".", "~")) else name


def _metadata(cfg: SubmitConfig, model: str | None, fmt: str | None, all_results, runs: list[dict],
              problems: list[str]) -> dict:
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
    meta = {"model": model, "model_source": sources.pop() if len(sources) == 1 else None, "role": cfg.role,
            "format": fmt, "params": params, "base_model": cfg.base_model, "teacher": cfg.teacher, "runs": runs}
    if cfg.source:
        meta["source"] = cfg.source
    return meta


def _recorded_params(all_results) -> int | None:
    counts = {r.get("config", {}).get("model_num_parameters") for r in all_results if isinstance(r.get("config"), dict)}
    counts = {c for c in counts if isinstance(c, int) and not isinstance(c, bool) and c > 0}
    return counts.pop() if len(counts) == 1 else None


def _run(cfg: SubmitConfig, file: Path, results: dict, tasks: list[str]) -> dict:
    """The metadata record of one results file, as `distill eval` writes it."""
    config = results.get("config") if isinstance(results.get("config"), dict) else {}
    date = results.get("date")
    samples = [samples_path(file.parent, t, file.name) for t in tasks]
    paths = [file, *[p for p in samples if p is not None]]
    return {"command": cfg.command, "lm_eval_command": None, "backend": config.get("model"), "tasks": tasks,
            "limit": config.get("limit"), "files": [_stored_name(p) for p in paths],
            "date": datetime.fromtimestamp(date, timezone.utc).isoformat(timespec="seconds")
            if isinstance(date, (int, float)) else None,
            "lm_eval_version": results.get("lm_eval_version"), "git_hash": results.get("git_hash"),
            "submitted_from": str(file.parent.resolve()), "paths": paths}


def _stored_name(path: Path) -> str:
    """Samples are stored gzip-compressed, as `distill eval` stores them, so results/ stays small."""
    return path.name + ".gz" if SAMPLES_FILE.fullmatch(path.name) and path.suffix == ".jsonl" else path.name


def _check_existing(entry: Path, meta: dict, runs: list[dict], problems: list[str]) -> None:
    """Adding to an entry is fine when it is the same model in the same role; a file already there is not."""
    try:
        existing = read_metadata(entry)
    except Rejected as e:
        problems.append(f"the existing entry {entry.name} is broken ({e}); fix or remove it first")
        return
    for key in ("model", "role", "base_model", "teacher"):
        if (key in ("model", "role") or meta[key] is not None) and existing.get(key) != meta[key]:
            problems.append(f"{entry.name} already exists with {key} {existing.get(key)!r}, not {meta[key]!r}")
    for name in (run["files"][0] for run in runs):  # the results file; its samples share its time stamp
        if (entry / name).exists():
            problems.append(f"{name} is already in {entry.name} (submitted before?)")


def write(plan: Plan, results_dir: Path) -> None:
    """Assemble the entry in a hidden directory inside results/, check it loads, then move it in."""
    results_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=results_dir, prefix=".submit-"))
    try:
        staged = staging / plan.entry.name
        if plan.merge:
            shutil.copytree(plan.entry, staged)
            existing = json.loads((plan.entry / "metadata.json").read_text())
            # What this submission leaves unknown (say, no --params) keeps the entry's earlier value.
            plan.metadata = {**existing, **{k: v for k, v in plan.metadata.items() if v is not None},
                             "runs": existing.get("runs", []) + plan.metadata["runs"]}
        else:
            staged.mkdir()
        for src in plan.files:
            _copy(src, staged / _stored_name(src))
        atomic_write_text(staged / "metadata.json", json.dumps(plan.metadata, indent=2) + "\n")
        _, problems, _ = load_entry(staged)
        if problems:  # what submit accepts, the board must load
            raise DistillError("refused: the assembled entry does not load: " +
                               "; ".join(f"{p.name}: {reason}" for p, reason in problems))
        if plan.merge:
            new = sorted((_stored_name(f) for f in plan.files), key=lambda n: not n.startswith("samples_"))
            for name in [*new, "metadata.json"]:
                os.replace(staged / name, plan.entry / name)
        else:
            os.rename(staged, plan.entry)  # fails if another submit created it meanwhile: nothing is lost
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy(src: Path, dest: Path) -> None:
    if dest.name.endswith(".gz") and not src.name.endswith(".gz"):
        with open(src, "rb") as f_in, gzip.open(dest, "wb") as f_out:
            shutil.copyfileobj(f_in, f_out)
    else:
        shutil.copyfile(src, dest)


def cmd_submit(args) -> None:
    fields = SubmitConfig.__dataclass_fields__
    cfg = SubmitConfig(**{k: v for k, v in vars(args).items() if k in fields},
                       command=shlex.join(["distill", *getattr(args, "argv", ["submit", str(args.path)])]))
    plan = submit(cfg)
    action = "would file" if cfg.dry_run else "filed"
    where = f"into the existing {plan.entry}" if plan.merge else f"as {plan.entry}"
    print(f"{action} {len(plan.tasks)} tasks ({', '.join(plan.tasks)}) {where}")


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
    p.add_argument("--results-dir", dest="results_dir", type=Path, default=Path("results"),
                   help="the board's results directory (default ./results)")
    p.add_argument("--dry-run", dest="dry_run", action="store_true", help="check and report, write nothing")
    p.set_defaults(func=cmd_submit)
