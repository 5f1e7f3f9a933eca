"""The README's results section is generated from results/, never typed: it must match what results/ says."""

import re
import sys
from pathlib import Path

import pandas as pd

from distill.benchmarks import get_benchmark
from leaderboard import compare, readme
from leaderboard.load import SPENT_COLUMNS

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


def test_sweep_points_get_their_own_table_and_stay_out_of_the_others(tmp_path):
    results = synth.family(tmp_path / "results")
    before = readme.section(results).split("Compute budget")[0]  # the budget counts the points' runs: spent
    point = {"name": "coin-size", "axis": "train_questions", "value": 125}
    made = {"role": "student", "n": 30, "base_model": synth.BASE, "teacher": synth.TEACHER}
    flips = [("coin_flip", split) for split in get_benchmark("coin_flip").test_splits]  # the whole benchmark
    synth.write_entry(results, "swept-twin", fmt="ft_direct", constant="no", scores=dict.fromkeys(flips, 0),
                      metadata={"sweep": point}, **made)
    synth.write_entry(results, "swept-student", fmt="ft_cot", scores=dict.fromkeys(flips, 0.9),
                      metadata={"sweep": point, "answer_only_twin": "swept-twin"}, **made)
    text = readme.section(results)
    tables, sweeps = text.split("Compute budget")[0].split("Sweeps: ")
    assert tables.rstrip() == before.rstrip(), "the main, paired and flag tables are as without the sweep"
    (row,) = [line for line in sweeps.splitlines() if line.startswith("| coin-size |")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:4] == ["coin-size", "coin_flip", "train_questions = 125", "1"]
    assert cells[4:6] == ["", ""], "no filter report: kept CoTs and the teacher's training accuracy unknown"
    assert cells[6] == "90.0 [84.2–93.8]" and cells[7] and cells[8]  # the twin's and the family's teacher's
    assert cells[9].startswith("p ") and "not significant" not in cells[9], cells
    flags = text.split("Base-rate flags")[1]  # a point's constant answers are flagged, the point named
    assert any("answers · train_questions = 125 |" in line and "same answer to ≥90%" in line
               for line in flags.splitlines()), flags


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


def test_the_budget_table_gives_hours_per_recipe_and_what_was_not_timed():
    spent = pd.DataFrame([("symbolic", "teacher", "a", 3600.0), ("symbolic", "training", "s", 180.0),
                          ("symbolic", "evaluation", "s 1", 54.0), ("by hand", "evaluation", "b 1", None),
                          ("sweep-size", "teacher", "a", None), ("sweep-size", "training", "t", 90.0)],
                         columns=SPENT_COLUMNS)
    table = readme.budget_table(spent)
    assert table[0] == "| recipe | teacher (h) | training (h) | evaluation (h) | total (h) | items without a time |"
    assert table[2:] == ["| sweep-size | 0.00 | 0.03 | 0.00 | 0.03 | 1 teacher |",
                         "| symbolic | 1.00 | 0.05 | 0.01 | 1.06 | none |",
                         "| by hand | 0.00 | 0.00 | 0.00 | 0.00 | 1 evaluation |"]  # after the recipes
