"""Question-by-question views (leaderboard.compare) over synthetic entries made from our own test questions:
base rates, constant predictors, answer counts and paired tests, with seeds."""

import sys
from pathlib import Path

import pytest

from distill.data import load_split
from leaderboard import compare, stats, transforms
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


def test_only_cot_students_are_compared_and_each_seed_group_once(board, paired):
    assert set(paired["student"]) == {f"{synth.GOLD_STUDENT}__ft_cot", f"{synth.SEEDED}-seed0__ft_cot"}
    gold = paired[paired["student"] == f"{synth.GOLD_STUDENT}__ft_cot"]
    assert set(gold["versus"]) == {"answer-only twin", "untrained base"}  # gold rationales have no teacher entry
    assert set(paired[paired["student"] == f"{synth.SEEDED}-seed0__ft_cot"]["versus"]) == set(compare.VERSUS)


def test_paired_counts_wins_and_losses_on_shared_questions(paired):
    row = paired[(paired["student"] == f"{synth.GOLD_STUDENT}__ft_cot") & (paired["versus"] == "answer-only twin")
                 & (paired["column"] == "last_letter 2words")].iloc[0]
    # 24 of 30 right against 9 of 30, the first questions each: 15 wins, no loss
    assert (row["n"], row["wins"], row["losses"]) == (30, 15, 0)
    assert row["difference"] == pytest.approx(50) and row["p"] == pytest.approx(2 / 2**15) and row["significant"]
    assert row["low"] < 50 < row["high"]
    pooled = paired[(paired["student"] == f"{synth.GOLD_STUDENT}__ft_cot") & (paired["versus"] == "answer-only twin")
                    & (paired["column"] == "last_letter (all)")].iloc[0]
    assert (pooled["n"], pooled["wins"], pooled["losses"], pooled["whole"]) == (90, 15, 0, True)


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
