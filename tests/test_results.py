"""distill.results: one owner of the results format, and no score on the board that its outputs do not earn.

Each way of forging a run is tried twice: as a submission (`distill submit` refuses it, naming the
problem, and writes nothing) and as an entry already inside a results directory (`distill verify`
flags it and exits non-zero naming the entry).
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BIGBENCH_MADE_UP, needs_real_bigbench

from distill import cli, grading, rederive, results, submit
from distill.benchmarks import BENCHMARKS, FORMATS
from distill.errors import DistillError, Unavailable, Unchecked

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
COIN = "sr_coin_flip_2flips_fewshot_cot"  # the real fixture: 3 questions, all answered "no", gold "yes"
COIN3 = "sr_coin_flip_3flips_fewshot_cot"


def read_task(directory: Path, task: str) -> tuple[Path, list[dict]]:
    path = next(directory.glob(f"samples_{task}_*"))
    return path, results.read_samples(path)


def write_task(path: Path, records: list[dict]) -> None:
    text = "".join(json.dumps(r) + "\n" for r in records).encode()
    path.write_bytes(gzip.compress(text) if path.name.endswith(".gz") else text)


def set_claims(directory: Path, task: str, records: list[dict]) -> None:
    """Make the results file agree with the (edited) samples, as a careful forger would."""
    path = next(directory.glob("results_*.json"))
    lm_eval = json.loads(path.read_text())
    lm_eval["results"][task]["exact_match,none"] = sum(r["exact_match"] for r in records) / len(records)
    lm_eval["n-samples"][task]["effective"] = len(records)
    path.write_text(json.dumps(lm_eval))


def forged_gold(d: Path) -> None:
    path, records = read_task(d, COIN)
    for r in records:  # every wrong answer's gold rewritten to the model's own answer, and graded right
        own = grading.extract_answer(r["filtered_resps"][0], "yesno")
        r["target"] = r["doc"]["answer"] = own
        r["exact_match"] = 1.0
    write_task(path, records)
    set_claims(d, COIN, records)


def counted_twice(d: Path) -> None:
    path, records = read_task(d, COIN)
    records[2] = records[1]  # same grade, so the score does not move
    write_task(path, records)


def not_in_split(d: Path) -> None:
    path, records = read_task(d, COIN)
    records[0]["doc"]["id"] = "coin_flip-test_2flips-9999"
    write_task(path, records)


def changed_question(d: Path) -> None:
    path, records = read_task(d, COIN3)
    records[0]["doc"]["question"] = "Is this an easier question?"
    write_task(path, records)


def missing_document(d: Path) -> None:
    path, records = read_task(d, COIN3)
    records = records[:2]
    write_task(path, records)
    set_claims(d, COIN3, records)


def symlinked_samples(d: Path) -> None:
    path, _ = read_task(d, COIN3)
    elsewhere = d.parent.parent / f"{d.name}-elsewhere.jsonl.gz"  # outside the run, and outside results/
    shutil.copyfile(path, elsewhere)
    path.unlink()
    path.symlink_to(elsewhere)


def unearned_score(d: Path) -> None:
    path, records = read_task(d, COIN)
    for r in records:  # grades flipped to right while the outputs stay wrong
        r["exact_match"] = 1.0
    write_task(path, records)
    set_claims(d, COIN, records)


FORGERIES = {
    forged_gold: "3 documents whose gold answer is not ours",
    counted_twice: "1 documents counted more than once (coin_flip-test_2flips-0001)",
    not_in_split: "1 documents that are not in coin_flip test_2flips ('coin_flip-test_2flips-9999')",
    changed_question: "1 documents whose question text is not ours (coin_flip-test_3flips-0000)",
    missing_document: "1 documents missing from the first 3 of coin_flip test_3flips (coin_flip-test_3flips-0002)",
    symlinked_samples: f"samples_{COIN3}_2026-11-26T14-46-20.547498.jsonl",
    unearned_score: "3 samples' exact_match disagree with the grader",
}


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__)
def test_a_forged_submission_is_refused_naming_the_problem_and_nothing_is_written(tmp_path, forge):
    out, board = synth.lm_eval_output(tmp_path), tmp_path / "results"
    forge(out)
    with pytest.raises(DistillError) as refused:
        submit.submit(submit.SubmitConfig(out, role="baseline", results_dir=board))
    assert str(refused.value).startswith("refused: ") and FORGERIES[forge] in str(refused.value)
    if forge is symlinked_samples:
        assert "is a symbolic link" in str(refused.value)
    assert not board.exists()


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__)
def test_verify_flags_a_forged_entry_inside_a_results_directory(tmp_path, forge, capsys):
    board = tmp_path / "results"
    entry = synth.real_run(board / synth.REAL_ENTRY.name)
    assert cli.main(["verify", str(board)]) == 0
    forge(entry)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["verify", str(board)])
    assert exit_.value.code == 2
    printed = capsys.readouterr()
    assert f"BAD {entry.name}" in printed.out and FORGERIES[forge] in printed.out
    assert f"1 of 1 entries in {board} fail verification: {entry.name}" in printed.err


COMMITTED = results.entries(REPO / "results")
BIGBENCH = {b.key for b in BENCHMARKS.values() if b.bigbench_task}
BIGBENCH_TASKS = {results.task_name(BENCHMARKS[b], s, f) for b in BIGBENCH for s in BENCHMARKS[b].test_splits
                  for f in FORMATS}


def test_verify_passes_the_committed_results(capsys):
    """`distill verify results/` as a user runs it (where BIG-bench can be had)."""
    needs_real_bigbench()
    assert cli.main(["verify", str(REPO / "results")]) == 0
    printed = capsys.readouterr().out
    assert "BAD" not in printed and "every score re-derived from its samples" in printed


def no_bigbench_splits(monkeypatch) -> None:
    """BIG-bench's test splits cannot be had, as on a machine that cannot download its task files."""
    load_split = rederive.data.load_split

    def load(benchmark, split, *args):
        if benchmark in BIGBENCH:
            raise Unavailable(f"no {benchmark} questions here")
        return load_split(benchmark, split, *args)
    monkeypatch.setattr(rederive.data, "load_split", load)


@pytest.mark.parametrize("entry", COMMITTED, ids=lambda p: p.name)
def test_each_committed_entry_earns_its_scores(entry, monkeypatch):
    """Every entry in the repository's results/ earns its scores (the reported ones are cited, not re-derived).
    Where the tests run on made-up BIG-bench questions, its tasks are left unchecked and every other is checked."""
    if not BIGBENCH_MADE_UP:
        assert results.check_entry(entry, published=True) == []
        return
    no_bigbench_splits(monkeypatch)
    try:
        assert results.check_entry(entry, published=True) == []
    except Unchecked as e:
        assert e.tasks and set(e.tasks) <= BIGBENCH_TASKS, e.tasks


def test_an_entry_is_checked_task_by_task_around_a_split_that_cannot_be_had(tmp_path, monkeypatch):
    """The real run's sports task cannot be checked here: its coin-flip tasks still are, a forged one is a
    verdict (BAD), and an unforged entry raises Unchecked naming only the sports task."""
    no_bigbench_splits(monkeypatch)
    entry = tmp_path / "results" / synth.REAL_ENTRY.name
    shutil.copytree(synth.REAL_ENTRY, entry)
    with pytest.raises(Unchecked) as unchecked:
        results.check_entry(entry, published=True)
    assert unchecked.value.tasks == [synth.REAL_SPORTS] and "no sports questions here" in str(unchecked.value)
    unearned_score(entry)
    assert any(FORGERIES[unearned_score] in p for p in results.check_entry(entry, published=True))


def test_a_claimed_score_the_samples_do_not_earn_is_named_with_both_numbers(tmp_path):
    out = synth.lm_eval_output(tmp_path)
    path = next(out.glob("results_*.json"))
    lm_eval = json.loads(path.read_text())
    lm_eval["results"][COIN]["exact_match,none"] = 1.0
    path.write_text(json.dumps(lm_eval))
    with pytest.raises(DistillError, match=f"task {COIN}: claims 1.0000, its outputs earn 0.0000"):
        submit.check(submit.SubmitConfig(out, role="baseline"))


def test_an_absolute_path_in_metadata_is_flagged(tmp_path):
    entry = synth.real_run(tmp_path / "results" / synth.REAL_ENTRY.name)
    meta = json.loads((entry / "metadata.json").read_text())
    meta["runs"][0]["command"] = "distill submit /home/someone/out --role baseline"
    (entry / "metadata.json").write_text(json.dumps(meta))
    assert results.check_entry(entry, published=True) == ["metadata.json: metadata.runs[0].command is an absolute path"]
    assert results.check_entry(entry) == []  # a local evaluation outside the project may say where it ran
    assert results.absolute_paths({"url": "http://127.0.0.1:8080/v1", "path": "~/x", "dir": "artifacts/a"}) == []


def test_the_writer_refuses_a_run_that_does_not_verify_and_leaves_the_directory_as_it_was(tmp_path):
    out, board = synth.lm_eval_output(tmp_path), tmp_path / "results"
    plan = submit.check(submit.SubmitConfig(out, role="baseline", results_dir=board))
    unearned_score(out)  # changed after the check: the writer checks the assembled entry again
    with pytest.raises(DistillError, match="disagree with the grader"):
        results.write_entry(board, plan.metadata, plan.runs, plan.files)
    assert [p.name for p in board.iterdir()] == [f".{synth.REAL_ENTRY.name}.lock"]  # only its writer's lock file


def test_has_run_knows_what_an_entry_holds(tmp_path):
    entry = synth.write_entry(tmp_path, "m", scores={("sports", "test"): 0.5, ("coin_flip", "test_2flips"): 1.0},
                              n=4)
    meta = json.loads((entry / "metadata.json").read_text())
    meta["runs"][0]["tasks"] = ["sr_sports_fewshot_cot", "sr_coin_flip_fewshot_cot"]
    (entry / "metadata.json").write_text(json.dumps(meta))
    assert results.has_run(tmp_path, "m", "fewshot_cot", "sports", 4)
    assert results.has_run(tmp_path, "m", "fewshot_cot", "coin_flip", 4)
    assert not results.has_run(tmp_path, "m", "fewshot_cot", "sports", None)  # another test size
    assert not results.has_run(tmp_path, "m", "fewshot_cot", "date", 4)
    assert not results.has_run(tmp_path, "m", "ft_cot", "sports", 4)
    next(entry.glob("samples_sr_sports_*")).unlink()  # a run whose files are gone is not done
    assert not results.has_run(tmp_path, "m", "fewshot_cot", "sports", 4)


def test_has_run_counts_runs_of_single_splits_split_by_split(tmp_path):
    entry = synth.write_entry(tmp_path, "m", scores={("coin_flip", s): 0.5 for s in ("test_2flips", "test_3flips")},
                              n=4)
    meta = json.loads((entry / "metadata.json").read_text())
    meta["runs"][0]["tasks"] = ["sr_coin_flip_2flips_fewshot_cot", "sr_coin_flip_3flips_fewshot_cot"]
    (entry / "metadata.json").write_text(json.dumps(meta))
    assert results.has_run(tmp_path, "m", "fewshot_cot", "coin_flip", 4, "test_3flips")
    assert not results.has_run(tmp_path, "m", "fewshot_cot", "coin_flip", 4, "test_4flips")
    assert not results.has_run(tmp_path, "m", "fewshot_cot", "coin_flip", 4), "three of five splits are missing"
    meta["runs"][0]["tasks"] += [f"sr_coin_flip_{n}flips_fewshot_cot" for n in (4, 5, 6)]
    (entry / "metadata.json").write_text(json.dumps(meta))
    assert results.has_run(tmp_path, "m", "fewshot_cot", "coin_flip", 4), "every split, so the benchmark"


def test_trained_on_reads_the_training_files_sha256_an_entry_records(tmp_path):
    entry = synth.write_entry(tmp_path, "m", scores={("sports", "test"): 0.5}, n=4)
    meta = json.loads((entry / "metadata.json").read_text())
    assert results.trained_on(tmp_path, "m", meta["format"]) is None  # an entry that records none
    meta["data"] = {"file": "sports.gold.ft_cot.jsonl", "sha256": "ab" * 32}
    (entry / "metadata.json").write_text(json.dumps(meta))
    assert results.trained_on(tmp_path, "m", meta["format"]) == "ab" * 32
    assert results.trained_on(tmp_path, "nobody", meta["format"]) is None  # no entry at all
    meta["data"] = "sports.gold.ft_cot.jsonl"  # the board counts a wrong type as missing; so does the runner
    (entry / "metadata.json").write_text(json.dumps(meta))
    assert results.trained_on(tmp_path, "m", meta["format"]) is None


def test_remove_entry_takes_the_whole_entry_away_and_nothing_else(tmp_path):
    kept = synth.write_entry(tmp_path, "other", scores={("sports", "test"): 0.5}, n=4)
    gone = synth.write_entry(tmp_path, "m", scores={("sports", "test"): 0.5}, n=4)
    fmt = json.loads((gone / "metadata.json").read_text())["format"]
    assert results.remove_entry(tmp_path, "m", fmt)
    assert not gone.exists() and kept.is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".removed-")]
    assert not results.remove_entry(tmp_path, "m", fmt)  # nothing left to remove


def test_synthetic_entries_verify(tmp_path):
    """The board fixtures are made of our own test questions, so they pass the same checks as real runs."""
    entry = synth.write_entry(tmp_path, "m", scores={("date", "test"): 0.4, ("gsm_symbolic", "test"): 0.6,
                                                     ("last_letter", "test_3words"): 0.2})
    assert results.check_entry(entry) == []


def test_benchmark_samples_finds_the_newest_results_files_samples_of_a_benchmark(tmp_path):
    older, newer = "2026-01-01T00-00-00.000001", "2026-01-02T00-00-00.000001"
    gsm = {("gsm_symbolic", "test"): 0.5}
    for stamp in (older, newer):
        entry = synth.write_entry(tmp_path, "student", fmt="ft_cot", scores=gsm, stamp=stamp)
    assert results.benchmark_samples(entry, "gsm_symbolic").name == f"samples_sr_gsm_symbolic_ft_cot_{newer}.jsonl.gz"
    assert results.benchmark_samples(entry, "strategyqa") is None


def test_verify_gives_no_verdict_where_a_split_cannot_be_had_and_says_so(tmp_path):
    """No package index answers, no BIG-bench files: the sports entry is reported unchecked, the coin-flip
    one checked, and the command fails, since not every score could be re-derived."""
    board = tmp_path / "results"
    synth.real_run(board / synth.REAL_ENTRY.name)
    synth.write_entry(board, "m", scores={("sports", "test"): 0.5}, n=4)
    env = {k: v for k, v in os.environ.items() if k != "DISTILL_BIGBENCH"}
    env.update(DISTILL_HOME=str(tmp_path / "home"), DISTILL_DATA=str(tmp_path / "data"),
               PIP_INDEX_URL="http://127.0.0.1:9/simple")  # the discard port: nothing answers
    result = subprocess.run([sys.executable, "-m", "distill.cli", "verify", str(board)], capture_output=True,
                            text=True, env=env, cwd=REPO)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"ok  {synth.REAL_ENTRY.name}" in result.stdout
    assert ("??? m__fewshot_cot\n      not checked here: 1 task (sr_sports_fewshot_cot): cannot reach the "
            "package index") in result.stdout
    assert result.stderr.strip().endswith(f"1 of 2 entries in {board} have tasks that could not be checked here "
                                          "(everything else passes): m__fewshot_cot")


def test_the_writer_rederives_the_files_it_adds_and_leaves_earlier_ones_to_verify(tmp_path, monkeypatch):
    """Adding a coin-flip run to an entry whose earlier sports run cannot be checked on this machine (its test
    split cannot be downloaded) files the new run; verify still says which one it could not check."""
    first = synth.write_entry(tmp_path / "run1", "m", scores={("sports", "test"): 0.5}, n=4,
                              stamp="2026-01-01T00-00-00.000001")
    second = synth.write_entry(tmp_path / "run2", "m", scores={("coin_flip", "test_2flips"): 1.0}, n=4,
                               stamp="2026-02-01T00-00-00.000001")
    board = tmp_path / "results"
    submit.submit(submit.SubmitConfig(first, role="baseline", results_dir=board))
    no_bigbench_splits(monkeypatch)
    entry = submit.submit(submit.SubmitConfig(second, role="baseline", results_dir=board)).entry
    assert len(json.loads((entry / "metadata.json").read_text())["runs"]) == 2
    with pytest.raises(Unavailable):
        results.check_entry(entry)


def test_the_recipe_a_recorded_command_names_is_read_back_however_its_path_is_spelled():
    for path in (Path("recipes/symbolic.yaml"), Path("my recipes/it's.yml")):
        assert results.recipe_of(results.recipe_command(path)) == path
    for command in ("distill eval --model m", "distill run", 'distill run "unclosed', None, 7):
        assert results.recipe_of(command) is None
