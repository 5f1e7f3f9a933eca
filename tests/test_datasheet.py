"""The teacher_cots/ datasheet: generated from the published files, current, honest about files in progress."""

from pathlib import Path

from distill import datasheet
from distill.jsonio import append_jsonl

REPO = Path(__file__).resolve().parents[1]


def test_the_published_datasheet_is_current():
    assert datasheet.main(["--check", "--dir", str(REPO / "teacher_cots")]) == 0


def _record(i: int, correct: bool) -> dict:
    return {"id": f"last_letter-train-{i:04d}#0", "question_id": f"last_letter-train-{i:04d}", "sample_index": 0,
            "benchmark": "last_letter", "split": "train", "mode": "hint", "correct": correct, "tokens": 40,
            "sampling": {"temperature": 0.0, "max_new_tokens": 256},
            "engine": {"engine": "llama.cpp", "server": "llama-server", "weights": "Q4_K_M"}}


def test_a_file_in_progress_says_so(tmp_path):
    path = tmp_path / "teacher-x" / "last_letter.hint.jsonl.gz"
    path.parent.mkdir()
    append_jsonl(path, [_record(0, True), _record(1, False)])
    page = datasheet.render(tmp_path)
    row = next(line for line in page.splitlines() if "last_letter.hint.jsonl.gz" in line)
    assert "2 of 1,000 (in progress)" in row and "50.0%" in row and "llama-server, Q4_K_M" in row
    assert datasheet.main(["--check", "--dir", str(tmp_path)]) == 1
    assert datasheet.main(["--dir", str(tmp_path)]) == 0 and datasheet.main(["--check", "--dir", str(tmp_path)]) == 0


def test_a_sampled_file_part_way_through_a_round_is_in_progress(tmp_path):
    path = tmp_path / "teacher-x" / "last_letter.hint.t0.7.jsonl.gz"
    path.parent.mkdir()
    second = [{**_record(i, True), "sample_index": 1} for i in range(10)]
    append_jsonl(path, [_record(i, True) for i in range(1000)] + second)  # round one, and ten of round two
    row = next(line for line in datasheet.render(tmp_path).splitlines() if path.name in line)
    assert "| 2 at T=" in row and "1,010 of 2,000 (in progress)" in row


def test_published_cots_train_a_student_without_the_teacher(tmp_path):
    """A published file goes straight into distill filter: training pairs, no teacher needed."""
    from distill import filter as filtering
    from distill.jsonio import read_jsonl

    published = sorted((REPO / "teacher_cots").glob("*/*.jsonl.gz"))
    assert published, "teacher_cots/ holds at least one file"
    report = filtering.filter_teacher(published[:1], tmp_path)
    (entry,) = report.values()
    assert entry["kept"] > 0 and entry["records"] == len(read_jsonl(published[0], torn_end_ok=True))
    assert len(read_jsonl(Path(entry["ft_cot_file"]))) == entry["kept"]
