"""The results format, owned here and nowhere else: what an entry under results/ is, how its files are
named, read, checked and written.

An entry is one model evaluated in one prompt format, the directory `<results>/<model-slug>__<format>/`:

    metadata.json                          role, params, base model, teacher, and one record per run
    results_<stamp>.json                   lm-eval's own results file, one per run
    samples_<task>_<stamp>.jsonl.gz        lm-eval's per-sample log of each task in that run

or, for numbers published in papers, a `metadata.json` with role `reported` and a `scores` list
(results/README.md has every field). lm-eval names: a task `sr_<benchmark>[_<split>]_<format>`; a
benchmark as a whole `sr_<benchmark>_<format>` (its task, or the group of its test splits); the groups
`sr_<category|all|offline>_<format>`.

Readers never change what they read, and reject what they cannot trust with a reason (`Rejected`); one
bad file never stops the rest. Every score is re-derived from its samples (`distill.rederive`) by
`check_entry`, which the one writer, `write_entry`, runs on the assembled entry before anything is
moved into place. `distill eval`, `distill submit`, `distill verify`, `distill run` and the board all go
through this module; it never imports `leaderboard`.
"""

import gzip
import json
import math
import os
import re
import shlex
import shutil
import tempfile
from pathlib import Path

from distill import locks, rederive
from distill.benchmarks import BENCHMARKS, CATEGORIES, FORMATS, PROGRAM_FORMATS, Benchmark, split_suffix
from distill.errors import DistillError, Unavailable, Unchecked
from distill.jsonio import atomic_write_text, parse_jsonl
from distill.paths import portable, slug

ROLES = ("teacher", "baseline", "student", "reported")
GROUPS = (*CATEGORIES, "all", "offline")
DEFAULT_DIR = Path("results")  # where every distill command files entries, relative to the working directory
METADATA = "metadata.json"
RESULTS_FILE = re.compile(r"results_(?P<stamp>.+)\.json")
SAMPLES_FILE = re.compile(r"samples_(?P<task>.+)_(?P<stamp>\d{4}-\d\d-\d\dT[^_]+)\.jsonl(?:\.gz)?")
IGNORED = {"README.md", ".gitkeep"}  # documentation beside the entries, not entries
# lm-eval names a metric "<metric>,<filter>"; an exact-match score with no filter is ours (distill.grading).
METRIC_PREFERENCE = ("exact_match,none", "exact_match,strict-match", "exact_match,flexible-extract")
FALLBACK_METRIC = "acc,none"
MAX_NAME = 200
# Names are shown in tables, plots and paths: no markup, no escapes, no control characters.
_UNSAFE_CHARS = re.compile(r"[<>`\\\x00-\x1f\x7f]")
# "/home/..." on its own or after a space, "=", a comma or a quote; URLs ("http://host/v1") do not match.
_ABSOLUTE_PATH = re.compile(r"(?:^|[\s=,'\"(])/\w")


class Rejected(Exception):
    """Why one file, task or score cannot go on the board."""


# --- names ------------------------------------------------------------------------------------------------

def entry_name(model: str, fmt: str) -> str:
    return f"{slug(model)}__{fmt}"


def recipe_command(recipe_path: Path) -> str:
    """How an entry records that a recipe made it (its training or evaluation `command`)."""
    return shlex.join(["distill", "run", str(recipe_path)])


def recipe_of(command) -> Path | None:
    """The recipe file a recorded `recipe_command` names; None for any other command (or none)."""
    try:
        words = shlex.split(command) if isinstance(command, str) else []
    except ValueError:  # an unclosed quote in a hand-edited file
        return None
    return Path(words[2]) if words[:2] == ["distill", "run"] and len(words) == 3 else None


def task_name(benchmark: Benchmark, split: str, fmt: str) -> str:
    """The lm-eval task for one test split and format: sr_<benchmark>[_<split>]_<format>."""
    return "_".join(p for p in ("sr", benchmark.key, split_suffix(split), fmt) if p)


def benchmark_task(benchmark: Benchmark, fmt: str) -> str:
    """The lm-eval name that runs a whole benchmark: its task, or the group of its test splits."""
    return f"sr_{benchmark.key}_{fmt}"


def group_name(group: str, fmt: str) -> str:
    """A category, "all" or "offline" as an lm-eval group."""
    return f"sr_{group}_{fmt}"


def samples_name(task: str, stamp: str) -> str:
    """How lm-eval names a task's samples file; stored gzip-compressed here (`.gz` added)."""
    return f"samples_{task}_{stamp}.jsonl"


def stored_name(path: Path) -> str:
    """A file's name inside an entry: samples are kept gzip-compressed, so results/ stays small."""
    return path.name + ".gz" if SAMPLES_FILE.fullmatch(path.name) and path.suffix == ".jsonl" else path.name


def find_samples(directory: Path, task: str, results_name: str) -> Path | None:
    """The samples file (plain or gzip) of one task of a results file, or None."""
    stamp = RESULTS_FILE.fullmatch(results_name)["stamp"]
    for name in (samples_name(task, stamp) + ".gz", samples_name(task, stamp)):
        if (directory / name).is_file() or (directory / name).is_symlink():
            return directory / name
    return None


def benchmark_samples(entry_dir: Path, benchmark: str, split: str | None = None) -> Path | None:
    """The samples file of a one-split benchmark's task, or of one test `split`'s task (in the entry's format),
    from the entry's newest results file that has one, or None."""
    fmt = read_metadata(entry_dir)["format"]
    task = task_name(BENCHMARKS[benchmark], split, fmt) if split else benchmark_task(BENCHMARKS[benchmark], fmt)
    newest_first = sorted((p.name for p in entry_dir.iterdir() if RESULTS_FILE.fullmatch(p.name)), reverse=True)
    return next((found for name in newest_first if (found := find_samples(entry_dir, task, name))), None)


def pooled_samples(entry_dirs: list[Path], benchmark: str, splits: list[str]) -> list[tuple[str, dict]]:
    """(test split, sample record) for the entries' samples of `benchmark` on each of `splits`, pooled (the
    seeds of one student, say); DistillError naming the entries that have none."""
    found = [(entry, split, benchmark_samples(entry, benchmark, split)) for entry in entry_dirs for split in splits]
    if missing := sorted({e.name for e in entry_dirs} - {e.name for e, _, path in found if path}):
        raise DistillError(f"no {benchmark} samples for {', '.join(missing)}")
    return [(split, record) for _, split, path in found if path for record in read_samples(path)]


# --- checks of single values ------------------------------------------------------------------------------

def name_problem(value) -> str | None:
    """Why a model name cannot be shown or used in a path, or None if it can."""
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if len(value) > MAX_NAME:
        return f"is longer than {MAX_NAME} characters"
    if _UNSAFE_CHARS.search(value):
        return "contains markup or control characters (<, >, `, \\)"
    if any(part in (".", "..") for part in value.split("/")):
        return "contains a '.' or '..' path component"
    return None


def pick_metric(result: dict) -> tuple[str, str] | None:
    """(score key, stderr key) of one task's lm-eval result: exact match (unfiltered first), else accuracy."""
    filtered = sorted(k for k in result if k.startswith("exact_match,") and k not in METRIC_PREFERENCE)
    for key in (*METRIC_PREFERENCE, *filtered, FALLBACK_METRIC):
        if key in result:
            metric, filter_name = key.split(",", 1)
            return key, f"{metric}_stderr,{filter_name}"
    return None


def check_fraction(value, what: str, top: float = 1) -> float:
    """A finite number in [0, top]: a score is a fraction, a paper's number a percentage."""
    if not _is_number(value):
        raise Rejected(f"{what} is {_show(value)}, not a number")
    if not math.isfinite(value) or not 0 <= value <= top:
        raise Rejected(f"{what} {value} is not in [0, {top}]")
    return float(value)


def check_stderr(value, what: str, top: float = 1) -> float | None:
    """lm-eval writes "N/A" (or NaN) where it could not estimate a standard error: unknown, not wrong."""
    if value is None or value == "N/A" or (isinstance(value, float) and math.isnan(value)):
        return None
    return check_fraction(value, what, top)


def check_count(value, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Rejected(f"{what} is {_show(value)}, not a count")
    return value


def check_file(path: Path, root: Path) -> None:
    """A file we read must be a plain file inside `root`: a link could show anyone's data as ours."""
    if path.is_symlink():
        raise Rejected(f"{path.name} is a symbolic link; copy the file itself")
    if not path.resolve().is_relative_to(root.resolve()):
        raise Rejected(f"{path.name} resolves outside {root.name}")


def absolute_paths(value, where: str = "metadata") -> list[str]:
    """Where a metadata value holds an absolute path of some machine (as "metadata.runs[0].command")."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in absolute_paths(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in absolute_paths(v, f"{where}[{i}]")]
    return [where] if isinstance(value, str) and _ABSOLUTE_PATH.search(value) else []


# --- readers ----------------------------------------------------------------------------------------------

def read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise Rejected(f"{path.name} cannot be read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise Rejected(f"{path.name} is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise Rejected(f"{path.name} is not valid JSON ({e.msg}, line {e.lineno}); truncated?") from None


def read_results(path: Path) -> dict:
    """An lm-eval results file, or Rejected if it is not one."""
    results = read_json(path)
    if not isinstance(results, dict) or not isinstance(results.get("results"), dict) \
            or not isinstance(results.get("configs"), dict):
        raise Rejected("not lm-eval output: no 'results' and 'configs' objects")
    return results


def read_samples(path) -> list[dict]:
    """lm-eval's per-sample log, gzip-compressed or plain; a line that is not a JSON object is rejected."""
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            return parse_jsonl(f.read(), path.name)
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise Rejected(f"{path.name} cannot be read ({e})") from None
    except DistillError as e:
        raise Rejected(str(e)) from None


def read_metadata(entry_dir: Path) -> dict:
    """The entry's metadata.json, checked: a bad one rejects the whole entry (its role is unknown)."""
    path = entry_dir / METADATA
    if not path.is_file():
        raise Rejected("no metadata.json, so this is not a board entry (file one with `distill submit`)")
    meta = read_json(path)
    if not isinstance(meta, dict):
        raise Rejected("metadata.json is not a JSON object")
    for key in ("model", "base_model", "teacher", "answer_only_twin"):
        value = meta.get(key)
        if key != "model" and value is None:
            continue  # base model and teacher are optional
        if problem := name_problem(value):
            raise Rejected(f"{key} {_show(value)} {problem}")
    if meta.get("role") not in ROLES:
        raise Rejected(f"role {_show(meta.get('role'))} is not one of {', '.join(ROLES)}")
    if meta.get("format") not in FORMATS:
        raise Rejected(f"format {_show(meta.get('format'))} is not one of {', '.join(FORMATS)}")
    expected_dir = entry_name(meta["model"], meta["format"])
    if entry_dir.name != expected_dir:
        raise Rejected(f"directory name should be {expected_dir} for model {meta['model']} and its format")
    params = meta.get("params")
    if params is not None and (isinstance(params, bool) or not isinstance(params, int) or params <= 0):
        raise Rejected(f"params is {_show(params)}, not a positive integer or null")
    if not isinstance(meta.get("runs", []), list) or not all(isinstance(r, dict) for r in meta.get("runs", [])):
        raise Rejected("runs is not a list of objects")
    if meta["role"] == "reported" and not citation(meta):
        raise Rejected("a reported entry needs a source: a citation string or {\"citation\": ..., \"url\": ...}")
    if "scores" in meta and meta["role"] != "reported":
        raise Rejected("only reported entries carry scores in metadata.json; measured ones carry lm-eval files")
    return meta


def citation(meta: dict) -> str | None:
    source = meta.get("source")
    if isinstance(source, dict):
        source = source.get("citation")
    return source.strip() if isinstance(source, str) and source.strip() else None


def is_group(task: str, results: dict) -> bool:
    """lm-eval lists groups (means over their tasks) among the results; the board recomputes those."""
    return any(isinstance(results.get(key), dict) and task in results[key] for key in ("groups", "group_subtasks"))


def results_format(results: dict) -> set[str]:
    """The formats named in a results file's task configs (one, for a run of our tasks)."""
    return {str(c["metadata"]["format"]) for c in results["configs"].values()
            if isinstance(c, dict) and isinstance(c.get("metadata"), dict) and "format" in c["metadata"]}


def task_row(task: str, result, results: dict, fmt: str) -> dict:
    """One of our tasks' score, mapped to benchmark and split through its config metadata, checked."""
    config = results["configs"].get(task)
    metadata = config.get("metadata") if isinstance(config, dict) else None
    if not isinstance(metadata, dict) or not isinstance(metadata.get("benchmark"), str) \
            or metadata["benchmark"] not in BENCHMARKS:
        raise Rejected("not one of our tasks (its config metadata names no benchmark of the registry)")
    bench = BENCHMARKS[metadata["benchmark"]]
    split = metadata.get("split")
    if split not in bench.test_splits:
        raise Rejected(f"split {_show(split)} is not a test split of {bench.key}")
    if metadata.get("format") != fmt:
        raise Rejected(f"format {_show(metadata.get('format'))} is not the entry's format {fmt}")
    if task != task_name(bench, split, fmt) or metadata.get("category") != bench.category:
        raise Rejected(f"name or category does not match the registry's {task_name(bench, split, fmt)}")
    if not isinstance(result, dict) or (keys := pick_metric(result)) is None:
        raise Rejected("no exact_match or acc metric")
    score_key, stderr_key = keys
    n_samples = results.get("n-samples", {})
    counts = n_samples.get(task) if isinstance(n_samples, dict) else None
    return {"task": task, "benchmark": bench.key, "split": split, "category": bench.category,
            "score": check_fraction(result[score_key], score_key),
            "stderr": check_stderr(result.get(stderr_key), stderr_key),
            "n": check_count(counts.get("effective") if isinstance(counts, dict) else None, "n-samples effective"),
            "metric": score_key}


def load_entry(entry_dir: Path) -> tuple[list[dict], list[tuple[Path, str]], dict | None]:
    """(score rows, rejected (path, reason) pairs, metadata or None) of one entry directory: the board's
    fast read, which trusts scores that `check_entry` re-derived when the entry was written or verified."""
    try:
        meta = read_metadata(entry_dir)
    except Rejected as e:
        where = entry_dir / METADATA if (entry_dir / METADATA).exists() else entry_dir
        return [], [(where, str(e))], None
    base = {"entry": entry_dir.name, "model": meta["model"], "role": meta["role"], "params": meta.get("params"),
            "base_model": meta.get("base_model"), "teacher": meta.get("teacher"), "format": meta["format"],
            "source": citation(meta)}
    rows, problems = (_reported_rows if "scores" in meta else _measured_rows)(entry_dir, meta)
    return [{**base, **row} for row in rows], problems, meta


def _reported_rows(entry_dir: Path, meta: dict) -> tuple[list[dict], list[tuple[Path, str]]]:
    """Published numbers typed in from a paper: {benchmark, split?, percent, stderr_percent?, n?} each."""
    path = entry_dir / METADATA
    problems = [(p, "a reported entry holds only metadata.json; this file is not read")
                for p in sorted(entry_dir.iterdir()) if p.name != METADATA and not p.name.startswith(".")]
    if not isinstance(meta["scores"], list):
        return [], problems + [(path, "scores is not a list")]
    rows, seen = [], set()
    for i, item in enumerate(meta["scores"]):
        try:
            row = _reported_row(item, meta)
            if (row["benchmark"], row["split"]) in seen:  # which of two numbers for one split is the paper's?
                raise Rejected(f"a second score for {row['benchmark']} {row['split']}")
            seen.add((row["benchmark"], row["split"]))
            rows.append(row)
        except Rejected as e:
            problems.append((path, f"scores[{i}]: {e}"))
    return rows, problems


def _reported_row(item, meta: dict) -> dict:
    if not isinstance(item, dict):
        raise Rejected("not an object")
    bench = BENCHMARKS.get(item.get("benchmark")) if isinstance(item.get("benchmark"), str) else None
    if bench is None:
        raise Rejected(f"benchmark {_show(item.get('benchmark'))} is not in the registry")
    split = item.get("split", bench.test_splits[0] if len(bench.test_splits) == 1 else None)
    if split not in bench.test_splits:
        raise Rejected(f"split {_show(split)} is not one of {', '.join(bench.test_splits)}")
    percent = check_fraction(item.get("percent"), "percent", top=100)
    stderr = check_stderr(item.get("stderr_percent"), "stderr_percent", top=100)
    return {"task": None, "benchmark": bench.key, "split": split, "category": bench.category, "score": percent / 100,
            "stderr": stderr / 100 if stderr is not None else None,
            "n": check_count(item.get("n"), "n"), "date": _text(meta.get("date")), "command": None, "engine": None,
            "lm_eval_version": None, "git_hash": None, "results_file": None, "samples_file": None}


def _measured_rows(entry_dir: Path, meta: dict) -> tuple[list[dict], list[tuple[Path, str]]]:
    """Rows from lm-eval's results files; a task in a newer file replaces the same task in an older one."""
    files = {p.name: p for p in entry_dir.iterdir() if not p.name.startswith(".")}
    problems = [(p, "not a results, samples or metadata file") for name, p in sorted(files.items())
                if name != METADATA and not RESULTS_FILE.fullmatch(name) and not SAMPLES_FILE.fullmatch(name)]
    stamps = sorted((RESULTS_FILE.fullmatch(n)["stamp"] for n in files if RESULTS_FILE.fullmatch(n)), reverse=True)
    if not stamps:
        return [], problems + [(entry_dir, "no lm-eval results_*.json: a partial entry")]
    rows, seen = [], set()
    for stamp in stamps:
        path = files[f"results_{stamp}.json"]
        try:
            results = read_results(path)
        except Rejected as e:
            problems.append((path, str(e)))
            continue
        run = _run_for(meta, path.name)
        for task, result in results["results"].items():
            if task in seen or is_group(task, results):
                continue
            try:
                row = task_row(task, result, results, meta["format"])
                samples = find_samples(entry_dir, task, path.name)
                if samples is None:
                    raise Rejected(f"no samples file {samples_name(task, stamp)}[.gz] (run lm-eval with --log_samples)")
            except Rejected as e:
                problems.append((path, f"task {task}: {e}"))
                continue
            seen.add(task)
            del row["metric"]
            rows.append({**row, **_provenance(results, run), "results_file": str(path), "samples_file": str(samples)})
    return rows, problems


def _run_for(meta: dict, results_name: str) -> dict:
    """The metadata run that wrote this results file, or {} for files copied in some other way."""
    return next((r for r in meta.get("runs", []) if results_name in (r.get("files") or [])), {})


def _provenance(results: dict, run: dict) -> dict:
    """Where a score came from; the run record first (it has the project's full git hash and command)."""
    from datetime import datetime, timezone

    date = run.get("date")
    if date is None and _is_number(results.get("date")):
        date = datetime.fromtimestamp(results["date"], timezone.utc).isoformat(timespec="seconds")
    return {"date": _text(date), "command": _text(run.get("command")), "engine": engine_label(run),
            "lm_eval_version": _text(run.get("lm_eval_version") or results.get("lm_eval_version")),
            "git_hash": _text(run.get("git_hash") or results.get("git_hash"))}


def engine_label(run: dict) -> str | None:
    """What ran the model, in words: 'llama.cpp F32', 'transformers float32', ... Runs from before engines
    were recorded get what their lm-eval command shows."""
    info = run.get("engine")
    if isinstance(info, dict) and isinstance(info.get("engine"), str):
        detail = info.get("weights") or info.get("dtype")
        return _text(f"{info['engine']} {detail}" if isinstance(detail, str) else info["engine"])
    command = run.get("lm_eval_command")
    if not isinstance(command, str):
        return None
    if "--model hf " in command:
        dtype = re.search(r"dtype=(\w+)", command)
        return f"transformers {dtype.group(1) if dtype else 'float32'}"
    return "a server (engine not recorded)" if "--model local-" in command else None


def entries(results_dir: Path) -> list[Path]:
    """The entry directories under a results directory (hidden ones are writes in progress)."""
    root = Path(results_dir)
    return [p for p in sorted(root.iterdir()) if not p.name.startswith(".") and p.name not in IGNORED] \
        if root.is_dir() else []


# --- re-derivation: every score earned by its outputs -----------------------------------------------------

def check_results_file(path: Path, fmt: str, root: Path) -> tuple[list[str], list[str]]:
    """(tasks that pass, problems) of one results file: each task of ours, its samples file inside `root`,
    and its claimed score re-derived from those samples against our own test split. Raises Unchecked when
    the others pass but some tasks' test splits cannot be downloaded here."""
    try:
        check_file(path, root)
        results = read_results(path)
    except Rejected as e:
        return [], [f"{path.name}: {e}"]
    passed, problems, unchecked = [], [], {}
    limit = results.get("config", {}).get("limit") if isinstance(results.get("config"), dict) else None
    for task, result in results["results"].items():
        if is_group(task, results):
            continue
        try:
            row = task_row(task, result, results, fmt)
            samples = find_samples(path.parent, task, path.name)
            if samples is None:
                raise Rejected("no samples file (run lm-eval with --log_samples)")
            check_file(samples, root)
            records = read_samples(samples)
        except Rejected as e:
            problems.append(f"{path.name}: task {task}: {e}")
            continue
        try:
            found = rederive.check_task(records, row["benchmark"], row["split"], row["metric"], row["score"],
                                        row["n"], limit, program=fmt in PROGRAM_FORMATS)
        except Unavailable as e:
            unchecked[task] = str(e)
            continue
        problems += [f"{path.name}: task {task}: {p}" for p in found]
        if not found:
            passed.append(task)
    if unchecked and not problems:
        raise Unchecked(list(unchecked), next(iter(unchecked.values())))
    return passed, problems


def check_entry(entry_dir: Path, published: bool = False, only: set[str] | None = None) -> list[str]:
    """Every problem of one entry, with each measured score re-derived from its samples ([] when sound).
    `published`: the entry is shared (committed, submitted), so its metadata may hold no absolute path
    (`distill eval` and `submit` record none; an entry made by hand or by older code may). `only`: re-derive
    just these results files (the writer's new ones: the others were checked when they were written).
    Raises Unchecked, after checking everything else, where some tasks' test splits cannot be had here."""
    if entry_dir.is_symlink():
        return ["the entry is a symbolic link"]
    try:
        meta = read_metadata(entry_dir)
    except Rejected as e:
        return [str(e)]
    problems = [f"{p.name}: {reason}" for p, reason in load_entry(entry_dir)[1]]
    if published:
        problems += [f"metadata.json: {where} is an absolute path" for where in absolute_paths(meta)]
    if "scores" in meta:
        return problems  # published numbers: nothing to re-derive, the source is cited
    unchecked = []
    for path in sorted(entry_dir.glob("results_*.json")):
        if only is None or path.name in only:
            try:
                problems += check_results_file(path, meta["format"], entry_dir)[1]
            except Unchecked as e:  # the file's other tasks pass; go on with the entry's other files
                unchecked.append(e)
    if unchecked and not problems:
        raise Unchecked(list(dict.fromkeys(t for e in unchecked for t in e.tasks)), unchecked[0].why)
    return list(dict.fromkeys(problems))  # a task's problem can come from the board's read and the check


# --- the one writer ---------------------------------------------------------------------------------------

def write_entry(results_dir: Path, meta: dict, runs: list[dict], files: list[Path]) -> Path:
    """Add lm-eval files and their runs to the entry of `meta` (created if new); returns the entry.

    The entry is assembled in a hidden directory inside `results_dir` (samples gzip-compressed, paths of
    this machine removed from results files, runs appended to the metadata), checked with every score
    re-derived, and only then moved in: a new entry by one rename, an existing one file by file (samples,
    results, metadata.json last), so a reader sees it before or after, never half-written. A problem
    leaves `results_dir` as it was.
    """
    results_dir = Path(results_dir)
    entry = results_dir / entry_name(meta["model"], meta["format"])
    results_dir.mkdir(parents=True, exist_ok=True)
    with locks.hold(entry, "writing a results entry"):  # two merges at once would lose one's runs
        return _write_entry(entry, meta, runs, files)


def _write_entry(entry: Path, meta: dict, runs: list[dict], files: list[Path]) -> Path:
    staging = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".write-"))
    try:
        staged = staging / entry.name
        merged = entry.is_dir()
        if merged:
            if problems := addition_problems(entry, meta, files):
                raise refusal(problems)
            existing = read_metadata(entry)
            shutil.copytree(entry, staged, symlinks=True)
            # What this run leaves unknown (say, no --params) keeps the entry's earlier value.
            meta = {**existing, **{k: v for k, v in meta.items() if v is not None}}
            runs = existing.get("runs", []) + runs
        else:
            staged.mkdir()
        for src in files:
            _copy_in(src, staged / stored_name(src))
        atomic_write_text(staged / METADATA, json.dumps({**meta, "runs": runs}, indent=2) + "\n")
        # What is written, the board loads and `distill verify` passes; earlier files were checked when written
        # (and their test splits may not be at hand here: BIG-bench's, say).
        if problems := check_entry(staged, only={stored_name(f) for f in files}):
            raise refusal(problems)
        if merged:
            new = sorted((stored_name(f) for f in files), key=lambda n: not n.startswith("samples_"))
            for name in [*new, METADATA]:
                os.replace(staged / name, entry / name)
        else:
            os.rename(staged, entry)  # under the entry's lock: no other writer creates it meanwhile
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return entry


def copy_entry(results_dir: Path, model: str, fmt: str, changes: dict) -> Path:
    """A new entry with the runs and files of `model`'s, its metadata changed by `changes` (a new `model`; a
    None value drops a key, as the copy drops every key whose value is null): one model filed under a second
    name, as a sweep's point that is a main recipe's student."""
    source = Path(results_dir) / entry_name(model, fmt)
    try:
        meta = read_metadata(source)
    except Rejected as e:
        raise DistillError(f"{source.name} cannot be copied: {e}") from None
    runs = meta.pop("runs", [])
    meta = {k: v for k, v in {**meta, **changes}.items() if v is not None}
    return write_entry(results_dir, meta, runs, [source / f for run in runs for f in run.get("files") or []])


def remove_entry(results_dir: Path, model: str, fmt: str) -> bool:
    """Remove a model's entry, if there is one: a student trained again is a new model under the old name,
    and its earlier runs must not sit beside the new ones. One rename takes it away, so readers see it
    whole or not at all; git history keeps it."""
    entry = Path(results_dir) / entry_name(model, fmt)
    if not entry.is_dir():
        return False
    with locks.hold(entry, "removing a results entry"):
        trash = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".removed-"))
        os.rename(entry, trash / entry.name)
        shutil.rmtree(trash)
    return True


def addition_problems(entry: Path, meta: dict, files: list[Path]) -> list[str]:
    """Why these files cannot join an existing entry: it must be the same model in the same role, and a
    file already there is never replaced."""
    try:
        existing = read_metadata(entry)
    except Rejected as e:
        return [f"the existing entry {entry.name} is broken ({e}); fix or remove it first"]
    problems = [f"{entry.name} already exists with {key} {existing.get(key)!r}, not {meta.get(key)!r}"
                for key in ("model", "role", "base_model", "teacher")
                if (key in ("model", "role") or meta.get(key) is not None) and existing.get(key) != meta.get(key)]
    return problems + [f"{stored_name(f)} is already in {entry.name} (submitted before?)"
                       for f in files if (entry / stored_name(f)).exists()]


def _copy_in(src: Path, dest: Path) -> None:
    if RESULTS_FILE.fullmatch(src.name):
        atomic_write_text(dest, portable(src.read_text(encoding="utf-8")))
    elif dest.name.endswith(".gz") and not src.name.endswith(".gz"):
        with open(src, "rb") as f_in, gzip.open(dest, "wb") as f_out:
            shutil.copyfileobj(f_in, f_out)
    else:
        shutil.copyfile(src, dest)


def has_run(results_dir: Path, model: str, fmt: str, benchmark: str, limit: int | None,
            split: str | None = None) -> bool:
    """Whether the model's entry already holds a run of this benchmark in this format at this test size:
    one run of the whole benchmark, or runs of each of its test splits; with `split`, of that one split."""
    entry = Path(results_dir) / entry_name(model, fmt)
    try:
        runs = read_metadata(entry).get("runs", [])
    except Rejected:
        return False

    def held(task: str) -> bool:
        return any(task in (r.get("tasks") or []) and r.get("limit") == limit and
                   all((entry / f).is_file() for f in r.get("files") or []) for r in runs)

    bench = BENCHMARKS[benchmark]
    return held(benchmark_task(bench, fmt)) or all(held(task_name(bench, s, fmt))
                                                   for s in ([split] if split else bench.test_splits))


def as_object(value) -> dict:
    """A metadata field meant to be an object (`data`, `training`, `cost`...), or {}: a wrong type counts as
    missing, for the board and the runner alike."""
    return value if isinstance(value, dict) else {}


def trained_on(results_dir: Path, model: str, fmt: str) -> str | None:
    """The sha256 of the training file a student's entry says it learned from; None if it says none (or says it
    in a shape the board would not read either)."""
    try:
        data = read_metadata(Path(results_dir) / entry_name(model, fmt)).get("data")
    except Rejected:
        return None
    return as_object(data).get("sha256")


def refusal(problems: list[str]) -> DistillError:
    """Every problem in one line: what `distill submit` and the writer say when they write nothing."""
    return DistillError(f"refused: {len(problems)} problem{'s' if len(problems) > 1 else ''}: " + "; ".join(problems))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value) -> str | None:
    return str(value) if value is not None else None


def _show(value) -> str:
    """A value quoted for a rejection reason, cut short: it may be anything a file held."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
