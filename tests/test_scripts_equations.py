"""scripts/equations.py: which "a op b = c" steps a chain writes, and whether each is right."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))
import equations  # noqa: E402


def test_steps_are_read_and_checked():
    chain = ("He has 35 + 93 = 126 apples, gives 9 × 58 = 522 away, keeps 72 * 0.54 = 39 pebbles, "
             "splits $1,200 / 4 = $300 and has 160-30=130 left.")
    assert equations.steps(chain) == [("+", False), ("*", True), ("*", True), ("/", True), ("-", True)]
    assert equations.steps("£2.46 x 19 = £46.74, then €900 / 6 = €150 and ₹5 + ¥3 = 9") == [
        ("*", True), ("/", True), ("+", False)]


def test_a_result_is_right_when_it_is_the_exact_value_rounded_to_its_decimals():
    assert equations.step_is_right("10", "/", "4", "2.5")
    assert equations.step_is_right("10", "/", "3", "3.33")
    assert not equations.step_is_right("10", "/", "3", "3.4")
    assert equations.step_is_right("5", "/", "0", "3") is None


def test_part_of_a_longer_expression_is_not_a_step():
    for text in ("He paid $470000 x 1/100 = $4700 in fees.", "He paid $470000 x $1/100 = $4700 in fees.",
                 "He paid £470000 x £1/100 = £4700 in fees.", "fees of €4700 + €23000 + €330000 = €707000",
                 "so 2 + 3 * 4 = 14", "so 2 +  3*4 = 14", "fees of $4700 + $23000 + $330000 = $707000",
                 "half: 6/12 = 1/2", "a share of 10 / 20 = 50.0%", "at 3:45 + 15 = 4:00", "2 + 3 = 5 + 1 = 6",
                 "2^3 + 1 = 9"):
        assert equations.steps(text) == [], text
    assert equations.steps("T = 203 - 146 = 75 and a box 3 + 4 = 7") == [("-", False), ("+", True)]


def test_answers_are_sorted_by_their_checked_steps():
    assert equations.kind([("+", True), ("*", True)]) == "checked steps all right"
    assert equations.kind([("+", True), ("-", False)]) == "a step wrong"
    assert equations.kind([]) == "no step read"
