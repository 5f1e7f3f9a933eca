"""Few-shot exemplars, built once per benchmark when its data is prepared.

Nothing is pasted from papers. The arithmetic exemplars (Wei et al. 2022) are read from lm-eval's own
gsm8k-cot task, date and sports from lm-eval's BIG-Bench-Hard CoT prompts; the others come from the
benchmark's training split: its gold rationales (strategyqa, the generated symbolic sets) or, for
csqa, which has none, a one-line rationale naming the chosen option.
"""

import importlib.util
import random
import re
from pathlib import Path

import yaml

from distill.benchmarks import Benchmark

_ANSWER = re.compile(r"\s*(?:So )?the answer is\s*(.+?)\.?\s*$", re.IGNORECASE)
_OPTION = re.compile(r"^\(([A-Z])\)\s*(.*)$")


def _lm_eval_yaml(relative: str) -> dict:
    spec = importlib.util.find_spec("lm_eval")
    path = Path(spec.submodule_search_locations[0]) / "tasks" / relative

    class _Loader(yaml.SafeLoader):  # lm-eval YAMLs may hold `!function` tags; we only need the samples
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def _split_target(target: str) -> tuple[str, str]:
    """'... So the answer is (A).' -> ('...', '(A)')."""
    match = _ANSWER.search(target)
    return " ".join(target[: match.start()].split()), match.group(1).strip()


# Programs for the eight arithmetic exemplars, in their order, written here for program-of-thought prompts:
# plain statements that set `answer` (what distill.interpreter runs), one line each, no blank lines (a blank
# line ends a generation). A test runs each one and checks it computes its exemplar's answer.
ARITHMETIC_PROGRAMS = (
    "trees_before = 15\ntrees_after = 21\nanswer = trees_after - trees_before",
    "cars_parked = 3\ncars_arriving = 2\nanswer = cars_parked + cars_arriving",
    "leah = 32\nsister = 42\neaten = 35\nanswer = leah + sister - eaten",
    "lollipops_before = 20\nlollipops_after = 12\nanswer = lollipops_before - lollipops_after",
    "toys = 5\ntoys_per_parent = 2\nparents = 2\nanswer = toys + toys_per_parent * parents",
    "computers = 9\nadded_per_day = 5\ndays = 4  # monday to thursday\nanswer = computers + added_per_day * days",
    "golf_balls = 58\ngolf_balls -= 23  # tuesday\ngolf_balls -= 2  # wednesday\nanswer = golf_balls",
    "money = 23\nbagels = 5\nprice_per_bagel = 3\nanswer = money - bagels * price_per_bagel",
)


def _arithmetic() -> list[dict]:
    samples = _lm_eval_yaml("gsm8k/gsm8k-cot.yaml")["fewshot_config"]["samples"]
    out = []
    for s, program in zip(samples, ARITHMETIC_PROGRAMS, strict=True):
        rationale, answer = _split_target(s["target"])
        out.append({"question": s["question"], "answer": answer, "rationale": rationale, "program": program,
                    "choices": None})
    return out


def _bbh(task: str) -> list[dict]:
    samples = _lm_eval_yaml(f"bbh/cot_fewshot/{task}.yaml")["fewshot_config"]["samples"]
    out = []
    for s in samples:
        rationale, answer = _split_target(s["target"])
        question, _, options = s["input"].partition("\nOptions:\n")
        choices = [_OPTION.match(line).group(2) for line in options.splitlines() if line.strip()] or None
        out.append({"question": question.strip(), "answer": answer.strip("()"), "rationale": rationale,
                    "choices": choices})
    return out


def _from_train(train: list[dict], n: int, seed: int) -> list[dict]:
    with_rationale = [r for r in train if r.get("rationale")]
    picked = random.Random(f"exemplars-{seed}").sample(with_rationale, n)
    return [{k: r[k] for k in ("question", "answer", "rationale", "choices")} for r in picked]


def _csqa(train: list[dict], n: int, seed: int) -> list[dict]:
    picked = random.Random(f"exemplars-{seed}").sample(train, n)
    return [{"question": r["question"], "answer": r["answer"], "choices": r["choices"],
             "rationale": f'Of the options, "{r["choices"]["ABCDE".index(r["answer"])]}" answers the question best.'}
            for r in picked]


def build(benchmark: Benchmark, train: list[dict], seed: int) -> list[dict]:
    """The benchmark's exemplars, made the way the registry says (`exemplar_builder`)."""
    n, train = benchmark.n_exemplars, train[: benchmark.exemplar_pool]
    if benchmark.exemplar_builder == "gsm8k-cot":
        return _arithmetic()[:n]
    if benchmark.exemplar_builder == "bbh":
        return _bbh(benchmark.bigbench_task)[:n]
    if benchmark.exemplar_builder == "options":
        return _csqa(train, n, seed)
    return _from_train(train, n, seed)
