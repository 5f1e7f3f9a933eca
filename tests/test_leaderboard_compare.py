"""Question-by-question views (leaderboard.compare) over synthetic entries made from our own test questions:
base rates, constant predictors, answer counts and paired tests, with seeds."""

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from distill.data import load_split
from leaderboard import compare, readme, stats, transforms
from leaderboard.load import load_board, read_outcomes

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

BASE = "smollm2-135m-base__fewshot_cot"


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    return load_board(synth.distilled(tmp_path_factory.mktemp("results")))


@pytest.fixture(scope="module")
def questions(board):
    table, unread = read_outcomes(board)
    assert unread.empty
    return table


@pytest.fixture(scope="module")
def paired(board, questions):
    return compare.paired(questions, board.entries)


def test_base_rates_come_from_the_gold_answers_of_the_questions_asked(questions):
    summary = compare.summary(questions).set_index(["entry", "column"])
    golds = [q["answer"] for q in load_split("coin_flip", "test_2flips")[:30]]
    flips = summary.loc[(BASE, "coin_flip 2flips")]
    assert flips["majority"] == pytest.approx(stats.majority(golds)) and flips["chance"] == 0.5
    assert summary.loc[(BASE, "last_letter 2words"), "chance"] == 0.0
    date = summary.loc[(f"{synth.TEACHER}__fewshot_cot", "date")]
    options = [len(q["choices"]) for q in load_split("date", "test")[:30]]
    assert date["chance"] == pytest.approx(stats.chance("letter", options))
    rates = compare.base_rates(compare.summary(questions)).set_index(["column", "n"])
    assert rates.loc[("coin_flip 2flips", 30), "majority"] == pytest.approx(stats.majority(golds) * 100)


def test_a_constant_predictor_is_flagged_with_its_answer(questions):
    summary = compare.summary(questions).set_index(["entry", "column"])
    flips = summary.loc[(BASE, "coin_flip 3flips")]
    assert (flips["top_answer"], flips["top_count"], flips["n"]) == ("no", 30, 30) and flips["constant"]
    golds = [q["answer"] for q in load_split("coin_flip", "test_3flips")[:30]]
    assert flips["correct"] == golds.count("no")  # its score is the base rate of 'no'
    flags = compare.flags(compare.summary(questions))
    assert flags[BASE].startswith("same answer ('no'): last_letter 2words")
    teacher_flips = summary.loc[(f"{synth.TEACHER}__fewshot_cot", "coin_flip 2flips")]
    assert not teacher_flips["constant"]


def test_answer_counts_show_what_a_model_answers_beside_the_gold(questions):
    counts = compare.answer_counts(questions, BASE).set_index(["split", "answer"])
    golds = [q["answer"] for q in load_split("coin_flip", "test_2flips")[:30]]
    assert counts.loc[("coin_flip 2flips", "no")].to_dict() == {"given": 30, "gold": golds.count("no"),
                                                                 "share": 100.0}


def test_only_reasoning_students_are_compared_and_each_seed_group_once(board, paired):
    assert set(paired["student"]) == {f"{synth.GOLD_STUDENT}__ft_cot", f"{synth.SEEDED}-seed0__ft_cot"}
    gold = paired[paired["student"] == f"{synth.GOLD_STUDENT}__ft_cot"]
    assert set(gold["versus"]) == {"answer-only twin", "untrained base"}  # gold rationales have no teacher entry
    seeded = paired[paired["student"] == f"{synth.SEEDED}-seed0__ft_cot"]
    assert set(seeded["versus"]) == set(compare.VERSUS) - {"CoT student", "gold CoT student"}  # for PoT students


def test_paired_counts_wins_and_losses_on_shared_questions(paired):
    row = paired[(paired["student"] == f"{synth.GOLD_STUDENT}__ft_cot") & (paired["versus"] == "answer-only twin")
                 & (paired["column"] == "last_letter 2words")].iloc[0]
    # 24 of 30 right against 9 of 30, the first questions each: 15 wins, no loss
    assert (row["n"], row["wins"], row["losses"]) == (30, 15, 0)
    assert row["difference"] == pytest.approx(50) and row["p"] == pytest.approx(2 / 2**15) and row["significant"]
    assert row["low"] < 50 < row["high"]
    pooled = paired[(paired["student"] == f"{synth.GOLD_STUDENT}__ft_cot") & (paired["versus"] == "answer-only twin")
                    & (paired["column"] == "last_letter (all)")].iloc[0]
    splits = len(synth.BENCHMARKS["last_letter"].test_splits)  # 30 questions each, the first split's the only wins
    assert (pooled["n"], pooled["wins"], pooled["losses"], pooled["whole"]) == (30 * splits, 15, 0, True)


def test_seeds_pool_question_seed_pairs_matched_by_seed(paired):
    mine = paired[paired["student"] == f"{synth.SEEDED}-seed0__ft_cot"].set_index(["versus", "column"])
    twin = mine.loc[("answer-only twin", "coin_flip 2flips")]
    # seeds 0, 1, 2 score 18, 15, 21 of 30 against their own twins' 15, 15, 18: 3 + 0 + 3 wins
    assert (twin["runs"], twin["n"], twin["wins"], twin["losses"]) == (3, 90, 6, 0)
    assert twin["p"] == pytest.approx(2 / 2**6)
    assert twin["reference"] == f"{synth.SEEDED_TWIN}-seed0__ft_direct"
    # the untrained base has one run: each seed is paired with it
    assert mine.loc[("untrained base", "coin_flip 2flips"), "n"] == 90


def test_gain_text_marks_what_is_not_significant():
    row = {"difference": 23.33, "low": -1.1, "high": 44.19, "p": 0.1185, "significant": False}
    assert compare.gain_text(row) == "+23.3 [-1.1, +44.2], p = 0.118, not significant"
    assert compare.gain_text({**row, "p": 1e-6, "significant": True}) == "+23.3 [-1.1, +44.2], p < 0.0001"


def test_display_names_of_the_compared(board):
    names = transforms.display_names(board.entries, groups=True)
    seeded = f"smollm2-135m-base ← {synth.TEACHER} CoT · coin_flip · 3 seeds"
    assert names[f"{synth.SEEDED}-seed1__ft_cot"] == names[f"{synth.SEEDED}-seed2__ft_cot"] == seeded
    assert names[f"{synth.GOLD_TWIN}__ft_direct"] == "smollm2-135m-base ← gold answers · last_letter"


GSM = {("gsm_symbolic", "test"): 0.0}


def _gsm(root, model, fmt, score, **kwargs):
    return synth.write_entry(root, model, fmt=fmt, n=30, scores={k: score for k in GSM}, **kwargs)


@pytest.fixture(scope="module")
def pot_board(tmp_path_factory):
    """A PoT student (two seeds) on gsm_symbolic beside its answer-only twin, the CoT student (two seeds) of the
    same base and teacher, CoT students that differ in teacher or benchmark, and a base and teacher evaluated
    with few-shot CoT and few-shot programs."""
    root = tmp_path_factory.mktemp("pot")
    student = {"role": "student", "base_model": "base"}
    for fmt in ("fewshot_cot", "fewshot_pot"):
        _gsm(root, "base", fmt, 0.1)
        _gsm(root, synth.TEACHER, fmt, 0.7, role="teacher")
    _gsm(root, "pot-direct", "ft_direct", 0.2, teacher=synth.TEACHER, **student)
    for seed, (pot, cot) in enumerate([(0.6, 0.4), (0.5, 0.5)]):
        _gsm(root, f"pot-seed{seed}", "ft_pot", pot, teacher=synth.TEACHER, **student,
             metadata={"seed": seed, "seed_group": "pot", "answer_only_twin": "pot-direct"})
        _gsm(root, f"cot-seed{seed}", "ft_cot", cot, teacher=synth.TEACHER, **student,
             metadata={"seed": seed, "seed_group": "cot"})
    # sorted before cot-seed0, so either would be found first were teacher or benchmark not checked
    _gsm(root, "cot-gold", "ft_cot", 0.9, teacher="gold", **student)
    synth.write_entry(root, "cot-letters", fmt="ft_cot", n=30, teacher=synth.TEACHER, **student,
                      scores={("last_letter", "test_2words"): 0.9})
    board = load_board(root)
    assert board.rejected.empty, board.rejected
    return board


@pytest.fixture(scope="module")
def pot_paired(pot_board):
    questions, unread = read_outcomes(pot_board)
    assert unread.empty
    return compare.paired(questions, pot_board.entries)


def test_a_pot_student_is_compared_with_its_twin_base_teacher_and_cot_student(pot_board, pot_paired):
    assert list(compare.reasoning_students(pot_board.entries)["entry"]) == [
        "cot-gold__ft_cot", "cot-letters__ft_cot", "cot-seed0__ft_cot", "pot-seed0__ft_pot"]
    mine = pot_paired[pot_paired["student"] == "pot-seed0__ft_pot"]
    assert dict(zip(mine["versus"], mine["reference"])) == {
        "answer-only twin": "pot-direct__ft_direct",
        "untrained base": "base__fewshot_pot",  # programs against programs, though few-shot CoT comes first
        "teacher": f"{synth.TEACHER}__fewshot_cot",
        "CoT student": "cot-seed0__ft_cot",  # same base, teacher and benchmark
        "gold CoT student": "cot-gold__ft_cot"}  # same base and benchmark, gold rationales
    cot = mine[mine["versus"] == "CoT student"].iloc[0]
    # seeds 0 and 1 score 18 and 15 of 30 against the CoT seeds' 12 and 15: each paired with its own seed
    assert (cot["runs"], cot["n"], cot["wins"], cot["losses"], cot["whole"]) == (2, 60, 6, 0, True)
    assert cot["p"] == pytest.approx(2 / 2**6)
    # the twin and the base have one run each: every seed is paired with it
    assert (mine.set_index("versus").loc[["answer-only twin", "untrained base"], "n"] == 60).all()


def test_a_question_counts_once_however_many_seeds_answered_it(pot_paired):
    twin = pot_paired[(pot_paired["student"] == "pot-seed0__ft_pot")
                      & (pot_paired["versus"] == "answer-only twin")].iloc[0]
    # seeds 0 and 1 get the first 18 and 15 of 30 right, the twin (one run) the first 6: 9 questions won in both
    # seeds and 3 in seed 0 alone. The 21 pooled wins are 12 questions' evidence: p = 2 / 2^12, not 2 / 2^21
    assert (twin["n"], twin["wins"], twin["losses"]) == (60, 21, 0)
    assert twin["p"] == pytest.approx(2 / 2**12)
    _, low, high = stats.paired_difference(6, 21, 0, 33)
    assert twin["difference"] == pytest.approx(35.0)
    assert twin["low"] < low * 100 and twin["high"] > high * 100  # wider than for 60 independent pairs


def test_cot_students_get_no_cot_student_row_and_their_base_few_shot_cot(pot_board, pot_paired):
    cot = pot_paired[pot_paired["student"].str.startswith("cot-")]
    # cot-letters shares no question with a reference (they answered gsm_symbolic only): no row
    assert set(cot["student"]) == {"cot-gold__ft_cot", "cot-seed0__ft_cot"}
    assert not {"CoT student", "gold CoT student"} & set(cot["versus"])
    seeded = cot[cot["student"] == "cot-seed0__ft_cot"].set_index("versus")["reference"]
    assert seeded["untrained base"] == "base__fewshot_cot"
    student = pot_board.entries.set_index("entry", drop=False).loc["cot-seed0__ft_cot"]
    assert "CoT student" not in transforms.references(pot_board.entries, student)


def test_the_readme_table_names_pot_students_and_their_cot_references(pot_board, pot_paired):
    names = transforms.display_names(pot_board.entries, groups=True)
    # a PoT student's twin says so (no data metadata here, so no benchmarks in the name)
    assert names["pot-direct__ft_direct"] == f"base ← {synth.TEACHER} answers (PoT twin)"
    table = readme.paired_table(pot_paired, names)
    assert table[0].startswith("| student | against | reference |")
    assert f"| {names['pot-seed0__ft_pot']} | CoT student | {names['cot-seed0__ft_cot']} | gsm_symbolic |" in "\n".join(
        table)


def test_head_to_head_pairs_any_two_entries_as_paired_pairs_a_student_with_a_reference(pot_board, pot_paired):
    questions, _ = read_outcomes(pot_board)
    chosen = compare.head_to_head(questions, pot_board.entries, "pot-seed0__ft_pot", "cot-seed0__ft_cot")
    reference = pot_paired[(pot_paired["student"] == "pot-seed0__ft_pot") & (pot_paired["versus"] == "CoT student")]
    numbers = ["n", "wins", "losses", "p"]
    assert chosen[numbers].to_dict("records") == reference[numbers].to_dict("records")
    assert list(chosen["versus"]) == ["head to head"]
    # two CoT students the board never pairs: gold (27 of 30) against the seed group (12 and 15 of 30)
    gold = compare.head_to_head(questions, pot_board.entries, "cot-gold__ft_cot", "cot-seed0__ft_cot").iloc[0]
    assert (gold["n"], gold["student_pct"], gold["reference_pct"]) == (60, 90.0, 45.0)
    with pytest.raises(KeyError, match="no entry missing__ft_cot"):
        compare.head_to_head(questions, pot_board.entries, "missing__ft_cot", "cot-gold__ft_cot")
    with pytest.raises(ValueError, match="are one model"):
        compare.head_to_head(questions, pot_board.entries, "cot-seed0__ft_cot", "cot-seed1__ft_cot")


def test_engines_are_those_of_the_runs_that_answered_the_compared_split(tmp_path):
    """A base model re-run on gsm_symbolic with llama.cpp, its last-letter run left on transformers: the
    student's gsm_symbolic comparison with it names no second engine."""
    letters = ("last_letter", "test_2words")
    synth.write_entry(tmp_path, "student", fmt="ft_cot", n=30, role="student", base_model="base",
                      scores={letters: 0.5, **GSM})
    base = synth.write_entry(tmp_path, "base", n=30, scores={letters: 0.1})
    first = json.loads((base / "metadata.json").read_text())["runs"][0]
    synth.write_entry(tmp_path, "base", n=30, scores={("gsm_symbolic", "test"): 0.1}, stamp="2026-01-03T00-00-00.0")
    meta = json.loads((base / "metadata.json").read_text())
    meta["runs"][0]["engine"] = {"engine": "llama.cpp", "weights": "F32"}
    meta["runs"].append(first)
    (base / "metadata.json").write_text(json.dumps(meta))
    board = load_board(tmp_path)
    assert board.rejected.empty, board.rejected
    rows = compare.paired(read_outcomes(board)[0], board.entries).set_index("benchmark")["engines"]
    assert pd.isna(rows["last_letter"])
    assert rows["gsm_symbolic"] == "student: transformers float32; reference: llama.cpp F32"
