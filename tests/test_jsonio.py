"""The JSONL reader and appender: plain and gzip-compressed files, torn ends, and other readers of the .gz."""

import gzip
import json

import pytest

from distill.errors import DistillError
from distill.generate import load_existing
from distill.jsonio import append_jsonl, read_jsonl, torn_end

RECORDS = [{"question_id": "a", "sample_index": 0, "text": "é"}, {"question_id": "b", "sample_index": 0, "text": "x"}]


@pytest.mark.parametrize("name", ["t.jsonl", "t.jsonl.gz"])
def test_appends_read_back_in_order(tmp_path, name):
    path = tmp_path / name
    append_jsonl(path, RECORDS[:1])
    append_jsonl(path, [])
    append_jsonl(path, RECORDS[1:])
    assert read_jsonl(path) == RECORDS and torn_end(path) == 0


def test_a_compressed_file_is_one_stream_to_gzip_and_datasets(tmp_path):
    import datasets

    path = tmp_path / "cots.jsonl.gz"
    for record in RECORDS:  # a gzip member per append
        append_jsonl(path, [record])
    with gzip.open(path, "rt", encoding="utf-8") as f:
        assert [json.loads(line) for line in f] == RECORDS
    loaded = datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache"))
    assert loaded["question_id"] == ["a", "b"]


def test_a_torn_gzip_member_is_a_torn_end(tmp_path, capsys):
    path = tmp_path / "cots.jsonl.gz"
    append_jsonl(path, RECORDS[:1])
    whole = path.stat().st_size
    with open(path, "ab") as f:  # a writer killed half-way through its next member
        f.write(gzip.compress(json.dumps(RECORDS[1]).encode() + b"\n")[:15])
    assert torn_end(path) == 15 and read_jsonl(path, torn_end_ok=True) == RECORDS[:1]
    with pytest.raises(DistillError, match="not a complete gzip member"):
        read_jsonl(path)
    assert read_jsonl(path, torn_end_ok=True) == RECORDS[:1]
    assert [r["question_id"] for r in load_existing(path)] == ["a"]  # the writer repairs its own file
    assert path.stat().st_size == whole and "removed a partial last record" in capsys.readouterr().err


def test_a_damaged_gzip_member_with_whole_ones_after_it_is_an_error_not_a_torn_end(tmp_path):
    """Cutting there would drop every record after the damage: nothing is cut, and the error says where."""
    path = tmp_path / "cots.jsonl.gz"
    for i in range(5):
        append_jsonl(path, [{**RECORDS[0], "sample_index": i}])
    raw = bytearray(path.read_bytes())
    second = raw.find(b"\x1f\x8b\x08", 1)
    raw[second + 12] ^= 0xFF  # a flipped byte in the second member's compressed data
    path.write_bytes(bytes(raw))
    for read in (torn_end, lambda p: read_jsonl(p, torn_end_ok=True), load_existing):
        with pytest.raises(DistillError, match=f"member at byte {second} is damaged and complete ones follow"):
            read(path)
    assert path.read_bytes() == bytes(raw)
