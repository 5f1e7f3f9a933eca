"""GSM-Symbolic problems from reasoning-gym, with its step-by-step `answer_cot` as gold rationale."""

import re

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


def build(benchmark: Benchmark, seed: int) -> dict[str, list[dict]]:
    import reasoning_gym

    splits, seen = {}, set()
    (test,) = benchmark.test_splits
    plan = [(benchmark.train_split, TRAIN_SIZE), (test, TEST_SIZE)]  # train first: its questions leave the test
    for offset, (split, size) in enumerate(plan):
        data = reasoning_gym.create_dataset("gsm_symbolic", size=size, seed=seed * 10 + offset)
        records = []
        for i in range(size):
            item = data[i]
            question = question_text(item)
            if question in seen:  # keep the test split disjoint from train
                continue
            seen.add(question)
            meta = item["metadata"]
            records.append({"id": f"{benchmark.key}-{split}-{i:04d}", "question": question,
                            "answer": str(meta["answer_value"]), "rationale": _rationale(meta["answer_cot"]),
                            "choices": None, "meta": {"difficulty": meta["difficulty"]}})
        splits[split] = records
    return splits
