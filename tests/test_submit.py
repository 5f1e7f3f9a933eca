"""`distill submit`: lm-eval output directories are checked, then filed under results/ or refused whole."""

import argparse
import gzip
import json
import sys
from pathlib import Path

import pytest

from distill import results as results_module
from distill import submit
from distill.errors import DistillError
from leaderboard.load import load_board

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

MODEL_DIR = "__root__.cache__distill__models__smollm2-135m-instruct"  # lm-eval's sanitised model name
COIN = "sr_coin_flip_4flips_fewshot_cot"  # real_run: the real run's coin-flip tasks, no sports


@pytest.fixture(autouse=True)
def _no_repository_results(tmp_path, monkeypatch):
    """Run in an empty directory: the default results_dir must not be the repository's real results/."""
    monkeypatch.chdir(tmp_path)


def lm_eval_output(tmp_path: Path) -> Path:
    return synth.lm_eval_output(tmp_path, MODEL_DIR)


def results_file(out: Path) -> Path:
    return next(out.glob("*/results_*.json"))


def edit_results(out: Path, change) -> None:
    path = results_file(out)
    results = json.loads(path.read_text())
    change(results)
    path.write_text(json.dumps(results))


def run_cli(*argv: str) -> None:
    """`distill submit ...` through the subcommand that register() adds, as distill.cli wires it."""
    parser = argparse.ArgumentParser(prog="distill")
    submit.register(parser.add_subparsers(dest="stage", required=True))
    args = parser.parse_args(["submit", *argv])
    args.argv = ["submit", *argv]
    args.func(args)


def test_an_lm_eval_run_is_filed_as_an_entry_the_board_loads(tmp_path, capsys):
    out, results = lm_eval_output(tmp_path), tmp_path / "results"
    run_cli(str(out), "--role", "teacher", "--results-dir", str(results))
    entry = results / "smollm2-135m-instruct__fewshot_cot"
    assert "filed 3 tasks (sr_coin_flip_2flips_fewshot_cot, " in capsys.readouterr().out
    real = tmp_path / "entry"  # the run lm_eval_output laid out
    assert sorted(p.name for p in entry.iterdir()) == sorted(p.name for p in real.iterdir())
    sample = next(entry.glob(f"samples_{COIN}_*.jsonl.gz"))
    assert gzip.decompress(sample.read_bytes()) == gzip.decompress(next(real.glob(f"samples_{COIN}_*")).read_bytes())
    meta = json.loads((entry / "metadata.json").read_text())
    assert meta["role"] == "teacher" and meta["params"] == 134515008  # lm-eval's model_num_parameters
    assert meta["model"] == "smollm2-135m-instruct" and meta["format"] == "fewshot_cot"
    (run,) = meta["runs"]
    assert run["command"].startswith("distill submit ") and run["lm_eval_version"] == "0.4.13"
    assert run["backend"] == "hf" and run["files"][0] == results_file(out).name
    assert "submitted_from" not in run and results_module.absolute_paths(meta) == []  # no path of this machine
    board = load_board(results)
    assert board.rejected.empty and len(board.scores) == 3
    assert set(board.scores["command"]) == {run["command"]}
    assert sorted(p.name for p in results.iterdir()) == [f".{entry.name}.lock", entry.name]  # no staging left


def test_dry_run_checks_and_writes_nothing(tmp_path, capsys):
    out, results = lm_eval_output(tmp_path), tmp_path / "results"
    run_cli(str(out / MODEL_DIR), "--role", "baseline", "--results-dir", str(results), "--dry-run")
    assert "would file 3 tasks" in capsys.readouterr().out
    assert not results.exists()


def test_every_problem_is_listed_and_nothing_is_written(tmp_path):
    out, results = lm_eval_output(tmp_path), tmp_path / "results"

    def break_it(r):
        r["results"][COIN]["exact_match,none"] = 1.5
        r["results"]["sr_coin_flip_2flips_fewshot_cot"]["exact_match_stderr,none"] = "a lot"
    edit_results(out, break_it)
    next(out.glob("*/samples_sr_coin_flip_3flips_*")).unlink()
    with pytest.raises(DistillError) as refused:
        submit.submit(submit.SubmitConfig(out, role="student", name="../../evil", teacher="<b>x</b>",
                                          results_dir=results))
    message = str(refused.value)
    assert message.startswith("refused: 5 problems: ")
    for problem in (f"task {COIN}: exact_match,none 1.5 is not in [0, 1]",
                    "task sr_coin_flip_2flips_fewshot_cot: exact_match_stderr,none is 'a lot', not a number",
                    "task sr_coin_flip_3flips_fewshot_cot: no samples file",
                    "name '../../evil' contains a '.' or '..' path component",
                    "--teacher '<b>x</b>' contains markup"):
        assert problem in message
    assert "\n" not in message  # one line, as the command line prints it
    assert not results.exists()


def test_samples_that_do_not_match_the_results_are_refused(tmp_path):
    out = lm_eval_output(tmp_path)
    lost = next(out.glob("*/samples_sr_coin_flip_3flips_*"))
    lines = lost.read_text().splitlines()
    lost.write_text("\n".join(lines[:2]) + "\n")  # one sample lost
    coin = next(out.glob(f"*/samples_{COIN}_*"))
    coin.write_text(coin.read_text().replace('"exact_match": 1.0', '"exact_match": 0.0'))  # grades changed
    date = next(out.glob("*/samples_sr_coin_flip_2flips_*"))
    date.write_text(date.read_text().replace('"benchmark": "coin_flip"', '"benchmark": "date"'))
    with pytest.raises(DistillError) as refused:
        submit.check(submit.SubmitConfig(out, role="baseline", results_dir=tmp_path / "results"))
    message = str(refused.value)
    assert "task sr_coin_flip_3flips_fewshot_cot: 2 samples, the results count 3" in message
    assert f"task {COIN}: 3 samples' exact_match disagree with the grader" in message
    assert ("task sr_coin_flip_2flips_fewshot_cot: 3 documents whose benchmark, split, choices are not ours "
            "(coin_flip-test_2flips-0000, coin_flip-test_2flips-0001, coin_flip-test_2flips-0002)") in message


def test_tasks_that_are_not_ours_are_refused(tmp_path):
    out = lm_eval_output(tmp_path)

    def foreign(r):
        for key in ("results", "configs", "n-samples"):
            r[key]["gsm8k"] = r[key].pop(COIN)
        r["configs"]["gsm8k"]["task"] = "gsm8k"
    edit_results(out, foreign)
    with pytest.raises(DistillError, match="task gsm8k: name or category does not match the registry's"):
        submit.check(submit.SubmitConfig(out, role="baseline"))

    edit_results(out, lambda r: r["configs"]["gsm8k"].update(metadata={"version": 3.0}))
    with pytest.raises(DistillError, match="task gsm8k: not one of our tasks"):
        submit.check(submit.SubmitConfig(out, role="baseline"))


def test_a_run_in_several_formats_is_refused(tmp_path):
    out = lm_eval_output(tmp_path)
    edit_results(out, lambda r: r["configs"][COIN]["metadata"].update(format="ft_cot"))
    with pytest.raises(DistillError, match=r"tasks in several formats \(fewshot_cot, ft_cot\)"):
        submit.check(submit.SubmitConfig(out, role="baseline"))


def test_broken_or_missing_results_are_refused(tmp_path):
    with pytest.raises(DistillError, match="is not a directory"):
        submit.check(submit.SubmitConfig(tmp_path / "nowhere", role="baseline"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(DistillError, match="no lm-eval results_"):
        submit.check(submit.SubmitConfig(tmp_path / "empty", role="baseline"))
    out = lm_eval_output(tmp_path)
    path = results_file(out)
    path.write_text(path.read_text()[:500])
    with pytest.raises(DistillError, match="is not valid JSON"):
        submit.check(submit.SubmitConfig(out, role="baseline"))


def test_a_reported_run_needs_its_source(tmp_path):
    out = lm_eval_output(tmp_path)
    with pytest.raises(DistillError, match="a reported entry needs --source"):
        submit.check(submit.SubmitConfig(out, role="reported"))
    plan = submit.check(submit.SubmitConfig(out, role="reported", source="Someone et al. 2024"))
    assert plan.metadata["source"] == "Someone et al. 2024"


def test_a_second_run_is_added_to_the_entry_and_a_repeat_is_refused(tmp_path):
    results = tmp_path / "results"
    first = synth.write_entry(tmp_path / "run1", "m", role="student", base_model="b",
                              scores={("sports", "test"): 0.5}, stamp="2026-01-01T00-00-00.000001")
    second = synth.write_entry(tmp_path / "run2", "m", role="student",
                               scores={("date", "test"): 0.7, ("sports", "test"): 0.9},
                               stamp="2026-02-01T00-00-00.000001")
    submit.submit(submit.SubmitConfig(first, role="student", name="m", base_model="b", params=1000,
                                      results_dir=results))
    submit.submit(submit.SubmitConfig(second, role="student", name="m", results_dir=results))
    entry = results / "m__fewshot_cot"
    meta = json.loads((entry / "metadata.json").read_text())
    assert len(meta["runs"]) == 2 and meta["base_model"] == "b"  # not given again, kept
    assert meta["params"] == 134515008  # what lm-eval recorded this time replaces the earlier --params
    scores = load_board(results).scores.set_index("benchmark")["score"]
    assert scores.to_dict() == {"sports": 0.9, "date": 0.7}  # the newer run's sports replaces the older

    with pytest.raises(DistillError, match="is already in m__fewshot_cot"):
        submit.submit(submit.SubmitConfig(second, role="student", name="m", results_dir=results))
    with pytest.raises(DistillError, match="already exists with role 'student', not 'teacher'"):
        submit.check(submit.SubmitConfig(first, role="teacher", name="m", results_dir=results))
    assert sorted(p.name for p in results.iterdir()) == [f".{entry.name}.lock", entry.name]
