"""The benchmark registry: the one place that names each benchmark, its category, sources and splits.

Everything else (data preparation, prompts, lm-eval tasks, the board) asks this module.
"""

from dataclasses import dataclass, field

from distill.errors import DistillError

CATEGORIES = ("arithmetic", "commonsense", "symbolic")
FORMATS = ("fewshot_cot", "fewshot_direct", "ft_cot", "ft_direct", "fewshot_pot", "ft_pot")
FEWSHOT_FORMATS = FORMATS[:2]  # how teachers and untrained models are evaluated
PROGRAM_FORMATS = ("fewshot_pot", "ft_pot")  # program of thought: the model writes a program that sets `answer`


@dataclass(frozen=True)
class HubDataset:
    """Where a benchmark lives on the Hugging Face Hub, for users who are online."""
    path: str  # the dataset ID
    config: str | None = None
    splits: dict[str, str] = field(default_factory=dict)  # our split -> the hub's, for the splits we load from it
    revision: str | None = None  # a ref to pin, where the default branch cannot be loaded by `datasets`


@dataclass(frozen=True)
class Benchmark:
    key: str
    category: str
    answer_type: str  # a grading.ANSWER_TYPES value
    builder: str | None  # the distill.sources module that makes it without the hub; None: loaded from the hub
    offline_source: str | None  # what that builder reads, in words (task metadata, README)
    hub: HubDataset | None
    test_splits: tuple[str, ...] = ("test",)  # several for the length-generalisation sets
    train_split: str | None = "train"
    other_train_splits: tuple[str, ...] = ()  # training splits a recipe may choose instead (`train_split:`)
    bigbench_task: str | None = None  # the BIG-bench task it comes from, where it does
    exemplar_builder: str = "train"  # distill.exemplars: "gsm8k-cot", "bbh", "train" (gold rationales), "options"
    exemplars: str = ""  # where the few-shot exemplars come from, in words (recorded in task metadata)
    n_exemplars: int = 8  # Wei et al. (2022) counts, unless the exemplar source has fewer
    exemplar_pool: int | None = None  # exemplars drawn from the first N training questions (None: all of them)

    @property
    def formats(self) -> tuple[str, ...]:
        """Program of thought only where the answer is a number a program computes: the arithmetic benchmarks."""
        return FORMATS if self.category == "arithmetic" else tuple(f for f in FORMATS if f not in PROGRAM_FORMATS)

    @property
    def offline(self) -> bool:
        return self.builder is not None

    @property
    def hub_source(self) -> str | None:
        return self.hub.path if self.hub else None

    @property
    def splits(self) -> tuple[str, ...]:
        return self.train_splits + self.test_splits

    @property
    def train_splits(self) -> tuple[str, ...]:
        return ((self.train_split,) if self.train_split else ()) + self.other_train_splits

    def training_split(self, chosen: str | None = None) -> str:
        """The split a teacher explains and students learn from: `chosen`, or the benchmark's own."""
        split = chosen or self.train_split
        if split not in self.train_splits:
            raise DistillError(f"{self.key} has no training split '{split}' (it has {', '.join(self.train_splits)})"
                               if self.train_splits else f"{self.key} has no training split: it is evaluated only")
        return split

    def split_tag(self, split: str) -> str:
        """What names a training split in teacher files and students: '' for the benchmark's own, else the split."""
        return "" if split == self.train_split else split


_TRAIN_TEST = {"train": "train", "test": "test"}
_ARITHMETIC = dict(category="arithmetic", answer_type="number", exemplar_builder="gsm8k-cot",
                   exemplars="lm-eval gsm8k-cot.yaml (Wei et al. 2022, 8 exemplars)")
HO_TRAIN_SIZE = 350  # Ho et al. (2023): the symbolic training split before it grew, and the exemplars' pool
_SYMBOLIC = dict(category="symbolic", builder="symbolic", offline_source="generated from US census names (PyPI names)",
                 exemplars="generated from the train split, seeded", exemplar_pool=HO_TRAIN_SIZE,
                 other_train_splits=("train_mixed",))  # 1, 2 and 3 words or flips: the length trade-off

BENCHMARKS: dict[str, Benchmark] = {
    b.key: b
    for b in [
        Benchmark("gsm8k", builder=None, offline_source=None, hub=HubDataset("openai/gsm8k", "main", _TRAIN_TEST),
                  **_ARITHMETIC),
        Benchmark("svamp", builder=None, offline_source=None, hub=HubDataset("ChilleD/SVAMP", None, _TRAIN_TEST),
                  **_ARITHMETIC),
        # main still holds a loading script, which `datasets` >= 4 refuses; refs/pr/1 is its parquet conversion.
        Benchmark("asdiv", builder=None, offline_source=None, train_split=None,
                  hub=HubDataset("EleutherAI/asdiv", "asdiv", {"test": "validation"}, revision="refs/pr/1"),
                  **_ARITHMETIC),
        Benchmark("mawps", builder=None, offline_source=None,
                  hub=HubDataset("MU-NLPC/Calc-mawps", None, {**_TRAIN_TEST, "validation": "validation"}),
                  **_ARITHMETIC),
        Benchmark("multiarith", builder=None, offline_source=None,
                  hub=HubDataset("ChilleD/MultiArith", None, _TRAIN_TEST), **_ARITHMETIC),
        Benchmark("gsm_symbolic", builder="gsm_symbolic", offline_source="reasoning-gym gsm_symbolic", hub=None,
                  **_ARITHMETIC),
        Benchmark("strategyqa", "commonsense", "yesno", "bigbench", "BIG-bench strategyqa (PyPI bigbench==1.0.0)",
                  HubDataset("ChilleD/StrategyQA", None, _TRAIN_TEST), bigbench_task="strategyqa",
                  exemplars="gold rationales of the train split, seeded", n_exemplars=6),
        # The hub's test split has no answer keys, so the labelled validation split serves as our test.
        Benchmark("csqa", "commonsense", "letter", None, None,
                  HubDataset("tau/commonsense_qa", None, {"train": "train", "test": "validation"}),
                  exemplar_builder="options", exemplars="train split questions, answer-only rationale", n_exemplars=7),
        Benchmark("date", "commonsense", "letter", "bigbench", "BIG-bench date_understanding (PyPI bigbench==1.0.0)",
                  HubDataset("hails/bigbench", "date_understanding_zero_shot"), bigbench_task="date_understanding",
                  exemplar_builder="bbh", exemplars="lm-eval bbh/cot_fewshot/date_understanding.yaml", n_exemplars=3),
        Benchmark("sports", "commonsense", "yesno", "bigbench", "BIG-bench sports_understanding (PyPI bigbench==1.0.0)",
                  HubDataset("hails/bigbench", "sports_understanding_zero_shot"), bigbench_task="sports_understanding",
                  exemplar_builder="bbh", exemplars="lm-eval bbh/cot_fewshot/sports_understanding.yaml", n_exemplars=3),
        Benchmark("last_letter", answer_type="string", hub=HubDataset("ChilleD/LastLetterConcat"),
                  test_splits=tuple(f"test_{n}words" for n in range(2, 7)), n_exemplars=4, **_SYMBOLIC),
        Benchmark("coin_flip", answer_type="yesno", hub=HubDataset("skrishna/coin_flip"),
                  test_splits=tuple(f"test_{n}flips" for n in range(2, 7)), n_exemplars=8, **_SYMBOLIC),
    ]
}


def get_benchmark(key: str) -> Benchmark:
    try:
        return BENCHMARKS[key]
    except KeyError:
        raise DistillError(f"unknown benchmark '{key}': choose from {', '.join(BENCHMARKS)}") from None


def parse_test_splits(key: str, spec: str | None) -> list[str]:
    """'test_3flips,test_4flips' -> those test splits of benchmark `key`, in its order; None -> every one."""
    known = get_benchmark(key).test_splits
    chosen = set(spec.split(",")) if spec else set(known)
    if unknown := chosen - set(known):
        raise DistillError(f"no {key} test split {', '.join(sorted(unknown))}: choose from {', '.join(known)}")
    return [s for s in known if s in chosen]


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
