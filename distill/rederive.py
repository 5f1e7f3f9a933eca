"""Re-derive one task's score from lm-eval's sample log: what the outputs earn against our own test split.

Nothing a samples file says about the data or the grades is trusted. Each sample is matched by its
document id to the prepared test split of its benchmark; its question and gold answer must be ours;
each document is counted once; the documents are the whole split or its first N where the run declared
`--limit N`. Each output is graded again with the one grader (`distill.grading`) against our gold
answer, and the mean of those grades must be the score the results file claims.
"""

import math

from distill import data, grading
from distill.benchmarks import get_benchmark
from distill.errors import DistillError, Unavailable

OTHER_FIELDS = ("benchmark", "split", "choices")  # the rest of a document lm-eval logs, ours too
MAX_LISTED = 3  # documents named per problem; the count says how many there are


def check_task(records: list[dict], benchmark: str, split: str, metric_key: str, claimed: float,
               counted: int | None, limit, program: bool = False) -> list[str]:
    """Every reason the samples of one task do not earn its claimed score ([] when they do); `program`: the
    outputs are programs (program of thought), graded by what they compute."""
    try:
        ours = data.load_split(benchmark, split)
    except Unavailable:
        raise  # this machine cannot check it: that is no verdict on the entry
    except DistillError as e:
        return [f"cannot check against the {benchmark} {split} split: {e}"]
    metric, filter_name = metric_key.split(",", 1)
    records = [r for r in records if r.get("filter", filter_name) == filter_name]
    if counted is not None and len(records) != counted:
        return [f"{len(records)} samples, the results count {counted}"]
    matched, problems = _match(records, {q["id"]: q for q in ours}, benchmark, split)
    problems += _coverage(ours, {question["id"] for question, _, _ in matched}, limit, benchmark, split)
    if problems:
        return problems
    answer_type = get_benchmark(benchmark).answer_type
    grades = [float(grading.is_correct(output, question["answer"], answer_type, question.get("choices"), program))
              for question, output, _ in matched]
    disagree = sum(g != record.get(metric) for g, (_, _, record) in zip(grades, matched))
    if disagree:
        problems.append(f"{disagree} samples' {metric} disagree with the grader")
    earned = sum(grades) / len(grades) if grades else 0.0
    if not math.isclose(earned, claimed, abs_tol=1e-9):
        problems.append(f"claims {claimed:.4f}, its outputs earn {earned:.4f}")
    return problems


def _match(records: list[dict], by_id: dict[str, dict], benchmark: str, split: str):
    """Each sample as (our question, the model's output, the sample), and every way the samples are not our
    documents: unknown or repeated ids, a question, gold answer or other field not ours, an edited output."""
    matched, unknown, seen = [], [], {}
    changed: dict[str, list[str]] = {"question": [], "gold": [], "other": [], "output": []}
    for record in records:
        doc = record.get("doc") if isinstance(record.get("doc"), dict) else {}
        doc_id = doc.get("id")
        question = by_id.get(doc_id) if isinstance(doc_id, str) else None
        if question is None:
            unknown.append(repr(doc_id))
            continue
        seen[doc_id] = seen.get(doc_id, 0) + 1
        if doc.get("question") != question["question"]:
            changed["question"].append(doc_id)
        if doc.get("answer") != question["answer"] or str(record.get("target")) != question["answer"]:
            changed["gold"].append(doc_id)
        if any(doc.get(k) != question.get(k) for k in OTHER_FIELDS):
            changed["other"].append(doc_id)
        output = _output(record)
        if output is None:
            changed["output"].append(doc_id)
        matched.append((question, output, record))
    problems = (_listed(unknown, f"documents that are not in {benchmark} {split}")
                + _listed([i for i, n in seen.items() if n > 1], "documents counted more than once")
                + _listed(changed["question"], "documents whose question text is not ours")
                + _listed(changed["gold"], "documents whose gold answer is not ours")
                + _listed(changed["other"], f"documents whose {', '.join(OTHER_FIELDS)} are not ours")
                + _listed(changed["output"], "samples with no single model output (or a filtered one that differs)"))
    return matched, problems


def expected_count(split_size: int, limit) -> int:
    """How many documents a run covers: the whole split, or the first N under lm-eval's --limit
    (a fraction below 1 is that share of the split, rounded up, as lm-eval does)."""
    if limit is None:
        return split_size
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0:
        return -1  # a limit that is not a count declares nothing
    return min(split_size, math.ceil(split_size * limit) if limit < 1 else int(limit))


def _coverage(ours: list[dict], seen: set[str], limit, benchmark: str, split: str) -> list[str]:
    """The documents must be the split's first N, N being the whole split or the declared limit."""
    n = expected_count(len(ours), limit)
    if n < 0:
        return [f"the run declares --limit {limit!r}, which is not a count"]
    wanted = [q["id"] for q in ours[:n]]
    missing = [i for i in wanted if i not in seen]
    extra = sorted(seen - set(wanted))
    what = f"the first {n} of {benchmark} {split}" if n < len(ours) else f"all {n} of {benchmark} {split}"
    return (_listed(missing, f"documents missing from {what}") +
            _listed(extra, f"documents beyond {what}"))


def _output(record: dict) -> str | None:
    """The one text the model wrote, as lm-eval graded it: `filtered_resps` equals `resps` for our
    unfiltered tasks, so a sample whose two copies differ was edited after the fact."""
    resps, filtered = record.get("resps"), record.get("filtered_resps")
    raw = resps[0][0] if isinstance(resps, list) and len(resps) == 1 and isinstance(resps[0], list) \
        and len(resps[0]) == 1 else None
    shown = filtered[0] if isinstance(filtered, list) and len(filtered) == 1 else raw
    if not isinstance(raw, str) or shown != raw:
        return None
    return raw


def _listed(ids: list[str], what: str) -> list[str]:
    if not ids:
        return []
    more = f", and {len(ids) - MAX_LISTED} more" if len(ids) > MAX_LISTED else ""
    return [f"{len(ids)} {what} ({', '.join(map(str, ids[:MAX_LISTED]))}{more})"]
