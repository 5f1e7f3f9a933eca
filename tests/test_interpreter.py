"""The program-of-thought interpreter: right answers for honest programs; hostile ones graded wrong, fast,
with nothing outside touched."""

import re
import time

import pytest

from distill.interpreter import MAX_SECONDS, run_program


@pytest.mark.parametrize("source, answer", [
    ("apples = 3 + 5\nanswer = apples * 2", 16),
    ("price = 12.5\nanswer = round(price * 4 / 3, 2)", 16.67),
    ("total = 0\nfor day in range(1, 8):\n    if day % 2 == 0:\n        continue\n    total += day\n"
     "answer = total", 16),
    ("a, b = 7, 3\nanswer = a // b if a > b else b", 2),
    ("xs = [4, 8, 15]\nanswer = max(xs) - min(xs) + len(xs) + sum(xs) + xs[-1]", 56),
    ('"""Ann has 5 pens and buys 2 boxes of 6."""\nanswer = 5 + 2 * 6', 17),
    ("answer = -(2 ** 10) + abs(-4) + int(3.9) + float(1)", -1016.0),
    ("n = 0\nfor i in range(10):\n    n += i\n    if n > 10:\n        break\nanswer = n", 15),
])
def test_honest_programs_compute_their_answer(source, answer):
    result = run_program(source)
    assert (result.answer, result.error) == (answer, None)


HOSTILE = {
    "import": ("import os\nanswer = 1", "Import is not allowed"),
    "__import__": ("answer = __import__('os').system('touch {marker}')", "only calls to"),
    "dunder name": ("x = __builtins__\nanswer = 1", "__builtins__ is not allowed"),
    "open": ("f = open('{marker}', 'w')\nanswer = 1", "only calls to"),
    "class escape": ("answer = ().__class__.__mro__[1].__subclasses__()", "only calls to"),
    "class escape, no call": ("answer = ().__class__.__mro__", "Attribute is not allowed"),
    "while": ("while True:\n    pass\nanswer = 1", "While is not allowed"),
    "tower": ("answer = 10**10**10", r"larger than 2\*\*128"),
    "big string": ("answer = 'x' * 10**10", "longer than 1000"),
    "recursion": ("def f(n):\n    return f(n + 1)\nanswer = f(0)", "FunctionDef is not allowed"),
    "lambda": ("f = lambda: 1\nanswer = f()", "Lambda is not allowed"),
    "deep nesting": ("answer = " + "(" * 1000 + "1" + ")" * 1000, "not valid Python|nests deeper"),
    "print flood": ("for i in range(10**9):\n    print(i)\nanswer = 1", "only calls to"),
    "long loop": ("n = 0\nfor i in range(10**9):\n    n += 1\nanswer = n", "more than 1000 iterations"),
    "nested loops": ("n = 0\nfor i in range(1000):\n    for j in range(1000):\n        n += 1\nanswer = n",
                     "more than 20000 steps"),
    "100,000 lines": ("x = 1\n" * 100_000 + "answer = x", "longer than 4000 characters"),
    "quadratic sum": ("xs = [[0] * 1000] * 1000\nanswer = sum(xs, [])", "sum\\(\\) takes a list of numbers"),
    "float overflow": ("answer = 2.0 ** 100000", "OverflowError"),
    "division by zero": ("answer = 1 / 0", "ZeroDivisionError"),
    "no answer": ("x = 1", "never sets `answer`"),
    "exec": ("answer = exec('1')", "only calls to"),
    "comprehension": ("answer = sum([i for i in range(10)])", "ListComp is not allowed"),
    "complex": ("answer = (-8) ** 0.5", "not finite and real"),
    "slice": ("answer = 'abc'[::-1]", "Slice is not allowed"),
    "method call": ("answer = 'a'.join(['b', 'c'])", "only calls to"),
    "undefined": ("answer = y", "y is not defined"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_programs_are_graded_wrong_quickly_touching_nothing(name, tmp_path):
    marker = tmp_path / "touched"
    source, reason = HOSTILE[name]
    start = time.monotonic()
    result = run_program(source.replace("{marker}", str(marker)))
    assert time.monotonic() - start < 2 * MAX_SECONDS
    assert result.answer is None and result.error
    assert re.search(reason, result.error), result.error
    assert not marker.exists() and not list(tmp_path.iterdir())
