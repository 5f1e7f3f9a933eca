"""Tests for distill.grading: answer extraction and correctness across the four answer types."""

from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from distill import grading
from distill.grading import ANSWER_TYPES, extract_answer, is_correct, normalize

COT = (
    "Let's think step by step.\n"
    "Olivia has $23. She bought five bagels for $3 each.\n"
    "5 x 3 = 15 dollars spent, so 23 - 15 = 8 dollars left.\n"
)

# (text, gold, answer_type, expected)
GRADING_CASES = [
    # --- number: right ---
    ("The answer is 18.", "18", "number", True),
    ("the answer is 18.0", "18", "number", True),
    ("The answer is 18.00.", "18.0", "number", True),
    ("The answer is $1,234.", "1234", "number", True),
    ("The answer is 1,234 dollars.", "1234", "number", True),
    ("The answer is $1,234.00.", "1,234", "number", True),
    ("The answer is **42**.", "42", "number", True),
    ("Final answer: 7", "7", "number", True),
    ("**Final answer:** 12", "12", "number", True),
    ("**Final Answer**: $12.50", "12.5", "number", True),
    ("The answer is -3.50.", "-3.5", "number", True),
    ("The answer is 0.50.", ".5", "number", True),
    ("The answer is 50%.", "50", "number", True),
    ("The answer is 18 apples.", "18", "number", True),
    ("The answer is 1,234,567.", "1234567", "number", True),
    (COT + "The answer is 8.", "8", "number", True),
    ("The answer is 42. Q: Tom has 3 cars. How many? A: The answer is 7.", "42", "number", True),
    ("The answer is 8.\nThe answer is 9.", "8", "number", True),
    ("So the answer is: 1,000", "1000", "number", True),
    ("Answer: The answer is 25.", "25", "number", True),
    ("Final answer:\n\n64", "64", "number", True),
    ("5 + 13 = **18** apples in total.", "18", "number", True),
    ("She eats 3 and gives away 2, so she has 8 left", "8", "number", True),
    (COT, "8", "number", True),
    ("The answer is 42 apples.", "42", "number", True),
    ("The answer is 5 (five).", "5", "number", True),
    ("The answer is -3", "-3", "number", True),
    ("The answer is 7. It took 2 steps and 3 tries.", "7", "number", True),
    # --- number: wrong ---
    ("The answer is 180.", "18", "number", False),
    ("The answer is 18.5", "18", "number", False),
    ("The answer is 18.01.", "18", "number", False),
    ("The answer is 1.8.", "18", "number", False),
    ("The answer is -18.", "18", "number", False),
    ("The answer is 7. Q: next question... The answer is 42.", "42", "number", False),
    ("The answer is unknown.", "18", "number", False),
    ("The answer is not 18.", "18", "number", False),
    ("", "18", "number", False),
    ("I am not sure how to solve this.", "18", "number", False),
    ("The total is **42**, minus 2 gives 40.", "40", "number", False),
    ("The answer is 3, 4 and 5.", "345", "number", False),
    ("The answer is 1,2345.", "12345", "number", False),
    ("version 1.2.3", "0.3", "number", False),
    # An answer span with more than one number is not graded as its first number.
    ("The answer is 3, 4 and 5.", "3", "number", False),
    ("The answer is 5 dollars and 20 cents.", "5", "number", False),
    ("The answer is 3 to 5.", "3", "number", False),
    ("The answer is 10-12", "10", "number", False),
    ("The answer is 10–12", "12", "number", False),
    ("The answer is between 4 and 6.", "4", "number", False),
    ("The answer is 12 or 13.", "12", "number", False),
    ("The answer is 2 hours 30 minutes", "2", "number", False),
    ("The answer is 2:30.", "2", "number", False),
    ("The answer is $18 (18 dollars).", "18", "number", False),
    # --- yesno: right ---
    ("So the answer is: Yes", "yes", "yesno", True),
    ("The answer is yes.", "Yes", "yesno", True),
    ("The answer is YES.", "true", "yesno", True),
    ("The answer is No, because frost needs cold.", "no", "yesno", True),
    ("The answer is **no**.", "False", "yesno", True),
    ("The answer is true.", "yes", "yesno", True),
    ("The answer is False.", "no", "yesno", True),
    ("Yes. Because frost forms below freezing.", "yes", "yesno", True),
    ("Frost forms on cold nights, so no.", "no", "yesno", True),
    ("Answer: The answer is yes.", "yes", "yesno", True),
    # --- yesno: wrong ---
    ("The answer is no.", "yes", "yesno", False),
    ("The answer is not yes.", "yes", "yesno", False),
    ("It is not yes, I think.", "yes", "yesno", False),
    ("Maybe yes, maybe no.", "yes", "yesno", False),
    ("Frost forms below freezing.", "yes", "yesno", False),
    ("", "no", "yesno", False),
    ("The answer is yesterday's weather.", "yes", "yesno", False),
    ("The answer is no. Q: Is the sky blue? The answer is yes.", "yes", "yesno", False),
    # --- letter: right ---
    ("So the answer is (A).", "A", "letter", True),
    ("The answer is (b).", "B", "letter", True),
    ("The answer is C.", "(C)", "letter", True),
    ("The answer is D. Because the date is later.", "D", "letter", True),
    ("The answer is a).", "A", "letter", True),
    ("The answer is option C.", "C", "letter", True),
    ("The answer is: **(E)**", "e", "letter", True),
    ("Final answer: (B) 05/02/2021", "B", "letter", True),
    ("Between (A) and (C), (C) fits best.", "C", "letter", True),
    ("So the answer is (A). Q: ... So the answer is (B).", "A", "letter", True),
    # --- letter: wrong ---
    ("The answer is (B).", "A", "letter", False),
    ("The answer is a dog.", "A", "letter", False),
    ("The answer is not (A).", "A", "letter", False),
    ("I cannot decide.", "A", "letter", False),
    ("", "A", "letter", False),
    ("(a) first we count, then we compare.", "A", "letter", False),
    # --- string: right ---
    ("The answer is nk.", "nk", "string", True),
    ('The answer is "nk".', "nk", "string", True),
    ("The answer is **Nk**.", "nk", "string", True),
    ("nk", "nk", "string", True),
    ("  NK.  ", "nk", "string", True),
    ("The last letters are n and k.\nSo the answer is ya.", "ya", "string", True),
    ("The answer is “New  York”.", "new york", "string", True),
    # --- string: wrong ---
    ("The answer is nk.", "kn", "string", False),
    ("The answer is n k.", "nk", "string", False),
    ("The last letter of Elon is n and of Musk is k, together nk", "nk", "string", False),
    ("", "nk", "string", False),
    ("The answer is nk. Q: Take the last letters... The answer is ya.", "ya", "string", False),
]


@pytest.mark.parametrize(("text", "gold", "answer_type", "expected"), GRADING_CASES)
def test_is_correct_table(text: str, gold: str, answer_type: str, expected: bool) -> None:
    assert is_correct(text, gold, answer_type) is expected


def test_table_is_large_and_mostly_adversarial() -> None:
    assert len(GRADING_CASES) >= 70
    assert sum(not expected for *_, expected in GRADING_CASES) >= 25
    assert {answer_type for _, _, answer_type, _ in GRADING_CASES} == set(ANSWER_TYPES)


@pytest.mark.parametrize(
    ("text", "gold", "expected"),
    [
        ("The answer is 05/01/2021.", "A", True),
        ("The answer is 05/02/2021.", "B", True),
        ("The answer is  05/02/2021 .", "A", False),
        ("The answer is 05/01/2021 or so.", "A", False),
        ("The answer is (C).", "C", True),
    ],
)
def test_letter_from_option_text(text: str, gold: str, expected: bool) -> None:
    choices = ["05/01/2021", "05/02/2021.", "06/01/2021"]
    assert is_correct(text, gold, "letter", choices) is expected


@pytest.mark.parametrize(
    ("answer", "answer_type", "expected"),
    [
        ("1,234", "number", "1234"),
        ("$1,234.00", "number", "1234"),
        ("18.0", "number", "18"),
        ("-3.50", "number", "-3.5"),
        ("0.50", "number", "0.5"),
        (".5", "number", "0.5"),
        ("50%", "number", "50"),
        ("1000", "number", "1000"),
        ("-0.0", "number", "0"),
        ("18 apples", "number", None),
        ("eighteen", "number", None),
        ("YES", "yesno", "yes"),
        ("True", "yesno", "yes"),
        ("false", "yesno", "no"),
        ("maybe", "yesno", None),
        ("(A)", "letter", "A"),
        ("a)", "letter", "A"),
        ("(b)", "letter", "B"),
        ("option C", "letter", "C"),
        ("A.", "letter", "A"),
        ("AB", "letter", None),
        (' "**New   York**". ', "string", "new york"),
        ("‘nk’", "string", "nk"),
        ("  ", "string", None),
    ],
)
def test_normalize(answer: str, answer_type: str, expected: str | None) -> None:
    assert normalize(answer, answer_type) == expected


@pytest.mark.parametrize(
    ("text", "answer_type", "expected"),
    [
        ("The answer is $1,234.", "number", "1234"),
        ("The answer is 42. Q: next question... The answer is 7.", "number", "42"),
        ("... so she has 8 left", "number", "8"),
        ("The answer is unknown", "number", None),
        ("The answer is $1,234.00.", "number", "1234"),
        ("The answer is 42 apples.", "number", "42"),
        ("The answer is 5 (five).", "number", "5"),
        ("The answer is 7. Next question: 3 + 4?", "number", "7"),
        ("The answer is 5 dollars and 20 cents.", "number", None),
        ("The answer is 3 to 5.", "number", None),
        ("The answer is 10-12", "number", None),
        ("The answer is between 4 and 6.", "number", None),
        ("The answer is 12 or 13.", "number", None),
        ("The answer is 2 hours 30 minutes", "number", None),
        ("The answer is $18 (18 dollars).", "number", None),
        ("no digits here", "number", None),
        ("so...18", "number", "18"),
        ("So the answer is: Yes", "yesno", "yes"),
        ("yes and no", "yesno", "yes"),
        ("It could be yes or no.", "yesno", None),
        ("The answer is (B)", "letter", "B"),
        ("The answer is maybe.", "letter", None),
        ("nk", "string", "nk"),
        ("The word is nk", "string", None),
        ("", "string", None),
    ],
)
def test_extract_answer(text: str, answer_type: str, expected: str | None) -> None:
    assert extract_answer(text, answer_type) == expected


def test_unknown_answer_type_is_named() -> None:
    for call in (
        lambda: normalize("1", "integer"),
        lambda: extract_answer("The answer is 1.", "integer"),
        lambda: is_correct("The answer is 1.", "1", "integer"),
    ):
        with pytest.raises(ValueError, match="'integer'"):
            call()


@pytest.mark.parametrize(
    ("gold", "answer_type"),
    [("eighteen", "number"), ("maybe", "yesno"), ("AB", "letter"), ("", "string")],
)
def test_bad_gold_is_named(gold: str, answer_type: str) -> None:
    with pytest.raises(ValueError, match=f"gold answer {gold!r}"):
        is_correct("The answer is 1.", gold, answer_type)


# Values with up to four decimal places, built exactly (no float rounding).
values = st.builds(
    lambda units, places: Decimal(units).scaleb(-places),
    st.integers(min_value=-10**12, max_value=10**12),
    st.integers(min_value=0, max_value=4),
)


def _formats(value: Decimal) -> list[str]:
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    places = max(0, -value.as_tuple().exponent)
    return [
        f"{value:,f}",
        f"{sign}${magnitude:,f}",
        f"{value:.{places + 1}f}",
        f"{value:,.{places + 2}f}",
        f"{sign}${magnitude:,.2f}" if places <= 2 else f"{sign}${magnitude:,f}",
    ]


@settings(max_examples=150, deadline=None)
@given(values)
def test_formatted_numbers_grade_correct(value: Decimal) -> None:
    plain = format(value, "f")
    for formatted in _formats(value):
        assert is_correct(formatted, plain, "number"), formatted
        assert is_correct(f"The answer is {formatted}.", plain, "number"), formatted
        assert is_correct(f"Step one.\nSo the answer is: **{formatted}**", plain, "number")


@settings(max_examples=150, deadline=None)
@given(values)
def test_different_numbers_never_grade_correct(value: Decimal) -> None:
    assume(value != 0)
    plain = format(value, "f")
    for wrong in (value + 1, value * 10, -value, value + Decimal("0.01")):
        for formatted in _formats(wrong):
            assert not is_correct(f"The answer is {formatted}.", plain, "number"), formatted
            assert not is_correct(formatted, plain, "number"), formatted


@pytest.mark.parametrize("text, answer, error", [
    (" apples = 3\nanswer = apples * 2", "6", None),  # as a completion after "A:" starts
    ("Here is the program:\n```python\nanswer = 0.1 + 0.2\n```\nIt prints 0.3.", "0.3", None),
    ("answer = 16.9999999999", "17", None),
    ("answer = 50 / 3", "16.666667", None),
    ("answer = 1 / 20000", "0.00005", None),  # str() writes 5e-05
    ("answer = True", None, "not a number"),
    ("answer = 'seven'", None, "not a number"),
    ("import os\nanswer = 1", None, "Import is not allowed"),
    ("The answer is 6.", None, "not valid Python"),
])
def test_a_program_is_graded_by_what_it_computes(text, answer, error):
    got, why = grading.program_answer(text)
    assert got == answer and (why is None if error is None else error in why)


@pytest.mark.parametrize("text, end", [
    ("Two flips. The answer is no. The answer is no. The", len("Two flips. The answer is no.")),
    ("So the answer is 18.5. Then", len("So the answer is 18.5.")),
    ("So the answer is 18.", None),  # "18.5" may follow
    ("The answer is yes.\n\nQ:", len("The answer is yes.")),
    ("The answer is no", None),
    ("The answer is the answer\n", None),  # the next line may join the phrase: "...answer\nis yes."
    ("The answer is the answer\nis yes. ", len("The answer is the answer\nis yes.")),
    ("Answer: The answer is **ly**. Next", len("Answer: The answer is **ly**.")),
    ("No phrase here. None at all. ", None),
])
def test_answer_end_is_where_the_answer_sentence_is_known_to_end(text, end):
    assert grading.answer_end(text) == end


def _settled_early_agrees(text: str, answer_type: str) -> None:
    """Every prefix that answer_end calls settled is settled where the whole text is, and the text cut there
    grades and explains as the whole text does: a generator may stop at the first such prefix."""
    end = grading.answer_end(text)
    for length in range(len(text) + 1):
        assert grading.answer_end(text[:length]) in (None, end), (text, length)
    if end is not None:
        cut = text[:end]
        assert extract_answer(cut, answer_type) == extract_answer(text, answer_type), text
        assert grading.rationale_of(cut) == grading.rationale_of(text), text


PIECES = ["The answer is", "the answer", "Answer:", " ", "\n", ".", ". ", "18", ".5", "yes", "no", "So", "**", "ly"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from(ANSWER_TYPES))
def test_stopping_at_answer_end_never_changes_a_grade(pieces, answer_type):
    _settled_early_agrees("".join(pieces), answer_type)


def test_the_published_teacher_cots_grade_the_same_stopped_at_their_answer():
    import gzip
    import json
    from pathlib import Path

    from distill.benchmarks import get_benchmark

    files = sorted((Path(__file__).parents[1] / "teacher_cots").glob("*/*.jsonl.gz"))
    records = [json.loads(line) for f in files for line in gzip.open(f, "rt")]
    cots = [r for r in records if r.get("format", "cot") == "cot"]
    assert len(cots) >= 1000
    for r in cots:
        _settled_early_agrees(r["completion"], get_benchmark(r["benchmark"]).answer_type)
