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
