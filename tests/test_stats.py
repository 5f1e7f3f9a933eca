"""leaderboard.stats on cases worked out by hand (the arithmetic is in the comments; z = 1.959964)."""

import itertools
import math
import random

import numpy as np
import pytest

from leaderboard import stats


@pytest.mark.parametrize("wins, losses, expected", [
    (11, 4, 3882 / 32768),  # 2 * (C(15,0)+C(15,1)+...+C(15,4)) / 2^15 = 2 * 1941 / 32768 = 0.11847
    (4, 11, 3882 / 32768),  # two-sided: the same either way round
    (8, 2, 112 / 1024),  # 2 * (1 + 10 + 45) / 2^10 = 0.109375
    (3, 1, 0.625),  # 2 * (1 + 4) / 16: "the student beats its teacher" on 29 vs 27 of 30
    (65, 1, 134 / 2**66),  # 2 * (1 + 66) / 2^66 = 1.8e-18
    (0, 0, 1.0),  # no discordant pair: no evidence either way
    (5, 5, 1.0),  # a tie: the doubled tail passes 1 and is capped
])
def test_exact_mcnemar_on_known_tables(wins, losses, expected):
    assert stats.mcnemar_p(wins, losses) == pytest.approx(expected, rel=1e-9)


def test_significance_is_p_below_alpha():
    assert stats.significant(stats.mcnemar_p(10, 0))  # 2 / 1024
    assert not stats.significant(stats.mcnemar_p(11, 4)) and not stats.significant(stats.ALPHA)


@pytest.mark.parametrize("successes, n, low, high", [
    (0, 0, 0.0, 1.0),  # nothing to go on
    # n = 1: p = 1 gives low = n / (n + z^2) = 1 / 4.841459 = 0.206549, high = 1
    (1, 1, 0.206549, 1.0),
    # p = 0 gives high = z^2 / (n + z^2) = 3.841459 / 4.841459 = 0.793451
    (0, 1, 0.0, 0.793451),
    # n = 30, 16 right: centre (0.533333 + 0.064024) / 1.128049 = 0.529550,
    # half 1.737484 * sqrt(0.533333 * 0.466667 / 30 + 3.841459 / 3600) = 0.168127
    (16, 30, 0.361423, 0.697677),
    (0, 30, 0.0, 0.113513),  # 3.841459 / 33.841459: a 0% score is not "exactly 0"
    # n = 150, 118 right: centre 0.799472 / 1.025610 = 0.779509, half 1.911023 * 0.0340806 = 0.065129
    (118, 150, 0.714380, 0.844638),
])
def test_wilson_bounds(successes, n, low, high):
    assert stats.wilson(successes, n) == pytest.approx((low, high), abs=1e-5)


def test_paired_difference_newcombe_on_the_coin_flip_table():
    # 30 questions: both right 5, only the CoT student 11, only its twin 4, neither 10 (53.3% vs 30.0%).
    # Wilson: student (0.361423, 0.697677), twin (0.166648, 0.478758); phi = (5*10 - 11*4) / sqrt(16*14*9*21)
    # = 6 / 205.757 = 0.029161. Below: sqrt(0.171910^2 - 2 phi 0.171910 * 0.178758 + 0.178758^2) = 0.244366;
    # above: sqrt(0.164344^2 - 2 phi 0.164344 * 0.133352 + 0.133352^2) = 0.208600.
    difference, low, high = stats.paired_difference(5, 11, 4, 10)
    assert difference == pytest.approx(7 / 30)
    assert (low, high) == pytest.approx((7 / 30 - 0.244366, 7 / 30 + 0.208600), abs=1e-5)


def test_paired_difference_keeps_a_width_without_discordant_pairs():
    # both 0 of 30: phi has no margins (taken as 0); each side is the Wilson upper bound 0.113513
    assert stats.paired_difference(0, 0, 0, 30) == pytest.approx((0.0, -0.113513, 0.113513), abs=1e-5)
    assert stats.paired_difference(0, 0, 0, 0) == (0.0, -1.0, 1.0)
    _, low, high = stats.paired_difference(50, 40, 0, 10)  # a large, clear gain stays inside [-1, 1]
    assert 0 < low < 0.4 < high <= 1


def test_the_sign_flip_test_is_mcnemar_with_one_run_per_question():
    assert stats.sign_flip_p([1] * 11 + [-1] * 4 + [0] * 15) == stats.mcnemar_p(11, 4)
    assert stats.sign_flip_p([]) == 1.0


@pytest.mark.parametrize("nets, expected", [
    ([2, 2, 2], 2 / 8),  # three questions won in both seeds: only all-plus or all-minus reach |6|
    ([3, 3, 3, 3, 3, 3], 2 / 64),  # as strong as six single wins, not eighteen
    ([2, 1, 1, 1], 2 / 16),  # the sum 5 is the largest there is: all plus or all minus
    # sum 3: +2 with the three ones summing to 3 or 1 (1 + 3 of 8 patterns), and its mirror: 8 of 16
    ([2, 1, 1, -1], 8 / 16),
    # sum 2: +-2 +-1 +-1 give 4, 2, 2, 0 and their mirrors: |sum| >= 2 in 6 of 8
    ([1, -1, 0, 2], 6 / 8),
])
def test_the_sign_flip_test_counts_each_question_once(nets, expected):
    assert stats.sign_flip_p(nets) == pytest.approx(expected)


def test_the_sign_flip_test_matches_enumerating_every_sign_pattern():
    rng = random.Random(0)
    for _ in range(200):
        nets = [rng.randint(-3, 3) for _ in range(rng.randint(0, 10))]
        patterns = list(itertools.product((1, -1), repeat=len(nets)))
        extreme = sum(abs(sum(s * d for s, d in zip(signs, nets))) >= abs(sum(nets)) for signs in patterns)
        assert stats.sign_flip_p(nets) == pytest.approx(extreme / len(patterns), abs=1e-12), nets


def test_the_design_effect_is_how_much_a_question_s_runs_agree():
    one_run = [(1, 1, 1)] * 10 + [(0, 0, 1)] * 20  # 10 of 30 right, one run each
    assert stats.design_effect(one_run) == pytest.approx(1.0)
    assert stats.design_effect([(3 * t, 3 * t, 3) for t, _, _ in one_run]) == pytest.approx(3.0)  # seeds agree
    # half the runs right on every question: no spread between questions, the independent width is kept
    assert stats.design_effect([(1, 1, 2)] * 30) == 1.0
    # every answer wrong in every seed: nothing to estimate from, and the seeds did agree
    assert stats.design_effect([(0, 0, 3)] * 30) == 3.0


def test_a_few_differing_answers_do_not_narrow_an_interval():
    # 150 questions in 3 seeds, k of them right in one seed: the first right answers widen the interval
    uppers = [stats.wilson_by_question([(1, 3)] * k + [(0, 3)] * (150 - k))[1] for k in range(6)]
    assert uppers == sorted(uppers) and uppers[0] == pytest.approx(stats.wilson(0, 150)[1])
    _, low, high, _ = stats.paired_test([(0, 1, 0, 2)] + [(0, 0, 0, 3)] * 149)  # one win in one seed
    _, pair_low, pair_high = stats.paired_difference(0, 1, 0, 449)  # as if the 450 pairs were independent
    assert high - low > 2.5 * (pair_high - pair_low)


def test_numpy_counts_give_the_same_p():
    assert stats.mcnemar_p(np.int64(60), np.int64(40)) == pytest.approx(stats.mcnemar_p(60, 40))
    assert stats.sign_flip_p(list(np.array([2] * 60 + [-1] * 40))) == pytest.approx(
        stats.sign_flip_p([2] * 60 + [-1] * 40))


def test_paired_test_counts_questions_not_question_seed_pairs():
    one_run = [(1, 0, 0, 0)] * 5 + [(0, 1, 0, 0)] * 10 + [(0, 0, 1, 0)] * 2 + [(0, 0, 0, 1)] * 13
    expected = (*stats.paired_difference(5, 10, 2, 13), stats.mcnemar_p(10, 2))
    assert stats.paired_test(one_run) == pytest.approx(expected)
    # the same 30 questions in three seeds that always agree: three times the pairs, the same evidence
    assert stats.paired_test([(3 * b, 3 * w, 3 * l, 3 * x) for b, w, l, x in one_run]) == pytest.approx(expected)
    # no discordant pair in 150 questions times 3 seeds: the width of 150 pairs, not 450
    assert stats.paired_test([(0, 0, 0, 3)] * 150) == pytest.approx((*stats.paired_difference(0, 0, 0, 150), 1.0))


def test_wilson_by_question_counts_questions_not_question_seed_answers():
    assert stats.wilson_by_question([(1, 1)] * 16 + [(0, 1)] * 14) == pytest.approx(stats.wilson(16, 30))
    assert stats.wilson_by_question([(3, 3)] * 16 + [(0, 3)] * 14) == pytest.approx(stats.wilson(16, 30))
    assert stats.wilson_by_question([(0, 3)] * 30) == pytest.approx(stats.wilson(0, 30))
    # seeds that disagree: between the question-level and the answer-level interval
    low, high = stats.wilson_by_question([(2, 3)] * 10 + [(1, 3)] * 10 + [(3, 3)] * 5 + [(0, 3)] * 5)
    assert stats.wilson(15, 30)[0] < low < stats.wilson(45, 90)[0]  # design effect 27.5 / 22.5


def test_chance_and_majority_rates():
    assert stats.chance("yesno") == 0.5
    assert stats.chance("letter", [5, 5, 3]) == pytest.approx((0.2 + 0.2 + 1 / 3) / 3)
    assert stats.chance("number") == stats.chance("string") == stats.chance("letter", []) == 0.0
    assert stats.majority(["yes", "no", "yes"]) == pytest.approx(2 / 3)
    assert stats.majority([]) == 0.0


def test_the_constant_predictor_flag():
    assert stats.is_constant(["no"] * 30)
    assert stats.is_constant(["yes"] * 27 + ["no"] * 3)  # 90% is enough
    assert not stats.is_constant(["yes"] * 26 + ["no"] * 4)
    assert not stats.is_constant([None] * 30)  # no answer read is not an answer
    assert not stats.is_constant([])
    assert stats.most_common(["a", None, None, "a", "b"]) == ("a", 2)


def test_within_noise_of_a_base_rate():
    assert stats.within_noise(16, 30, 0.5)  # 53.3% [36.1, 69.8] against a coin
    assert not stats.within_noise(29, 30, 0.5)
    assert stats.within_noise(0, 30, 0.05)  # 0% of 30 does not rule out 5%


def test_seed_spread_is_mean_sd_and_range():
    mean, sd, low, high = stats.spread([40.0, 50.0, 60.0])
    assert (mean, low, high) == (50.0, 40.0, 60.0)
    assert sd == pytest.approx(10.0)  # sqrt((100 + 0 + 100) / 2)
    assert stats.spread([50.0]) == (50.0, 0.0, 50.0, 50.0)
    assert not math.isnan(stats.spread([1.0, 1.0])[1])
