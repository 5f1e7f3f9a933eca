"""The board in a real browser: `streamlit run` serves the app on 127.0.0.1, headless Chromium (Debian's
`chromium`, installed by `make setup`) loads it, saves a screenshot to artifacts/test-board/, and the
rendered page's text is checked; the bad fixture set is served too, and its HTML must stay text.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from distill.serve import free_port

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import make_bad  # noqa: E402
import synth  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts" / "test-board"
CHROMIUM = shutil.which("chromium")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                                                            "(make setup installs it)")]


@pytest.fixture(scope="module")
def board_url(tmp_path_factory):
    """The real app served by `streamlit run` over the shipped results plus the bad set; stopped by PID."""
    results = synth.shipped(tmp_path_factory.mktemp("results"))
    shutil.copytree(make_bad.BAD, results, dirs_exist_ok=True)
    port = free_port()
    log = open(tmp_path_factory.mktemp("logs") / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "leaderboard" / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
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


def test_the_served_board_renders_its_table_in_chromium(board_url, tmp_path):
    dom = rendered(board_url, tmp_path / "profile", "T5 XXL (PaLM 540B CoTs)")
    for text in ("Teaching small language models to reason", "Measured here: 1 of 1 entries",
                 "Published in papers, not measured here", "15 files or tasks were rejected"):
        assert text in dom, text
    # The grid draws on a canvas; its cells are also in the DOM for screen readers, as raw values.
    cells = re.findall(r'data-testid="glide-cell-(\d+)-(\d+)"[^>]*>([^<]*)<', dom)
    rows = [[text for _, row, text in cells if row == str(r)] for r in range(3)]
    assert rows[0][:5] == ["smollm2-135m-instruct", "fewshot_cot", "baseline", "134515008", "2"]  # measured
    assert "66.666" in " ".join(rows[0])  # its sports score, 2 of 3
    reported = [row for _, _, row in cells if row.startswith("T5 XXL (")]
    assert reported == ["T5 XXL (PaLM 540B CoTs)", "T5 XXL (GPT-3 175B CoTs)", "T5 XXL (answer-only)"]
    for score in ("21.99", "18.42", "8.11"):
        assert f">{score}<" in dom

    shot = ARTIFACTS / "board.png"
    assert screenshot(board_url, tmp_path / "profile", shot) > 0.02, f"the screenshot shows no tables; see {shot}"


def screenshot(url: str, profile: Path, out: Path) -> float:
    """Save a screenshot of the drawn board to `out`; returns the share of it that _tables_drawn sees.

    Virtual time does not wait for the app's websocket, so a load can still show Streamlit's
    skeleton; a few tries get the drawn page.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(5):
        out.unlink(missing_ok=True)
        chromium(url, profile, f"--screenshot={out}")
        if (drawn := _tables_drawn(out)) > 0.02:
            break
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
    assert [link.removeprefix(board_url) for link in links] == ["/", "/plots", "/model", "/rejected"]
    assert "&lt;script&gt;alert(\"board\")&lt;/script&gt;&lt;img src=x onerror" in dom  # shown, escaped
    assert '<script>alert("board")' not in dom and "<img src=x" not in dom and '<img src="x"' not in dom
    assert "../../../etc/passwd" in dom and "metadata.json is not a JSON object" in dom
