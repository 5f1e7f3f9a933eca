"""`distill generate`: a teacher writes chains of thought for a benchmark split, resumably.

    distill generate --teacher qwen2.5-coder-1.5b-instruct --benchmark last_letter --mode hint --limit 100 \\
        --out teacher/last_letter.hint.jsonl
    distill generate --teacher qwen2.5-coder-1.5b-instruct --benchmark gsm_symbolic --format pot \\
        --out teacher/gsm_symbolic.hint.pot.jsonl      # programs that set `answer` (program of thought)

The teacher runs on the fastest engine here (`--backend auto`: llama.cpp's server, started for the run, with
as many requests in flight as it has slots), or on the one named: hf, vllm, or openai (a server already
running at --base-url).

The output is append-only JSONL (gzip-compressed where --out ends in .gz), one record per (question, sample
index). A rerun reads what is there, repairs a partial last record left by a crash, and generates only what is
missing, so a run killed at any point (even SIGKILL) finishes with the same records, none lost or duplicated.
"""

import hashlib
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from distill import data, engines, grading, locks, models, prompts
from distill.backends import Completion, HFBackend, OpenAIBackend, Request, Sampling, make_backend
from distill.benchmarks import get_benchmark
from distill.errors import DistillError
from distill.jsonio import append_jsonl, atomic_write_text, read_jsonl, torn_end


@dataclass
class GenerateConfig:
    teacher: str = field(metadata={"help": "offline model name, local directory, hub ID, or served name"})
    benchmark: str = field(metadata={"help": "benchmark key"})
    out: Path = field(metadata={"help": "output JSONL (.jsonl.gz: compressed); rerun with the same file to resume"})
    backend: str = field(default="auto", metadata={"help": "engine: auto (default: the fastest here), llama.cpp "
                                                         "(served on 127.0.0.1), hf, vllm or openai (a server)"})
    weights: str | None = field(default=None, metadata={"help": "llama.cpp: 'shipped' (an offline model's own "
                                                               "GGUF, its default) or a GGUF type to convert to"})
    mode: str = field(default="hint", metadata={"help": "fewshot exemplars; hint: also show the gold answer "
                                                        "(default); zeroshot: step by step"})
    format: str = field(default="cot", metadata={"help": "cot: chains of thought (default); pot: programs that "
                                                         "set `answer`, run by the safe interpreter (arithmetic)"})
    split: str = field(default="train", metadata={"help": "split to explain (default %(default)s)"})
    samples: int = field(default=1, metadata={"help": "CoTs per question, written round by round (above 1 "
                                                      "needs --temperature > 0)"})
    temperature: float = field(default=0.0, metadata={"help": "sampling temperature (default %(default)s: greedy)"})
    top_p: float = field(default=1.0, metadata={"help": "nucleus sampling mass (default %(default)s)"})
    max_new_tokens: int = field(default=prompts.MAX_GEN_TOKS["cot"],
                                metadata={"help": "per CoT (default %(default)s)"})
    limit: int | None = field(default=None, metadata={"help": "only the first N questions of the split"})
    chat: bool = field(default=False, metadata={"help": "wrap prompts in the teacher's chat template"})
    seed: int = field(default=0, metadata={"help": "sampling seed (default %(default)s)"})
    # Also the fewest records written per flush (a server gets 4 rounds of its slots: see _run).
    batch_size: int = field(default=HFBackend.BATCH_SIZE, metadata={"help": "hf batch size (default %(default)s)"})
    base_url: str | None = field(default=None, metadata={"help": "openai backend: server root, e.g. "
                                                                 "http://127.0.0.1:8080"})
    served_model: str | None = field(default=None, metadata={"help": "openai backend: model name on the server"})
    concurrency: int = field(default=OpenAIBackend.CONCURRENCY, metadata={
        "help": "openai backend: requests in flight (default %(default)s; llama.cpp: its slots)"})
    timeout: float = field(default=OpenAIBackend.TIMEOUT, metadata={"help": "openai backend: seconds per request "
                                                                            "(default %(default)s)"})
    max_retries: int = field(default=OpenAIBackend.MAX_RETRIES, metadata={
        "help": "openai backend: retries per request, with backoff (default %(default)s)"})
    served: engines.Engine | None = None  # an engine the caller started (distill run), used instead of --backend

    def run_key(self) -> dict:
        """What must match for two runs to share one output file."""
        return {"teacher": self.teacher, "backend": self.engine_name(), "weights": self.weights_used(),
                "mode": self.mode, "format": self.format, "benchmark": self.benchmark, "split": self.split,
                "sampling": self.sampling_dict()}

    def engine_name(self) -> str:
        return self.served.name if self.served else engines.choose(self.backend)

    def weights_used(self) -> str | None:
        """The served GGUF's kind: a recorded part of the run, since other weights give other CoTs."""
        return engines.weights_kind(self.teacher, self.weights) if self.engine_name() == engines.LLAMA else None

    def sampling_dict(self) -> dict:
        return {"temperature": self.temperature, "top_p": self.top_p, "max_new_tokens": self.max_new_tokens,
                "chat": self.chat, "seed": self.seed}


# Run-key fields added after files were published, and what records without them hold.
_RUN_KEY_BEFORE = {"format": "cot"}


def record_format(record: dict) -> str:
    """What a teacher record holds: 'cot' (a chain of thought) or 'pot' (a program)."""
    return record.get("format", _RUN_KEY_BEFORE["format"])


def to_write(questions: list[dict], samples: int, done: set[tuple[str, int]]) -> list[tuple[dict, int]]:
    """The (question, sample) pairs not yet `done`, round by round: every question's first sample, then every
    question's second, and so on. An interrupted file then holds whole rounds, and a student of fewer CoTs per
    question can train on them before the last round is written."""
    return [(q, k) for k in range(samples) for q in questions if (q["id"], k) not in done]


def missing(path: Path, questions: list[dict], samples: int) -> int:
    """How many of the first `samples` CoTs of each of `questions` a teacher file still lacks."""
    records = read_jsonl(path, torn_end_ok=True) if path.exists() else []
    return len(to_write(questions, samples, {(r["question_id"], r["sample_index"]) for r in records}))


def load_existing(path: Path) -> list[dict]:
    """Records already written, for a run about to append: the writer repairs its own file, cutting off a
    partial last line a crash left (reported; that record is generated again)."""
    if not path.exists():
        return []
    if torn := torn_end(path):
        print(f"{path}: removed a partial last record ({torn} bytes) left by an interrupted run; "
              "it will be generated again", file=sys.stderr)
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size - torn)
    try:
        return read_jsonl(path)
    except DistillError as e:
        raise DistillError(f"{e}, and it is not the last line, so this is not an interrupted write: inspect the "
                           "file, or write to another --out") from None


def _check_same_run(path: Path, existing: list[dict], cfg: GenerateConfig) -> None:
    want = cfg.run_key()
    for record in existing[:1]:
        have = {k: record.get(k, _RUN_KEY_BEFORE.get(k)) for k in want}
        if have != want:
            diff = ", ".join(f"{k} {have[k]!r} vs {want[k]!r}" for k in want if have[k] != want[k])
            raise DistillError(f"{path} holds records of another run ({diff}): use another --out")


def _prompt_hash(prompt: str) -> str:
    return hashlib.sha256(prompt.encode()).hexdigest()[:16]


def grade(text: str, question: dict, teacher_format: str = "cot") -> dict:
    """A record's grading fields for a completion of one question: gold, answer (extracted, or computed by
    the program), verdict, and for a program the reason it computes none."""
    if teacher_format == "pot":
        answer, error = grading.program_answer(text)
        return {"gold": question["answer"], "answer": answer, "correct": answer == question["answer"],
                "program_error": error}
    answer = grading.extract_answer(text, get_benchmark(question["benchmark"]).answer_type, question.get("choices"))
    return {"gold": question["answer"], "answer": answer, "correct": answer == question["answer"]}


def _body(text: str, teacher_format: str) -> dict:
    """What a student learns from: the rationale before the answer sentence, or the program."""
    if teacher_format == "pot":
        return {"program": grading.program_of(text)}
    return {"rationale": grading.rationale_of(text)}


def make_record(cfg: GenerateConfig, question: dict, sample: int, prompt: str, text: str, tokens: int,
                engine: dict | None = None) -> dict:
    return {
        "id": f"{question['id']}#{sample}", "question_id": question["id"], "sample_index": sample,
        **cfg.run_key(), "prompt_sha256": _prompt_hash(prompt), "completion": text, **_body(text, cfg.format),
        **grade(text, question, cfg.format), "tokens": tokens, "engine": engine,
    }


def generate(cfg: GenerateConfig) -> dict:
    """Generate what is missing from `cfg.out`; returns the run summary."""
    if cfg.samples > 1 and cfg.temperature == 0:
        raise DistillError("--samples above 1 needs --temperature above 0, or every sample is the same CoT")
    if cfg.mode not in prompts.TEACHER_MODES:
        raise DistillError(f"unknown teacher mode '{cfg.mode}': choose from {', '.join(prompts.TEACHER_MODES)}")
    check_teacher_format(cfg.format, cfg.benchmark)
    if cfg.mode == "zeroshot" and cfg.chat:
        raise DistillError("zeroshot mode extracts an answer by continuing the teacher's own text, which a chat "
                           "template does not allow: drop --chat")
    questions = data.load_split(cfg.benchmark, cfg.split)[: cfg.limit]
    exemplars = data.load_exemplars(cfg.benchmark)
    with locks.hold(cfg.out, "distill generate"):  # two appenders would write every record twice
        return _generate_missing(cfg, questions, exemplars)


def check_teacher_format(teacher_format: str, benchmark: str) -> None:
    if teacher_format not in prompts.TEACHER_FORMATS:
        raise DistillError(f"unknown format '{teacher_format}': choose from {', '.join(prompts.TEACHER_FORMATS)}")
    if f"fewshot_{teacher_format}" not in get_benchmark(benchmark).formats:
        raise DistillError(f"{benchmark} has no {teacher_format} format: programs are for the arithmetic benchmarks, "
                           "whose answers a program computes")


def _generate_missing(cfg: GenerateConfig, questions: list[dict], exemplars: list[dict]) -> dict:
    existing = load_existing(cfg.out)
    _check_same_run(cfg.out, existing, cfg)
    todo = to_write(questions, cfg.samples, {(r["question_id"], r["sample_index"]) for r in existing})
    summary = {"records_before": len(existing), "generated": 0, "tokens": 0}
    if todo:
        with engines.serving(cfg.teacher, cfg.backend, weights=cfg.weights, base_url=cfg.base_url,
                             concurrency=cfg.concurrency, log=cfg.out.with_name(cfg.out.name + ".server.log"),
                             running=cfg.served) as engine:
            # Offline models run locally under hf/vllm; a server only needs the name it knows the model by.
            path = cfg.teacher if engine.backend == "openai" else models.resolve(cfg.teacher)
            backend = make_backend(engine.backend, path, base_url=engine.base_url,
                                   served_model=cfg.served_model or cfg.teacher, batch_size=cfg.batch_size,
                                   concurrency=engine.concurrency, timeout=cfg.timeout, max_retries=cfg.max_retries,
                                   seed=cfg.seed)
            summary.update(_run(cfg, backend, engine, todo, exemplars))
    return {**summary, **_accuracy(load_existing(cfg.out))}


def _run(cfg: GenerateConfig, backend, engine: engines.Engine, todo: list[tuple[dict, int]],
         exemplars: list[dict]) -> dict:
    sampling = Sampling(cfg.temperature, cfg.top_p, cfg.max_new_tokens, cfg.chat, stop_at_answer=cfg.format == "cot")
    cfg.out.parent.mkdir(parents=True, exist_ok=True)
    start, tokens, generated = time.perf_counter(), 0, 0
    # Several rounds of requests per flush keep a server's slots busy while a round's stragglers finish.
    chunk = max(cfg.batch_size, 4 * engine.concurrency)
    with tqdm(total=len(todo), unit="program" if cfg.format == "pot" else "CoT", desc=cfg.benchmark) as bar:
        for at in range(0, len(todo), chunk):
            part = todo[at: at + chunk]
            prompts_ = [prompts.teacher_prompt(q, cfg.mode, exemplars, cfg.format) for q, _ in part]
            requests = [Request(p, _seed(cfg.seed, q["id"], k)) for p, (q, k) in zip(prompts_, part)]
            chunk_start = time.perf_counter()
            completions = {}
            for i, completion in backend.generate(requests, sampling):
                completions[i] = completion
                bar.update(1)
            if cfg.mode == "zeroshot":
                completions = extract_answers(backend, requests, completions)
            records = [make_record(cfg, question, sample, prompts_[i], completions[i].text, completions[i].tokens,
                                   engine.info) for i, (question, sample) in enumerate(part)]
            # A finished chunk survives a crash; a crash between these two lines loses its seconds, not its CoTs.
            append_jsonl(cfg.out, records)
            chunk_tokens = sum(r["tokens"] for r in records)
            _add_cost(cfg.out, time.perf_counter() - chunk_start, chunk_tokens)
            tokens, generated = tokens + chunk_tokens, generated + len(records)
            bar.set_postfix(tok_per_s=f"{tokens / (time.perf_counter() - start):.1f}")
    return {"generated": generated, "tokens": tokens, "wall_s": round(time.perf_counter() - start, 1)}


# Stage two writes an answer, a few tokens, greedily as in Kojima et al.
_ANSWER_SAMPLING = Sampling(max_new_tokens=16)


def extract_answers(backend, requests: list[Request], completions: dict[int, Completion]) -> dict[int, Completion]:
    """Zero-shot CoT's second stage: each chain that does not say "the answer is", followed by
    prompts.ANSWER_TRIGGER, is given back to the teacher to complete; the record holds chain, trigger and
    answer, so the grader reads the answer and the rationale stays the chain."""
    todo = [i for i, c in completions.items() if not grading.has_answer_phrase(c.text)]
    stage_two = [Request(requests[i].prompt + completions[i].text + prompts.ANSWER_TRIGGER, requests[i].seed)
                 for i in todo]
    done = dict(completions)
    for j, answer in backend.generate(stage_two, _ANSWER_SAMPLING):
        chain = completions[todo[j]]
        done[todo[j]] = Completion(chain.text + prompts.ANSWER_TRIGGER + answer.text, chain.tokens + answer.tokens)
    return done


def cost_path(out: Path) -> Path:
    """Beside a teacher file: the wall time and tokens every run spent on it, summed over resumed runs."""
    return out.with_name(out.name.removesuffix(".gz").removesuffix(".jsonl") + ".cost.json")


def read_cost(out: Path) -> dict:
    path = cost_path(out)
    return json.loads(path.read_text()) if path.exists() else {"seconds": 0.0, "tokens": 0}


def _add_cost(out: Path, seconds: float, tokens: int) -> None:
    spent = read_cost(out)
    atomic_write_text(cost_path(out), json.dumps({"seconds": round(spent["seconds"] + seconds, 1),
                                                  "tokens": spent["tokens"] + tokens}) + "\n")


def samples_per_question(records: list[dict]) -> int:
    """How many CoTs per question a teacher file holds (the rounds begun): its highest sample index, plus one."""
    return 1 + max((r["sample_index"] for r in records), default=0)


def sampling_tag(samples: int, temperature: float) -> str:
    """'' for one greedy CoT per question, else e.g. 'k4-t0.7': part of the names of the students trained on
    K sampled CoTs per question."""
    return f"k{samples}-t{temperature:g}" if samples > 1 or temperature > 0 else ""


def _seed(seed: int, question_id: str, sample: int) -> int:
    """A stable per-(question, sample) seed, independent of which run or batch generates it."""
    return int.from_bytes(hashlib.sha256(f"{seed}/{question_id}/{sample}".encode()).digest()[:4], "big")


def _accuracy(records: list[dict]) -> dict:
    correct = sum(r["correct"] for r in records)
    return {"records": len(records), "correct": correct,
            "teacher_accuracy": round(correct / len(records), 4) if records else None}


def summary_line(summary: dict, out: Path) -> str:
    acc = summary["teacher_accuracy"]
    rate = f", {summary['tokens'] / summary['wall_s']:.1f} tok/s" if summary.get("wall_s") else ""
    return (f"{out}: {summary['records']} records ({summary['generated']} new, {summary['tokens']} tokens"
            f"{', ' + str(summary['wall_s']) + ' s' if summary.get('wall_s') else ''}{rate}); teacher accuracy "
            f"{'n/a' if acc is None else f'{acc:.1%}'} ({summary['correct']} correct)")

