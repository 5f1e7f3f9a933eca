"""Bad entries (tests/fixtures/board/bad/, made by make_bad.py) are each rejected with their reason,
the good ones still show, and nothing a file holds is ever rendered as HTML or Markdown."""

import gzip
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from leaderboard.load import load_board

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import make_bad  # noqa: E402
import synth  # noqa: E402

APP = Path(__file__).resolve().parent.parent / "leaderboard" / "app.py"
BAD = make_bad.BAD
EXPECTED = {  # path under results/ -> what its rejection must say
    "truncated-json__fewshot_cot/results_": "is not valid JSON",
    "wrong-types__fewshot_cot/metadata.json": "params is '135M', not a positive integer",
    "string-score__fewshot_cot/results_": "exact_match,none is '0.67', not a number",
    "nan-score__fewshot_cot/results_": "exact_match,none nan is not in [0, 1]",
    "out-of-range__fewshot_cot/results_": "exact_match,none 1.5 is not in [0, 1]",
    "missing-samples__fewshot_cot/results_": "no samples file samples_sr_sports_fewshot_cot_",
    "unknown-role__fewshot_cot/metadata.json": "role 'oracle' is not one of teacher, baseline, student, reported",
    "html-name__fewshot_cot/metadata.json": "contains markup or control characters",
    "dotdot-name__fewshot_cot/metadata.json": "contains a '.' or '..' path component",
    "foreign-task__fewshot_cot/results_": "task gsm8k: not one of our tasks",
    "raw-lm-eval-output": "no metadata.json, so this is not a board entry",
    "metadata-list__fewshot_cot/metadata.json": "metadata.json is not a JSON object",
    "bad-reported__ft_cot/metadata.json": "scores[0]: percent 120 is not in [0, 100]",
    "notes.txt": "not an entry directory",
}


@pytest.fixture
def results(tmp_path):
    """The bad set beside the shipped results and the real entry."""
    shutil.copytree(BAD, tmp_path, dirs_exist_ok=True)
    return synth.shipped(tmp_path)


def test_the_bad_fixtures_are_what_make_bad_writes(tmp_path):
    """bad/ is generated: a stale copy would test something else than the script says."""
    subprocess.run([sys.executable, make_bad.__file__, str(tmp_path / "bad")], check=True, capture_output=True)
    fresh = {p.relative_to(tmp_path / "bad"): p.read_bytes() for p in (tmp_path / "bad").rglob("*") if p.is_file()}
    assert {p.relative_to(BAD): p.read_bytes() for p in BAD.rglob("*") if p.is_file()} == fresh


def test_each_bad_entry_is_rejected_with_its_reason_and_the_rest_load(results):
    board = load_board(results)
    reasons = list(zip(board.rejected["path"], board.rejected["reason"]))
    for path, reason in EXPECTED.items():
        assert any(p.startswith(path) and reason in r for p, r in reasons), (path, reason, reasons)
    assert "scores[1]: benchmark 'mmlu' is not in the registry" in board.rejected["reason"].tolist()
    rejected_entries = {p.split("/")[0] for p, _ in reasons}
    assert rejected_entries == {p.split("/")[0] for p in EXPECTED}
    assert sorted(board.entries["entry"]) == sorted(p.name for p in synth.shipped_entries())


def test_every_page_renders_with_the_bad_set_and_shows_no_file_text_as_markup(results, monkeypatch):
    monkeypatch.setenv("DISTILL_RESULTS", str(results))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert f"{len(EXPECTED) + 1} files or tasks were rejected" in at.warning[0].value
    _no_file_text_in_markdown(at)
    for page in ("plots", "model", "rejected"):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        _no_file_text_in_markdown(at)
    rejected = at.dataframe[0].value
    assert '<script>alert("board")</script>' in " ".join(rejected["reason"])  # as plain text in a table cell
    assert len(rejected) == len(EXPECTED) + 1


def _no_file_text_in_markdown(at: AppTest) -> None:
    """Markdown-rendering elements may hold only the app's own words, never a file's."""
    markdown = [e.value for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning",
                                     "error", "success") for e in getattr(at, kind)]
    for text in markdown:
        assert "<script" not in text and "onerror" not in text and "../" not in text, text
    assert not at.get("html")


def test_no_app_code_renders_html():
    source = "\n".join(p.read_text() for p in APP.parent.rglob("*.py"))
    assert "unsafe_allow_html" not in source and "st.html" not in source and "components.html" not in source
    # Markdown elements get the app's own words: no f-string there may interpolate a loaded name.
    calls = re.findall(r"st\.(?:markdown|caption|title|header|subheader|info|warning|error|success)\(f[\"'][^)]*\)",
                       source)
    assert calls  # the pattern does find the app's f-string messages
    for call in calls:
        assert not re.search(r"\{(?:model|label|name|info|meta|row|entry|facts|picked)", call), call


def test_an_unreadable_samples_file_is_an_error_on_the_page_not_a_crash(tmp_path, monkeypatch):
    synth.shipped(tmp_path)
    samples = next((tmp_path / synth.REAL_ENTRY.name).glob("samples_sr_sports_*"))
    samples.write_bytes(gzip.compress(b'{"doc": {"id": 1}}\nnot json\n'))
    monkeypatch.setenv("DISTILL_RESULTS", str(tmp_path))
    at = AppTest.from_file(str(APP), default_timeout=60).run().switch_page("views/model.py").run()
    at.selectbox(key="model_entry").set_value(synth.REAL_ENTRY.name).run()
    at.selectbox(key="sample_benchmark").set_value("sports").run()
    assert not at.exception
    assert at.error[0].value == "This samples file cannot be read:"
    assert f"{samples.name}:2 is not valid JSON" in at.text[-1].value
