"""The sample browser's tables: each question with its gold answer, a model's chain of thought, the
answer the grader reads from it, whether lm-eval counted it right and, where the task's rule can check the
chain's steps (last_letter, coin_flip), whether it states a step the question contradicts (the filter's check
of teacher chains: a right answer reached through a wrong step is luck); and the same per-question outcomes,
without the text, for the paired comparisons and base rates. Pure; the app caches the reads.

The extracted answer comes from `distill.grading.answer_of`, the one grader lm-eval's metric used (for
program-of-thought outputs, the number the program computes, or why it computes none).
"""

import pandas as pd

from distill.benchmarks import get_benchmark
from distill.grading import answer_of, program_answer
from distill.prompts import render_question
from distill.sources.symbolic import STEP_CHECKED, wrong_step

SAMPLE_COLUMNS = ["id", "question", "gold", "output", "extracted", "correct", "wrong step"]
OUTCOME_COLUMNS = ["id", "gold", "answer", "correct", "options"]


def sample_table(records: list[dict], benchmark: str, program: bool = False) -> pd.DataFrame:
    """One row per lm-eval sample record; a record missing a field shows it empty instead of failing."""
    answer_type = get_benchmark(benchmark).answer_type
    rows = []
    for i, record in enumerate(records):
        doc = record.get("doc") if isinstance(record.get("doc"), dict) else {}
        output = first_response(record)
        choices = doc.get("choices") if isinstance(doc.get("choices"), list) else None
        rows.append({
            "id": str(doc.get("id", f"#{record.get('doc_id', i)}")),
            "question": _question(doc),
            "gold": str(record.get("target", doc.get("answer", ""))),
            "output": output.strip(),
            "extracted": _extracted(output, answer_type, choices, program),
            # lm-eval's own verdict, the one its score averaged; the grader decided it then.
            "correct": bool(record.get("exact_match")) if "exact_match" in record else None,
            "wrong step": wrong_step(benchmark, str(doc.get("question", "")), output)
            if benchmark in STEP_CHECKED and output and not program else None,
        })
    return pd.DataFrame(rows, columns=SAMPLE_COLUMNS)


def _extracted(output: str, answer_type: str, choices: list | None, program: bool) -> str | None:
    """What the grader reads; for a program that computes nothing, why not (the interpreter's reason)."""
    if not output:
        return None
    if program:
        answer, why = program_answer(output)
        return answer if why is None else f"no answer: {why}"
    return answer_of(output, answer_type, choices)


def outcomes(records: list[dict], benchmark: str, program: bool = False) -> list[tuple]:
    """OUTCOME_COLUMNS per record: the question's id and gold answer (`doc`), the answer the grader reads
    from the output, the sample's `exact_match` (which `distill verify` re-derived) and, for lettered
    questions, the number of options. A record without a `doc.id` cannot be paired and is left out."""
    answer_type = get_benchmark(benchmark).answer_type
    rows = []
    for record in records:
        doc = record.get("doc") if isinstance(record.get("doc"), dict) else {}
        if "id" not in doc or "exact_match" not in record:
            continue
        output = first_response(record)
        choices = doc.get("choices") if isinstance(doc.get("choices"), list) else None
        rows.append((str(doc["id"]), str(doc.get("answer", record.get("target", ""))),
                     answer_of(output, answer_type, choices, program) if output else None, bool(record["exact_match"]),
                     len(choices) if choices else None))
    return rows


def first_response(record: dict) -> str:
    """The raw generation: lm-eval logs `resps` as [[text]] per request."""
    resps = record.get("resps")
    while isinstance(resps, list) and resps:
        resps = resps[0]
    return resps if isinstance(resps, str) else ""


def _question(doc: dict) -> str:
    if not isinstance(doc.get("question"), str):
        return ""
    try:
        return render_question(doc)  # with its lettered options, as the model saw them
    except (KeyError, TypeError, IndexError):
        return doc["question"]


def side_by_side(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """Two models' samples on the questions both answered, matched by question id."""
    answers = ["output", "extracted", "correct", "wrong step"]
    return left.merge(right[["id", *answers]], on="id", suffixes=("", " (other)"))


def only_wrong(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["correct"] == False]  # noqa: E712 (None, unknown, is not wrong)
