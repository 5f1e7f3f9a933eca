"""The board's pure pandas: names, fair averages and ranking, seed groups, filters, teacher links, references,
the heatmap, and the figures drawn from them."""

import json
import math
import random
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from leaderboard import compare, figures, transforms
from leaderboard.load import load_board, read_outcomes

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
    row = transforms.main_table(board.scores, board.entries).iloc[0]
    assert row["last_letter 3words"] == pytest.approx(60)
    assert row["symbolic"] == pytest.approx((60 + 100) / 2)  # last_letter's mean, then coin_flip's one split
    assert row["commonsense"] == pytest.approx(20)
    assert row["overall"] == pytest.approx((60 + 100 + 20) / 3)
    assert row["coverage"] == "3/3" and row["rank"] == 1
    assert math.isnan(row["arithmetic"])
    # 2 of 10: Wilson (0.056682, 0.509852), with its n
    assert row["sports 95%"] == "5.7–51.0 (n=10)" and row["sports n"] == 10


def test_the_main_table_has_one_row_per_entry_best_first(board):
    table = transforms.main_table(board.scores, board.entries)
    assert sorted(table["entry"]) == sorted(board.entries["entry"])
    ranked = table.dropna(subset=["overall"])
    assert list(ranked["overall"]) == sorted(ranked["overall"], reverse=True)
    assert list(ranked["rank"]) == list(range(1, len(ranked) + 1))
    assert table.columns[:7].tolist() == ["rank", *transforms.INFO_COLUMNS, "coverage", "overall"]
    split_columns = [c for c in table.columns if c in transforms.split_columns()]
    assert split_columns[0] == "gsm8k" and "last_letter 4words" in split_columns


def test_an_entry_on_one_benchmark_is_never_ranked_above_one_on_six(tmp_path):
    six = {(b, s): 0.5 for b in ("gsm_symbolic", "strategyqa", "date", "sports", "last_letter", "coin_flip")
           for s in synth.BENCHMARKS[b].test_splits}
    synth.write_entry(tmp_path, "broad", scores=six)
    coin_flips = synth.BENCHMARKS["coin_flip"].test_splits
    synth.write_entry(tmp_path, "narrow", scores={("coin_flip", s): 0.9 for s in coin_flips})
    board = load_board(tmp_path)
    table = transforms.main_table(board.scores, board.entries).set_index("entry")
    assert table.at["broad__fewshot_cot", "rank"] == 1 and table.at["broad__fewshot_cot", "overall"] == 50
    assert pd.isna(table.at["narrow__fewshot_cot", "rank"]) and pd.isna(table.at["narrow__fewshot_cot", "overall"])
    assert table.at["narrow__fewshot_cot", "coverage"] == "1/6" and table.at["broad__fewshot_cot", "coverage"] == "6/6"
    assert list(table.index) == ["broad__fewshot_cot", "narrow__fewshot_cot"]
    assert pd.isna(table.at["narrow__fewshot_cot", "symbolic"])  # it lacks last_letter, the other symbolic one
    # ranked within one split, both are compared on the same questions
    by_split = transforms.ranked(transforms.with_averages(transforms.wide_table(board.scores, board.entries)),
                                 "coin_flip 2flips").set_index("entry")["rank"]
    assert by_split.to_dict() == {"narrow__fewshot_cot": 1, "broad__fewshot_cot": 2}
    # over coin_flip alone, which every compared row covers, the overall ranks both
    coin_flip = board.scores[board.scores["benchmark"] == "coin_flip"]
    overall = transforms.main_table(coin_flip, board.entries).set_index("entry")[["rank", "overall"]]
    assert overall.to_dict("index") == {"narrow__fewshot_cot": {"rank": 1, "overall": pytest.approx(90)},
                                        "broad__fewshot_cot": {"rank": 2, "overall": pytest.approx(50)}}


def test_a_seed_group_is_one_row_with_its_mean_spread_and_seeds(tmp_path):
    for seed, score in enumerate([0.4, 0.5, 0.6]):
        synth.write_entry(tmp_path, f"s-seed{seed}", fmt="ft_cot", role="student", base_model="base", teacher="t",
                          scores={("sports", "test"): score},
                          metadata={"seed": seed, "seed_group": "s", "data": {"benchmarks": ["sports"]},
                                    "training": {"wall_time_s": 100.0 + seed}})
    synth.write_entry(tmp_path, "other", scores={("sports", "test"): 0.9})
    board = load_board(tmp_path)
    names = transforms.display_names(board.entries)
    assert names["s-seed1__ft_cot"] == "base ← t CoT · sports · seed 1"
    assert set(transforms.display_names(board.entries, groups=True).values()) == {
        "base ← t CoT · sports · 3 seeds", "other · few-shot CoT"}
    table = transforms.main_table(board.scores, board.entries).set_index("name")
    assert len(table) == 2
    group = table.loc["base ← t CoT · sports · 3 seeds"]
    assert group["sports"] == pytest.approx(50) and group["seeds"] == "0, 1, 2"
    assert group["entry"] == "s-seed0__ft_cot"  # its page opens on the first seed, which lists the others
    assert group["sports 95%"] == "40.0–60.0 over 3 seeds, sd 10.0 (n=10 each)"
    assert group["train_seconds"] == pytest.approx(101)  # the mean cost of one seed
    members = transforms.seed_members(board.entries)
    assert members["s-seed2__ft_cot"] == [("s-seed0__ft_cot", 0), ("s-seed1__ft_cot", 1), ("s-seed2__ft_cot", 2)]
    assert members["other__fewshot_cot"] == [("other__fewshot_cot", None)]


def test_display_names_say_what_an_entry_is(board):
    names = transforms.display_names(board.entries)
    assert names[f"{synth.STUDENT}__ft_cot"] == f"{synth.BASE} ← {synth.TEACHER} CoT"  # no data metadata
    assert names[f"{synth.TEACHER}__fewshot_cot"] == f"{synth.TEACHER} · few-shot CoT"
    assert names["t5-xxl-palm-540b-cots__ft_cot"] == "T5 XXL (PaLM 540B CoTs)"
    assert len(set(names.values())) == len(names)


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


def test_a_sweep_points_name_says_its_setting(tmp_path):
    made = {"role": "student", "fmt": "ft_cot", "base_model": synth.BASE, "teacher": synth.TEACHER,
            "scores": {("sports", "test"): 0.5}}
    for size in (125, 250):
        synth.write_entry(tmp_path, f"point-{size}", **made,
                          metadata={"sweep": {"name": "s", "axis": "train_questions", "value": size}})
    names = transforms.display_names(load_board(tmp_path).entries)
    assert names["point-125__ft_cot"] == f"{synth.BASE} ← {synth.TEACHER} CoT · train_questions = 125"
    assert names["point-250__ft_cot"] == f"{synth.BASE} ← {synth.TEACHER} CoT · train_questions = 250"


def test_sweep_points_are_kept_only_when_asked(tmp_path):
    synth.write_entry(tmp_path, "main", scores={("sports", "test"): 0.5})
    synth.write_entry(tmp_path, "point", scores={("sports", "test"): 0.5},
                      metadata={"sweep": {"name": "s", "axis": "train_questions", "value": 125}})
    entries = load_board(tmp_path).entries
    roles, formats = list(transforms.ROLE_ORDER), ["fewshot_cot"]
    assert set(transforms.filter_entries(entries, roles, formats)["model"]) == {"main", "point"}
    assert set(transforms.filter_entries(entries, roles, formats, sweep_points=False)["model"]) == {"main"}


def test_unknown_sizes_are_kept_only_when_asked(tmp_path):
    synth.write_entry(tmp_path, "sizeless", scores={("sports", "test"): 0.5})
    entries = load_board(tmp_path).entries
    roles, formats = list(transforms.ROLE_ORDER), ["fewshot_cot"]
    assert len(transforms.filter_entries(entries, roles, formats, size=("1B", "any"), unknown_size=True)) == 1
    assert transforms.filter_entries(entries, roles, formats, size=("1B", "any"), unknown_size=False).empty


def test_category_filter_limits_the_averages(board):
    symbolic = transforms.main_table(transforms.filter_scores(board.scores, ["symbolic"]), board.entries)
    assert "T5 XXL (PaLM 540B CoTs)" not in set(symbolic["name"])  # it has no symbolic score
    assert symbolic["overall"].equals(symbolic["symbolic"])
    assert "sports" not in symbolic.columns


def test_teacher_links_join_measured_students_to_measured_teachers(board):
    assert transforms.teacher_links(board.entries) == [
        (f"{synth.TEACHER}__fewshot_cot", f"{synth.STUDENT}__ft_cot")]


def test_references_of_a_cot_student(board):
    student = board.entries.set_index("entry", drop=False).loc[f"{synth.STUDENT}__ft_cot"]
    assert transforms.references(board.entries, student) == {
        "answer-only twin": f"{synth.ANSWER_ONLY}__ft_direct", "untrained base": f"{synth.BASE}__fewshot_cot"}
    assert transforms.teacher_entry(board.entries, student) == f"{synth.TEACHER}__fewshot_cot"


def test_reported_entries_never_enter_links(board):
    reported = board.entries[board.entries["role"] == "reported"]
    assert transforms.teacher_links(reported) == []


def test_heatmap_rows_are_the_tables_rows(board):
    table = transforms.main_table(board.scores, board.entries)
    matrix = transforms.heatmap_matrix(table.head(3))
    assert list(matrix.index) == list(table["name"][:3])
    assert list(matrix.columns) == [c for c in transforms.split_columns() if c in table.columns]


def test_size_labels():
    assert [transforms.size_label(p) for p in (11e9, 134515008, 1_543_714_304, None)] == ["11B", "135M", "1.54B", "?"]


def _texts(figure) -> str:
    """Every text plotly would draw: trace names, point labels, axis ticks."""
    parts = [str(getattr(t, key, None)) for t in figure.data for key in ("name", "text", "x", "y")]
    return " ".join(parts)


def test_figures_escape_names_that_plotly_would_render_as_html(board):
    table = transforms.main_table(board.scores, board.entries)
    table.loc[0, "name"] = "<b>bold</b><a href='javascript:alert(1)'>x</a>"
    scatter = _texts(figures.score_vs_size(table, "sports", transforms.teacher_links(board.entries)))
    assert "&lt;b&gt;bold&lt;/b&gt;&lt;a href=&#x27;javascript" in scatter and "<b>" not in scatter
    heatmap = _texts(figures.heatmap(transforms.heatmap_matrix(table)))
    assert "&lt;b&gt;bold" in heatmap and "<b>" not in heatmap
    paired = compare.paired(read_outcomes(board)[0], board.entries)
    bars = _texts(figures.gain_bars(paired, {e: "<i>student</i>" for e in paired["student"]}))
    assert "&lt;i&gt;student" in bars and "<i>" not in bars


def test_the_scatter_draws_an_arrow_from_teacher_to_student_and_base_rate_lines(board):
    table = transforms.main_table(board.scores, board.entries).set_index("entry")
    figure = figures.score_vs_size(table.reset_index(), "sports", transforms.teacher_links(board.entries),
                                   {"chance": 50.0, "majority class": 60.0})
    (arrow,) = [t for t in figure.data if t.name == "teacher → student"]
    teacher, student = f"{synth.TEACHER}__fewshot_cot", f"{synth.STUDENT}__ft_cot"
    assert list(arrow.x) == [table.at[teacher, "params"], table.at[student, "params"]]
    assert list(arrow.y) == [table.at[teacher, "sports"], table.at[student, "sports"]]
    assert arrow.marker.symbol == "arrow" and figure.layout.xaxis.type == "log"
    roles = {t.name for t in figure.data} - {"teacher → student"}
    assert roles == {"teacher", "student", "baseline"}  # the papers report no sports score
    lines = {(s.y0, s.line.dash) for s in figure.layout.shapes}
    assert lines == {(50.0, "dot"), (60.0, "dash")}
    assert {a.text for a in figure.layout.annotations} == {"chance 50.0%", "majority class 60.0%"}
    hover = [t for t in figure.data if t.name == "student"][0].text[0]
    assert "(n=10)" in hover  # each point's interval and n


def test_the_gain_plot_has_one_bar_per_cot_student_with_its_interval_and_mark(board):
    paired = compare.paired(read_outcomes(board)[0], board.entries)
    whole = paired[paired["whole"]]
    figure = figures.gain_bars(whole, transforms.display_names(board.entries))
    bars = [t for t in figure.data if t.type == "bar"]
    assert sum(len(b.y) for b in bars) == len(whole)
    assert {label.split(" · ")[0] for b in bars for label in b.y} == {f"{synth.BASE} ← {synth.TEACHER} CoT"}
    labels = [t for t in figure.data if t.type == "scatter"]  # each bar's value, past its interval
    for bar, label in zip(bars, labels):
        assert list(bar.y) == list(label.y)
        highs, lows = set(whole["high"].round(6)), set(whole["low"].round(6))
        assert {round(x + e, 6) for x, e in zip(bar.x, bar.error_x.array)} <= highs  # the interval, drawn
        assert {round(x - e, 6) for x, e in zip(bar.x, bar.error_x.arrayminus)} <= lows
        marked = [t.endswith("n.s.") for t in label.text]
        assert all(marked) if bar.name.startswith("not significant") else not any(marked)


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
    assert transforms.references(board.entries, student)["answer-only twin"] == "twin__ft_direct"
    meta = json.loads((cot / "metadata.json").read_text())
    (cot / "metadata.json").write_text(json.dumps({**meta, "answer_only_twin": "other-direct"}))
    board = load_board(tmp_path)
    student = board.entries.set_index("entry").loc["cot__ft_cot"]
    student["entry"] = "cot__ft_cot"
    assert transforms.references(board.entries, student)["answer-only twin"] == "other-direct__ft_direct"


def test_a_named_twin_not_on_the_board_yet_leaves_the_student_without_a_twin(tmp_path):
    # a sweep point whose twin is still training must not be compared with another point's twin
    rng = random.Random(4)
    synth.write_entry(tmp_path, "twin", fmt="ft_direct", role="student", base_model=synth.BASE,
                      teacher=synth.TEACHER, scores=synth.random_scores(rng, 0.3))
    cot = synth.write_entry(tmp_path, "cot", fmt="ft_cot", role="student", base_model=synth.BASE,
                            teacher=synth.TEACHER, scores=synth.random_scores(rng, 0.4))
    meta = json.loads((cot / "metadata.json").read_text())
    (cot / "metadata.json").write_text(json.dumps({**meta, "answer_only_twin": "still-training"}))
    board = load_board(tmp_path)
    student = board.entries.set_index("entry", drop=False).loc["cot__ft_cot"]
    assert "answer-only twin" not in transforms.references(board.entries, student)


def test_a_student_is_never_compared_with_another_sweep_points_twin(tmp_path):
    rng = random.Random(5)
    made = {"fmt": "ft_direct", "role": "student", "base_model": synth.BASE, "teacher": synth.TEACHER}
    synth.write_entry(tmp_path, "a-point-twin", **made, scores=synth.random_scores(rng, 0.3),
                      metadata={"sweep": {"name": "size", "axis": "train_questions", "value": 125}})
    synth.write_entry(tmp_path, "twin", **made, scores=synth.random_scores(rng, 0.3))
    synth.write_entry(tmp_path, "cot", **{**made, "fmt": "ft_cot"}, scores=synth.random_scores(rng, 0.4))
    board = load_board(tmp_path)
    student = board.entries.set_index("entry", drop=False).loc["cot__ft_cot"]
    assert transforms.references(board.entries, student)["answer-only twin"] == "twin__ft_direct"
    shutil.rmtree(tmp_path / "twin__ft_direct")  # sorted first, the point's twin would be found were sweeps not checked
    board = load_board(tmp_path)
    student = board.entries.set_index("entry", drop=False).loc["cot__ft_cot"]
    assert "answer-only twin" not in transforms.references(board.entries, student)


def test_test_sizes_per_split(tmp_path):
    splits = {("last_letter", "test_2words"): 0.8, ("last_letter", "test_3words"): 0.2}
    synth.write_entry(tmp_path, "m", scores=splits, n=10)
    synth.write_entry(tmp_path, "more", scores=splits, n=20)
    sizes = transforms.test_sizes_text(load_board(tmp_path).scores)
    assert sizes == "last_letter 2words 10-20, last_letter 3words 10-20"


def test_an_unnamed_twin_must_cover_one_of_the_students_benchmarks(tmp_path):
    synth.write_entry(tmp_path, "gsm-direct", fmt="ft_direct", role="student", base_model="base", teacher="gold",
                      scores={("gsm_symbolic", "test"): 0.1})
    synth.write_entry(tmp_path, "letters-direct", fmt="ft_direct", role="student", base_model="base", teacher="gold",
                      scores={("last_letter", "test_2words"): 0.3})
    synth.write_entry(tmp_path, "letters-cot", fmt="ft_cot", role="student", base_model="base", teacher="gold",
                      scores={("last_letter", "test_2words"): 0.7})
    board = load_board(tmp_path)
    student = board.entries.set_index("entry", drop=False).loc["letters-cot__ft_cot"]
    assert transforms.references(board.entries, student)["answer-only twin"] == "letters-direct__ft_direct"
