"""The board in a real browser: `streamlit run` serves the app on 127.0.0.1 as `make board` does (toolbar in
viewer mode), headless Chromium (Debian's `chromium`, installed by `make setup`) loads its pages, saves
screenshots to artifacts/test-board/, and the rendered text is checked: names, base-rate flags and lines,
cost columns, significance marks. The bad fixture set is served too, and its HTML must stay text.
"""

import contextlib
import html
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from distill.benchmarks import get_benchmark, split_suffix
from distill.serve import free_port

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import make_bad  # noqa: E402
import synth  # noqa: E402
from test_leaderboard_tradeoffs import sweep_results  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts" / "test-board"
CHROMIUM = shutil.which("chromium")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                                                            "(make setup installs it)")]


@contextlib.contextmanager
def served(results: Path, logs: Path):
    """The real app served by `streamlit run` over `results`; stopped by PID."""
    port = free_port()
    log = open(logs / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "leaderboard" / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"],
        env={**os.environ, "DISTILL_RESULTS": str(results)}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {log.name}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def board_url(tmp_path_factory):
    """A board of students, twins and seeds (synth.distilled) plus the bad set."""
    results = synth.distilled(tmp_path_factory.mktemp("results"))
    shutil.copytree(make_bad.BAD, results, dirs_exist_ok=True)
    with served(results, tmp_path_factory.mktemp("logs")) as url:
        yield url


def chromium(url: str, profile: Path, *args: str) -> str:
    """One headless Chromium load; virtual time lets the page's websocket session finish rendering."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--window-size=1600,1300", "--virtual-time-budget=30000", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout


def rendered(url: str, profile: Path, expected: str) -> str:
    """The page's DOM once `expected` is on it: the first load of a fresh server also imports the app."""
    deadline = time.monotonic() + 120
    while True:
        dom = chromium(url, profile, "--dump-dom")
        if expected in dom or time.monotonic() > deadline:
            return dom
        time.sleep(1)


def cells(dom: str) -> list[list[str]]:
    """The grids' rows: they draw on a canvas, and the cells in view are also in the DOM for screen readers
    (the cells of row r of every grid on the page, in order)."""
    found = re.findall(r'data-testid="glide-cell-(\d+)-(\d+)"[^>]*>([^<]*)<', dom)
    rows = sorted({int(row) for _, row, _ in found})
    return [[html.unescape(text) for _, row, text in found if int(row) == r] for r in rows]


def test_the_served_board_renders_its_table_in_chromium(board_url, tmp_path):
    dom = rendered(board_url, tmp_path / "profile", "T5 XXL (PaLM 540B CoTs)")
    for text in ("Teaching small language models to reason", "Measured here: 11 of 11 entries",
                 "Published in papers, not measured here", "15 files or tasks were rejected",
                 "Base rates, percent (always the majority answer / guessing): "):
        assert text in dom, text
    rows = [row[:7] for row in cells(dom)]  # the main table's first columns (the reported table's follow)
    assert rows[0][:6] == ["1", f"{synth.TEACHER} · few-shot CoT", "fewshot_cot", "teacher", "1543714304", "6/6"]
    by_name = {row[1]: row for row in rows}
    base = by_name["smollm2-135m-base · few-shot CoT"]
    assert base[0] == "" and base[5] == "2/6"  # tested on two benchmarks of six: not ranked
    assert base[6].startswith("same answer ('no'): last_letter 2words")  # the constant predictor's flag
    seeded = by_name[f"smollm2-135m-base ← {synth.TEACHER} CoT · coin_flip · 3 seeds"]  # one row for three seeds
    flips = ", ".join(f"coin_flip {split_suffix(s)}" for s in get_benchmark("coin_flip").test_splits)
    assert seeded[6] == f"≈ majority: {flips}"  # its seeds' flags, one per test split
    assert "smollm2-135m-base ← gold answers · last_letter" in by_name  # names, not slugs
    assert "stAppDeployButton" not in dom and "Deploy" not in dom  # the toolbar is in viewer mode
    for score in ("21.99", "18.42", "8.11"):
        assert f">{score}<" in dom

    shot = ARTIFACTS / "board.png"
    assert screenshot(board_url, tmp_path / "profile", shot) > 0.02, f"the screenshot shows no tables; see {shot}"


def test_cost_columns_open_from_a_link(board_url, tmp_path):
    url = f"{board_url}/?show_cost=true&rank_by=coin_flip+2flips"
    dom = rendered(url, tmp_path / "profile", ">161<")  # the seed group's mean training time: 160, 161, 162 s
    rows = {row[1]: row for row in cells(dom)}
    seeded = rows[f"smollm2-135m-base ← {synth.TEACHER} CoT · coin_flip · 3 seeds"]
    assert seeded[0] == "2"  # ranked on the split it has, after the teacher
    assert seeded[6:9] == ["161", "20000", "69"]  # wall time, tokens and steps, beside the names
    gold = rows["smollm2-135m-base ← gold CoT · last_letter"]
    assert gold[0] == "" and gold[6] == "500"  # no coin_flip score: not ranked on it
    shot = ARTIFACTS / "board-cost.png"
    assert screenshot(url, tmp_path / "profile", shot) > 0.02, f"the screenshot shows no tables; see {shot}"


def test_the_gains_page_marks_what_is_not_significant(board_url, tmp_path):
    url = f"{board_url}/gains?gain_scope=per+test+split"  # pooled over five splits, every synthetic gain is clear
    dom = rendered(url, tmp_path / "profile", "vs answer-only twin")
    for text in ("vs answer-only twin", "vs untrained base", "vs teacher", "significant (p &lt; 0.05)",
                 "not significant (n.s.)"):
        assert text in dom, text
    bars = re.findall(r">([+-]\d+\.\d(?: n\.s\.)?)<", dom)  # each bar's text in the plot's SVG
    assert any(b.endswith("n.s.") for b in bars) and any(not b.endswith("n.s.") for b in bars), bars
    shot = ARTIFACTS / "gains.png"
    assert screenshot(url, tmp_path / "profile", shot, at_least=0.005) > 0.005, f"see {shot}"


def test_the_gains_page_compares_two_models_chosen_in_its_link(board_url, tmp_path):
    url = (f"{board_url}/gains?gain_first=qwen2.5-coder-1.5b-instruct__fewshot_cot"
           "&gain_second=smollm2-135m-instruct__fewshot_cot")
    dom = rendered(url, tmp_path / "profile", "head to head")
    assert "Any two models" in dom
    chosen = ["qwen2.5-coder-1.5b-instruct · few-shot CoT", "head to head", "smollm2-135m-instruct · few-shot CoT"]
    # row r of every grid on the page comes in one list: the new grid's cells are a run inside it
    assert any(row[i:i + 3] == chosen for row in cells(dom) for i in range(len(row))), "no head-to-head row"
    shot = ARTIFACTS / "gains-any-two.png"
    screenshot(url, tmp_path / "profile", shot, at_least=0.005)


def test_the_plots_draw_base_rate_lines(board_url, tmp_path):
    url = f"{board_url}/plots?plot_score=coin_flip+2flips"
    dom = rendered(url, tmp_path / "profile", "majority class")
    assert re.search(r"chance 50\.0%", dom) and re.search(r"majority class \d+\.\d%", dom)
    assert "training wall time (s)" in dom  # the cost plot's axis
    shot = ARTIFACTS / "plots.png"
    assert screenshot(url, tmp_path / "profile", shot, at_least=0.005) > 0.005, f"nothing drawn; see {shot}"


def test_the_tradeoffs_page_says_when_there_is_no_sweep(board_url, tmp_path):
    dom = rendered(f"{board_url}/tradeoffs", tmp_path / "profile", "No entry here is part of a sweep yet")
    assert "Trade-offs" in dom and "No entry here is part of a sweep yet" in dom
    shot = ARTIFACTS / "tradeoffs.png"
    screenshot(f"{board_url}/tradeoffs", tmp_path / "profile", shot, at_least=0)  # a message, checked above
    assert shot.exists()


def test_the_tradeoffs_page_draws_each_sweep_pooled_and_by_test_split(tmp_path):
    results = sweep_results(tmp_path / "results")  # a sweep of training-set sizes and one of teacher modes
    (tmp_path / "logs").mkdir()
    with served(results, tmp_path / "logs") as url:
        dom = rendered(f"{url}/tradeoffs", tmp_path / "profile", "coin-size · coin_flip, by test split")
        for title in ("coin-mode · coin_flip", "coin-size · coin_flip", "coin-size · coin_flip, by test split"):
            assert title in dom, title
        assert "training questions = 1000" in dom and "p&lt;0.0001 *" in dom  # a line's legend, a point's test
        shot = ARTIFACTS / "tradeoffs-sweeps.png"
        assert screenshot(f"{url}/tradeoffs", tmp_path / "profile", shot, at_least=0.005) > 0.005, f"see {shot}"


def screenshot(url: str, profile: Path, out: Path, at_least: float = 0.02) -> float:
    """Save a screenshot of the drawn page to `out`; returns the share of it that _tables_drawn sees.

    Virtual time does not wait for the app's websocket, so a load can still show Streamlit's
    skeleton; tries for up to two minutes (a busy machine draws slowly) get the drawn page (tables darken at
    least 2% of the area, plots less).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + 120
    while True:
        out.unlink(missing_ok=True)
        chromium(url, profile, f"--screenshot={out}")
        if (drawn := _tables_drawn(out)) > at_least or time.monotonic() > deadline:
            return drawn


def _tables_drawn(png: Path) -> float:
    """The share of dark pixels where the tables are: a blank or skeleton page is nearly all white there."""
    from PIL import Image  # a Streamlit dependency

    image = Image.open(png).convert("L")
    assert image.size == (1600, 1300)
    histogram = image.crop((400, 250, 1550, 700)).histogram()  # 256 grey levels
    return sum(histogram[:200]) / sum(histogram)


def test_html_from_files_stays_text_in_the_browser(board_url, tmp_path):
    dom = rendered(f"{board_url}/rejected", tmp_path / "profile", "onerror")
    # Opened directly, a page still gets the app's navigation, not a folder of legacy pages.
    links = re.findall(r'data-testid="stSidebarNavLink"[^>]*href="([^"]*)"', dom)
    pages = ["/", "/gains", "/plots", "/tradeoffs", "/model", "/rejected"]
    assert [link.removeprefix(board_url) for link in links] == pages
    assert "&lt;script&gt;alert(\"board\")&lt;/script&gt;&lt;img src=x onerror" in dom  # shown, escaped
    assert '<script>alert("board")' not in dom and "<img src=x" not in dom and '<img src="x"' not in dom
    assert "../../../etc/passwd" in dom and "metadata.json is not a JSON object" in dom
