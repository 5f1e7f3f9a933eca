"""`distill filter`: teacher CoTs -> training sets for the CoT student and its answer-only twin.

    distill filter teacher/last_letter.hint.jsonl --out train/
    distill filter --gold gsm_symbolic,strategyqa --out train/
    distill filter teacher/gsm_symbolic.hint.pot.jsonl --out train/     # programs -> ft_pot + ft_direct

Every record is graded again with today's grader against our own gold answer: the verdict frozen into
a teacher file when it was generated is not trusted, so a grading fix reaches existing teacher files.
For each benchmark it writes `<benchmark>.<source>.ft_cot.jsonl` (kept CoTs) and
`<benchmark>.<source>.ft_direct.jsonl` (the same questions, answers only), canonical records that
`distill.prompts` renders for training, plus `report.json`. Dropped: wrong answers, empty rationales,
repetition loops, rationales that only restate the answer, rationales with a step the task's rule
contradicts (where it can be checked: last_letter, coin_flip), duplicates, samples over the per-question
cap. A training file that would contain a test question (by id or by normalised text) is refused, naming them.

Teacher programs (`distill generate --format pot`) are run by the safe interpreter and kept when they compute
the gold answer, into `<benchmark>.<source>.ft_pot.jsonl` (the source name ends in `-pot`) and its twin; a
program that writes the hinted answer as a number the question does not contain restates the answer.
"""

import json
import re
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from distill import data
from distill.benchmarks import get_benchmark
from distill.errors import DistillError
from distill.generate import grade, read_cost, record_format, samples_per_question, sampling_tag
from distill.grading import program_of
from distill.jsonio import atomic_write_text, dumps_jsonl, read_jsonl
from distill.paths import slug
from distill.sources import symbolic
from distill.train_data import training_file

DROP_REASONS = ("wrong", "empty", "repetition", "restates_answer", "wrong_step", "duplicate", "over_cap")
DEFAULT_CAP = 4  # kept CoTs per question, unless asked otherwise
_WORD = re.compile(r"\w+")
_NUMERAL = re.compile(r"\d+(?:\.\d+)?")


def is_repetitive(text: str, n: int = 4, max_repeats: int = 3) -> bool:
    """A generation loop: some n-word phrase recurs more than `max_repeats` times."""
    words = _WORD.findall(text.lower())
    grams = Counter(tuple(words[i: i + n]) for i in range(len(words) - n + 1))
    return bool(grams) and max(grams.values()) > max_repeats


def restates_answer(rationale: str, answer: str) -> bool:
    """A 'rationale' that is only the answer again gives the student nothing to learn from."""
    words = [w for w in _WORD.findall(rationale.lower()) if w not in _WORD.findall(answer.lower())]
    return len(words) < 3


def program_restates_answer(program: str, question: str, answer: str) -> bool:
    """A program that writes the (hinted) answer as a number the question does not contain has copied it
    rather than computed it."""
    def numerals(text):
        return {str(Decimal(n).normalize()) for n in _NUMERAL.findall(text.replace(",", ""))}
    return bool(numerals(answer) & (numerals(program) - numerals(question)))


def drop_reason(record: dict, body: str, question: str, seen: set, per_question: Counter, cap: int) -> str | None:
    """Why a graded teacher record is not kept (None: kept); `body` is its rationale or its program."""
    if not record.get("correct"):
        return "wrong"
    if not body.strip():
        return "empty"
    if is_repetitive(body):
        return "repetition"
    program = record_format(record) == "pot"
    if program_restates_answer(body, question, record["gold"]) if program else restates_answer(body, record["gold"]):
        return "restates_answer"
    if symbolic.wrong_step(record["benchmark"], question, body):
        return "wrong_step"
    key = (record["question_id"], " ".join(body.lower().split()))
    if key in seen:
        return "duplicate"
    if per_question[record["question_id"]] >= cap:
        return "over_cap"
    seen.add(key)
    per_question[record["question_id"]] += 1
    return None


def _check_leakage(benchmark: str, records: list[dict]) -> None:
    tests = [r for split in get_benchmark(benchmark).test_splits for r in data.load_split(benchmark, split)]
    test_ids = {r["id"] for r in tests}
    test_texts = {data.question_key(r["question"]) for r in tests}
    leaked = sorted({r["id"] for r in records if r["id"] in test_ids or data.question_key(r["question"]) in test_texts})
    if leaked:
        raise DistillError(f"refusing to write a {benchmark} training file with {len(leaked)} test question(s): "
                           f"{', '.join(leaked[:10])}{' ...' if len(leaked) > 10 else ''}")


def _training_pair(out: Path, benchmark: str, source: str, kept: list[dict], fmt: str = "ft_cot") -> dict:
    """Write the `fmt` file (ft_cot, or ft_pot for programs) and its ft_direct twin over the same questions."""
    _check_leakage(benchmark, kept)
    direct, seen = [], set()
    for r in kept:
        if r["id"] not in seen:
            seen.add(r["id"])
            direct.append({**{k: v for k, v in r.items() if k != "program"}, "rationale": None})
    paths = {f: training_file(out, benchmark, source, f) for f in (fmt, "ft_direct")}
    atomic_write_text(paths[fmt], dumps_jsonl(kept))
    atomic_write_text(paths["ft_direct"], dumps_jsonl(direct))
    return {"format": fmt, f"{fmt}_file": str(paths[fmt]), "ft_direct_file": str(paths["ft_direct"]),
            "kept": len(kept), "questions": len(direct)}


def _canonical(question: dict, body: str, source: str, meta: dict, program: bool = False) -> dict:
    return {**{k: question[k] for k in data.FIELDS if k != "meta"},
            **({"rationale": None, "program": body} if program else {"rationale": body}),
            "meta": {"source": source, **meta}}


def filter_teacher(files: list[Path], out: Path, cap: int = DEFAULT_CAP, questions: int | None = None,
                   samples: int | None = None) -> dict:
    """Filter teacher CoT files into training pairs, one per (benchmark, teacher, mode, format, temperature),
    from the first `questions` questions of the split and the first `samples` samples of each (None: all), so a
    smaller training set or fewer CoTs per question is a subset of one published file, not another file."""
    groups, seconds = _groups(files)
    report = {}
    for key, records in sorted(groups.items()):
        report |= _filter_group(key, records, seconds[key], out, cap, questions, samples)
    return report


def _groups(files: list[Path]) -> tuple[dict[tuple, list[dict]], Counter]:
    """The teacher records by (benchmark, split, teacher, mode, format, temperature), and each group's share of
    its files' generation time."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    seconds: Counter = Counter()
    for path in files:
        keys = set()
        for record in read_jsonl(Path(path), torn_end_ok=True):  # a run may still be appending
            temperature = (record.get("sampling") or {}).get("temperature", 0.0)
            keys.add(key := (record["benchmark"], record["split"], record["teacher"], record["mode"],
                             record_format(record), temperature))
            groups[key].append(record)
        for key in keys:  # one teacher file is one group; its generation time goes with it
            seconds[key] += read_cost(Path(path))["seconds"] / len(keys)
    return groups, seconds


def _filter_group(key: tuple, records: list[dict], seconds: float, out: Path, cap: int, questions: int | None,
                  samples: int | None) -> dict:
    """{name: report} of one group's training pairs, written under `out`; {} when none of its records is wanted."""
    benchmark, split, teacher, mode, teacher_format, temperature = key
    split_questions = {q["id"]: q for q in data.load_split(benchmark, split)}
    unknown = sorted({r["question_id"] for r in records} - set(split_questions))
    if unknown:
        raise DistillError(f"{len(unknown)} {benchmark} {split} question(s) in the teacher files are not in "
                           f"our prepared split: {', '.join(unknown[:5])}")
    wanted = set(list(split_questions)[:questions])
    used = [r for r in records if r["question_id"] in wanted and (samples is None or r["sample_index"] < samples)]
    share = len(used) / len(records)  # of the file's generation time
    if not used:
        return {}
    regraded = [{**r, **grade(r.get("completion") or "", split_questions[r["question_id"]], teacher_format)}
                for r in used]
    changed = sum(a["correct"] != b.get("correct") for a, b in zip(regraded, used))
    records = regraded
    program = teacher_format == "pot"
    kept, dropped = _keep(records, split_questions, f"teacher:{teacher}:{mode}", cap, program)
    # Programs, and several CoTs per question (sampled), make other students than one greedy CoT: the name says so.
    output = "-".join(filter(None, (slug(teacher), mode, "pot" if program else "",
                                    get_benchmark(benchmark).split_tag(split))))
    source = "-".join(filter(None, (output, sampling_tag(samples_per_question(records), temperature))))
    kept_ids = {k["meta"]["generation_id"] for k in kept}
    return {f"{benchmark}.{source}": {
        "benchmark": benchmark, "teacher": teacher, "mode": mode, "source": source,
        "teacher_output": output,  # the teacher files' name: several K of one sampled file share it
        "records": len(records),
        "teacher_accuracy": round(sum(r["correct"] for r in records) / len(records), 4),
        "regraded_changed": changed,  # verdicts the grader now gives differently from the teacher file
        **({"programs_failed": sum(bool(r["program_error"]) for r in records)} if program else {}),
        "dropped": {reason: dropped[reason] for reason in DROP_REASONS},
        "tokens": sum(r["tokens"] for r in records),
        "teacher_seconds": round(seconds * share, 1),
        "kept_tokens": sum(r["tokens"] for r in records if r["id"] in kept_ids),
        **_by_length(records, kept_ids, split_questions),
        **_training_pair(out, benchmark, source, kept, "ft_pot" if program else "ft_cot"),
    }}


def _keep(records: list[dict], questions: dict[str, dict], source: str, cap: int, program: bool):
    """The training pairs of the records that pass every check (drop_reason), in question and sample order,
    and how many each check dropped."""
    seen, per_question, dropped, kept = set(), Counter(), Counter(), []
    for r in sorted(records, key=lambda r: (r["question_id"], r["sample_index"])):
        question = questions[r["question_id"]]
        body = program_of(r.get("completion") or "") if program else r["rationale"] or ""
        reason = drop_reason(r, body, question["question"], seen, per_question, cap)
        if reason:
            dropped[reason] += 1
        else:
            kept.append(_canonical(question, body, source, {"sample_index": r["sample_index"],
                                                            "generation_id": r["id"]}, program))
    return kept, dropped


def _by_length(records: list[dict], kept_ids: set[str], questions: dict[str, dict]) -> dict:
    """{"by_length": {length: questions, teacher right, kept}} for a split of several question lengths
    (train_mixed), else {}: a filter that keeps one length's chains and not another's shows here."""
    length = {i: (q.get("meta") or {}).get("length") for i, q in questions.items()}
    rows: dict = defaultdict(Counter)
    for r in records:
        row = rows[length[r["question_id"]]]
        row["questions"] += r["sample_index"] == 0
        row["right"] += bool(r["correct"])
        row["kept"] += r["id"] in kept_ids
    if len(rows) < 2:
        return {}
    return {"by_length": {str(n): dict(rows[n]) for n in sorted(rows)}}


def gold_sets(benchmarks: list[str], out: Path, limit: int | None = None, split: str | None = None) -> dict:
    """Training pairs from a benchmark's own gold rationales (human-written or programmatic), from the
    first `limit` questions (all by default) of its training split (or `split`), the same ones a teacher run
    with --limit sees."""
    report = {}
    for key in benchmarks:
        chosen = get_benchmark(key).training_split(split)
        train = data.load_split(key, chosen)[:limit]
        kept = [_canonical(q, q["rationale"], "gold", {}) for q in train if q.get("rationale")]
        if not kept:
            raise DistillError(f"benchmark '{key}' has no gold rationales: use a teacher's CoTs instead")
        source = "-".join(filter(None, ("gold", get_benchmark(key).split_tag(chosen))))
        report[f"{key}.{source}"] = {"benchmark": key, "teacher": "gold", "mode": "gold", "source": source,
                                     "records": len(train), **_training_pair(out, key, source, kept)}
    return report


def kept_text(entry: dict) -> str:
    """'kept 16 programs over 16 questions': one report entry's yield, in words."""
    what = "programs" if entry.get("format") == "ft_pot" else "CoTs"
    lengths = "; ".join(f"{n}: {row['kept']} of {row['right']} right, {row['questions']} questions"
                        for n, row in entry.get("by_length", {}).items())
    return f"kept {entry['kept']} {what} over {entry['questions']} questions" + (
        f" (by length, {lengths})" if lengths else "")


def write_report(out: Path, report: dict) -> Path:
    path = out / "report.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    atomic_write_text(path, json.dumps({**previous, **report}, indent=2, sort_keys=True) + "\n")
    return path

