"""The board's pure pandas: averages, filters, teacher links, distillation gains and the heatmap."""

import json
import math
import random
import sys
from pathlib import Path

import pytest

from leaderboard import figures, transforms
from leaderboard.load import load_board

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    return load_board(synth.family(tmp_path_factory.mktemp("results")))


def test_splits_count_once_in_category_and_overall_averages(tmp_path):
    scores = {("last_letter", "test_2words"): 0.9, ("last_letter", "test_3words"): 0.6,
              ("last_letter", "test_4words"): 0.3, ("coin_flip", "test_2flips"): 1.0, ("sports", "test"): 0.2}
    synth.write_entry(tmp_path, "m", scores=scores, n=10)
    board = load_board(tmp_path)
    row = transforms.wide_table(board.scores, board.entries).iloc[0]
    assert row["last_letter 3words"] == pytest.approx(60)
    assert row["symbolic"] == pytest.approx((60 + 100) / 2)  # last_letter's mean, then coin_flip's one split
    assert row["commonsense"] == pytest.approx(20)
    assert row["overall"] == pytest.approx((60 + 100 + 20) / 3)
    assert row["benchmarks"] == 3
    assert math.isnan(row["arithmetic"])
    sports_se = math.sqrt(0.2 * 0.8 / 9)  # what synth writes, as lm-eval computes it
    assert row["sports ±"] == pytest.approx(sports_se * 100)


def test_the_main_table_has_one_row_per_entry_best_first(board):
    table = transforms.wide_table(board.scores, board.entries)
    assert sorted(table["entry"]) == sorted(board.entries["entry"])
    assert list(table["overall"]) == sorted(table["overall"], reverse=True)
    assert table.columns[:5].tolist() == transforms.INFO_COLUMNS
    split_columns = [c for c in table.columns if c in transforms.split_columns()]
    assert split_columns[0] == "gsm8k" and "last_letter 4words" in split_columns


def test_filters_by_role_format_search_and_size(board):
    entries = board.entries
    everyone = (list(transforms.ROLE_ORDER), ["fewshot_cot", "fewshot_direct", "ft_cot", "ft_direct"])
    assert set(transforms.filter_entries(entries, ["student"], everyone[1])["model"]) == {synth.STUDENT}
    assert set(transforms.filter_entries(entries, everyone[0], ["ft_direct"])["model"]) == {
        synth.ANSWER_ONLY, "T5 XXL (answer-only)"}
    assert set(transforms.filter_entries(entries, *everyone, search="PALM")["model"]) == {"T5 XXL (PaLM 540B CoTs)"}
    # the search covers teachers too: the student distilled from Qwen, and Qwen itself
    assert set(transforms.filter_entries(entries, *everyone, search="qwen")["model"]) == {synth.TEACHER, synth.STUDENT}
    assert set(transforms.filter_entries(entries, *everyone, size=("1B", "3B"))["model"]) == {synth.TEACHER}
    assert len(transforms.filter_entries(entries, *everyone, size=("100M", "300M"))) == 3


def test_unknown_sizes_are_kept_only_when_asked(tmp_path):
    synth.write_entry(tmp_path, "sizeless", scores={("sports", "test"): 0.5})
    entries = load_board(tmp_path).entries
    roles, formats = list(transforms.ROLE_ORDER), ["fewshot_cot"]
    assert len(transforms.filter_entries(entries, roles, formats, size=("1B", "any"), unknown_size=True)) == 1
    assert transforms.filter_entries(entries, roles, formats, size=("1B", "any"), unknown_size=False).empty


def test_category_filter_limits_the_averages(board):
    symbolic = transforms.wide_table(transforms.filter_scores(board.scores, ["symbolic"]), board.entries)
    assert "T5 XXL (PaLM 540B CoTs)" not in set(symbolic["model"])  # it has no symbolic score
    assert (symbolic["overall"] == symbolic["symbolic"]).all()
    assert "sports" not in symbolic.columns


def test_teacher_links_join_measured_students_to_measured_teachers(board):
    assert transforms.teacher_links(board.entries) == [
        (f"{synth.TEACHER}__fewshot_cot", f"{synth.STUDENT}__ft_cot")]


def test_gains_compare_only_shared_benchmarks_per_category(board):
    gains = transforms.gains(board.scores, board.entries)
    assert set(gains["student"]) == {f"{synth.STUDENT}__ft_cot"}
    assert set(gains["reference"]) == {f"{synth.ANSWER_ONLY}__ft_direct", f"{synth.BASE}__fewshot_cot"}
    bench = transforms.benchmark_scores(board.scores).set_index(["entry", "benchmark"])["score"]
    versus_base = gains[gains["versus"] == "untrained base"].set_index("category")
    # the real base entry has only sports (commonsense) and coin_flip (symbolic)
    assert set(versus_base.index) == {"commonsense", "symbolic"}
    student, base = f"{synth.STUDENT}__ft_cot", f"{synth.BASE}__fewshot_cot"
    expected = (bench[student, "sports"] - bench[base, "sports"]) * 100
    assert versus_base.loc["commonsense", "gain"] == pytest.approx(expected)
    assert versus_base.loc["commonsense", "benchmarks"] == 1
    versus_baseline = gains[gains["versus"] == "answer-only baseline"]
    assert set(versus_baseline["category"]) == {"arithmetic", "commonsense", "symbolic"}


def test_reported_entries_never_enter_gains_or_links(board):
    reported = board.entries[board.entries["role"] == "reported"]
    assert transforms.teacher_links(reported) == []
    assert transforms.gains(board.scores, reported).empty


def test_heatmap_rows_are_the_tables_rows(board):
    table = transforms.wide_table(board.scores, board.entries)
    matrix = transforms.heatmap_matrix(table.head(3))
    assert list(matrix.index) == [f"{m} · {f}" for m, f in zip(table["model"][:3], table["format"][:3])]
    assert list(matrix.columns) == [c for c in transforms.split_columns() if c in table.columns]


def test_size_labels():
    assert [transforms.size_label(p) for p in (11e9, 134515008, 1_543_714_304, None)] == ["11B", "135M", "1.54B", "?"]


def _texts(figure) -> str:
    """Every text plotly would draw: trace names, point labels, axis ticks."""
    parts = [str(getattr(t, key, None)) for t in figure.data for key in ("name", "text", "x", "y")]
    return " ".join(parts)


def test_figures_escape_names_that_plotly_would_render_as_html(board):
    table = transforms.wide_table(board.scores, board.entries)
    table.loc[0, "model"] = "<b>bold</b><a href='javascript:alert(1)'>x</a>"
    scatter = _texts(figures.score_vs_size(table, "overall", transforms.teacher_links(board.entries)))
    assert "&lt;b&gt;bold&lt;/b&gt;&lt;a href=&#x27;javascript" in scatter and "<b>" not in scatter
    heatmap = _texts(figures.heatmap(transforms.heatmap_matrix(table)))
    assert "&lt;b&gt;bold" in heatmap and "<b>" not in heatmap
    gains = transforms.gains(board.scores, board.entries)
    bars = _texts(figures.gain_bars(gains, {e: "<i>student</i>" for e in gains["student"]}))
    assert "&lt;i&gt;student" in bars and "<i>" not in bars


def test_the_scatter_draws_an_arrow_from_teacher_to_student(board):
    table = transforms.wide_table(board.scores, board.entries).set_index("entry")
    figure = figures.score_vs_size(table.reset_index(), "overall", transforms.teacher_links(board.entries))
    (arrow,) = [t for t in figure.data if t.name == "teacher → student"]
    teacher, student = f"{synth.TEACHER}__fewshot_cot", f"{synth.STUDENT}__ft_cot"
    assert list(arrow.x) == [table.at[teacher, "params"], table.at[student, "params"]]
    assert list(arrow.y) == [table.at[teacher, "overall"], table.at[student, "overall"]]
    assert arrow.marker.symbol == "arrow" and figure.layout.xaxis.type == "log"
    roles = {t.name for t in figure.data} - {"teacher → student"}
    assert roles == {"teacher", "student", "baseline", "reported"}


def test_a_named_twin_is_the_answer_only_baseline_even_beside_other_ft_direct_entries(tmp_path):
    synth.shipped(tmp_path)
    rng = random.Random(3)
    synth.write_entry(tmp_path, "other-direct", fmt="ft_direct", role="student", base_model=synth.BASE,
                      teacher="gold", scores=synth.random_scores(rng, 0.3))
    synth.write_entry(tmp_path, "twin", fmt="ft_direct", role="student", base_model=synth.BASE,
                      teacher=synth.TEACHER, scores=synth.random_scores(rng, 0.3))
    cot = synth.write_entry(tmp_path, "cot", fmt="ft_cot", role="student", base_model=synth.BASE,
                            teacher=synth.TEACHER, scores=synth.random_scores(rng, 0.4))
    board = load_board(tmp_path)
    student = board.entries.set_index("entry").loc["cot__ft_cot"].rename("cot__ft_cot")
    student["entry"] = "cot__ft_cot"
    # without a name, the same teacher's ft_direct entry wins over another teacher's
    assert transforms.references(board.entries, student)["answer-only baseline"] == "twin__ft_direct"
    meta = json.loads((cot / "metadata.json").read_text())
    (cot / "metadata.json").write_text(json.dumps({**meta, "answer_only_twin": "other-direct"}))
    board = load_board(tmp_path)
    student = board.entries.set_index("entry").loc["cot__ft_cot"]
    student["entry"] = "cot__ft_cot"
    assert transforms.references(board.entries, student)["answer-only baseline"] == "other-direct__ft_direct"


def test_distillation_gains_per_split_with_stderr_and_retention(tmp_path):
    splits = {("last_letter", "test_2words"): 0.8, ("last_letter", "test_3words"): 0.2}
    synth.write_entry(tmp_path, "teacher", role="teacher", scores={k: 1.0 - v / 4 for k, v in splits.items()})
    synth.write_entry(tmp_path, "cot", fmt="ft_cot", role="student", base_model="base", teacher="teacher",
                      scores=splits)
    synth.write_entry(tmp_path, "direct", fmt="ft_direct", role="student", base_model="base", teacher="teacher",
                      scores={k: v / 2 for k, v in splits.items()})
    board = load_board(tmp_path)
    gains = transforms.distillation_gains(board.scores, board.entries).set_index("column")
    two = gains.loc["last_letter 2words"]
    assert two["gain"] == pytest.approx(40) and two["teacher_score"] == pytest.approx(80)
    assert two["retention"] == pytest.approx(1.0) and two["n"] == 10
    se = lambda p: math.sqrt(p * (1 - p) / 9)  # noqa: E731 - what synth writes, as lm-eval computes it
    assert two["gain_stderr"] == pytest.approx(math.hypot(se(0.8), se(0.4)) * 100)
    assert gains.loc["last_letter 3words", "gain"] == pytest.approx(10)
    assert transforms.test_sizes_text(board.scores) == "last_letter 2words 10, last_letter 3words 10"


def test_an_unnamed_twin_must_cover_one_of_the_students_benchmarks(tmp_path):
    synth.write_entry(tmp_path, "gsm-direct", fmt="ft_direct", role="student", base_model="base", teacher="gold",
                      scores={("gsm_symbolic", "test"): 0.1})
    synth.write_entry(tmp_path, "letters-direct", fmt="ft_direct", role="student", base_model="base", teacher="gold",
                      scores={("last_letter", "test_2words"): 0.3})
    synth.write_entry(tmp_path, "letters-cot", fmt="ft_cot", role="student", base_model="base", teacher="gold",
                      scores={("last_letter", "test_2words"): 0.7})
    board = load_board(tmp_path)
    student = board.entries.set_index("entry", drop=False).loc["letters-cot__ft_cot"]
    assert transforms.references(board.entries, student)["answer-only baseline"] == "letters-direct__ft_direct"
    assert list(transforms.distillation_gains(board.scores, board.entries)["gain"]) == [pytest.approx(40)]
