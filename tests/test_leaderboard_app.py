"""The real Streamlit app, driven headlessly with AppTest over real and generated results directories, and its
state in the URL: a link reproduces a view."""

import gzip
import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from leaderboard import transforms

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

APP = str(Path(__file__).resolve().parent.parent / "leaderboard" / "app.py")
REAL_ENTRY = synth.REAL_ENTRY.name


def app(results: Path, monkeypatch, **query) -> AppTest:
    """The app over `results`, opened on a URL carrying `query`."""
    monkeypatch.setenv("DISTILL_RESULTS", str(results))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tables(at: AppTest) -> list:
    return [df.value for df in at.dataframe]


def table_with(at: AppTest, column: str, nth: int = 0):
    """The nth table drawn that has `column` (AppTest does not expose a dataframe's key)."""
    return [t for t in tables(at) if column in t.columns][nth]


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("title", "subheader", "caption", "info", "warning", "text", "code")
                     for e in getattr(at, kind))


def test_the_app_renders_the_shipped_results(tmp_path, monkeypatch):
    at = app(synth.shipped(tmp_path), monkeypatch)
    measured, reported = tables(at)
    assert measured["name"].tolist() == ["smollm2-135m-instruct · few-shot CoT"]
    assert measured["entry"].tolist() == [REAL_ENTRY]
    sports = json.loads(next(synth.REAL_ENTRY.glob("results_*.json")).read_text())["results"]["sr_sports_fewshot_cot"]
    assert measured["sports"].iloc[0] == pytest.approx(sports["exact_match,none"] * 100)
    assert measured["sports 95%"].iloc[0] == transforms.interval_text(sports["exact_match,none"], 3) == \
        "20.8–93.9 (n=3)"  # Wilson for 2 of 3, where ± stderr would say 66.7 ± 33.3
    by_model = reported.set_index("name")
    assert by_model["gsm8k"].to_dict() == pytest.approx(
        {"T5 XXL (PaLM 540B CoTs)": 21.99, "T5 XXL (GPT-3 175B CoTs)": 18.42, "T5 XXL (answer-only)": 8.11})
    assert by_model["source"].str.startswith("Magister et al. 2023").all()
    assert "Published in papers, not measured here" in texts(at)
    assert "sports" not in reported.columns  # the paper's table shows only what the paper reported


def test_the_app_renders_the_repositorys_own_results_by_default(monkeypatch):
    monkeypatch.delenv("DISTILL_RESULTS", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    reported = tables(at)[-1]
    assert {"T5 XXL (PaLM 540B CoTs)", "T5 XXL (GPT-3 175B CoTs)", "T5 XXL (answer-only)"} <= set(reported["name"])


def test_filters_change_the_table(tmp_path, monkeypatch):
    at = app(synth.family(tmp_path), monkeypatch)
    student, answer_only = f"{synth.BASE} ← {synth.TEACHER} CoT", f"{synth.ANSWER_ONLY} · answers"
    assert len(tables(at)[0]) == 4
    at.multiselect(key="roles").set_value(["student"]).run()
    assert tables(at)[0]["name"].tolist() == [student]
    assert len(tables(at)) == 1  # no reported entry is a student
    at.multiselect(key="roles").set_value([]).run()
    at.text_input(key="search").input("answer-only").run()
    assert tables(at)[0]["name"].tolist() == [answer_only]
    assert tables(at)[1]["name"].tolist() == ["T5 XXL (answer-only)"]
    at.text_input(key="search").input("").run()
    at.select_slider(key="size").set_range("1B", "any").run()
    assert tables(at)[0]["name"].tolist() == [f"{synth.TEACHER} · few-shot CoT"]
    at.select_slider(key="size").set_range("0", "any").run()
    at.multiselect(key="categories").set_value(["symbolic"]).run()
    measured = tables(at)[0]
    assert "sports" not in measured.columns and "coin_flip 3flips" in measured.columns
    assert measured["overall"].equals(measured["symbolic"])
    at.multiselect(key="formats").set_value(["ft_cot"]).run()
    assert tables(at)[0]["name"].tolist() == [student]
    at.toggle(key="show_intervals").set_value(False).run()
    assert not [c for c in tables(at)[0].columns if c.endswith("95%")]


def test_the_main_table_flags_constant_answers_and_shows_cost_on_request(tmp_path, monkeypatch):
    at = app(synth.distilled(tmp_path), monkeypatch)
    measured = tables(at)[0].set_index("entry")
    assert measured.at["smollm2-135m-base__fewshot_cot", "flags"].startswith("same answer ('no')")
    assert "train_seconds" not in measured.columns  # cost columns are off by default
    seeded = measured.loc[f"{synth.SEEDED}-seed0__ft_cot"]
    assert seeded["seeds"] == "0, 1, 2" and seeded["name"].endswith("· 3 seeds")
    assert pd.isna(seeded["rank"]) and seeded["coverage"] == "1/6"  # tested on coin_flip only: not ranked
    at.toggle(key="show_cost").set_value(True).run()
    measured = tables(at)[0].set_index("entry")
    assert measured.at[f"{synth.GOLD_STUDENT}__ft_cot", "train_seconds"] == 500
    assert measured.at[f"{synth.SEEDED}-seed0__ft_cot", "teacher_tokens"] == 6244
    assert "majority" in " ".join(c.value for c in at.caption)  # the base rates under the table


def test_filters_and_selections_live_in_the_url(tmp_path, monkeypatch):
    results = synth.family(tmp_path)
    at = app(results, monkeypatch)
    assert at.query_params == {}  # defaults stay out of the URL
    at.multiselect(key="roles").set_value(["student", "teacher"]).run()
    at.select_slider(key="size").set_range("100M", "any").run()
    at.selectbox(key="rank_by").set_value("sports").run()
    at.toggle(key="show_cost").set_value(True).run()
    link = dict(at.query_params)
    assert link == {"roles": ["student", "teacher"], "size": ["100M", "any"], "rank_by": "sports",
                    "show_cost": "true"}
    shown = tables(at)[0]

    again = app(results, monkeypatch, **link)  # a fresh session opened from the link
    assert again.multiselect(key="roles").value == ["student", "teacher"]
    assert again.select_slider(key="size").value == ("100M", "any")
    assert again.selectbox(key="rank_by").value == "sports" and again.toggle(key="show_cost").value
    assert tables(again)[0]["entry"].tolist() == shown["entry"].tolist()
    assert list(tables(again)[0]["sports"]) == sorted(shown["sports"], reverse=True)

    junk = app(results, monkeypatch, roles=["student", "oracle"], rank_by="nonsense", size=["1B"])
    assert junk.multiselect(key="roles").value == ["student"]  # what the widget cannot take is dropped
    assert junk.selectbox(key="rank_by").value == "overall" and junk.select_slider(key="size").value == ("0", "any")


def test_the_plots_and_gains_pages_open_from_a_link(tmp_path, monkeypatch):
    at = app(synth.distilled(tmp_path), monkeypatch)
    at.query_params.update(plot_score="coin_flip 3flips", plot_cost="teacher_tokens")
    at.switch_page("views/plots.py").run()
    assert not at.exception and at.selectbox(key="plot_score").value == "coin_flip 3flips"
    assert at.selectbox(key="plot_cost").value == "teacher_tokens"
    at.query_params.clear()
    at.query_params.update(gain_scope="per test split", gain_versus="teacher")
    at.switch_page("views/gains.py").run()
    assert not at.exception
    gains = at.dataframe[0].value
    assert set(gains["versus"]) == {"teacher"} and not gains["column"].str.endswith("(all)").any()


def test_the_model_page_shows_real_samples(tmp_path, monkeypatch):
    at = app(synth.shipped(tmp_path), monkeypatch)
    at.switch_page("views/model.py").run()
    at.selectbox(key="model_entry").set_value(REAL_ENTRY).run()
    assert not at.exception
    facts = tables(at)[0].set_index("")["value"]
    assert facts["role"] == "baseline" and facts["parameters"] == "135M" and facts["entry"] == REAL_ENTRY
    codes = [c.value for c in at.code]
    assert any(c.startswith("distill eval --model smollm2-135m-instruct") for c in codes)

    scores = table_with(at, "interval").set_index("benchmark")
    assert scores.at["sports", "interval"] == "20.8–93.9 (n=3)" and scores.at["sports", "chance"] == 50

    at.selectbox(key="sample_benchmark").set_value("sports").run()
    samples_file = next(synth.REAL_ENTRY.glob("samples_sr_sports_*"))
    real = [json.loads(line) for line in gzip.open(samples_file, "rt")]
    browser = at.dataframe[-1].value
    assert browser["id"].tolist() == [r["doc"]["id"] for r in real]
    assert browser["correct"].tolist() == [bool(r["exact_match"]) for r in real]
    first = real[0]
    assert any(c == first["resps"][0][0].strip() for c in (c.value for c in at.code))  # its chain of thought
    assert first["doc"]["question"] in texts(at)
    assert f"gold answer: {first['target']}" in texts(at)

    at.checkbox(key="sample_wrong").check().run()
    wrong = at.dataframe[-1].value
    assert wrong["id"].tolist() == [r["doc"]["id"] for r in real if not r["exact_match"]]


def test_the_sample_browser_puts_a_student_beside_its_teacher(tmp_path, monkeypatch):
    at = app(synth.family(tmp_path), monkeypatch)
    at.switch_page("views/model.py").run()
    at.selectbox(key="model_entry").set_value(f"{synth.STUDENT}__ft_cot").run()
    at.selectbox(key="sample_benchmark").set_value("date").run()
    other = at.selectbox(key=f"sample_other:{synth.STUDENT}__ft_cot:date:test")
    assert other.value == f"{synth.TEACHER}__fewshot_cot"  # the teacher by default
    both = at.dataframe[-1].value
    assert {"extracted (other)", "correct (other)"} <= set(both.columns) and len(both) == 10
    assert len([c for c in at.code if c.value.startswith("Step one")]) == 2  # two chains of thought side by side
    at.checkbox(key="sample_wrong").check().run()
    assert (at.dataframe[-1].value["correct"] == False).all()  # noqa: E712


def test_the_model_page_opens_from_its_link(tmp_path, monkeypatch):
    monkeypatch.setenv("DISTILL_RESULTS", str(synth.shipped(tmp_path)))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["entry"] = "t5-xxl-palm-540b-cots__ft_cot"
    at.run().switch_page("views/model.py").run()
    assert at.selectbox(key="model_entry").value == "t5-xxl-palm-540b-cots__ft_cot"
    assert "Published numbers from a paper, not measured here." in texts(at)
    assert "No per-sample logs for this entry (published numbers have none)." in texts(at)


def test_the_model_page_shows_seeds_answers_and_cost(tmp_path, monkeypatch):
    at = app(synth.distilled(tmp_path), monkeypatch)
    at.switch_page("views/model.py").run()
    at.selectbox(key="model_entry").set_value(f"{synth.SEEDED}-seed1__ft_cot").run()
    assert not at.exception
    seeds = table_with(at, "seed")
    assert seeds["seed"].tolist() == [0, 1, 2]
    assert seeds["page"].tolist() == [f"model?entry={synth.SEEDED}-seed{i}__ft_cot" for i in range(3)]
    answers = table_with(at, "given")
    assert set(answers["split"]) == {f"coin_flip {split.removeprefix('test_')}"
                                     for split in synth.BENCHMARKS["coin_flip"].test_splits}
    cost = table_with(at, "", nth=1).set_index("")["value"]  # after the facts
    assert cost["training wall time (s)"] == "161" and cost["teacher tokens"] == "6244"

    at.selectbox(key="model_entry").set_value("smollm2-135m-base__fewshot_cot").run()
    scores = table_with(at, "interval").set_index("benchmark")
    assert (scores["flag"] == "same answer to ≥90%").all() and scores["answered"].str.startswith("no (30 of").all()


def test_the_plots_page_draws_size_cost_and_heatmap_with_base_rate_lines(tmp_path, monkeypatch):
    at = app(synth.distilled(tmp_path), monkeypatch)
    at.switch_page("views/plots.py").run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 3
    scatter, cost, _ = charts
    assert "teacher → student" in [t.get("name") for t in scatter["data"]]
    texts = [a["text"] for a in scatter["layout"]["annotations"]]
    assert any(t.startswith("chance ") for t in texts) and any(t.startswith("majority class ") for t in texts)
    assert cost["layout"]["xaxis"]["title"]["text"] == "training wall time (s)"


def test_the_gains_page_draws_cot_students_only_with_their_marks(tmp_path, monkeypatch):
    at = app(synth.distilled(tmp_path), monkeypatch)
    at.switch_page("views/gains.py").run()
    assert not at.exception
    gains = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {a["text"] for a in gains["layout"]["annotations"]} == {
        "vs answer-only twin", "vs untrained base", "vs teacher"}
    labels = {y for t in gains["data"] for y in t["y"]}
    assert labels and not any(" answers · " in y for y in labels)  # answer-only students are never bars
    at.radio(key="gain_scope").set_value("per test split").run()  # pooled, the synthetic gains are all significant
    table = table_with(at, "wins")
    assert table["difference"].str.contains("not significant").any()
    assert not table[table["p"] < 0.05]["difference"].str.contains("not significant").any()


@pytest.mark.parametrize("results", ["empty", "missing"])
def test_an_empty_results_directory_says_how_to_add_results(tmp_path, monkeypatch, results):
    directory = tmp_path / results
    if results == "empty":
        directory.mkdir()
    at = app(directory, monkeypatch)
    (info,) = at.info
    assert "No results to show" in info.value and "distill eval" in info.value and "distill submit" in info.value
    assert not at.dataframe
    for page in ("views/plots.py", "views/gains.py", "views/tradeoffs.py", "views/model.py"):
        at.switch_page(page).run()
        assert not at.exception and "No results to show" in at.info[0].value


def test_the_gains_page_compares_any_two_models_chosen_in_its_link(tmp_path, monkeypatch):
    first, second = "qwen2.5-coder-1.5b-instruct__fewshot_cot", "smollm2-135m-instruct__fewshot_cot"
    at = app(synth.distilled(tmp_path), monkeypatch)
    at.query_params.update(gain_first=first, gain_second=second)
    at.switch_page("views/gains.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert (at.selectbox(key="gain_first").value, at.selectbox(key="gain_second").value) == (first, second)
    labels = at.selectbox(key="gain_first").options  # 11 measured entries; each coin-flip trio of seeds is one
    assert len(labels) == len(set(labels)) == 11 - 2 - 2
    chosen = [t for t in tables(at) if "versus" in t.columns and (t["versus"] == "head to head").all()]
    assert len(chosen) == 1 and len(chosen[0]) > 1  # one row per test split the two share, and pooled rows
    at.selectbox(key="gain_second").set_value(first).run()  # a model against itself: nothing to compare
    assert not [t for t in tables(at) if "versus" in t.columns and (t["versus"] == "head to head").all()]
