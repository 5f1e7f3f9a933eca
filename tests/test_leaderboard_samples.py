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
