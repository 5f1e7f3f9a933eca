"""The README's results section is generated from results/, never typed: it must match what results/ says."""

import sys
from pathlib import Path

from leaderboard import readme

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def test_the_readme_results_section_is_current():
    assert readme.main(["--check", "--results", str(REPO / "results"), "--readme", str(REPO / "README.md")]) == 0


def test_the_section_holds_the_main_table_sizes_reported_numbers_and_gains(tmp_path):
    results = synth.family(tmp_path / "results")
    text = readme.section(results)
    assert text.startswith(readme.START) and text.endswith(readme.END)
    assert f"| {synth.TEACHER} | fewshot_cot | teacher |" in text
    assert "Test questions per split (the first N of each):" in text
    assert "| T5 XXL (answer-only) | ft_direct | reported | 11B |" in text
    assert f"| {synth.STUDENT} | {synth.TEACHER} | sports |" in text  # a gain row


def test_check_fails_on_a_stale_section_and_rewriting_fixes_it(tmp_path):
    results = synth.family(tmp_path / "results")
    page = tmp_path / "README.md"
    page.write_text(f"# x\n\n{readme.START}\nold\n{readme.END}\n\nmore\n")
    args = ["--results", str(results), "--readme", str(page)]
    assert readme.main(["--check", *args]) == 1
    assert readme.main(args) == 0
    assert readme.main(["--check", *args]) == 0
    assert page.read_text().endswith("\n\nmore\n") and "old" not in page.read_text()
