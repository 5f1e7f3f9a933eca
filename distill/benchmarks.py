"""The benchmark registry: the one place that names each benchmark, its category, sources and splits.

Everything else (data preparation, prompts, lm-eval tasks, the board) asks this module.
"""

from dataclasses import dataclass

from distill.errors import DistillError

CATEGORIES = ("arithmetic", "commonsense", "symbolic")
FORMATS = ("fewshot_cot", "fewshot_direct", "ft_cot", "ft_direct")


@dataclass(frozen=True)
class Benchmark:
    key: str
    category: str
    answer_type: str  # a grading.ANSWER_TYPES value
    offline_source: str | None  # how the data is made without the hub, or None if hub-only
    hub_source: str | None  # the hub dataset id, for users who are online
    test_splits: tuple[str, ...] = ("test",)  # several for the length-generalisation sets
    train_split: str | None = "train"
    exemplars: str = ""  # where the few-shot exemplars come from (recorded in task metadata)
    n_exemplars: int = 8  # Wei et al. (2022) counts, unless the exemplar source has fewer

    @property
    def offline(self) -> bool:
        return self.offline_source is not None

    @property
    def splits(self) -> tuple[str, ...]:
        return ((self.train_split,) if self.train_split else ()) + self.test_splits


_ARITH_EXEMPLARS = "lm-eval gsm8k-cot.yaml (Wei et al. 2022, 8 exemplars)"

BENCHMARKS: dict[str, Benchmark] = {
    b.key: b
    for b in [
        Benchmark("gsm8k", "arithmetic", "number", None, "openai/gsm8k", exemplars=_ARITH_EXEMPLARS),
        Benchmark("svamp", "arithmetic", "number", None, "ChilleD/SVAMP", exemplars=_ARITH_EXEMPLARS),
        Benchmark("asdiv", "arithmetic", "number", None, "EleutherAI/asdiv", train_split=None,
                  exemplars=_ARITH_EXEMPLARS),
        Benchmark("mawps", "arithmetic", "number", None, "MU-NLPC/Calc-mawps", exemplars=_ARITH_EXEMPLARS),
        Benchmark("multiarith", "arithmetic", "number", None, "ChilleD/MultiArith", exemplars=_ARITH_EXEMPLARS),
        Benchmark("gsm_symbolic", "arithmetic", "number", "reasoning-gym gsm_symbolic", None,
                  exemplars=_ARITH_EXEMPLARS),
        Benchmark("strategyqa", "commonsense", "yesno", "BIG-bench strategyqa (PyPI bigbench==1.0.0)",
                  "ChilleD/StrategyQA", exemplars="gold rationales of the train split, seeded", n_exemplars=6),
        Benchmark("csqa", "commonsense", "letter", None, "tau/commonsense_qa",
                  exemplars="train split questions, answer-only rationale", n_exemplars=7),
        Benchmark("date", "commonsense", "letter", "BIG-bench date_understanding (PyPI bigbench==1.0.0)",
                  "hails/bigbench", exemplars="lm-eval bbh/cot_fewshot/date_understanding.yaml",
                  n_exemplars=3),
        Benchmark("sports", "commonsense", "yesno", "BIG-bench sports_understanding (PyPI bigbench==1.0.0)",
                  "hails/bigbench", exemplars="lm-eval bbh/cot_fewshot/sports_understanding.yaml",
                  n_exemplars=3),
        Benchmark("last_letter", "symbolic", "string", "generated from US census names (PyPI names)",
                  "ChilleD/LastLetterConcat", test_splits=("test_2words", "test_3words", "test_4words"),
                  exemplars="generated from the train split, seeded", n_exemplars=4),
        Benchmark("coin_flip", "symbolic", "yesno", "generated from US census names (PyPI names)",
                  "skrishna/coin_flip", test_splits=("test_2flips", "test_3flips", "test_4flips"),
                  exemplars="generated from the train split, seeded", n_exemplars=8),
    ]
}


def get_benchmark(key: str) -> Benchmark:
    try:
        return BENCHMARKS[key]
    except KeyError:
        raise DistillError(f"unknown benchmark '{key}': choose from {', '.join(BENCHMARKS)}") from None


def parse_benchmarks(spec: str | None) -> list[Benchmark]:
    """'a,b' -> those benchmarks; None or 'offline' -> every offline one; 'all' -> every one."""
    if spec in (None, "", "offline"):
        return offline_benchmarks()
    if spec == "all":
        return list(BENCHMARKS.values())
    return [get_benchmark(k.strip()) for k in spec.split(",") if k.strip()]


def offline_benchmarks() -> list[Benchmark]:
    return [b for b in BENCHMARKS.values() if b.offline]


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise DistillError(f"unknown format '{fmt}': choose from {', '.join(FORMATS)}")
    return fmt


def split_suffix(split: str) -> str:
    """'test_3words' -> '3words', the part a task name carries; '' for the plain test split."""
    return split.removeprefix("test").lstrip("_")
