"""The README's results section is generated from results/, never typed: it must match what results/ says."""

import re
import sys
from pathlib import Path

from leaderboard import compare, readme

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def test_the_readme_results_section_is_current():
    assert readme.main(["--check", "--results", str(REPO / "results"), "--readme", str(REPO / "README.md")]) == 0


def test_the_section_holds_the_main_table_sizes_reported_numbers_and_gains(tmp_path):
    results = synth.family(tmp_path / "results")
    text = readme.section(results)
    assert text.startswith(readme.START) and text.endswith(readme.END)
    assert f"| 1 | {synth.TEACHER} · few-shot CoT | fewshot_cot | teacher |" in text
    assert "Test questions per split (the first N of each):" in text
    assert "| 3 | T5 XXL (answer-only) | ft_direct | reported | 11B | 1/1 | 8.1 | 8.1 | 8.1 |" in text
    student = f"{synth.BASE} ← {synth.TEACHER} CoT"
    assert f"| {student} | answer-only twin | {synth.ANSWER_ONLY} · answers | sports |" in text  # a paired test
    assert "|  | *chance* |" in text and "|  | *majority class* |" in text  # the base rates under the table


def test_every_gain_in_the_readme_carries_its_paired_test():
    section = (REPO / "README.md").read_text().split(readme.START)[1].split(readme.END)[0]
    paired = section.split("| student | against |")[1].split("\n\n")[0]  # the paired table
    rows = [line for line in paired.splitlines() if any(f" | {versus} | " in line for versus in compare.VERSUS)]
    assert len(rows) == len(paired.splitlines()) - 2  # every row under the header and alignment lines
    for row in rows:
        difference, engines = row.rstrip(" |").rsplit(" | ", 2)[1:]
        p = re.search(r"p ([=<]) ([01]\.\d+)", difference)
        assert p, row
        assert engines == "same" or engines.startswith("differ: student: "), row
        assert ("not significant" in difference) == (p[1] == "=" and float(p[2]) >= 0.05), row


def test_check_fails_on_a_stale_section_and_rewriting_fixes_it(tmp_path):
    results = synth.family(tmp_path / "results")
    page = tmp_path / "README.md"
    page.write_text(f"# x\n\n{readme.START}\nstale section\n{readme.END}\n\nmore\n")
    args = ["--results", str(results), "--readme", str(page)]
    assert readme.main(["--check", *args]) == 1
    assert readme.main(args) == 0
    assert readme.main(["--check", *args]) == 0
    assert page.read_text().endswith("\n\nmore\n") and "stale section" not in page.read_text()
