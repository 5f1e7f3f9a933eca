"""Glue between lm-eval and the project: tasks load, prompt and grade through `distill`.

Wired into the task YAMLs with `!function utils.<name>`; nothing here decides a format or a grade.
"""

from functools import lru_cache, partial

import datasets

from distill import data, grading, prompts
from distill.benchmarks import get_benchmark


def load(benchmark: str, split: str, **_) -> datasets.DatasetDict:
    """lm-eval's `custom_dataset` hook; it also passes the task metadata (version, ...), ignored here."""
    records = data.load_split(benchmark, split)
    # Arrow wants one schema per column: `meta` varies by benchmark, and lm-eval never reads it.
    rows = [{k: v for k, v in r.items() if k != "meta"} for r in records]
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)})


@lru_cache(maxsize=None)
def _exemplars(benchmark: str) -> tuple[dict, ...]:
    return tuple(data.load_exemplars(benchmark))


def _prompt(fmt: str, doc: dict) -> str:
    return prompts.prompt(doc, fmt, list(_exemplars(doc["benchmark"])))


fewshot_cot = partial(_prompt, "fewshot_cot")
fewshot_direct = partial(_prompt, "fewshot_direct")
ft_cot = partial(_prompt, "ft_cot")
ft_direct = partial(_prompt, "ft_direct")


def process_results(doc: dict, results: list[str]) -> dict:
    answer_type = get_benchmark(doc["benchmark"]).answer_type
    correct = grading.is_correct(results[0], doc["answer"], answer_type, doc.get("choices"))
    return {"exact_match": float(correct)}
