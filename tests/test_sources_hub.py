"""Hub loaders: conversion of raw hub rows (fixtures in the hub's own schema) and load_hub's wiring and errors.

The Hugging Face Hub is never contacted: conversions run on fixtures, and the one load_hub success test
replaces datasets.load_dataset with a stand-in that returns the fixture rows.
"""

import json
import logging
import socket
from pathlib import Path

import datasets
import pytest

from distill.errors import DistillError
from distill.sources import hub
from distill.data import FIELDS
from distill.benchmarks import BENCHMARKS
from distill.sources.hub import CONVERTERS, canonical_number, convert_records, load_hub

FIXTURES = Path(__file__).parent / "fixtures" / "hub"


def rows(benchmark):
    with open(FIXTURES / f"{benchmark}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture
def online(monkeypatch):
    for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the hub must not be contacted")

    monkeypatch.setattr(datasets, "load_dataset", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


# --- conversion of each dataset --------------------------------------------------------------------------


def test_gsm8k_strips_calculator_markup_and_commas():
    recs = convert_records("gsm8k", "test", rows("gsm8k"))
    assert [r["answer"] for r in recs] == ["72", "1234", "0.5"]
    assert [r["id"] for r in recs] == ["gsm8k-test-00000", "gsm8k-test-00001", "gsm8k-test-00002"]
    assert recs[0]["rationale"] == (
        "Maya sold 48/2 = 24 bracelets in May. Maya sold 48+24 = 72 bracelets altogether in April and May."
    )
    assert recs[1]["rationale"] == "In 2 days the bakery makes 617 * 2 = 1,234 loaves."
    assert all("<<" not in r["rationale"] and "####" not in r["rationale"] for r in recs)
    assert recs[1]["meta"] == {"raw_answer": "1,234"}
    assert recs[0]["question"].startswith("Maya sold 48 bracelets in April")
    assert all(r["choices"] is None for r in recs)


def test_svamp_uses_question_concat_and_plain_numbers():
    recs = convert_records("svamp", "train", rows("svamp"))
    assert [r["answer"] for r in recs] == ["27", "8", "3.5"]
    assert [r["id"] for r in recs] == ["svamp-chal-12", "svamp-chal-305", "svamp-chal-871"]
    # The double space in the hub's question_concat is collapsed.
    assert recs[1]["question"] == (
        "A baker had 56 cookies and put them equally into 7 boxes. How many cookies are in each box?"
    )
    assert recs[0]["rationale"] is None
    assert recs[0]["meta"] == {"raw_answer": "27.0", "equation": "( 9.0 + 18.0 )", "type": "Addition"}


def test_svamp_without_question_concat_joins_body_and_question():
    row = {k: v for k, v in rows("svamp")[0].items() if k != "question_concat"}
    (rec,) = convert_records("svamp", "test", [row])
    assert rec["question"] == "Jack had 9 pens. He bought 18 more pens at the store. How many pens does Jack have now?"


def test_asdiv_drops_units_and_skips_non_numbers(caplog):
    with caplog.at_level(logging.WARNING, logger="distill.sources.hub"):
        recs = convert_records("asdiv", "test", rows("asdiv"))
    # The ratio "2:3" (row 2) is skipped; ids keep the hub row position so they stay stable.
    assert [(r["id"], r["answer"]) for r in recs] == [
        ("asdiv-test-00000", "9"), ("asdiv-test-00001", "0.625"), ("asdiv-test-00003", "2460"),
    ]
    assert recs[0]["question"] == (
        "Nora put six red apples and three green apples on the table. How many apples are on the table?"
    )
    assert recs[0]["meta"] == {"raw_answer": "9 (apples)", "formula": "6+3=9", "solution_type": "Addition"}
    assert "skipped 1 of 4" in caplog.text


def test_mawps_keeps_chain_in_meta_only():
    recs = convert_records("mawps", "validation", rows("mawps"))
    assert [r["answer"] for r in recs] == ["12", "5", "2.25"]
    assert recs[0]["id"] == "mawps-mawps__aB3dEf9GhJkL2mNo"
    assert all(r["rationale"] is None for r in recs)
    assert recs[0]["meta"]["chain"].startswith("<gadget")
    assert recs[1]["meta"]["raw_answer"] == "5.0"


def test_multiarith():
    recs = convert_records("multiarith", "test", rows("multiarith"))
    assert [r["answer"] for r in recs] == ["39", "3", "3"]
    assert recs[1]["question"] == (
        "A toy shop had 13 kites. It sold 7 of them and packed the rest into bags with 2 kites in each bag. "
        "How many bags did it use?"
    )
    assert recs[2]["id"] == "multiarith-test-00002"


def test_csqa_choices_in_letter_order_and_question_without_options():
    recs = convert_records("csqa", "test", rows("csqa"))
    assert [r["answer"] for r in recs] == ["A", "B", "E"]
    assert recs[0]["id"] == "csqa-3f9a1c2e7b4d8e6a5c0b1d2e3f4a5b6c"
    assert recs[0]["choices"] == ["refrigerator", "mailbox", "garden", "bookshelf", "car trunk"]
    assert all(len(r["choices"]) == 5 for r in recs)
    for r in recs:
        assert not any(text in r["question"] for text in r["choices"])
    assert recs[0]["question"] == "Where would you put a carton of eggs so that they stay fresh for a week?"
    assert recs[0]["meta"] == {"question_concept": "eggs"}


def test_csqa_orders_shuffled_labels_and_skips_unlabelled_rows():
    row = rows("csqa")[1]
    shuffled = dict(row, choices={"label": ["C", "A", "B", "E", "D"], "text": ["c", "a", "b", "e", "d"]})
    unlabelled = dict(rows("csqa")[0], answerKey="")  # the hub's test split looks like this
    recs = convert_records("csqa", "train", [shuffled, unlabelled])
    assert len(recs) == 1 and recs[0]["choices"] == ["a", "b", "c", "d", "e"] and recs[0]["answer"] == "B"


def test_strategyqa_yes_no_and_facts_as_rationale():
    recs = convert_records("strategyqa", "test", rows("strategyqa"))
    assert [r["answer"] for r in recs] == ["no", "yes", "no"]
    assert recs[0]["id"] == "strategyqa-a1b2c3d4e5f6a7b8c9d0"
    # A fact missing its full stop gets one so the joined rationale still reads as sentences.
    assert recs[0]["rationale"] == (
        "Penguins are flightless birds. "
        "Crossing the Atlantic Ocean by air requires flight over thousands of kilometres."
    )
    assert "\n" not in recs[1]["rationale"]
    assert recs[0]["meta"] == {"term": "Penguin", "description": "flightless seabird of the Southern Hemisphere"}


def test_strategyqa_facts_given_as_one_string():
    row = dict(rows("strategyqa")[1], facts="Mount Everest is about 8,849 metres tall.\nThe Eiffel Tower is short.")
    (rec,) = convert_records("strategyqa", "train", [row])
    assert rec["rationale"] == "Mount Everest is about 8,849 metres tall. The Eiffel Tower is short."


@pytest.mark.parametrize("benchmark", sorted(CONVERTERS))
def test_every_record_is_canonical(benchmark):
    split = next(iter(BENCHMARKS[benchmark].hub.splits))
    recs = convert_records(benchmark, split, rows(benchmark))
    assert recs
    for r in recs:
        assert tuple(r) == FIELDS
        assert r["benchmark"] == benchmark and r["split"] == split
        assert isinstance(r["question"], str) and r["question"] == " ".join(r["question"].split())
        assert isinstance(r["answer"], str) and r["answer"]
        assert r["rationale"] is None or (isinstance(r["rationale"], str) and "\n" not in r["rationale"])
        json.dumps(r["meta"])  # meta must be JSON-serialisable
    assert len({r["id"] for r in recs}) == len(recs)


@pytest.mark.parametrize("raw, expected", [
    ("1,234", "1234"), ("27.0", "27"), ("2.50", "2.5"), ("-3", "-3"), (27.0, "27"), (" 72\n", "72"),
    ("1000", "1000"), ("-0.0", "0"), ("5/8", "0.625"), ("1/3", None), ("2:3", None), ("abc", None), ("nan", None),
])
def test_canonical_number(raw, expected):
    assert canonical_number(raw) == expected


# --- load_hub ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"])
def test_load_hub_offline_fails_fast_without_network(monkeypatch, no_network, variable):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv(variable, "1")
    with pytest.raises(DistillError) as info:
        load_hub("gsm8k", "test")
    message = str(info.value)
    assert "\n" not in message
    assert "'gsm8k'" in message and "openai/gsm8k" in message
    assert "connect to the internet" in message and "HF_HUB_OFFLINE" in message
    assert "gsm_symbolic" in message and "coin_flip" in message


@pytest.mark.parametrize("benchmark, split, named", [
    ("nope", "test", "'nope'"), ("gsm8k", "validation", "'validation'"), ("asdiv", "train", "'train'"),
])
def test_load_hub_unknown_benchmark_or_split(no_network, benchmark, split, named):
    with pytest.raises(DistillError) as info:
        load_hub(benchmark, split)
    assert named in str(info.value)
    assert "choose one of" in str(info.value)


def test_convert_records_rejects_unknown_benchmark():
    with pytest.raises(DistillError, match="gsm8k, svamp"):
        convert_records("mmlu", "test", [])


@pytest.mark.parametrize("benchmark, split, expected_call", [
    ("csqa", "test", ("tau/commonsense_qa", None, "validation", {})),
    ("gsm8k", "train", ("openai/gsm8k", "main", "train", {})),
    ("asdiv", "test", ("EleutherAI/asdiv", "asdiv", "validation", {"revision": "refs/pr/1"})),
])
def test_load_hub_wires_path_config_split_and_converts(monkeypatch, online, benchmark, split, expected_call):
    calls = []

    def fake_load_dataset(path, name=None, *, split=None, **kwargs):
        calls.append((path, name, split, kwargs))
        return datasets.Dataset.from_list(rows(benchmark))

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    recs = load_hub(benchmark, split)
    assert calls == [expected_call]
    assert recs == convert_records(benchmark, split, rows(benchmark))
    assert recs and all(r["split"] == split for r in recs)


@pytest.mark.parametrize("error", [
    ConnectionError("Couldn't reach 'openai/gsm8k' on the Hub (LocalEntryNotFoundError)"),
    TimeoutError("read timed out"),
])
def test_load_hub_unreachable_hub_becomes_distill_error(monkeypatch, online, error):
    def failing_load_dataset(*args, **kwargs):
        raise error

    monkeypatch.setattr(datasets, "load_dataset", failing_load_dataset)
    with pytest.raises(DistillError, match=r"^benchmark 'gsm8k' needs the Hugging Face Hub \(openai/gsm8k\)"):
        load_hub("gsm8k", "test")


def test_load_hub_unreachable_detected_through_wrapped_cause(monkeypatch, online):
    class ConnectError(Exception):  # stands in for httpx.ConnectError, matched by name
        pass

    def failing_load_dataset(*args, **kwargs):
        try:
            raise ConnectError("[Errno -3] Temporary failure in name resolution")
        except ConnectError as exc:
            raise RuntimeError("download failed") from exc

    monkeypatch.setattr(datasets, "load_dataset", failing_load_dataset)
    with pytest.raises(DistillError):
        load_hub("svamp", "test")


def test_load_hub_other_errors_propagate(monkeypatch, online):
    def failing_load_dataset(*args, **kwargs):
        raise ValueError("bad split")

    monkeypatch.setattr(datasets, "load_dataset", failing_load_dataset)
    with pytest.raises(ValueError, match="bad split"):
        load_hub("svamp", "test")


def test_offline_values_that_mean_false_do_not_block(monkeypatch, online):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(datasets, "load_dataset", lambda *a, **k: datasets.Dataset.from_list(rows("multiarith")))
    assert len(load_hub("multiarith", "train")) == 3
    assert hub._offline_env() is False
