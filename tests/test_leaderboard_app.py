"""The real Streamlit app, driven headlessly with AppTest over real and generated results directories."""

import gzip
import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

APP = str(Path(__file__).resolve().parent.parent / "leaderboard" / "app.py")
REAL_ENTRY = synth.REAL_ENTRY.name


def app(results: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("DISTILL_RESULTS", str(results))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tables(at: AppTest) -> list:
    return [df.value for df in at.dataframe]


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("title", "subheader", "caption", "info", "warning", "text", "code")
                     for e in getattr(at, kind))


def test_the_app_renders_the_shipped_results(tmp_path, monkeypatch):
    at = app(synth.shipped(tmp_path), monkeypatch)
    measured, reported = tables(at)
    assert measured["model"].tolist() == ["smollm2-135m-instruct"]
    sports = json.loads(next(synth.REAL_ENTRY.glob("results_*.json")).read_text())["results"]["sr_sports_fewshot_cot"]
    assert measured["sports"].iloc[0] == pytest.approx(sports["exact_match,none"] * 100)
    assert measured["sports ±"].iloc[0] == pytest.approx(sports["exact_match_stderr,none"] * 100)
    by_model = reported.set_index("model")
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
    assert {"T5 XXL (PaLM 540B CoTs)", "T5 XXL (GPT-3 175B CoTs)", "T5 XXL (answer-only)"} <= set(reported["model"])


def test_filters_change_the_table(tmp_path, monkeypatch):
    at = app(synth.family(tmp_path), monkeypatch)
    assert len(tables(at)[0]) == 4
    at.multiselect(key="roles").set_value(["student"]).run()
    assert tables(at)[0]["model"].tolist() == [synth.STUDENT]
    assert len(tables(at)) == 1  # no reported entry is a student
    at.multiselect(key="roles").set_value([]).run()
    at.text_input(key="search").input("answer-only").run()
    assert tables(at)[0]["model"].tolist() == [synth.ANSWER_ONLY]
    assert tables(at)[1]["model"].tolist() == ["T5 XXL (answer-only)"]
    at.text_input(key="search").input("").run()
    at.select_slider(key="size").set_range("1B", "any").run()
    assert tables(at)[0]["model"].tolist() == [synth.TEACHER]
    at.select_slider(key="size").set_range("0", "any").run()
    at.multiselect(key="categories").set_value(["symbolic"]).run()
    measured = tables(at)[0]
    assert "sports" not in measured.columns and "coin_flip 3flips" in measured.columns
    assert (measured["overall"] == measured["symbolic"]).all()
    at.multiselect(key="formats").set_value(["ft_cot"]).run()
    assert tables(at)[0]["model"].tolist() == [synth.STUDENT]
    at.toggle(key="show_stderr").set_value(False).run()
    assert not [c for c in tables(at)[0].columns if c.endswith("±")]


def test_the_model_page_shows_real_samples(tmp_path, monkeypatch):
    at = app(synth.shipped(tmp_path), monkeypatch)
    at.switch_page("views/model.py").run()
    at.selectbox(key="model_entry").set_value(REAL_ENTRY).run()
    assert not at.exception
    facts = tables(at)[0].set_index("")["value"]
    assert facts["role"] == "baseline" and facts["parameters"] == "135M"
    codes = [c.value for c in at.code]
    assert any(c.startswith("distill eval --model smollm2-135m-instruct") for c in codes)

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


def test_the_plots_page_draws_three_figures(tmp_path, monkeypatch):
    at = app(synth.family(tmp_path), monkeypatch)
    at.switch_page("views/plots.py").run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 3
    scatter = json.loads(charts[0].proto.spec)
    assert "teacher → student" in [t.get("name") for t in scatter["data"]]
    gains = json.loads(charts[1].proto.spec)
    assert {a["text"] for a in gains["layout"]["annotations"]} == {"vs answer-only baseline", "vs untrained base"}


@pytest.mark.parametrize("results", ["empty", "missing"])
def test_an_empty_results_directory_says_how_to_add_results(tmp_path, monkeypatch, results):
    directory = tmp_path / results
    if results == "empty":
        directory.mkdir()
    at = app(directory, monkeypatch)
    (info,) = at.info
    assert "No results to show" in info.value and "distill eval" in info.value and "distill submit" in info.value
    assert not at.dataframe
    for page in ("views/plots.py", "views/model.py"):
        at.switch_page(page).run()
        assert not at.exception and "No results to show" in at.info[0].value
