"""The sample browser's table: what the grader reads from each output, and for programs why one computed nothing."""

from leaderboard.samples import sample_table


def _record(doc_id: int, output: str, right: bool) -> dict:
    doc = {"id": f"gsm_symbolic-test-{doc_id:04d}", "benchmark": "gsm_symbolic", "question": "2 + 3 pens?",
           "answer": "5", "choices": None}
    return {"doc_id": doc_id, "doc": doc, "target": "5", "resps": [[output]], "exact_match": float(right)}


def test_a_program_shows_its_value_or_why_it_has_none():
    records = [_record(0, " pens = 2\nanswer = pens + 3", True), _record(1, " import os\nanswer = 5", False),
               _record(2, " answer = 1 / 0", False)]
    table = sample_table(records, "gsm_symbolic", program=True)
    assert table["extracted"].iloc[0] == "5" and table["correct"].tolist() == [True, False, False]
    assert table["extracted"].iloc[1].startswith("no answer: ") and "import" in table["extracted"].iloc[1].lower()
    assert table["extracted"].iloc[2].startswith("no answer: ")


def test_a_chain_of_thought_shows_the_answer_its_text_gives():
    table = sample_table([_record(0, " 2 + 3 = 5. The answer is 5.", True)], "gsm_symbolic")
    assert table["extracted"].tolist() == ["5"] and table["output"].tolist() == ["2 + 3 = 5. The answer is 5."]


def test_a_symbolic_chain_is_flagged_when_it_states_a_step_its_question_contradicts():
    """Right by parity, wrong in its count: the browser shows it, as the filter drops such teacher chains."""
    doc = {"id": "coin_flip-test_3flips-0000", "benchmark": "coin_flip", "answer": "no", "choices": None,
           "question": "A coin is heads up. Ann flips the coin. Bob flips the coin. Cy flips the coin. "
                       "Is the coin still heads up?"}
    sound = " Ann, Bob, and Cy flip the coin, so it was flipped 3 times. 3 is odd, so the coin is tails up."
    lucky = " Ann flips the coin, so it was flipped 1 time. 1 is odd, so the coin is tails up."
    records = [{"doc_id": i, "doc": doc, "target": "no", "resps": [[f"{chain} The answer is no."]],
                "exact_match": 1.0} for i, chain in enumerate((sound, lucky))]
    assert sample_table(records, "coin_flip")["wrong step"].tolist() == [False, True]
    assert sample_table([_record(0, " 2 + 3 = 5. The answer is 5.", True)], "gsm_symbolic")["wrong step"].tolist() \
        == [None], "steps not checked there"
