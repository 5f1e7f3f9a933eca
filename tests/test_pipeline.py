"""`distill run`: recipe checks, and a whole tiny recipe run twice with real parts.

The end-to-end test serves SmolLM2 as the teacher through a real llama.cpp server (so it stays quick),
trains two real students for two steps each, and evaluates everything with the real lm-eval.
"""

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from conftest import STUDENT, gen_record, needs_llama_server
from distill import data, pipeline, results
from distill import filter as filtering
from distill.errors import DistillError
from distill.jsonio import file_sha256, read_jsonl
from distill.pipeline import Recipe, Run, load_recipe
from distill.results import has_run
from distill.train import SUMMARY_FILE, record_trained_on

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402


def write_recipe(path: Path, **settings) -> Path:
    path.write_text(yaml.safe_dump(settings))
    return path


def student_entry(results_dir: Path, name: str, trained_on: bytes, **metadata) -> Path:
    """A CoT student's entry on the first 4 two-word last-letter questions, trained (seed 42) on a file that
    held `trained_on`."""
    entry = synth.write_entry(results_dir, name, fmt="ft_cot", role="student", n=4,
                              scores={("last_letter", "test_2words"): 0.5}, metadata={
                                  "seed": 42, "data": {"sha256": hashlib.sha256(trained_on).hexdigest()}, **metadata})
    meta = json.loads((entry / "metadata.json").read_text())
    meta["runs"][0]["tasks"] = ["sr_last_letter_ft_cot"]
    (entry / "metadata.json").write_text(json.dumps(meta))
    return entry


@pytest.mark.parametrize("settings, problem", [
    ({"benchmarks": ["last_letter"]}, "missing name"),
    ({"name": "x", "benchmarks": ["last_letter"], "epochs": 3}, "unknown setting(s) epochs"),
    ({"name": "x", "benchmarks": ["nope"]}, "nope"),
    ({"name": "x", "benchmarks": ["last_letter"], "gold": ["gsm_symbolic"]}, "must also be listed under benchmarks"),
    ({"name": "x", "benchmarks": ["last_letter"], "teacher_backend": "tgi"}, "teacher_backend 'tgi' is not one of"),
    ({"name": "x", "benchmarks": ["last_letter"], "teacher_backend": "openai"}, "needs base_url"),
    ({"name": "x", "benchmarks": ["last_letter"], "train": {"seed": 1}}, "seed is set by `seeds:`"),
    ({"name": "x", "benchmarks": ["last_letter"], "seeds": []}, "seeds: a list of different whole numbers"),
    ({"name": "x", "benchmarks": ["last_letter"], "seeds": [42, 42]}, "seeds: a list of different whole numbers"),
    ({"name": "x", "benchmarks": ["gsm_symbolic", "last_letter"], "format": "pot"}, "last_letter has no pot format"),
    ({"name": "x", "benchmarks": ["last_letter"], "sweep": {"seeds": [1, 2]}}, "'seeds' cannot be swept"),
    ({"name": "x", "benchmarks": ["last_letter"], "sweep": {"mode": ["hint"]}}, "at least two different values"),
    ({"name": "x", "benchmarks": ["last_letter"], "sweep": {"mode": ["hint", "fewshot"], "samples": [1, 2]}},
     "name one setting"),
    ({"name": "x", "benchmarks": ["last_letter"], "sweep": {"samples": [1, 4]}}, "needs a temperature above 0"),
    ({"name": "x", "benchmarks": ["last_letter", "gsm_symbolic"], "train_split": "train_mixed"},
     "gsm_symbolic has no training split 'train_mixed'"),
    ({"name": "x", "benchmarks": ["asdiv"]}, "asdiv has no training split: it is evaluated only (list it under"),
])
def test_a_bad_recipe_is_refused_naming_the_problem(tmp_path, settings, problem):
    with pytest.raises(DistillError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_recipe(write_recipe(tmp_path / "r.yaml", **settings))


def test_a_missing_or_broken_recipe_file_is_one_clear_error(tmp_path):
    with pytest.raises(DistillError, match="no recipe file"):
        load_recipe(tmp_path / "absent.yaml")
    (tmp_path / "bad.yaml").write_text("name: [unclosed\n")
    with pytest.raises(DistillError, match="not valid YAML"):
        load_recipe(tmp_path / "bad.yaml")


def test_shipped_recipes_load():
    for path in sorted((Path(__file__).resolve().parent.parent / "recipes").glob("*.yaml")):
        assert load_recipe(path).benchmarks, path


def test_a_program_recipe_publishes_programs_and_adds_program_evaluations(tmp_path):
    recipe = Recipe(name="p", benchmarks=["gsm_symbolic"], evaluate_only=["strategyqa"], format="pot",
                    teacher_dir=str(tmp_path))
    assert Run(recipe, tmp_path / "p.yaml").teacher_file("gsm_symbolic").name == "gsm_symbolic.hint.pot.jsonl.gz"
    assert recipe.fewshot_evaluations() == [(f, b) for f in ("fewshot_cot", "fewshot_direct")
                                            for b in ("gsm_symbolic", "strategyqa")] + [("fewshot_pot", "gsm_symbolic")]
    cot = Recipe(name="c", benchmarks=["gsm_symbolic"])
    assert ("fewshot_pot", "gsm_symbolic") not in cot.fewshot_evaluations()
    assert Run(cot, tmp_path / "c.yaml").teacher_file("gsm_symbolic").name == "gsm_symbolic.hint.jsonl.gz"


def test_a_sweep_runs_one_recipe_per_value_sharing_the_teachers_files(tmp_path):
    """Points have their own work directories and student names, and record the sweep; a samples sweep reads the
    first K samples of one teacher file, named for the temperature."""
    recipe = Recipe(name="k", benchmarks=["last_letter"], temperature=0.7, teacher_dir=str(tmp_path / "t"),
                    work_dir=str(tmp_path / "w"), sweep={"samples": [1, 2, 4]})
    points = pipeline.points(recipe)
    assert [p.recipe.samples for p in points] == [1, 2, 4] and [p.suffix for p in points] == [
        "-samples-1", "-samples-2", "-samples-4"]
    assert points[1].sweep == {"name": "k", "axis": "samples", "value": 2} and points[1].recipe.name == "k-samples-2"
    assert points[1].recipe.work == tmp_path / "w" / "samples-2" and not points[1].recipe.sweep
    files = {Run(p.recipe, tmp_path / "k.yaml", p).teacher_file("last_letter").name for p in points}
    assert files == {"last_letter.hint.t0.7.jsonl.gz"}
    assert pipeline.points(Recipe(name="plain", benchmarks=["last_letter"]))[0].sweep is None
    default = Recipe(name="d", benchmarks=["last_letter"], work_dir=str(tmp_path / "d"),
                     sweep={"train_questions": [1, 2]})  # no teacher_dir: the recipe's own, not one per point
    assert {p.recipe.teachers for p in pipeline.points(default)} == {tmp_path / "d" / "teacher"}


def test_a_point_of_k_samples_keeps_every_distinct_correct_chain_of_its_k(tmp_path):
    """K = 8 is not cut to `distill filter`'s default cap of 4 CoTs per question; K = 2 reads two samples."""
    recipe = Recipe(name="k", benchmarks=["last_letter"], temperature=0.7, train_questions=2,
                    teacher_dir=str(tmp_path / "t"), work_dir=str(tmp_path / "w"), sweep={"samples": [2, 8]})
    first = pipeline.points(recipe)[0]
    questions = data.load_split("last_letter", "train")[:2]
    records = [{**gen_record(q, sample, rationale=f"{q['rationale']} Sample {sample}."),
                "teacher": recipe.teacher, "sampling": {"temperature": 0.7}} for q in questions for sample in range(8)]
    path = Run(first.recipe, tmp_path / "k.yaml", first).teacher_file("last_letter")
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in records)
    kept = [next(iter(Run(p.recipe, tmp_path / "k.yaml", p)._filter(tmp_path / p.suffix, ["last_letter"]).values()))
            for p in pipeline.points(recipe)]
    assert [(k["kept"], k["questions"]) for k in kept] == [(4, 2), (16, 2)]


def test_a_point_of_k_samples_needs_only_the_first_k_rounds_of_the_shared_file(tmp_path):
    """A samples sweep's smaller points train while the teacher is still writing the largest point's rounds."""
    recipe = Recipe(name="k", benchmarks=["last_letter"], temperature=0.7, train_questions=3,
                    teacher_dir=str(tmp_path / "t"), sweep={"samples": [1, 2, 4]})
    runs = [Run(p.recipe, tmp_path / "k.yaml", p) for p in pipeline.points(recipe)]
    assert len({r.teacher_file("last_letter") for r in runs}) == 1
    path = runs[0].teacher_file("last_letter")
    path.parent.mkdir(parents=True)
    questions = data.load_split("last_letter", "train")[:3]
    with gzip.open(path, "wt") as f:  # round one, and the first question of round two
        f.writelines(json.dumps(gen_record(q, k)) + "\n" for q, k in [(q, 0) for q in questions] + [(questions[0], 1)])
    assert [r.missing_cots() for r in runs] == [{}, {"last_letter": 2}, {"last_letter": 8}]


def test_a_finished_teacher_file_sampled_otherwise_is_used_and_the_run_says_how(tmp_path, capsys):
    """Recipes share teacher files: one written with a larger token budget is reused, and named as such."""
    recipe = Recipe(name="b", benchmarks=["last_letter"], max_new_tokens=96, train_questions=2,
                    teacher_dir=str(tmp_path / "t"), work_dir=str(tmp_path / "w"))
    run_ = Run(recipe, tmp_path / "b.yaml")
    path = run_.teacher_file("last_letter")
    path.parent.mkdir(parents=True)
    sampling = {**run_._generate_config("last_letter").sampling_dict(), "max_new_tokens": 256}
    with gzip.open(path, "wt") as f:
        f.writelines(json.dumps({**gen_record(q), "sampling": sampling}) + "\n"
                     for q in data.load_split("last_letter", "train")[:2])
    run_.teacher()  # nothing to write: no teacher is started
    out = capsys.readouterr().out
    assert f"note: {path} was written with max_new_tokens 256 (this recipe: 96)" in out
    assert "done already, skipped" in out


def test_another_training_split_has_its_own_teacher_file_and_student_names(tmp_path):
    recipe = Recipe(name="m", benchmarks=["last_letter"], train_split="train_mixed", teacher_dir=str(tmp_path))
    run_ = Run(recipe, tmp_path / "m.yaml")
    assert run_.teacher_file("last_letter").name == "last_letter.train_mixed.hint.jsonl.gz"
    assert run_._wanted("last_letter") == 1000 and recipe.split_of("last_letter") == "train_mixed"
    (entry,) = filtering.gold_sets(["last_letter"], tmp_path / "out", limit=6, split="train_mixed").values()
    assert entry["source"] == "gold-train_mixed" and entry["ft_cot_file"].endswith(
        "last_letter.gold-train_mixed.ft_cot.jsonl")
    lengths = [len(json.loads(line)["answer"]) for line in open(entry["ft_cot_file"])]  # one letter a word
    assert lengths == [1, 2, 3, 1, 2, 3]


def test_each_point_of_a_sweep_trains_its_own_students(tmp_path, monkeypatch):
    recipe = Recipe(name="n", benchmarks=["last_letter"], student=STUDENT, work_dir=str(tmp_path / "w"),
                    results_dir=str(tmp_path / "results"), sweep={"train_questions": [100, 200]})
    trained = []
    monkeypatch.setattr(Run, "_train_and_evaluate",
                        lambda self, job: trained.append((job.group, self.point.sweep, job.twin)))
    for name in ("c", "d"):
        (tmp_path / f"{name}.jsonl").write_text("{}\n")
    report = {"last_letter.t-hint": {"benchmark": "last_letter", "source": "t-hint", "format": "ft_cot",
                                     "ft_cot_file": str(tmp_path / "c.jsonl"),
                                     "ft_direct_file": str(tmp_path / "d.jsonl")}}
    for point in pipeline.points(recipe):
        Run(point.recipe, tmp_path / "n.yaml", point).students(report)
    assert [g for g, _, _ in trained] == [f"{STUDENT}-last_letter-t-hint-train_questions-{n}-{fmt}"
                                          for n in (100, 200) for fmt in ("ft_cot", "ft_direct")]
    assert [twin for _, _, twin in trained] == [trained[1][0], None, trained[3][0], None], \
        "the CoT student names its twin"
    assert trained[-1][1] == {"name": "n", "axis": "train_questions", "value": 200}


def test_a_run_goes_seed_by_seed_through_the_points(tmp_path, monkeypatch):
    """Every point's first-seed students before any point's second seed: a sweep's curve lands whole, early."""
    recipe = Recipe(name="s", benchmarks=["last_letter"], student=STUDENT, work_dir=str(tmp_path / "w"),
                    results_dir=str(tmp_path / "results"), sweep={"train_questions": [100, 200]}, seeds=[42, 43])
    rounds = pipeline.rounds(recipe)
    assert [(p.recipe.train_questions, p.recipe.seeds) for p in rounds] == [(100, [42]), (200, [42]), (100, [43]),
                                                                            (200, [43])]
    assert [p.recipe.work for p in rounds[:2]] == [p.recipe.work for p in rounds[2:]], "a point keeps its folder"
    trained = []
    monkeypatch.setattr(Run, "_train_and_evaluate", lambda self, job: trained.append(job.name))
    for name in ("c", "d"):
        (tmp_path / f"{name}.jsonl").write_text("{}\n")
    report = {"last_letter.t-hint": {"benchmark": "last_letter", "source": "t-hint", "format": "ft_cot",
                                     "ft_cot_file": str(tmp_path / "c.jsonl"),
                                     "ft_direct_file": str(tmp_path / "d.jsonl")}}
    for point in rounds:
        Run(point.recipe, tmp_path / "s.yaml", point).students(report)
    assert trained == [f"{STUDENT}-last_letter-t-hint-train_questions-{n}-{fmt}{seed}"
                       for seed in ("", "-seed43") for n in (100, 200) for fmt in ("ft_cot", "ft_direct")]


@pytest.mark.parametrize("run", ["finished", "interrupted", "finished before runs were stamped"])
def test_a_student_trained_on_another_version_of_its_file_is_refused_and_the_plan_says_so(tmp_path, monkeypatch, run):
    import distill.train

    monkeypatch.setattr(distill.train, "train", lambda *a, **k: pytest.fail("a refused student must not train"))
    train_file = tmp_path / "last_letter.gold.ft_cot.jsonl"
    train_file.write_text('{"id": "last_letter-train-0000"}\n')  # the file as it is now
    recipe = Recipe(name="t", benchmarks=["last_letter"], student=STUDENT, work_dir=str(tmp_path / "work"),
                    results_dir=str(tmp_path / "results"))
    student = recipe.work / "students" / f"{STUDENT}-last_letter-gold-ft_cot"
    student.mkdir(parents=True)
    if run != "finished before runs were stamped":
        record_trained_on(student, "0" * 64)  # as its run started, on the file as it was
    if run != "interrupted":
        (student / SUMMARY_FILE).write_text(json.dumps({"data": {"sha256": "0" * 64}}))
    report = {"last_letter.gold": {"benchmark": "last_letter", "teacher": "gold", "source": "gold",
                                   "format": "ft_cot", "ft_direct_file": str(train_file),
                                   "ft_cot_file": str(train_file)}}
    with pytest.raises(DistillError, match=f"{student} was trained on another version of {train_file}"):
        Run(recipe, tmp_path / "t.yaml").students(report)
    plan = Run(recipe, tmp_path / "t.yaml").plan
    monkeypatch.setattr(Run, "_filter", lambda self, out, benchmarks: report)
    assert f"student {student.name}: its folder was trained on another version of {train_file.name}: remove " \
        f"{student} to train it again" in plan(), "the plan says so too"


def test_a_student_retrained_but_killed_before_its_entry_was_replaced_replaces_it_next_run(tmp_path, monkeypatch):
    """Its folder holds the run on the new file; its entry still records the old one, so the student is not done
    (whatever the folder says), and the next run replaces the entry rather than keep it. Where the entry records
    no file, the folder's stamp speaks for it."""
    import distill.evaluate
    import distill.train

    train_file = tmp_path / "c.jsonl"
    train_file.write_text('{"format": "ft_cot"}\n')
    recipe = Recipe(name="t", benchmarks=["last_letter"], student=STUDENT, test_questions=4,
                    work_dir=str(tmp_path / "work"), results_dir=str(tmp_path / "r"))
    report = {"last_letter.t-hint": {"benchmark": "last_letter", "source": "t-hint", "format": "ft_cot",
                                     "ft_cot_file": str(train_file), "ft_direct_file": str(train_file)}}
    name = f"{STUDENT}-last_letter-t-hint-ft_cot"
    for student in (name, f"{STUDENT}-last_letter-t-hint-ft_direct"):  # each finished on the file as it is now
        (recipe.work / "students" / student).mkdir(parents=True)
        record_trained_on(recipe.work / "students" / student, file_sha256(train_file))
        (recipe.work / "students" / student / SUMMARY_FILE).write_text('{"data": {}}')

    def done() -> bool:
        return next(j for j in Run(recipe, tmp_path / "t.yaml").student_jobs(report) if j.name == name).done
    entry = student_entry(tmp_path / "r", name, b"the file as it was\n")
    assert not done()
    filed = []
    monkeypatch.setattr(distill.train, "train", lambda cfg, command=None: None)  # finished: the folder holds it
    monkeypatch.setattr(distill.train, "eval_config", lambda cfg, *a, **k: SimpleNamespace(name=cfg.name, extra={}))
    monkeypatch.setattr(distill.evaluate, "evaluate", lambda cfg: filed.append(cfg.name))
    Run(recipe, tmp_path / "t.yaml").students(report)
    assert not entry.exists() and name in filed, "the old entry is replaced by the student's evaluation"
    meta = json.loads((student_entry(tmp_path / "r", name, b"") / "metadata.json").read_text())
    del meta["data"]  # an entry that records no training file: the folder's stamp (the file as it is now) decides
    (entry / "metadata.json").write_text(json.dumps(meta))
    assert done()


def test_a_sweep_point_that_repeats_another_recipes_student_copies_its_entry(tmp_path, monkeypatch):
    settings = {"benchmarks": ["last_letter"], "student": STUDENT, "test_questions": 4,
                "results_dir": str(tmp_path / "r"), "train": {"num_train_epochs": 3}}
    main = write_recipe(tmp_path / "main.yaml", name="main", **settings)
    sweep = write_recipe(tmp_path / "sweep.yaml", name="sweep", sweep={"train_questions": [500, 1000]}, **settings)
    files = {fmt: tmp_path / f"{fmt}.jsonl" for fmt in ("ft_cot", "ft_direct")}
    for fmt, path in files.items():
        path.write_text(f'{{"format": "{fmt}"}}\n')
    original = f"{STUDENT}-last_letter-t-hint-ft_cot"
    entry = student_entry(tmp_path / "r", original, files["ft_cot"].read_bytes(),
                          training={"command": f"distill run {main}"}, recipe="main")
    trained = []
    monkeypatch.setattr(Run, "_train_and_evaluate", lambda self, job: trained.append(job.group))
    report = {"last_letter.t-hint": {"benchmark": "last_letter", "source": "t-hint", "format": "ft_cot",
                                     **{f"{fmt}_file": str(path) for fmt, path in files.items()}}}
    point = pipeline.points(load_recipe(sweep))[1]
    Run(point.recipe, sweep, point).students(report)

    name = f"{STUDENT}-last_letter-t-hint-train_questions-1000-ft_cot"
    twin = f"{STUDENT}-last_letter-t-hint-train_questions-1000-ft_direct"
    assert trained == [twin], "the CoT student is copied; its twin has no entry to copy, so it trains"
    copy = tmp_path / "r" / f"{name}__ft_cot"
    meta = json.loads((copy / "metadata.json").read_text())
    assert (meta["model"], meta["same_student_as"], meta["answer_only_twin"], meta["recipe"]) == \
        (name, original, twin, "sweep-train_questions-1000")
    assert meta["sweep"] == {"name": "sweep", "axis": "train_questions", "value": 1000}
    assert meta["training"]["command"] == f"distill run {main}", "the copy still says what trained it"
    assert results.check_entry(copy) == [] and sorted(p.name for p in copy.iterdir()) == sorted(
        p.name for p in entry.iterdir())
    run = Run(point.recipe, sweep, point)
    run.students(report)
    assert [s["ran"] for s in run.log] == [False, True] and trained == [twin] * 2, "the copy is done"

    # An entry that records other settings than its recipe file says now (edited since) is another model.
    shutil.rmtree(copy)
    settings_then = {**pipeline._student_settings(point.recipe), "train": {"num_train_epochs": 2}}
    recorded = (entry / "metadata.json").read_text()
    (entry / "metadata.json").write_text(json.dumps({**json.loads(recorded), "student_settings": settings_then}))
    Run(point.recipe, sweep, point).students(report)
    assert trained[-2:] == [name, twin] and not copy.exists()
    (entry / "metadata.json").write_text(recorded)  # as before: no record, so the recipe file decides below

    # Other student settings make another model: that one trains.
    other = write_recipe(tmp_path / "other.yaml", name="other", sweep={"mode": ["hint", "fewshot"]},
                         **{**settings, "train": {"num_train_epochs": 1}})
    point = pipeline.points(load_recipe(other))[0]
    Run(point.recipe, other, point).students(report)
    assert trained[-2:] == [f"{STUDENT}-last_letter-t-hint-mode-hint-{fmt}" for fmt in ("ft_cot", "ft_direct")]


def test_the_plan_lists_what_is_left_and_does_none_of_it(tmp_path):
    recipe = write_recipe(tmp_path / "p.yaml", name="p", benchmarks=["last_letter"], gold=["last_letter"],
                          seeds=[1, 2], train_questions=5, test_questions=2, work_dir=str(tmp_path / "work"),
                          results_dir=str(tmp_path / "results"), teacher_dir=str(tmp_path / "teacher"))
    teacher, gold = "qwen2.5-coder-1.5b-instruct", f"{STUDENT}-last_letter-gold"
    teacher_file = tmp_path / "teacher" / teacher / "last_letter.hint.jsonl.gz"
    teacher_file.parent.mkdir(parents=True)
    written = "".join(json.dumps(gen_record(q)) + "\n" for q in data.load_split("last_letter", "train")[:3])
    teacher_file.write_bytes(gzip.compress(written.encode()) + gzip.compress(b'{"question_id": "x"}\n')[:15])
    interrupted = tmp_path / "work" / "students" / f"{gold}-ft_cot-seed2"
    for step, state in ((50, {"global_step": 50, "max_steps": 1116}), (100, None)):  # the second half-written
        (interrupted / f"checkpoint-{step}").mkdir(parents=True)
        if state:
            (interrupted / f"checkpoint-{step}" / "trainer_state.json").write_text(json.dumps(state))
    assert pipeline.plan(recipe) == [
        "p: to do",
        f"  teacher {teacher}: 2 of 5 last_letter CoTs to write",  # a run is writing the fourth
        "  students on last_letter: 4 (CoT and answer-only twin, 2 seed(s)) to train once the teacher's CoTs are "
        "written",
        *(f"  student {gold}-{fmt}{seed}: train on last_letter.gold.{fmt}.jsonl"
          + (" (resuming at step 50 of 1,116)" if (fmt, seed) == ("ft_cot", "-seed2") else "") + " and evaluate"
          for seed in ("-seed1", "-seed2") for fmt in ("ft_cot", "ft_direct")),
        *(f"  {role}: evaluate {fmt} on last_letter test_{n}words"  # one split at a time: each lands alone
          for role in (f"teacher {teacher}", f"untrained student {STUDENT}")
          for fmt in ("fewshot_cot", "fewshot_direct") for n in range(2, 7))]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml", "teacher", "work"]
    assert [p.name for p in tmp_path.glob("work/**/*") if p.is_file()] == ["trainer_state.json"], \
        "the plan wrote nothing"


def _started(pid: str) -> tuple[str, str | None]:
    """A process by pid and start time: a pid alone may be reused by another process or thread meanwhile."""
    try:
        return pid, Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (FileNotFoundError, ProcessLookupError):
        return pid, None


def _stop_during_generation(recipe: Path, teacher_file: Path) -> None:
    """Start the recipe, SIGTERM it once the teacher has written its first chunk of CoTs; its llama.cpp server
    must go too."""
    proc = subprocess.Popen([sys.executable, "-m", "distill.cli", "run", str(recipe)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while not (teacher_file.exists() and len(read_jsonl(teacher_file, torn_end_ok=True)) >= 8):
            assert proc.poll() is None, "the run ended before generating"
            assert time.monotonic() < deadline, "no 8 CoTs within 300 s (is another job using the CPU?)"
            time.sleep(0.1)
        children = [_started(c) for c in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
        assert children, "the teacher is served by a child process"
    finally:  # a failed wait must not leave the run going on
        proc.terminate()
    assert proc.wait(timeout=60) != 0
    time.sleep(1)
    assert not [c for c in children if _started(c[0]) == c], "the llama.cpp server outlived the run"


def _run(recipe: Path, *options: str) -> tuple[str, float]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "distill.cli", "run", str(recipe), *options], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, time.perf_counter() - start


@pytest.mark.slow
def test_a_tiny_recipe_runs_end_to_end_then_a_second_run_only_checks(smollm2, tmp_path):
    needs_llama_server()
    results = tmp_path / "results"
    recipe = write_recipe(tmp_path / "tiny.yaml", name="tiny", benchmarks=["last_letter"], teacher=STUDENT,
                          train_questions=24, test_questions=2, max_new_tokens=48, work_dir=str(tmp_path / "work"),
                          results_dir=str(results),
                          train={"max_steps": 2, "per_device_train_batch_size": 2, "save_steps": 100})
    teacher_file = tmp_path / f"work/teacher/{STUDENT}/last_letter.hint.jsonl.gz"
    _stop_during_generation(recipe, teacher_file)
    plan = _run(recipe, "--plan")[0].splitlines()
    assert plan[0] == "tiny: to do" and plan[1].endswith(" of 24 last_letter CoTs to write"), plan
    out, _ = _run(recipe)
    records = read_jsonl(teacher_file)
    assert sorted(r["question_id"] for r in records) == sorted({r["question_id"] for r in records})
    # 24 questions: the server is still generating when the test stops the run at 8 CoTs
    assert len(records) == 24, "the interrupted generation was finished, nothing duplicated"
    source = f"{STUDENT}-hint"
    cot, direct = (f"{STUDENT}-last_letter-{source}-{fmt}" for fmt in ("ft_cot", "ft_direct"))
    expected = [(STUDENT, "fewshot_cot"), (STUDENT, "fewshot_direct"), (cot, "ft_cot"), (direct, "ft_direct")]
    for name, fmt in expected:
        assert has_run(results, name, fmt, "last_letter", 2), (name, fmt)
    meta = json.loads((results / f"{cot}__ft_cot/metadata.json").read_text())
    assert meta["role"] == "student" and meta["answer_only_twin"] == direct and meta["base_model"] == STUDENT
    assert meta["runs"][0]["command"] == f"distill run {recipe}" and meta["training"]["steps"] == 2
    train_file = tmp_path / "work/train" / meta["data"]["file"]
    assert meta["data"]["sha256"] == hashlib.sha256(train_file.read_bytes()).hexdigest()
    assert meta["student_settings"] == pipeline._student_settings(load_recipe(recipe))  # what a copy is checked by
    teacher = json.loads((results / f"{STUDENT}__fewshot_cot/metadata.json").read_text())
    assert teacher["runs"][0]["backend"] == "llama.cpp" and teacher["runs"][0]["engine"]["weights"] == "Q4_1"
    # The trained students ran on llama.cpp too, on F32 converted from their weights (here the untrained
    # student is also the teacher, so its entries are the teacher's).
    for name, fmt in expected[2:]:
        run = json.loads((results / f"{name}__{fmt}/metadata.json").read_text())["runs"][0]
        assert (run["backend"], run["engine"]["weights"]) == ("llama.cpp", "F32"), name

    before = {p: p.stat().st_mtime for p in results.rglob("*")}
    out, seconds = _run(recipe)
    assert seconds < 60
    # teacher CoTs, both students, the teacher's and the untrained student's few-shot evaluations
    assert out.count("done already, skipped") == 5, out
    assert {p: p.stat().st_mtime for p in results.rglob("*")} == before, "a finished recipe adds nothing"
    assert _run(recipe, "--plan")[0] == "tiny: nothing left to do\n"
    log = json.loads((tmp_path / "work/run.json").read_text())
    assert [s["ran"] for s in log["stages"]] == [True, False, True, False, False, False, False]
    assert len(log["earlier"]) == 2  # the interrupted run and the one that finished

    # A fresh machine has results/ and the teacher's files but no student weights: each student's entry
    # names the sha256 of the file it learned from, which is enough to know it is done.
    shutil.rmtree(tmp_path / "work/students")
    out, _ = _run(recipe)
    assert out.count("done already, skipped") == 5, out
    assert {p: p.stat().st_mtime for p in results.rglob("*")} == before
    teacher_stage = log["stages"][1]["stage"]
    assert log["seconds_by_stage"][teacher_stage] > 0, "the teacher's time in both runs that ran it"
