"""Is a CoT student's arithmetic right? Checks every "a op b = c" step its chains write on a benchmark.

A student can set a word problem up right and still miss it by a wrong sum ("128 * 5 = 616"). For each
entry this tallies, per operation, the steps whose result is right, and splits the answers by whether
every step was right: a wrong answer with right steps went wrong in the set-up, not the arithmetic.

    .venv/bin/python scripts/equations.py results/<student>__ft_cot [results/<other>__ft_cot ...]

A step is right when c is a rounded to as many decimals as c shows (so "72 * 0.54 = 39" is right).
Only two-operand steps are read; longer expressions and unit words between the numbers are skipped.
--benchmark picks the samples of an entry evaluated on several (default gsm_symbolic).
"""

import argparse
import re
from fractions import Fraction
from pathlib import Path

from distill import results as results_format

NUMBER = r"\$?(\d[\d,]*(?:\.\d+)?)"
OPERATOR = r"[-+*/×÷x]"
# the first operand must not continue a longer expression ("470000 x 1/100 = 4700" is not "1/100 = 4700")
STEP = re.compile(rf"(?<![\d.,])(?<!{OPERATOR})(?<!{OPERATOR}\s){NUMBER}\s*({OPERATOR})\s*{NUMBER}\s*=\s*{NUMBER}")
OPERATIONS = {"+": "+", "-": "-", "*": "*", "×": "*", "x": "*", "/": "/", "÷": "/"}


def _value(text: str) -> Fraction:
    return Fraction(text.replace(",", ""))


def step_is_right(a: str, operation: str, b: str, c: str) -> bool | None:
    """Whether c is a op b rounded to c's decimals; None where it is undefined (division by zero)."""
    x, y, shown = _value(a), _value(b), _value(c)
    op = OPERATIONS[operation]
    if op == "/" and y == 0:
        return None
    exact = {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else None}[op]
    decimals = len(c.split(".")[1]) if "." in c else 0
    return abs(exact - shown) <= Fraction(1, 2 * 10**decimals)


def steps(text: str) -> list[tuple[str, bool]]:
    """(operation, right) for each two-operand step in a chain."""
    found = []
    for a, operation, b, c in STEP.findall(text):
        right = step_is_right(a, operation, b, c)
        if right is not None:
            found.append((OPERATIONS[operation], right))
    return found


def tally(entry: Path, benchmark: str) -> dict:
    """Steps right and written per operation, and answers by whether all their steps were right."""
    meta = results_format.read_metadata(entry)
    task = results_format.benchmark_task(results_format.BENCHMARKS[benchmark], meta["format"])
    files = sorted(entry.glob(f"samples_{task}_*.jsonl.gz"))
    if not files:
        raise SystemExit(f"{entry}: no samples of {task}")
    counts = {"ops": {}, "right_clean": 0, "right": 0, "wrong_clean": 0, "wrong": 0, "model": meta["model"]}
    for sample in results_format.read_samples(files[-1]):
        found = steps(sample["resps"][0][0])
        for op, right in found:
            done = counts["ops"].setdefault(op, [0, 0])
            done[0] += right
            done[1] += 1
        outcome = "right" if sample["exact_match"] else "wrong"
        counts[outcome] += 1
        counts[f"{outcome}_clean"] += all(right for _, right in found)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("entries", type=Path, nargs="+", help="results/ entries of models that write chains")
    parser.add_argument("--benchmark", default="gsm_symbolic", choices=sorted(results_format.BENCHMARKS),
                        help="whose samples to read (default gsm_symbolic)")
    args = parser.parse_args()
    ops = list(dict.fromkeys(OPERATIONS.values()))
    print(f"| model | {' | '.join(f'{op} right' for op in ops)} | all steps right | right answers with every step "
          "right | wrong answers with every step right |")
    print(f"| --- | {' | '.join('---:' for _ in ops)} | ---: | ---: | ---: |")
    for entry in args.entries:
        t = tally(entry, args.benchmark)
        cells = [f"{t['ops'].get(op, [0, 0])[0]} of {t['ops'].get(op, [0, 0])[1]}" for op in ops]
        right, written = (sum(v[i] for v in t["ops"].values()) for i in (0, 1))
        print(f"| {t['model']} | {' | '.join(cells)} | {right} of {written} | {t['right_clean']} of {t['right']} | "
              f"{t['wrong_clean']} of {t['wrong']} |")


if __name__ == "__main__":
    main()
