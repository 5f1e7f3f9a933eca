"""GSM-Symbolic problems from reasoning-gym, with its step-by-step `answer_cot` as gold rationale."""

import re
from collections.abc import Iterator

from distill.benchmarks import Benchmark

TRAIN_SIZE, TEST_SIZE = 1000, 300  # before duplicates are dropped
# reasoning-gym appends an output instruction to every question; our prompt format says how to answer.
_INSTRUCTION = re.compile(r"\s*Give the result as your final answer\.\s*Do not include units\.\s*$")


def question_text(item: dict) -> str:
    """A reasoning-gym item's question as the benchmark asks it."""
    return _INSTRUCTION.sub("", item["question"])


def _rationale(answer_cot: str) -> str:
    body = answer_cot.split("####")[0]  # the text ends with "#### N", which the target states anyway
    return " ".join(body.split())


def draws(seed: int) -> Iterator[tuple[int, int, dict]]:
    """(0 for the training draw or 1 for the test draw, index, reasoning-gym item), in the order `build`
    reads them: the one place that says how the splits are drawn (scripts/gsm_templates.py reads it too)."""
    import reasoning_gym

    for offset, size in enumerate((TRAIN_SIZE, TEST_SIZE)):
        dataset = reasoning_gym.create_dataset("gsm_symbolic", size=size, seed=seed * 10 + offset)
        for i in range(size):
            yield offset, i, dataset[i]


def build(benchmark: Benchmark, seed: int) -> dict[str, list[dict]]:
    (test,) = benchmark.test_splits
    names = (benchmark.train_split, test)  # train first: its questions leave the test
    splits, seen = {name: [] for name in names}, set()
    for offset, i, item in draws(seed):
        question = question_text(item)
        if question in seen:  # keep the test split disjoint from train
            continue
        seen.add(question)
        meta, split = item["metadata"], names[offset]
        splits[split].append({"id": f"{benchmark.key}-{split}-{i:04d}", "question": question,
                              "answer": str(meta["answer_value"]), "rationale": _rationale(meta["answer_cot"]),
                              "choices": None, "meta": {"difficulty": meta["difficulty"]}})
    return splits
