"""Is a CoT student's arithmetic right? Checks every "a op b = c" step its chains write on a benchmark.

A student can set a word problem up right and still miss it by a wrong sum ("128 * 5 = 616"). For each
entry this tallies, per operation, the steps whose result is right, and splits right and wrong answers
into those whose checked steps are all right, those with a wrong step, and those with no step read (whose
arithmetic this cannot judge). A wrong answer whose checked steps are all right went wrong elsewhere: an
unchecked step, or the set-up.

    .venv/bin/python scripts/equations.py results/<student>__ft_cot [results/<other>__ft_cot ...]

A step is right when c is a rounded to as many decimals as c shows (so "72 * 0.54 = 39" is right).
Only two-operand steps are read: longer expressions ("$470000 x 1/100 = $4700"), fractions, percentages
and times on either side, and unit words between the numbers ("96 plants × $3 = $296") are skipped.
--benchmark picks the samples of an entry evaluated on several (default gsm_symbolic).
"""

import argparse
import collections
import operator
import re
from fractions import Fraction
from pathlib import Path

from distill import results as results_format
from distill.results import Rejected
from leaderboard.samples import first_response

CURRENCY = r"[$€£¥₹]?"  # GSM-Symbolic's questions pay in several currencies
NUMBER = rf"{CURRENCY}(\d[\d,]*(?:\.\d+)?)"
OPERATOR = r"[-+*/×÷x]"
STEP = re.compile(rf"(?<![\d.,]){NUMBER}\s*({OPERATOR})\s*{NUMBER}\s*=\s*{NUMBER}")
# text just before a step that makes it part of something longer: an operator, a time's colon, "3 x"
LONGER_BEFORE = re.compile(rf"(?:[-+*/×÷^]|\d:|\d\s*x)\s*{CURRENCY}\s*$")
# ... or just after it: a fraction, time or percentage ("= 1/2", "= 4:00", "= 50%"), or the sum going on
LONGER_AFTER = re.compile(rf"[\d/:%]|\s*{OPERATOR}\s*{CURRENCY}\d")
OPERATIONS = {"+": "+", "-": "-", "*": "*", "×": "*", "x": "*", "/": "/", "÷": "/"}
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _value(text: str) -> Fraction:
    return Fraction(text.replace(",", ""))


def step_is_right(a: str, operation: str, b: str, c: str) -> bool | None:
    """Whether c is a op b rounded to c's decimals; None where it is undefined (division by zero)."""
    x, y, shown = _value(a), _value(b), _value(c)
    op = OPERATIONS[operation]
    if op == "/" and y == 0:
        return None
    exact = ARITHMETIC[op](x, y)
    decimals = len(c.split(".")[1]) if "." in c else 0
    return abs(exact - shown) <= Fraction(1, 2 * 10**decimals)


def steps(text: str) -> list[tuple[str, bool]]:
    """(operation, right) for each two-operand step in a chain."""
    found = []
    for match in STEP.finditer(text):
        if LONGER_BEFORE.search(text, 0, match.start()) or LONGER_AFTER.match(text, match.end()):
            continue
        a, operation, b, c = match.groups()
        right = step_is_right(a, operation, b, c)
        if right is not None:
            found.append((OPERATIONS[operation], right))
    return found


KINDS = ("checked steps all right", "a step wrong", "no step read")


def kind(found: list[tuple[str, bool]]) -> str:
    """Which of KINDS an answer's steps make it."""
    return KINDS[2] if not found else KINDS[0] if all(right for _, right in found) else KINDS[1]


def tally(entry: Path, benchmark: str) -> dict:
    """The model, steps right and read per operation, and (outcome, kind) -> answers, outcome right or wrong."""
    samples = results_format.benchmark_samples(entry, benchmark)
    if samples is None:
        raise SystemExit(f"{entry}: no samples of {benchmark}")
    ops, answers = {}, collections.Counter()
    for sample in results_format.read_samples(samples):
        found = steps(first_response(sample))
        for op, right in found:
            done = ops.setdefault(op, [0, 0])
            done[0] += right
            done[1] += 1
        answers["right" if sample["exact_match"] else "wrong", kind(found)] += 1
    return {"model": results_format.read_metadata(entry)["model"], "ops": ops, "answers": answers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("entries", type=Path, nargs="+", help="results/ entries of models that write chains")
    parser.add_argument("--benchmark", default="gsm_symbolic", choices=sorted(results_format.BENCHMARKS),
                        help="whose samples to read (default gsm_symbolic)")
    args = parser.parse_args()
    ops = list(dict.fromkeys(OPERATIONS.values()))
    outcomes = [(outcome, k) for outcome in ("right", "wrong") for k in KINDS]
    print(f"| model | {' | '.join(f'{op} right' for op in ops)} | steps right | "
          f"{' | '.join(f'{outcome} answers: {k}' for outcome, k in outcomes)} |")
    print(f"| --- | {' | '.join('---:' for _ in ops + outcomes)} | ---: |")
    for entry in args.entries:
        try:
            t = tally(entry, args.benchmark)
        except Rejected as e:  # not an entry, or a malformed one
            parser.error(str(e))
        cells = [f"{t['ops'].get(op, [0, 0])[0]} of {t['ops'].get(op, [0, 0])[1]}" for op in ops]
        right, read = (sum(v[i] for v in t["ops"].values()) for i in (0, 1))
        print(f"| {t['model']} | {' | '.join(cells)} | {right} of {read} | "
              f"{' | '.join(str(t['answers'][o]) for o in outcomes)} |")


if __name__ == "__main__":
    main()
