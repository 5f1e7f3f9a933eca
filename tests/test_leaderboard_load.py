"""The board's loader on the shipped results, the real `distill eval` entry and hand-made variations."""

import gzip
import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from distill import results
from distill.results import pick_metric, read_samples
from leaderboard.load import fingerprint, load_board, read_outcomes, spending
from leaderboard.transforms import wide_table

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "board"))
import synth  # noqa: E402

REAL = synth.REAL_ENTRY


def test_the_real_entry_loads_every_task_with_its_provenance(tmp_path):
    board = load_board(synth.shipped(tmp_path))
    assert board.rejected.empty
    real = board.scores[board.scores["entry"] == REAL.name].set_index("task")
    assert sorted(real.index) == ["sr_coin_flip_2flips_fewshot_cot", "sr_coin_flip_3flips_fewshot_cot",
                                  "sr_coin_flip_4flips_fewshot_cot", "sr_sports_fewshot_cot"]
    results = json.loads(next(REAL.glob("results_*.json")).read_text())["results"]
    sports = real.loc["sr_sports_fewshot_cot"]
    assert sports["score"] == results["sr_sports_fewshot_cot"]["exact_match,none"]
    assert sports["stderr"] == results["sr_sports_fewshot_cot"]["exact_match_stderr,none"]
    assert (sports["benchmark"], sports["split"], sports["category"]) == ("sports", "test", "commonsense")
    assert real.loc["sr_coin_flip_3flips_fewshot_cot", "split"] == "test_3flips"
    assert sports["n"] == 3 and sports["role"] == "baseline" and sports["params"] == 134515008
    assert sports["command"].startswith("distill eval --model smollm2-135m-instruct")
    assert sports["lm_eval_version"] == "0.4.13" and len(sports["git_hash"]) == 40
    assert Path(sports["samples_file"]).name.startswith("samples_sr_sports_fewshot_cot_")


def test_the_papers_numbers_are_reported_entries_with_their_source():
    board = load_board(synth.SHIPPED)
    assert board.rejected.empty, "every shipped entry, measured or reported, loads"
    reported = board.scores[board.scores["role"] == "reported"]
    gsm8k = reported.set_index("model")["score"]
    assert gsm8k.to_dict() == pytest.approx({"T5 XXL (answer-only)": 0.0811, "T5 XXL (PaLM 540B CoTs)": 0.2199,
                                             "T5 XXL (GPT-3 175B CoTs)": 0.1842})
    assert set(reported["benchmark"]) == {"gsm8k"}
    assert reported["source"].str.contains("Magister et al. 2023").all()
    assert (reported["params"] == 11_000_000_000).all()
    assert reported["samples_file"].isna().all()


def test_a_second_reported_score_for_one_split_is_rejected_and_the_board_still_builds(tmp_path):
    """Two numbers for one split: which is the paper's? The first stays, the second is named."""
    entry = shutil.copytree(synth.SHIPPED / "t5-xxl-answer-only__ft_direct",
                            tmp_path / "t5-xxl-answer-only__ft_direct")
    meta = json.loads((entry / results.METADATA).read_text())
    meta["scores"].append({**meta["scores"][0], "percent": 50})
    (entry / results.METADATA).write_text(json.dumps(meta))
    board = load_board(tmp_path)
    assert board.scores["score"].tolist() == [pytest.approx(0.0811)]
    assert board.rejected["reason"].tolist() == ["scores[1]: a second score for gsm8k test"]
    assert wide_table(board.scores, board.entries)["gsm8k"].tolist() == [pytest.approx(8.11)]


@pytest.mark.parametrize("keys, expected", [
    ({"exact_match,none": 0.5, "exact_match,strict-match": 0.1}, "exact_match,none"),
    ({"exact_match,flexible-extract": 0.3, "exact_match,strict-match": 0.1}, "exact_match,strict-match"),
    ({"exact_match,flexible-extract": 0.3}, "exact_match,flexible-extract"),
    ({"exact_match,my-filter": 0.3, "acc,none": 0.9}, "exact_match,my-filter"),
    ({"acc,none": 0.9, "acc_stderr,none": 0.1}, "acc,none"),
    ({"alias": "x", "exact_match_stderr,none": 0.1}, None),
])
def test_the_metric_is_picked_from_lm_evals_keys(keys, expected):
    picked = pick_metric(keys)
    assert (picked and picked[0]) == expected
    if picked:
        assert picked[1] == expected.replace(",", "_stderr,", 1)


def test_a_newer_results_file_replaces_the_same_task_of_an_older_one(tmp_path):
    entry = synth.write_entry(tmp_path, "m", scores={("sports", "test"): 0.2, ("date", "test"): 0.4})
    synth.write_entry(tmp_path, "m", scores={("sports", "test"): 0.8}, stamp="2026-02-01T00-00-00.000001")
    board = load_board(tmp_path)
    assert board.rejected.empty, board.rejected
    assert board.scores.set_index("benchmark")["score"].to_dict() == {"sports": 0.8, "date": 0.4}
    assert len(list(entry.glob("results_*.json"))) == 2


def test_plain_jsonl_samples_are_read_like_gzip_ones(tmp_path):
    entry = tmp_path / REAL.name
    shutil.copytree(REAL, entry)
    for gz in entry.glob("samples_*.gz"):
        gz.with_suffix("").write_bytes(gzip.decompress(gz.read_bytes()))
        gz.unlink()
    board = load_board(tmp_path)
    assert board.rejected.empty and len(board.scores) == 4
    plain = board.scores["samples_file"].iloc[0]
    assert plain.endswith(".jsonl")
    assert read_samples(plain) == read_samples(next(REAL.glob(f"{Path(plain).name}.gz")))


def test_a_bad_task_is_rejected_alone_and_the_others_load(tmp_path):
    entry = synth.write_entry(tmp_path, "m", scores={("sports", "test"): 0.5, ("date", "test"): 0.5})
    path = next(entry.glob("results_*.json"))
    results = json.loads(path.read_text())
    results["results"]["sr_date_fewshot_cot"]["exact_match,none"] = -0.25
    path.write_text(json.dumps(results))
    board = load_board(tmp_path)
    assert list(board.scores["benchmark"]) == ["sports"]
    assert board.rejected["reason"].tolist() == ["task sr_date_fewshot_cot: exact_match,none -0.25 is not in [0, 1]"]


def test_a_task_whose_name_disagrees_with_its_metadata_is_not_ours(tmp_path):
    entry = synth.write_entry(tmp_path, "m", scores={("sports", "test"): 0.5})
    path = next(entry.glob("results_*.json"))
    results = json.loads(path.read_text())
    results["configs"]["sr_sports_fewshot_cot"]["metadata"]["benchmark"] = "date"
    path.write_text(json.dumps(results))
    board = load_board(tmp_path)
    assert board.scores.empty
    assert "does not match the registry's sr_date_fewshot_cot" in board.rejected["reason"].iloc[0]


def test_an_entry_in_the_wrong_directory_is_rejected(tmp_path):
    shutil.copytree(REAL, tmp_path / "someone-else__fewshot_cot")
    board = load_board(tmp_path)
    assert board.scores.empty
    assert "directory name should be smollm2-135m-instruct__fewshot_cot" in board.rejected["reason"].iloc[0]


def test_hidden_directories_and_the_readme_are_not_entries(tmp_path):
    shutil.copytree(REAL, tmp_path / ".submit-abc123" / REAL.name)
    (tmp_path / "README.md").write_text("# results\n")
    board = load_board(tmp_path)
    assert board.entries.empty and board.rejected.empty


def test_a_missing_results_directory_is_an_empty_board(tmp_path):
    board = load_board(tmp_path / "nothing-here")
    assert board.scores.empty and board.entries.empty and board.rejected.empty


def test_the_fingerprint_changes_when_any_file_does(tmp_path):
    synth.shipped(tmp_path)
    before = fingerprint(tmp_path)
    assert fingerprint(tmp_path) == before
    meta = tmp_path / REAL.name / "metadata.json"
    meta.write_text(meta.read_text().replace('"baseline"', '"teacher"'))
    assert fingerprint(tmp_path) != before


def test_the_fingerprint_ignores_a_writers_locks_and_staging(tmp_path):
    """A run filing an entry creates and removes hidden files; the board need not reload for them."""
    synth.shipped(tmp_path)
    before = fingerprint(tmp_path)
    (tmp_path / f".{REAL.name}.lock").touch()
    (tmp_path / ".write-abc").mkdir()
    (tmp_path / ".write-abc" / "results_x.json").write_text("{}")
    assert fingerprint(tmp_path) == before


def test_what_made_an_entry_comes_from_its_metadata(tmp_path):
    meta = {**synth.made_of("coin_flip", "ft_cot", synth.TEACHER, 162.5, 6244), "seed": 3, "seed_group": "g",
            "cost": {"teacher_seconds": 900}}
    entry = synth.write_entry(tmp_path, "s", fmt="ft_cot", role="student", scores={("sports", "test"): 0.5},
                              metadata=meta)
    runs = json.loads((entry / "metadata.json").read_text())["runs"]
    (entry / "metadata.json").write_text(json.dumps({**json.loads((entry / "metadata.json").read_text()),
                                                     "runs": [{**runs[0], "eval_seconds": 12.5}]}))
    synth.write_entry(tmp_path, "plain", scores={("sports", "test"): 0.5},
                      metadata={"seed": True, "training": [], "cost": {"train_seconds": 10 ** 400}})
    entries = load_board(tmp_path).entries.set_index("entry")
    s = entries.loc["s__ft_cot"]
    assert (s["train_seconds"], s["train_tokens"], s["train_steps"], s["precision"]) == (162.5, 20000, 69, "bf16")
    assert (s["hardware"], s["train_examples"], s["train_questions"]) == ("synthetic CPU", 180, 180)
    assert (s["teacher_tokens"], s["teacher_accuracy"], s["teacher_seconds"]) == (6244, 0.9, 900)
    assert (s["eval_seconds"], s["engine"], s["trained_on"], s["seed"], s["seed_group"]) == (
        12.5, "transformers float32", "coin_flip", 3, "g")
    synth.write_entry(tmp_path, "costed", fmt="ft_cot", role="student", scores={("sports", "test"): 0.5},
                      metadata={**meta, "cost": {"teacher_tokens": 7000, "teacher_seconds": 60, "train_seconds": 99,
                                                 "train_tokens": 30000, "train_steps": 12, "train_examples": 40}})
    costed = load_board(tmp_path).entries.set_index("entry").loc["costed__ft_cot"]  # `cost` comes first
    assert costed[["teacher_tokens", "teacher_seconds", "train_seconds", "train_tokens", "train_steps",
                   "train_examples"]].tolist() == [7000, 60, 99, 30000, 12, 40]
    plain = entries.loc["plain__fewshot_cot"]  # wrong types count as missing
    assert pd.isna(plain["seed"]) and pd.isna(plain["train_seconds"]) and pd.isna(plain["trained_on"])


def test_per_question_outcomes_are_read_from_the_samples(tmp_path):
    synth.write_entry(tmp_path, "m", scores={("sports", "test"): 0.3, ("date", "test"): 0.5})
    broken = synth.write_entry(tmp_path, "broken", scores={("sports", "test"): 0.5})
    next(broken.glob("samples_*")).write_bytes(b"not gzip")
    board = load_board(tmp_path)
    questions, unread = read_outcomes(board)
    mine = questions[questions["entry"] == "m__fewshot_cot"].set_index(["benchmark", "id"])
    real = synth.sample_records("sports", "test", "fewshot_cot", 0.3, 10)
    assert [mine.loc[("sports", r["doc"]["id"]), "correct"] for r in real] == [bool(r["exact_match"]) for r in real]
    assert mine.loc[("sports", real[0]["doc"]["id"]), "answer"] == real[0]["target"]  # right: the gold answer
    assert mine.xs("date")["options"].notna().all() and mine.xs("sports")["options"].isna().all()
    assert set(questions["entry"]) == {"m__fewshot_cot"}
    assert len(unread) == 1 and "cannot be read" in unread["reason"].iloc[0]


@pytest.mark.parametrize("sweep, expected", [
    ({"name": "size", "axis": "train_questions", "value": 125}, ("size", "train_questions", 125)),
    ({"name": "size", "axis": "train_questions", "value": 0.5}, ("size", "train_questions", 0.5)),
    ({"name": "modes", "axis": "mode", "value": "hint"}, ("modes", "mode", "hint")),
    (None, None),  # absent
    ([1, 2], None), ("size", None),  # not an object
    ({"axis": "mode", "value": "hint"}, None), ({"name": "", "axis": "mode", "value": "hint"}, None),
    ({"name": "s", "axis": 3, "value": 1}, None), ({"name": "s", "axis": "mode"}, None),
    ({"name": "s", "axis": "mode", "value": ""}, None), ({"name": "s", "axis": "x", "value": True}, None),
    ({"name": "s", "axis": "x", "value": float("nan")}, None), ({"name": "s", "axis": "x", "value": 10**400}, None),
    ({"name": "s", "axis": "x", "value": [125]}, None), ({"name": "s", "axis": "x", "value": {"k": 1}}, None),
])
def test_a_sweep_point_comes_from_its_metadata_and_a_malformed_one_is_none(tmp_path, sweep, expected):
    synth.write_entry(tmp_path, "point", scores={("sports", "test"): 0.5},
                      metadata={} if sweep is None else {"sweep": sweep})
    synth.write_entry(tmp_path, "plain", scores={("sports", "test"): 0.5})
    board = load_board(tmp_path)
    assert board.rejected.empty, board.rejected  # a bad sweep never costs the entry its place
    entries = board.entries.set_index("entry")
    point = tuple(entries.loc["point__fewshot_cot", ["sweep", "sweep_axis", "sweep_value"]])
    if expected is None:
        assert all(pd.isna(v) for v in point)
    else:
        assert point == expected and type(point[2]) is type(expected[2])  # 125 stays an int beside a missing value
    assert all(pd.isna(v) for v in entries.loc["plain__fewshot_cot", ["sweep", "sweep_axis", "sweep_value"]])


def test_spending_counts_each_recipe_stage_once_per_item(tmp_path):
    """Student and twin share their teacher's time (one item); runs name their recipe; odd values are untimed."""
    def trained(name, fmt, recipe_command, teacher_seconds):
        meta = synth.made_of("coin_flip", fmt, synth.TEACHER, 100.0, 6244)
        meta["training"]["command"] = recipe_command
        meta["data"]["filter_report"] |= {"mode": "hint", "source": "teacher-hint", "teacher_seconds": teacher_seconds}
        entry = synth.write_entry(tmp_path, name, fmt=fmt, role="student", scores={("sports", "test"): 0.5},
                                  metadata=meta)
        meta = json.loads((entry / "metadata.json").read_text())
        meta["runs"] = [{**meta["runs"][0], "command": recipe_command, "eval_seconds": 30.0}]
        (entry / "metadata.json").write_text(json.dumps(meta))

    trained("cot", "ft_cot", "distill run recipes/symbolic.yaml", 3600.0)
    trained("direct", "ft_direct", "distill run recipes/symbolic.yaml", 3600.0)
    trained("other", "ft_cot", "distill run /elsewhere/sweep-size.yml", "an hour")
    results.copy_entry(tmp_path, "cot", "ft_cot", {"model": "cot-copy", "same_student_as": "cot"})  # costs nothing
    synth.write_entry(tmp_path, "base", scores={("sports", "test"): 0.5})  # `distill eval`, no time kept
    spent = spending(load_board(tmp_path))
    by = spent.groupby(["recipe", "stage"])["seconds"]
    assert by.sum().to_dict() == {("by hand", "evaluation"): 0.0, ("sweep-size", "evaluation"): 30.0,
                                  ("sweep-size", "teacher"): 0.0, ("sweep-size", "training"): 100.0,
                                  ("symbolic", "evaluation"): 60.0, ("symbolic", "teacher"): 3600.0,
                                  ("symbolic", "training"): 200.0}
    assert by.size()[("symbolic", "teacher")] == 1  # the twin's share is the student's
    assert spent["seconds"].isna().sum() == 2  # the base's evaluation and the teacher time given as text


def test_spending_counts_the_largest_share_of_a_teacher_output_a_recipes_points_use(tmp_path):
    """Sweep points on the first 125 or 250 questions, or on 1 or 8 CoTs per question, of one teacher output:
    the recipe paid for the largest share once, the smaller ones being part of it."""
    def point(name, source, output, teacher_seconds):
        meta = synth.made_of("coin_flip", "ft_cot", synth.TEACHER, 100.0, 6244)
        meta["training"]["command"] = "distill run recipes/sweep-samples.yaml"
        meta["data"]["filter_report"] |= {"mode": "hint", "source": source, "teacher_output": output,
                                          "teacher_seconds": teacher_seconds}
        synth.write_entry(tmp_path, name, fmt="ft_cot", role="student", scores={("sports", "test"): 0.5},
                          metadata=meta)

    point("k1", "teacher-hint-k1-t0.7", "teacher-hint", 450.0)
    point("k8", "teacher-hint-k8-t0.7", "teacher-hint", 3600.0)
    point("k2", "teacher-hint-k2-t0.7", "teacher-hint", 900.0)
    teacher = spending(load_board(tmp_path)).query("stage == 'teacher'")
    assert teacher["seconds"].tolist() == [3600.0]
