"""`distill filter`: only correct, clean CoTs reach training; twins share questions; no test leakage."""

import json

import pytest

from conftest import gen_record
from distill import cli, data, grading
from distill import filter as filtering
from distill.benchmarks import get_benchmark
from distill.errors import DistillError


@pytest.fixture
def train():
    return data.load_split("last_letter", "train")[:6]


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_the_verdict_frozen_in_a_teacher_file_is_not_trusted(train, tmp_path):
    """Records are graded again against our gold answer: a stale or edited `correct` changes nothing."""
    records = [gen_record(train[0], answer="zz", correct=True),  # says correct, the completion is wrong
               gen_record(train[1], correct=False),  # says wrong, the completion is right
               {**gen_record(train[2]), "gold": "zz"}]  # a gold answer that is not ours
    report = filtering.filter_teacher([write(tmp_path / "g.jsonl", records)], tmp_path / "out")
    (entry,) = report.values()
    assert entry["dropped"]["wrong"] == 1 and entry["kept"] == 2 and entry["regraded_changed"] == 2
    kept = [json.loads(line)["id"] for line in open(entry["ft_cot_file"])]
    assert kept == [train[1]["id"], train[2]["id"]]


def test_drop_reasons(train, tmp_path):
    q = train
    records = [
        gen_record(q[0]),                                                   # kept
        gen_record(q[0], 1, rationale="Reasoning that has several words."),  # duplicate of sample 0
        gen_record(q[1], correct=False, answer="zz"),                       # wrong
        gen_record(q[2], rationale=""),                                     # empty
        gen_record(q[3], rationale="the last letter is " * 6),              # repetition loop
        gen_record(q[4], rationale=f"It is {q[4]['answer']}."),             # only restates the answer
        gen_record(q[5]), gen_record(q[5], 1, rationale="Another line of reasoning here."),
        gen_record(q[5], 2, rationale="A third chain of thought here."),    # over the cap of 2
    ]
    report = filtering.filter_teacher([write(tmp_path / "g.jsonl", records)], tmp_path / "out", cap=2)
    (entry,) = report.values()
    assert entry["dropped"] == {"wrong": 1, "empty": 1, "repetition": 1, "restates_answer": 1, "wrong_step": 0,
                                "duplicate": 1, "over_cap": 1}
    assert entry["kept"] == 3 and entry["questions"] == 2 and entry["teacher_accuracy"] == pytest.approx(8 / 9, 1e-3)
    cot = [json.loads(line) for line in open(entry["ft_cot_file"])]
    direct = [json.loads(line) for line in open(entry["ft_direct_file"])]
    assert {r["id"] for r in cot} == {r["id"] for r in direct} == {q[0]["id"], q[5]["id"]}
    assert all(r["rationale"] for r in cot) and not any(r["rationale"] for r in direct)
    assert set(cot[0]) == set(data.FIELDS)


def test_a_test_question_is_refused_by_id_and_by_text(tmp_path):
    test_q = data.load_split("last_letter", "test_3words")[0]
    leaked = {**data.load_split("last_letter", "train")[0], "question": "  " + test_q["question"].upper()}
    with pytest.raises(DistillError, match=r"1 test question\(s\): last_letter-train-0000"):
        filtering._check_leakage("last_letter", [leaked])
    with pytest.raises(DistillError, match=test_q["id"]):
        filtering._check_leakage("last_letter", [test_q])


def test_gold_rationale_sets(tmp_path):
    report = filtering.gold_sets(["gsm_symbolic", "strategyqa"], tmp_path)
    for key in ("gsm_symbolic", "strategyqa"):
        entry = report[f"{key}.gold"]
        assert entry["kept"] == entry["questions"] > 500
    with pytest.raises(DistillError, match="no gold rationales"):
        filtering.gold_sets(["sports"], tmp_path)


def test_the_command_line_takes_the_first_questions_of_the_gold_sets_too(tmp_path):
    assert cli.main(["filter", "--gold", "gsm_symbolic", "--questions", "5", "--out", str(tmp_path)]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["gsm_symbolic.gold"]["questions"] == 5


def test_repetition_detector():
    assert filtering.is_repetitive("so the answer is so the answer is so the answer is so the answer is")
    assert not filtering.is_repetitive("Ada has 3 apples. Bob gives her 2 more. 3 + 2 = 5 apples in total.")


def test_filter_reads_a_teacher_file_without_changing_it(train, tmp_path):
    """A run may still be appending: its unfinished last line is left out, and left where it is."""
    path = write(tmp_path / "g.jsonl", [gen_record(train[0]), gen_record(train[1])])
    with open(path, "a") as f:
        f.write('{"id": "half a rec')
    before = path.read_bytes()
    (entry,) = filtering.filter_teacher([path], tmp_path / "out").values()
    assert entry["records"] == 2 and path.read_bytes() == before


def test_the_teachers_generation_time_goes_into_the_report(train, tmp_path):
    """distill generate adds each run's wall time beside its file; the filter reports it as the teacher's cost."""
    path = write(tmp_path / "g.hint.jsonl", [gen_record(train[0]), gen_record(train[1])])
    (tmp_path / "g.hint.cost.json").write_text('{"seconds": 12.5, "tokens": 20}\n')
    (entry,) = filtering.filter_teacher([path], tmp_path / "out").values()
    assert entry["teacher_seconds"] == 12.5 and entry["tokens"] == 20


def test_sampled_cots_make_their_own_training_set_name(train, tmp_path):
    """Four CoTs per question at T=0.7 train another student than one greedy CoT: names and files say so."""
    sampled = [{**gen_record(q, k, rationale=f"Reasoning number {k} has several words."),
                "sampling": {"temperature": 0.7}} for q in train[:2] for k in range(4)]
    greedy = [{**gen_record(q), "sampling": {"temperature": 0.0}} for q in train[:2]]
    report = filtering.filter_teacher([write(tmp_path / "k4.jsonl", sampled), write(tmp_path / "k1.jsonl", greedy)],
                                      tmp_path / "out")
    assert sorted(report) == ["last_letter.t-hint", "last_letter.t-hint-k4-t0.7"]
    k4 = report["last_letter.t-hint-k4-t0.7"]
    assert (k4["source"], k4["kept"], k4["questions"]) == ("t-hint-k4-t0.7", 8, 2)
    assert k4["ft_cot_file"].endswith("last_letter.t-hint-k4-t0.7.ft_cot.jsonl")


def test_a_split_of_several_lengths_reports_what_was_kept_of_each(tmp_path):
    """train_mixed mixes 1-3 flips: a filter that drops every chain of one length shows in the report."""
    mixed = data.load_split("coin_flip", "train_mixed")
    qs = [next(q for q in mixed if q["meta"]["length"] == n) for n in (1, 2, 3)]
    wrong = qs[2]["rationale"].replace("flipped", "flipped 9 times, or", 1)  # a count the question contradicts
    records = [gen_record(q, rationale=q["rationale"]) for q in qs[:2]] + [gen_record(qs[2], rationale=wrong)]
    (entry,) = filtering.filter_teacher([write(tmp_path / "m.jsonl", records)], tmp_path / "out").values()
    assert entry["by_length"] == {"1": {"questions": 1, "right": 1, "kept": 1},
                                  "2": {"questions": 1, "right": 1, "kept": 1},
                                  "3": {"questions": 1, "right": 1, "kept": 0}}
    assert "3: 0 of 1 right, 1 questions" in filtering.kept_text(entry)
    train = data.load_split("coin_flip", "train")[:2]
    (entry,) = filtering.filter_teacher([write(tmp_path / "t.jsonl", [gen_record(q, rationale=q["rationale"])
                                                                        for q in train])], tmp_path / "o2").values()
    assert "by_length" not in entry and "length" not in filtering.kept_text(entry)


def test_a_last_letter_rationale_with_a_wrong_step_is_dropped_though_its_answer_is_right(train, tmp_path):
    """Shown the answer, the teacher can reach it through a false step; the rule of the task catches it."""
    q = train[0]
    words = q["question"].split('"')[1].split()
    steps = [f'The last letter of "{w}" is "{w[-1].lower()}".' for w in words]
    honest = " ".join(steps) + f' Concatenating them is "{q["answer"]}".'
    false = honest.replace(f'is "{words[0][-1].lower()}"', 'is "z"' if words[0][-1].lower() != "z" else 'is "q"', 1)
    records = [gen_record(q, 0, rationale=honest), gen_record(q, 1, rationale=false)]
    (entry,) = filtering.filter_teacher([write(tmp_path / "g.jsonl", records)], tmp_path / "out").values()
    assert entry["kept"] == 1 and entry["dropped"]["wrong_step"] == 1
    assert filtering.symbolic.wrong_step("last_letter", q["question"], false)
    assert not filtering.symbolic.wrong_step("strategyqa", q["question"], false)  # steps not checked there


@pytest.mark.parametrize("chain", [
    'The words are:\n1. Toby\n2. Baird\nThe last letters:\n1. Toby: {0}\n2. Baird: {1}\nSo "{2}".',
    'The words are:\n1. Toby: Last letter is "{0}"\n2. Baird: {1} (last letter)\nSo "{2}".',
    'The words are:\n1. Toby: The last letter is "{0}"\n2. Baird: The last letter is "{1}"\nSo "{2}".',
    'The last letters are:\n- {0} (from Toby)\n- {1} (from "Baird")\nSo "{2}".',
    'The last letters are:\n1. {0} (from Toby)\n2. {1} (from Baird)\nSo "{2}".',
])
def test_the_zero_shot_chains_lists_of_letters_are_checked_step_by_step(chain):
    """Without exemplars the teacher lists the letters its own way; a wrong letter there is a wrong step too.
    The filter checks the rationale, the list joined onto one line, as the teacher's file stores it."""
    question = 'Take the last letters of the words in "Toby Baird" and concatenate them.'
    right, wrong = (grading.rationale_of(chain.format(*letters, "yd")) for letters in ("yd", "yr"))
    assert "\n" not in right and filtering.symbolic.letter_steps(right) == [("Toby", "y"), ("Baird", "d")]
    assert not filtering.symbolic.wrong_step("last_letter", question, right)
    assert filtering.symbolic.wrong_step("last_letter", question, wrong)


@pytest.mark.parametrize("rationale, wrong", [
    ("Ann flips the coin, so it was flipped 1 time. 1 is odd, so the coin is tails up.", False),
    ("Ann and Bob flip the coin, so it was flipped 2 times. 2 is even, so the coin is heads up.", True),  # Bob did not
    ("Bob flips the coin, so it was flipped 1 time. 1 is odd, so the coin is tails up.", True),  # the wrong one
    ("Ann flips the coin, so it was flipped 2 times. 2 is even, so the coin is heads up.", True),  # count
    ("Ann flips the coin, so it was flipped 1 time. 1 is even, so the coin is heads up.", True),  # parity
    ("One person flips it, so the coin is tails up.", False),  # no checkable step
    ("Ann, Bob, and Cy flip the coin, so it was flipped 3 times. 3 is odd, so the coin is tails up.", True),
    ("Ann and Cy flip the coin, so it was flipped 2 times. 2 is even, so the coin is heads up.", True),  # Cy: no one
])
def test_a_coin_flip_rationale_must_name_and_count_the_flippers_of_its_question(rationale, wrong):
    """Seen in the teacher's hint CoTs: 'Darren and Ryan flip the coin' where neither does, ending on the
    right answer because two non-flips and two flips have the same parity."""
    question = "A coin is heads up. Ann flips the coin. Bob does not flip the coin. Is the coin still heads up?"
    assert filtering.symbolic.wrong_step("coin_flip", question, rationale) is wrong


@pytest.mark.parametrize("question, rationale, wrong", [
    ("Ann flips the coin. Bob flips the coin. Cy flips the coin.",
     "Ann, Bob, and Cy flip the coin, so it was flipped 3 times. 3 is odd, so the coin is tails up.", False),
    ("Ann flips the coin. Bob flips the coin. Cy flips the coin.",
     "Ann, Bob and Cy flip the coin, so it was flipped 3 times. 3 is odd, so the coin is tails up.", False),
    ("Ann does not flip the coin.",
     "Ann does not flip the coin, so it was flipped 0 times. 0 is even, so the coin is heads up.", False),
    ("Ann does not flip the coin. Bob does not flip the coin.",
     "Ann and Bob do not flip the coin, so it was flipped 0 times. 0 is even, so the coin is heads up.", False),
    ("Ann flips the coin. Bob does not flip the coin.",
     "Ann does not flip the coin, so it was flipped 1 time. 1 is odd, so the coin is tails up.", True),  # Ann does
    ("Ann does not flip the coin.",
     "Cy does not flip the coin, so it was flipped 0 times. 0 is even, so the coin is heads up.", True),  # who?
    ("Ann flips the coin. Bob flips the coin. Ann flips the coin.",  # a name drawn twice: three flips
     "Ann and Bob and Ann flip the coin, so it was flipped 3 times. 3 is odd, so the coin is tails up.", False),
    ("Ann flips the coin. Bob flips the coin.",  # one list, two sentences
     "Ann flips the coin. Bob flips the coin. So it was flipped 2 times. 2 is even, so the coin is heads up.", False),
    ("Ann flips the coin. Bob does not flip the coin.",
     "Ann flips the coin. Bob flips the coin. So it was flipped 2 times. 2 is even, so the coin is heads up.", True),
])
def test_the_teachers_ways_of_naming_who_flips_are_read(question, rationale, wrong):
    """The teacher's train_mixed chains (1-3 people) name three people with a serial comma, and one person who
    does not flip as such. Read as wrong, they were all dropped: the 1-3 flip students never saw a count of 3."""
    full = f"A coin is heads up. {question} Is the coin still heads up?"
    assert filtering.symbolic.wrong_step("coin_flip", full, rationale) is wrong


def test_gold_rationales_state_no_wrong_step():
    for key in ("last_letter", "coin_flip"):
        for split in get_benchmark(key).train_splits:
            assert not [q["id"] for q in data.load_split(key, split)
                        if filtering.symbolic.wrong_step(key, q["question"], q["rationale"])]


def program_record(question, program, sample=0):
    """A teacher record as `distill generate --format pot` writes it (its verdict is graded again)."""
    return {**gen_record(question, sample), "format": "pot", "completion": f" {program}", "rationale": None,
            "program": program, "correct": False, "answer": None}


def test_teacher_programs_are_run_and_kept_when_they_compute_the_gold_answer(tmp_path):
    """Programs go to an ft_pot file and its twin; a wrong, failing or answer-copying program is dropped."""
    q = [r for r in data.load_split("gsm_symbolic", "train") if r["answer"].isdigit() and int(r["answer"]) > 1][:5]
    honest = "total = {0}\ngiven_away = 1\nanswer = total - given_away"  # the gold answer is not a literal here
    records = [
        program_record(q[0], honest.format(int(q[0]["answer"]) + 1)),         # kept
        program_record(q[1], honest.format(int(q[1]["answer"]) + 2)),         # computes the wrong value
        program_record(q[2], "import os\nanswer = 1"),                        # refused by the interpreter
        program_record(q[3], honest.format(int(q[3]["answer"]) + 1)),         # kept
        program_record(q[4], f"answer = {q[4]['answer']}  # from the hint"),  # copies the hinted answer
    ]
    (entry,) = filtering.filter_teacher([write(tmp_path / "p.jsonl", records)], tmp_path / "out").values()
    assert entry["source"] == "t-hint-pot" and entry["format"] == "ft_pot" and entry["programs_failed"] == 1
    assert entry["dropped"]["wrong"] == 2 and entry["dropped"]["restates_answer"] == 1 and entry["kept"] == 2
    pot = [json.loads(line) for line in open(entry["ft_pot_file"])]
    direct = [json.loads(line) for line in open(entry["ft_direct_file"])]
    assert pot[0]["program"] == honest.format(int(q[0]["answer"]) + 1) and pot[0]["rationale"] is None
    assert [r["id"] for r in direct] == [r["id"] for r in pot] and all("program" not in r for r in direct)


def test_a_program_that_copies_the_hint_restates_the_answer():
    assert filtering.program_restates_answer("answer = 42", "Tom has 6 bags of 7 apples.", "42")
    assert not filtering.program_restates_answer("bags = 6\nper_bag = 7\nanswer = bags * per_bag",
                                                 "Tom has 6 bags of 7 apples.", "42")
    assert not filtering.program_restates_answer("answer = 42.0 - 0", "He had 42 apples and ate none.", "42")


def test_a_smaller_training_set_is_the_first_questions_and_samples_of_one_file(train, tmp_path):
    """A sweep over training-set size or CoTs per question reads a subset of one teacher file."""
    sampled = [{**gen_record(q, k, rationale=f"Reasoning number {k} has several words."),
                "sampling": {"temperature": 0.7}} for q in train[:4] for k in range(4)]
    path = write(tmp_path / "k4.jsonl", sampled)
    (tmp_path / "k4.cost.json").write_text('{"seconds": 16.0, "tokens": 160}\n')
    (entry,) = filtering.filter_teacher([path], tmp_path / "out", questions=2, samples=2).values()
    assert (entry["source"], entry["records"], entry["kept"], entry["questions"]) == ("t-hint-k2-t0.7", 4, 4, 2)
    assert entry["teacher_seconds"] == 4.0  # a quarter of the file
    assert entry["teacher_output"] == "t-hint"  # the file's name, the same for every K and size
    kept = [json.loads(line)["meta"]["generation_id"] for line in open(entry["ft_cot_file"])]
    assert kept == [f"{q['id']}#{k}" for q in train[:2] for k in range(2)]
