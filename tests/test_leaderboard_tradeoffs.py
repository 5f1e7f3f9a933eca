"""Sweeps on the board: compare.tradeoffs over a synthetic sweep of training-set sizes (one point with two
seeds) and one of teacher modes, the trade-off figure, and the Trade-offs page with and without sweeps."""

import json
import math
import shutil
import sys
from pathlib import Path

import pytest

from distill.benchmarks import get_benchmark
from leaderboard import compare, figures, stats
from leaderboard.load import load_board, read_outcomes

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth
from test_leaderboard_app import app  # pytest puts tests/ on the path

N = 30
FLIPS = [("coin_flip", s) for s in get_benchmark("coin_flip").test_splits]  # whole benchmark: 2 to 6 flips
SIZES = "coin-size"  # the sweep of training questions
# value -> [(CoT student's right answers, twin's right answers) of N, per seed]; the same on each coin_flip split
POINTS = {125: [(15, 15)], 250: [(18, 12)], 1000: [(20, 18), (16, 17)]}
MODES = {"hint": (15, 15), "fewshot": (18, 15)}  # the sweep of teacher modes, one seed


def _student(root, model, fmt, right, sweep, params=134_515_008, **metadata):
    return synth.write_entry(root, model, fmt=fmt, role="student", params=params, base_model="smollm2-135m-base",
                             teacher=synth.TEACHER, n=N, scores={k: right / N for k in FLIPS},
                             metadata={"sweep": sweep, **metadata})


def _point(root, name, sweep, axis, value, cot, direct, seed=None, params=134_515_008):
    """A CoT student and its answer-only twin at one point of a sweep (with `seed`: one seed of a group)."""
    point = {"name": sweep, "axis": axis, "value": value}

    def run(kind: str) -> tuple[str, dict]:  # the model's name and its seed metadata
        if seed is None:
            return f"{name}-{kind}", {}
        return f"{name}-{kind}-seed{seed}", {"seed": seed, "seed_group": f"{name}-{kind}"}

    (twin, twin_seed), (cot_model, cot_seed) = run("direct"), run("cot")
    _student(root, twin, "ft_direct", direct, point, params, **twin_seed)
    kept = {"examples": 2 * cot, "filter_report": {"teacher_accuracy": 0.9}}  # what the filter says it kept
    _student(root, cot_model, "ft_cot", cot, point, params, answer_only_twin=twin, data=kept, **cot_seed)


def sweep_results(root: Path) -> Path:
    """The teacher (24 of 30 on each coin_flip split), the SIZES sweep (POINTS) and the mode sweep (MODES)."""
    synth.write_entry(root, synth.TEACHER, role="teacher", params=1_543_714_304, n=N, scores={k: 0.8 for k in FLIPS})
    for value, seeds in POINTS.items():
        for seed, (cot, direct) in enumerate(seeds):
            _point(root, f"q{value}", SIZES, "train_questions", value, cot, direct, seed if len(seeds) > 1 else None)
    for mode, (cot, direct) in MODES.items():
        _point(root, mode, "coin-mode", "mode", mode, cot, direct)
    return root


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    board = load_board(sweep_results(tmp_path_factory.mktemp("sweeps")))
    assert board.rejected.empty, board.rejected
    return board


@pytest.fixture(scope="module")
def points(board):
    questions, unread = read_outcomes(board)
    assert unread.empty
    return compare.tradeoffs(compare.paired(questions, board.entries), board.entries, questions)


def test_each_sweep_point_pools_its_seeds_and_splits(points):
    sizes = points[points["sweep"] == SIZES]
    assert sizes["value"].tolist() == [125, 250, 1000] and set(sizes["benchmark"]) == {"coin_flip"}
    assert sizes["student"].tolist() == ["q125-cot__ft_cot", "q250-cot__ft_cot", "q1000-cot-seed0__ft_cot"]
    assert sizes["twin"].tolist() == ["q125-direct__ft_direct", "q250-direct__ft_direct",
                                      "q1000-direct-seed0__ft_direct"]
    assert sizes["runs"].tolist() == [1, 1, 2]
    assert sizes["train_examples"].tolist() == [30, 36, 40]  # the first seed's, as filtered
    assert sizes["teacher_train_pct"].tolist() == pytest.approx([90, 90, 90])
    # five splits of 30, times seeds: 1000 pools 20 and 16 right per split (not its first seed's 20)
    assert sizes["student_n"].tolist() == [150, 150, 300] and sizes["twin_n"].tolist() == [150, 150, 300]
    assert sizes["student_pct"].tolist() == pytest.approx([50, 60, 60])
    assert sizes["twin_pct"].tolist() == pytest.approx([50, 40, 35 / .6])
    assert sizes["teacher_pct"].tolist() == pytest.approx([80, 80, 80])
    # a question counts once over the seeds: per split 16 questions right in both, 4 in seed 0 only, 10 in neither
    low, high = stats.wilson_by_question([(2, 2)] * 16 * 5 + [(1, 2)] * 4 * 5 + [(0, 2)] * 10 * 5)
    assert (sizes["student_low"].iloc[2], sizes["student_high"].iloc[2]) == pytest.approx((low * 100, high * 100))
    assert high - low > stats.wilson(180, 300)[1] - stats.wilson(180, 300)[0]  # wider than 300 answers apart
    low, high = stats.wilson(60, 150)
    assert (sizes["twin_low"].iloc[1], sizes["twin_high"].iloc[1]) == pytest.approx((low * 100, high * 100))


def test_each_sweep_point_carries_the_paired_test_of_student_against_twin(points):
    sizes = points[points["sweep"] == SIZES]
    # 125: the same answers, no discordant pair; 250: 6 wins a split; 1000: 2 wins a split by seed 0 and
    # 1 loss a split by seed 1, each seed paired with its own twin
    assert sizes["p"].tolist() == pytest.approx([1.0, 2 / 2**30, stats.mcnemar_p(10, 5)])
    assert stats.mcnemar_p(10, 5) == pytest.approx(9888 / 32768)
    assert sizes["significant"].tolist() == [False, True, False]


def test_a_point_half_filed_is_compared_only_where_both_sides_are(tmp_path):
    """While a seed's twin is training, that seed is left out of the paired test (not paired with the other
    seeds' twins) and of the point's accuracies; while the teacher is evaluated split by split, it has no
    whole-benchmark accuracy."""
    root = sweep_results(tmp_path)
    shutil.rmtree(root / "q1000-direct-seed1__ft_direct")
    synth.write_entry(root, synth.TEACHER, role="teacher", params=1_543_714_304, n=N, scores={FLIPS[0]: 0.8})
    board = load_board(root)
    questions = read_outcomes(board)[0]
    paired = compare.paired(questions, board.entries)
    mine = paired[paired["student"] == "q1000-cot-seed0__ft_cot"].set_index("versus")
    twin = mine[mine["whole"]].loc["answer-only twin"]
    assert (twin["n"], twin["wins"], twin["losses"]) == (150, 10, 0)  # seed 0 with its own twin only
    teacher = mine.loc["teacher"]
    assert teacher["column"] == "coin_flip 2flips" and not teacher["whole"]
    point = compare.tradeoffs(paired, board.entries, questions).query("value == 1000").iloc[0]
    assert math.isnan(point["teacher_pct"])
    # the student's accuracy waits for seed 1's twin too: both sides over seed 0
    assert (point["runs"], point["student_n"], point["twin_n"]) == (1, 150, 150)
    assert point["student_pct"] == pytest.approx(100 * 20 / 30)


def test_a_categorical_sweep_keeps_its_text_values(points):
    modes = points[points["sweep"] == "coin-mode"]
    assert modes["axis"].tolist() == ["mode", "mode"] and modes["value"].tolist() == ["fewshot", "hint"]
    assert modes["student_pct"].tolist() == pytest.approx([60, 50]) and modes["p"].iloc[0] == pytest.approx(2 / 2**15)


def test_a_sweep_of_students_goes_from_the_smallest_to_the_largest(tmp_path):
    """Model names are not in size order (gemma3-270m sorts before smollm2-135m), so students are ordered by
    their parameter count; the mode sweep beside them, whose points have one size, stays alphabetical."""
    root = sweep_results(tmp_path)
    for value, params in [("smollm2-135m", 134_515_008), ("gemma3-270m", 268_098_176)]:
        _point(root, value, "coin-student", "student", value, 15, 15, params=params)
    board = load_board(root)
    questions = read_outcomes(board)[0]
    table = compare.tradeoffs(compare.paired(questions, board.entries), board.entries, questions)
    assert table.query("sweep == 'coin-student'")["value"].tolist() == ["smollm2-135m", "gemma3-270m"]
    assert table.query("sweep == 'coin-mode'")["value"].tolist() == ["fewshot", "hint"]


def test_no_sweep_no_rows(tmp_path):
    board = load_board(synth.distilled(tmp_path))
    questions = read_outcomes(board)[0]
    table = compare.tradeoffs(compare.paired(questions, board.entries), board.entries, questions)
    assert table.empty and list(table.columns) == compare.TRADEOFF_COLUMNS


def test_the_figure_draws_student_twin_teacher_and_p_values(points):
    sizes = points[points["sweep"] == SIZES]
    figure = figures.tradeoff(sizes)
    layout = figure.layout
    assert layout.xaxis.type == "log" and list(layout.xaxis.tickvals) == [125, 250, 1000]
    assert layout.title.text == "coin-size · coin_flip"
    student, twin, p_values = figure.data
    assert (student.name, twin.name) == ("student", "answer-only twin")
    assert list(student.y) == pytest.approx([50, 60, 60]) and list(twin.y) == pytest.approx([50, 40, 35 / .6])
    high = [stats.wilson(k, n)[1] * 100 for k, n in ((75, 150), (90, 150))]  # one seed; two seeds: compare's
    assert list(student.error_y.array + student.y) == pytest.approx([*high, sizes["student_high"].iloc[2]])
    assert list(p_values.text) == ["p=1.000", "p<0.0001 *", "p=0.302"]
    assert list(p_values.textfont.color) == ["#777", figures.SIGNIFICANT, "#777"]
    assert [a.text for a in layout.annotations] == ["teacher 80.0%"] and [s.y0 for s in layout.shapes] == [80]

    modes = figures.tradeoff(points[points["sweep"] == "coin-mode"])
    assert modes.layout.xaxis.type == "category" and list(modes.data[0].x) == ["fewshot", "hint"]


@pytest.mark.parametrize("values, kind", [([1, 2, 4, 8], "log"), ([1, 2, 3], "linear"), ([0, 10], "linear"),
                                          (["a<b>", 2], "category")])
def test_the_x_axis_is_log_only_for_numbers_spanning_a_factor_of_four(values, kind):
    x, axis = figures._sweep_axis(values)
    assert axis["type"] == kind
    assert kind != "category" or x == ["a&lt;b&gt;", "2"]  # names from files stay text


def test_the_page_says_when_there_is_no_sweep(tmp_path, monkeypatch):
    at = app(synth.shipped(tmp_path), monkeypatch)
    at.switch_page("views/tradeoffs.py").run()
    assert not at.exception
    (info,) = at.info
    assert "No entry here is part of a sweep yet" in info.value and not at.get("plotly_chart")


def test_the_page_draws_one_plot_per_sweep_and_benchmark(board, monkeypatch):
    at = app(Path(board.results_dir), monkeypatch)
    at.switch_page("views/tradeoffs.py").run()
    assert not at.exception and not at.info
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert [c["layout"]["title"]["text"] for c in charts] == [
        "coin-mode · coin_flip", "coin-mode · coin_flip, by test split", "coin-size · coin_flip",
        "coin-size · coin_flip, by test split"]
    sizes = at.dataframe[1].value
    assert sizes["value"].tolist() == ["125", "250", "1000"] and sizes["student_pct"].tolist() == pytest.approx(
        [50, 60, 60])


def test_the_main_table_shows_sweep_points_on_request(board, monkeypatch):
    at = app(Path(board.results_dir), monkeypatch)
    assert len(at.dataframe[0].value) == 1, "the teacher; the sweeps' students are on the trade-offs page"
    at.toggle(key="sweep_points").set_value(True).run()
    assert len(at.dataframe[0].value) == 1 + 2 * (len(POINTS) + len(MODES))  # a seed group is one row


@pytest.fixture(scope="module")
def split_points(board):
    questions = read_outcomes(board)[0]
    return compare.tradeoffs(compare.paired(questions, board.entries), board.entries, questions, by_split=True)


def test_by_split_a_point_gets_a_row_per_test_split_with_its_own_test(split_points, points):
    sizes = split_points[split_points["sweep"] == SIZES]
    assert sizes["split"].tolist() == [s for _, s in FLIPS for _ in POINTS]  # splits in order, then values
    assert sizes["value"].tolist() == [*POINTS] * len(FLIPS)
    one = sizes[sizes["split"] == "test_3flips"]
    assert one["student_n"].tolist() == [30, 30, 60] and one["student_pct"].tolist() == pytest.approx([50, 60, 60])
    # 250: 6 wins on this split alone; 1000: 2 wins (seed 0) and 1 loss (seed 1)
    assert one["p"].tolist() == pytest.approx([1.0, 2 / 2**6, stats.mcnemar_p(2, 1)])
    assert points["split"].isna().all()  # the pooled rows name no split


def test_the_split_figure_draws_a_line_per_value_over_the_test_splits(split_points):
    figure = figures.tradeoff_splits(split_points[split_points["sweep"] == SIZES])
    *values, teacher = figure.data
    assert [v.name for v in values] == ["training questions = 125", "training questions = 250",
                                        "training questions = 1000"]
    flips = [f"{n}flips" for n in range(2, 7)]
    assert list(values[1].x) == flips and list(values[1].y) == pytest.approx([60] * 5)
    assert "twin 40.0%, p = 0.031" in values[1].text[0]
    assert teacher.name == "teacher" and list(teacher.y) == pytest.approx([80] * 5)
    assert figure.layout.xaxis.categoryarray == tuple(flips)
