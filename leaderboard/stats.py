"""The statistics behind the board's comparisons: arithmetic on counts, no files, pandas or Streamlit.

    mcnemar_p(11, 4)                   # 0.1185: exact two-sided p of 11 wins against 4 losses
    wilson(16, 30)                     # (0.361, 0.699): 95% interval of 16 right out of 30
    paired_difference(5, 11, 4, 10)    # (0.233, low, high): two models on the same 30 questions
    paired_test([(1, 1, 0, 1), ...])   # (difference, low, high, p) over questions each asked in several seeds
    wilson_by_question([(3, 3), ...])  # one model's interval over questions each asked in several seeds

Proportions are fractions (0-1) and intervals 95%. Two models answering the same questions are compared
question by question: only the questions one got right and the other wrong (the discordant pairs: the
student's wins and losses) carry evidence of a difference, which is what the exact McNemar test uses. With
several runs of each model (training seeds), one question yields a pair per seed; the pairs of one question
are not independent (seeds of one recipe often give the same answer), so `paired_test` keeps them together.
"""

import math
from collections import Counter
from statistics import NormalDist

import numpy as np

Z = NormalDist().inv_cdf(0.975)  # 1.95996...: a two-sided 95% interval
ALPHA = 0.05  # a difference with p >= ALPHA is marked "not significant" wherever it is shown
CONSTANT_SHARE = 0.9  # giving one answer to this share of a split's questions or more is a constant predictor
DESIGN_PRIOR = 10  # observations' worth of "the seeds agree" in a design effect (a few answers cannot undo it)


def mcnemar_p(wins: int, losses: int) -> float:
    """Exact McNemar test: the two-sided binomial p-value of `wins` among the wins + losses discordant pairs,
    each a win with probability 1/2 if neither model is better. 1.0 when there is no discordant pair."""
    wins, losses = int(wins), int(losses)  # numpy integers would overflow 2**n below
    n = wins + losses
    tail = sum(math.comb(n, k) for k in range(min(wins, losses) + 1))
    return min(1.0, 2 * tail / 2**n)  # integer arithmetic until the one division: exact for any n


def significant(p: float) -> bool:
    return p < ALPHA


def wilson(successes: int, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson score interval of a proportion. Unlike p ± z·stderr it stays inside [0, 1] and keeps a width at
    0 or n successes, which small test sets hit often; (0, 1) when there is nothing to go on (n = 0)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    shrink = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / shrink
    half = z / shrink * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def paired_difference(both: int, wins: int, losses: int, neither: int, z: float = Z) -> tuple[float, float, float]:
    """(difference, low, high) of two proportions measured on the same items: the first model's accuracy
    minus the second's, from the 2x2 table of pairs (both right, only the first, only the second, neither).

    The interval is Newcombe's (1998, "method 10"): each accuracy's Wilson interval, combined through the
    phi correlation of the pairs. It holds at small n and keeps a width when there is no discordant pair,
    where the Wald interval collapses to a point.
    """
    n = both + wins + losses + neither
    if n == 0:
        return 0.0, -1.0, 1.0
    first, second = both + wins, both + losses
    p1, p2 = first / n, second / n
    (l1, u1), (l2, u2) = wilson(first, n, z), wilson(second, n, z)
    margins = first * (n - first) * second * (n - second)
    phi = (both * neither - wins * losses) / math.sqrt(margins) if margins else 0.0
    below = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    above = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    difference = p1 - p2
    return difference, max(-1.0, difference - math.sqrt(max(below, 0.0))), min(1.0, difference + math.sqrt(
        max(above, 0.0)))


def sign_flip_p(nets: list[int]) -> float:
    """Exact two-sided p of sum(nets), each question's net being its wins minus losses over its runs (seeds),
    if neither model is better: then each question's net is as likely negative as positive, and the runs of a
    question flip together, so a question won in three seeds is one piece of evidence, not three. With one
    run per question (nets of -1, 0 or 1) this is McNemar's test."""
    counts = Counter(abs(int(d)) for d in nets if d)
    if set(counts) <= {1}:
        return mcnemar_p(sum(d > 0 for d in nets), sum(d < 0 for d in nets))
    # U, the sum of |net| over the questions that come out positive, is a sum of binomials scaled by |net|
    pmf = np.ones(1)
    for size, count in counts.items():
        scaled = np.zeros(size * count + 1)
        scaled[::size] = _half_binomial(count)
        pmf = np.convolve(pmf, scaled)
    total = sum(size * count for size, count in counts.items())  # sum(nets) = 2U - total
    u = np.arange(len(pmf))
    return min(1.0, float(pmf[np.abs(2 * u - total) >= abs(sum(nets))].sum()))


def _half_binomial(n: int) -> np.ndarray:
    """The probabilities of 0..n heads in n fair coin flips, in floating point (no n-digit integers)."""
    k = np.arange(n + 1)
    log_comb = math.lgamma(n + 1) - np.array([math.lgamma(i + 1) + math.lgamma(n - i + 1) for i in k])
    return np.exp(log_comb - n * math.log(2))


def design_effect(clusters: list[tuple[float, float, int]], prior: float = DESIGN_PRIOR) -> float:
    """How much more a mean varies when each question's runs (seeds) are kept together than if every (question,
    run) observation were independent: 1 with one run per question, up to the runs per question when the runs
    of a question always agree. `clusters`: (sum, sum of squares, runs) of each question's observations.

    The ratio of the clustered to the independent spread is shrunk towards the runs per question (the cautious
    guess, the seeds agreeing) by `prior` observations' worth of spread: with every answer alike there is
    nothing to estimate it from, and a handful of differing answers must not narrow an interval. Never below 1
    (questions that all score alike would make the clustered spread 0, not the mean certain)."""
    n = sum(size for _, _, size in clusters)
    if not n:
        return 1.0
    mean = sum(total for total, _, _ in clusters) / n
    independent = sum(squares for _, squares, _ in clusters) - n * mean**2
    clustered = sum((total - mean * size) ** 2 for total, _, size in clusters)
    return max(1.0, (clustered + prior * n / len(clusters)) / (independent + prior))


def wilson_by_question(tables: list[tuple[int, int]], z: float = Z) -> tuple[float, float]:
    """95% interval of a proportion over questions each asked in one or more runs: `tables` holds (right,
    asked) per question. Wilson's interval of the pooled counts shrunk by the design effect (its effective
    sample size), so that a question right in every seed counts as one question, not three."""
    factor = design_effect([(r, r, k) for r, k in tables])
    return wilson(sum(r for r, _ in tables) / factor, sum(k for _, k in tables) / factor, z)


def paired_test(tables: list[tuple[int, int, int, int]], z: float = Z) -> tuple[float, float, float, float]:
    """(difference, low, high, p) of two models on the same questions, each asked in one or more paired runs:
    `tables` holds (both right, only the first, only the second, neither) per question, counted over its runs.
    The difference pools the pairs; its Newcombe interval is that of the pooled table shrunk by the design
    effect, and p is the sign-flip test of the pooled wins minus losses, a question counting once (both equal
    paired_difference and mcnemar_p when every question has one run)."""
    factor = design_effect([(w - l, w + l, b + w + l + x) for b, w, l, x in tables])
    difference, low, high = paired_difference(*(sum(t[i] for t in tables) / factor for i in range(4)), z)
    return difference, low, high, sign_flip_p([w - l for _, w, l, _ in tables])


def chance(answer_type: str, options: list[int] | None = None) -> float:
    """Accuracy of guessing: 1/2 for yes/no, the mean of 1/options for lettered options, 0 for free answers."""
    if answer_type == "yesno":
        return 0.5
    if answer_type == "letter" and options:
        return sum(1 / k for k in options) / len(options)
    return 0.0


def most_common(answers: list) -> tuple[object, int]:
    """(the most common answer, how many times it was given); None, an answer the grader could not read,
    is never counted as an answer. (None, 0) when no answer was read."""
    counts = Counter(a for a in answers if a is not None)
    return counts.most_common(1)[0] if counts else (None, 0)


def majority(golds: list[str]) -> float:
    """Accuracy of always giving the most common gold answer of these questions."""
    return most_common(golds)[1] / len(golds) if golds else 0.0


def is_constant(answers: list, share: float = CONSTANT_SHARE) -> bool:
    """True when one answer was given to at least `share` of the questions: the score then measures how often
    that answer is gold, not what the model knows."""
    return bool(answers) and most_common(answers)[1] >= share * len(answers)


def within_noise(correct: int, n: int, rate: float) -> bool:
    """True when `rate` (a base rate such as the majority class) lies inside the score's 95% Wilson interval."""
    low, high = wilson(correct, n)
    return low <= rate <= high


def spread(values: list[float]) -> tuple[float, float, float, float]:
    """(mean, sample standard deviation, min, max) of one score over several seeds; the deviation is 0 for
    one seed. Seeds are summarised together, never by their best."""
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return mean, sd, min(values), max(values)
