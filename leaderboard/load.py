"""Reads every entry under results/ into one tidy table; whatever cannot be read is rejected with a reason.

    from leaderboard.load import load_board
    board = load_board("results")
    board.scores    # one row per entry and task: model, role, params, ..., benchmark, score, stderr, n, date
    board.rejected  # one row per rejected file or task: path, reason

An entry is a directory `<model-slug>__<format>/` holding `metadata.json` and either lm-eval's own
`results_<stamp>.json` + `samples_<task>_<stamp>.jsonl[.gz]` files (measured, or a published lm-eval
run), or, for numbers from papers, a `scores` list inside the metadata (see results/README.md).
A bad file, task or score is rejected on its own; it never stops the rest from loading.
No Streamlit here: the app caches `load_board`, and `distill submit` validates with the same functions.
"""

import gzip
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from distill.benchmarks import BENCHMARKS, FORMATS, task_name
from distill.evaluate import ROLES
from distill.paths import slug

RESULTS_FILE = re.compile(r"results_(?P<stamp>.+)\.json")
SAMPLES_FILE = re.compile(r"samples_(?P<task>.+)_(?P<stamp>\d{4}-\d\d-\d\dT[^_]+)\.jsonl(?:\.gz)?")
IGNORED = {"README.md", ".gitkeep"}  # documentation beside the entries, not entries
# lm-eval names a metric "<metric>,<filter>"; an exact-match score with no filter is ours (distill.grading).
METRIC_PREFERENCE = ("exact_match,none", "exact_match,strict-match", "exact_match,flexible-extract")
FALLBACK_METRIC = "acc,none"
MAX_NAME = 200
# Names are shown in tables, plots and paths: no markup, no escapes, no control characters.
_UNSAFE_CHARS = re.compile(r"[<>`\\\x00-\x1f\x7f]")

SCORE_COLUMNS = ["entry", "model", "role", "params", "base_model", "teacher", "format", "task", "benchmark",
                 "split", "category", "score", "stderr", "n", "date", "command", "lm_eval_version", "git_hash",
                 "source", "results_file", "samples_file"]
ENTRY_COLUMNS = ["entry", "model", "model_source", "role", "params", "base_model", "teacher", "format", "source",
                 "twin", "covers"]
REJECTED_COLUMNS = ["path", "reason"]


if TYPE_CHECKING:
    import pandas as pd


class Rejected(Exception):
    """Why one file, task or score cannot go on the board."""


@dataclass
class Board:
    results_dir: str
    scores: "pd.DataFrame"  # SCORE_COLUMNS
    entries: "pd.DataFrame"  # ENTRY_COLUMNS, one row per loaded entry
    rejected: "pd.DataFrame"  # REJECTED_COLUMNS
    metadata: dict[str, dict] = field(default_factory=dict)  # entry -> its metadata.json


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
    if isinstance(value, bool) or not isinstance(value, (int, float)):
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


def read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise Rejected(f"{path.name} cannot be read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise Rejected(f"{path.name} is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise Rejected(f"{path.name} is not valid JSON ({e.msg}, line {e.lineno}); truncated?") from None


def read_metadata(entry_dir: Path) -> dict:
    """The entry's metadata.json, checked: a bad one rejects the whole entry (its role is unknown)."""
    path = entry_dir / "metadata.json"
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
    expected_dir = f"{slug(meta['model'])}__{meta['format']}"
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


def load_entry(entry_dir: Path) -> tuple[list[dict], list[tuple[Path, str]], dict | None]:
    """(score rows, rejected (path, reason) pairs, metadata or None) of one entry directory."""
    try:
        meta = read_metadata(entry_dir)
    except Rejected as e:
        where = entry_dir / "metadata.json" if (entry_dir / "metadata.json").exists() else entry_dir
        return [], [(where, str(e))], None
    base = {"entry": entry_dir.name, "model": meta["model"], "role": meta["role"], "params": meta.get("params"),
            "base_model": meta.get("base_model"), "teacher": meta.get("teacher"), "format": meta["format"],
            "source": citation(meta)}
    if "scores" in meta:
        rows, problems = _reported_rows(entry_dir, meta)
    else:
        rows, problems = _measured_rows(entry_dir, meta)
    return [{**base, **row} for row in rows], problems, meta


def _reported_rows(entry_dir: Path, meta: dict) -> tuple[list[dict], list[tuple[Path, str]]]:
    """Published numbers typed in from a paper: {benchmark, split?, percent, stderr_percent?, n?} each."""
    path = entry_dir / "metadata.json"
    problems = [(p, "a reported entry holds only metadata.json; this file is not read")
                for p in sorted(entry_dir.iterdir()) if p.name != "metadata.json" and not p.name.startswith(".")]
    if not isinstance(meta["scores"], list):
        return [], problems + [(path, "scores is not a list")]
    rows = []
    for i, item in enumerate(meta["scores"]):
        try:
            rows.append(_reported_row(item, meta))
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
            "n": check_count(item.get("n"), "n"), "date": _text(meta.get("date")), "command": None,
            "lm_eval_version": None, "git_hash": None, "results_file": None, "samples_file": None}


def _measured_rows(entry_dir: Path, meta: dict) -> tuple[list[dict], list[tuple[Path, str]]]:
    """Rows from lm-eval's results files; a task in a newer file replaces the same task in an older one."""
    files = {p.name: p for p in entry_dir.iterdir() if not p.name.startswith(".")}
    problems = [(p, "not a results, samples or metadata file") for name, p in sorted(files.items())
                if name != "metadata.json" and not RESULTS_FILE.fullmatch(name) and not SAMPLES_FILE.fullmatch(name)]
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
                row["samples_file"] = str(_samples_file(files, task, stamp))
            except Rejected as e:
                problems.append((path, f"task {task}: {e}"))
                continue
            seen.add(task)
            rows.append({**row, **_provenance(results, run), "results_file": str(path)})
    return rows, problems


def read_results(path: Path) -> dict:
    """An lm-eval results file, or Rejected if it is not one."""
    results = read_json(path)
    if not isinstance(results, dict) or not isinstance(results.get("results"), dict) \
            or not isinstance(results.get("configs"), dict):
        raise Rejected("not lm-eval output: no 'results' and 'configs' objects")
    return results


def is_group(task: str, results: dict) -> bool:
    """lm-eval lists groups (means over their tasks) among the results; the board recomputes those."""
    return any(isinstance(results.get(key), dict) and task in results[key] for key in ("groups", "group_subtasks"))


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
            "n": check_count(counts.get("effective") if isinstance(counts, dict) else None, "n-samples effective")}


def _samples_file(files: dict[str, Path], task: str, stamp: str) -> Path:
    for name in (f"samples_{task}_{stamp}.jsonl.gz", f"samples_{task}_{stamp}.jsonl"):
        if name in files:
            return files[name]
    raise Rejected(f"no samples file samples_{task}_{stamp}.jsonl[.gz] (run lm-eval with --log_samples)")


def _run_for(meta: dict, results_name: str) -> dict:
    """The metadata run that wrote this results file, or {} for files copied in some other way."""
    return next((r for r in meta.get("runs", []) if results_name in (r.get("files") or [])), {})


def _provenance(results: dict, run: dict) -> dict:
    """Where a score came from; the run record first (it has the project's full git hash and command)."""
    date = run.get("date")
    if date is None and _is_number(results.get("date")):
        date = datetime.fromtimestamp(results["date"], timezone.utc).isoformat(timespec="seconds")
    return {"date": _text(date), "command": _text(run.get("command")),
            "lm_eval_version": _text(run.get("lm_eval_version") or results.get("lm_eval_version")),
            "git_hash": _text(run.get("git_hash") or results.get("git_hash"))}


def load_board(results_dir) -> Board:
    """Every entry under `results_dir`; a missing directory is an empty board, not an error."""
    import pandas as pd  # only here: `distill submit` checks files with this module and should start fast

    root = Path(results_dir)
    rows, rejected, metadata, entries = [], [], {}, []
    children = sorted(root.iterdir()) if root.is_dir() else []
    for child in children:
        if child.name.startswith(".") or child.name in IGNORED:
            continue  # hidden: in-progress `distill eval`/`submit` directories and temp files
        if not child.is_dir():
            rejected.append((child, "not an entry directory"))
            continue
        entry_rows, problems, meta = load_entry(child)
        rows += entry_rows
        rejected += problems
        if entry_rows:  # an entry with no loadable score is not on the board (its problems are rejected)
            metadata[child.name] = meta
            entries.append({**entry_rows[0], "model_source": _text(meta.get("model_source")),
                            "twin": meta.get("answer_only_twin"),
                            "covers": ",".join(sorted({row["benchmark"] for row in entry_rows}))})
    scores = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    entries = pd.DataFrame(entries, columns=ENTRY_COLUMNS)
    for table in (scores, entries):
        table["params"] = table["params"].astype("Float64")  # nullable: unknown sizes stay missing
    rejected_df = pd.DataFrame([(_relative(p, root), reason) for p, reason in rejected], columns=REJECTED_COLUMNS)
    return Board(str(root), scores, entries, rejected_df, metadata)


def fingerprint(results_dir) -> str:
    """A digest of every file's name, size and mtime: changes whenever results do, costs only stat calls."""
    digest = hashlib.sha1()
    root = Path(results_dir)
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                stat = os.stat(os.path.join(dirpath, name))
                digest.update(f"{dirpath}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read_samples(path) -> list[dict]:
    """lm-eval's per-sample log, gzip-compressed or plain; a line that is not a JSON object is rejected."""
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    records = []
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise Rejected(f"{path.name}:{lineno} is not a JSON object")
                records.append(record)
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise Rejected(f"{path.name} cannot be read ({e})") from None
    except json.JSONDecodeError as e:
        raise Rejected(f"{path.name}:{lineno} is not valid JSON ({e.msg})") from None
    return records


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value) -> str | None:
    return str(value) if value is not None else None


def _show(value) -> str:
    """A value quoted for a rejection reason, cut short: it may be anything a file held."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
