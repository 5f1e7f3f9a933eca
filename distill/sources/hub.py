"""Benchmarks that live only on the Hugging Face Hub: fetched with `datasets`, converted to canonical records."""

from __future__ import annotations

import logging
import os
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Callable, Iterable

from distill.benchmarks import BENCHMARKS, Benchmark, HubDataset, offline_benchmarks
from distill.errors import DistillError

log = logging.getLogger(__name__)



def one_line(text: object) -> str:
    return " ".join(str(text).split())


def canonical_number(value: object) -> str | None:
    """'1,234' -> '1234', '27.0' -> '27', '2.50' -> '2.5', '5/8' -> '0.625'; None if not one plain number."""
    text = str(value).strip().replace(",", "")
    fraction = re.fullmatch(r"(-?\d+)\s*/\s*(\d+)", text)
    try:
        if fraction:
            exact = Fraction(int(fraction[1]), int(fraction[2]))
            # Only fractions with a finite decimal expansion can be written as a plain decimal.
            if 10 ** 30 % exact.denominator:
                return None
            number = Decimal(exact.numerator) / Decimal(exact.denominator)
        else:
            number = Decimal(text)
    except (InvalidOperation, ValueError, ZeroDivisionError):
        return None
    if not number.is_finite():
        return None
    result = format(number.normalize(), "f")
    return "0" if result == "-0" else result


def _yes_no(value: object) -> str | None:
    return {"true": "yes", "yes": "yes", "false": "no", "no": "no"}.get(str(value).strip().lower())


def _gsm8k(row: dict) -> dict | None:
    solution, marker, final = row["answer"].rpartition("####")
    if not marker:
        return None
    # <<48/2=24>> is calculator markup for the dataset's tool-use variant, not prose.
    rationale = one_line(re.sub(r"<<[^<>]*>>", "", solution))
    return {"question": one_line(row["question"]), "answer": canonical_number(final),
            "rationale": rationale or None, "meta": {"raw_answer": final.strip()}}


def _svamp(row: dict) -> dict | None:
    question = row.get("question_concat") or f"{row['Body']} {row['Question']}"
    return {"id": row.get("ID"), "question": one_line(question), "answer": canonical_number(row["Answer"]),
            "meta": {"raw_answer": str(row["Answer"]), "equation": row.get("Equation"), "type": row.get("Type")}}


def _asdiv(row: dict) -> dict | None:
    # "9 (apples)" -> "9"; ratios ("2:3") and several answers ("3 (cats); 5 (dogs)") stay unparseable.
    value = re.sub(r"\s*\([^()]*\)\s*$", "", row["answer"])
    return {"question": one_line(f"{row['body']} {row['question']}"), "answer": canonical_number(value),
            "meta": {"raw_answer": row["answer"], "formula": row.get("formula"),
                     "solution_type": row.get("solution_type")}}


def _mawps(row: dict) -> dict | None:
    # The chain is calculator markup (<gadget>/<output>), not a prose rationale: keep it in meta only.
    return {"id": row.get("id"), "question": one_line(row["question"]), "answer": canonical_number(row["result"]),
            "meta": {"raw_answer": row["result"], "chain": row.get("chain"), "equation": row.get("equation")}}


def _multiarith(row: dict) -> dict | None:
    return {"question": one_line(row["question"]), "answer": canonical_number(row["final_ans"]),
            "meta": {"raw_answer": str(row["final_ans"])}}


def _csqa(row: dict) -> dict | None:
    options = sorted(zip(row["choices"]["label"], row["choices"]["text"]))
    letters = [label for label, _ in options]
    key = (row.get("answerKey") or "").strip().upper()
    # Skip unlabeled rows, and any whose labels are not A, B, C... (choices[i] must be letter i).
    if key not in letters or letters != [chr(ord("A") + i) for i in range(len(letters))]:
        return None
    return {"id": row.get("id"), "question": one_line(row["question"]), "answer": key,
            "choices": [one_line(text) for _, text in options],
            "meta": {"question_concept": row.get("question_concept")}}


def _strategyqa(row: dict) -> dict | None:
    facts = row.get("facts") or []
    facts = [one_line(fact) for fact in ([facts] if isinstance(facts, str) else facts)]
    # Facts are sentences; end each with a full stop so joining them keeps them apart.
    rationale = " ".join(fact if fact.endswith((".", "!", "?")) else fact + "." for fact in facts if fact)
    return {"id": row.get("qid"), "question": one_line(row["question"]), "answer": _yes_no(row["answer"]),
            "rationale": rationale or None, "meta": {"term": row.get("term"), "description": row.get("description")}}


# hub row -> partial canonical fields, or None to skip; where each dataset lives is in the registry.
CONVERTERS: dict[str, Callable[[dict], dict | None]] = {
    "gsm8k": _gsm8k, "svamp": _svamp, "asdiv": _asdiv, "mawps": _mawps, "multiarith": _multiarith, "csqa": _csqa,
    "strategyqa": _strategyqa,
}


def _hub_split(benchmark: str, split: str) -> tuple[HubDataset, str]:
    if benchmark not in CONVERTERS:
        raise DistillError(f"unknown hub benchmark {benchmark!r}: choose one of {', '.join(CONVERTERS)}")
    hub = BENCHMARKS[benchmark].hub
    if split not in hub.splits:
        raise DistillError(f"benchmark {benchmark!r} has no split {split!r}: choose one of {', '.join(hub.splits)}")
    return hub, hub.splits[split]


def convert_records(benchmark: str, split: str, rows: Iterable[dict]) -> list[dict]:
    """Canonical records from raw hub rows (ids, benchmark, split filled in).

    Used by load_hub and by tests on fixtures. Rows without one usable answer are skipped, with a warning."""
    _hub_split(benchmark, split)
    records, seen, skipped = [], set(), 0
    for index, row in enumerate(rows):
        fields = CONVERTERS[benchmark](dict(row))
        if fields is None or fields.get("answer") is None:
            skipped += 1
            continue
        own_id = fields.get("id")
        record_id = f"{benchmark}-{own_id}" if own_id else f"{benchmark}-{split}-{index:05d}"
        if record_id in seen:  # ids must stay unique even if the source repeats one
            record_id = f"{record_id}-{index:05d}"
        seen.add(record_id)
        records.append({"id": record_id, "benchmark": benchmark, "split": split,
                        "question": fields["question"], "answer": fields["answer"],
                        "rationale": fields.get("rationale"), "choices": fields.get("choices"),
                        "meta": fields.get("meta") or {}})
    if skipped:
        log.warning("%s %s: skipped %d of %d records without one usable answer (e.g. a ratio or several answers)",
                    benchmark, split, skipped, skipped + len(records))
    return records


# Exception class names (anywhere in the MRO) that mean "the hub could not be reached"; by name so that
# requests-, httpx- and huggingface_hub-based versions of `datasets` are all recognised without importing them.
_UNREACHABLE = {"ConnectionError", "TimeoutError", "ConnectError", "TimeoutException",
                "OfflineModeIsEnabled", "LocalEntryNotFoundError"}


def _is_unreachable(exc: BaseException | None) -> bool:
    while exc is not None:
        if any(cls.__name__ in _UNREACHABLE for cls in type(exc).__mro__):
            return True
        exc = exc.__cause__ if exc.__cause__ is not None else (None if exc.__suppress_context__ else exc.__context__)
    return False


def _offline_env() -> bool:
    return any(os.environ.get(name, "").strip().upper() in {"1", "ON", "YES", "TRUE"}
               for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


def _unreachable_message(benchmark: str, source: HubDataset) -> str:
    return (f"benchmark {benchmark!r} needs the Hugging Face Hub ({source.path}), which is not reachable here: "
            f"connect to the internet (and unset HF_HUB_OFFLINE), "
            f"or use an offline benchmark: {', '.join(b.key for b in offline_benchmarks())}")


def load_hub(benchmark: str, split: str) -> list[dict]:
    """Download (or read the datasets cache) and convert one split.

    Raises DistillError when the hub is unreachable or offline mode is on."""
    source, hub_split = _hub_split(benchmark, split)
    # `datasets` reads the offline variables once, at import; checking them here fails fast and never dials out.
    if _offline_env():
        raise DistillError(_unreachable_message(benchmark, source))
    import datasets  # heavy import, only needed when actually downloading

    extra = {"revision": source.revision} if source.revision else {}
    try:
        rows = datasets.load_dataset(source.path, source.config, split=hub_split, **extra)
    except Exception as exc:
        if _is_unreachable(exc):
            raise DistillError(_unreachable_message(benchmark, source)) from exc
        raise
    return convert_records(benchmark, split, rows)


def build(benchmark: Benchmark, seed: int) -> dict[str, list[dict]]:
    """Every split of a hub benchmark, as the hub splits them (`seed` changes nothing here)."""
    return {split: load_hub(benchmark.key, split) for split in benchmark.splits}
