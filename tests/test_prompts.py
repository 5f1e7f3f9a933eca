"""The four prompt formats, rendered by the one prompt module."""

import pytest

from distill import data, prompts
from distill.benchmarks import get_benchmark
from distill.errors import DistillError

RECORD = {"benchmark": "last_letter", "question": 'Take the last letters of the words in "Ada Byron" and concatenate '
          "them.", "answer": "an", "rationale": 'The last letter of "Ada" is "a". The last letter of "Byron" is "n". '
          'Concatenating them is "an".', "choices": None}
SHOTS = [{"question": "Q1?", "answer": "ab", "rationale": "Because.", "choices": None},
         {"question": "Q2?", "answer": "cd", "rationale": "So.", "choices": None}]


def test_fewshot_cot_shows_rationales_then_asks():
    text = prompts.prompt(RECORD, "fewshot_cot", SHOTS)
    assert text == ("Q: Q1?\nA: Because. The answer is ab.\n\nQ: Q2?\nA: So. The answer is cd.\n\n"
                    f"Q: {RECORD['question']}\nA:")


def test_fewshot_direct_drops_rationales():
    assert prompts.prompt(RECORD, "fewshot_direct", SHOTS).startswith("Q: Q1?\nA: The answer is ab.\n\nQ: Q2?")


@pytest.mark.parametrize("fmt", ["ft_cot", "ft_direct"])
def test_finetuned_formats_are_zero_shot(fmt):
    assert prompts.prompt(RECORD, fmt, SHOTS) == f"Q: {RECORD['question']}\nA:"


def test_fewshot_formats_need_their_exemplars_passed():
    with pytest.raises(DistillError, match="format 'fewshot_cot' needs the benchmark's exemplars"):
        prompts.prompt(RECORD, "fewshot_cot")
    assert prompts.prompt(RECORD, "ft_cot") == f"Q: {RECORD['question']}\nA:"  # training calls it so


def test_targets():
    assert prompts.target(RECORD, "ft_cot") == f"{RECORD['rationale']} The answer is an."
    assert prompts.target(RECORD, "ft_direct") == "The answer is an."


def test_multiple_choice_lists_options_and_answers_with_a_letter():
    record = {"question": "Which?", "answer": "B", "rationale": "It is.", "choices": ["x", "y"]}
    assert prompts.render_question(record) == "Which?\nOptions:\n(A) x\n(B) y"
    assert prompts.target(record, "ft_cot") == "It is. The answer is (B)."


def test_no_stop_string_occurs_inside_a_prompt_block():
    """Rationales are one line, so stopping at a blank line or a new question never cuts an answer."""
    for key in ("gsm_symbolic", "strategyqa", "date", "sports", "last_letter", "coin_flip"):
        for ex in data.load_exemplars(key):
            for fmt in get_benchmark(key).formats:
                assert not any(stop in prompts.target(ex, fmt) for stop in prompts.STOP)


def test_unknown_format():
    with pytest.raises(DistillError, match="unknown format 'cot'"):
        prompts.prompt(RECORD, "cot", SHOTS)


def test_program_of_thought_shows_programs_and_needs_one():
    exemplars = data.load_exemplars("gsm_symbolic")
    text = prompts.prompt({"question": "Ann has 2 pens and buys 3. How many pens?", "answer": "5"}, "fewshot_pot",
                          exemplars)
    assert text.startswith(f"Q: {exemplars[0]['question']}\nA: {exemplars[0]['program']}\n\nQ: ")
    assert text.endswith("How many pens?\nA:") and "The answer is" not in text
    assert prompts.kind("fewshot_pot") == "pot" and prompts.is_program("ft_pot") and not prompts.is_cot("ft_pot")
    with pytest.raises(DistillError, match="needs a program"):
        prompts.target({"question": "q", "answer": "5"}, "ft_pot")


def test_a_teacher_writes_programs_with_the_hint_after_each_question():
    exemplars = data.load_exemplars("gsm_symbolic")
    record = {"question": "Ann has 2 pens and buys 3. How many pens?", "answer": "5"}
    text = prompts.teacher_prompt(record, "hint", exemplars, "pot")
    assert text.endswith("How many pens? (Hint: the answer is 5.)\nA:")
    assert f"(Hint: the answer is {exemplars[0]['answer']}.)\nA: {exemplars[0]['program']}\n\n" in text
    fewshot = prompts.teacher_prompt(record, "fewshot", exemplars, "pot")
    assert fewshot == prompts.prompt(record, "fewshot_pot", exemplars)
    with pytest.raises(DistillError, match="zeroshot mode writes chains of thought only"):
        prompts.teacher_prompt(record, "zeroshot", exemplars, "pot")
    with pytest.raises(DistillError, match="unknown teacher format 'code'"):
        prompts.teacher_prompt(record, "hint", exemplars, "code")
