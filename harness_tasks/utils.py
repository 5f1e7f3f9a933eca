"""Glue between lm-eval and the project: tasks load, prompt and grade through `distill`.

Wired into the task YAMLs with `!function utils.<name>`; nothing here decides a format or a grade.
"""

from functools import partial

import datasets

from distill import data, grading, prompts
from distill.benchmarks import get_benchmark


def load(benchmark: str, split: str, **_) -> datasets.DatasetDict:
    """lm-eval's `custom_dataset` hook; it also passes the task metadata (version, ...), ignored here.

    Besides the test split it returns our exemplars, in their stored order, as the few-shot split that
    lm-eval's `first_n` sampler draws from.
    """
    return datasets.DatasetDict({"test": _dataset(data.load_split(benchmark, split)),
                                 "exemplars": _dataset(data.load_exemplars(benchmark))})


def _dataset(records: list[dict]) -> datasets.Dataset:
    # Arrow wants one schema per column: `meta` varies by benchmark, and lm-eval never reads it.
    return datasets.Dataset.from_list([{k: v for k, v in r.items() if k != "meta"} for r in records])


doc_to_text = prompts.question

# What an exemplar shows after "A:" in each format: the few-shot doc_to_target. The test doc's own
# target stays its gold answer, which lm-eval logs and `distill submit` checks.
fewshot_cot_target = partial(prompts.target, fmt="fewshot_cot")
fewshot_direct_target = partial(prompts.target, fmt="fewshot_direct")
fewshot_pot_target = partial(prompts.target, fmt="fewshot_pot")


def process_results(doc: dict, results: list[str]) -> dict:
    answer_type = get_benchmark(doc["benchmark"]).answer_type
    correct = grading.is_correct(results[0], doc["answer"], answer_type, doc.get("choices"))
    return {"exact_match": float(correct)}


def process_program_results(doc: dict, results: list[str]) -> dict:
    """Program-of-thought tasks: the output is a program, graded by what distill.interpreter computes from it.
    `program_error` keeps, in each logged sample, why a program computed no answer ('' when it did)."""
    answer, error = grading.program_answer(results[0])
    correct = grading.matches(answer, doc["answer"], get_benchmark(doc["benchmark"]).answer_type)
    return {"exact_match": float(correct), "program_error": error or ""}


def failed_share(errors: list[str]) -> float:
    """`program_error`'s aggregate: the share of programs that computed no answer."""
    return sum(bool(e) for e in errors) / len(errors) if errors else 0.0
