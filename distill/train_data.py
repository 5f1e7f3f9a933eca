"""Training examples for `distill train`: records rendered by the one prompt module, loss on the target only.

A record becomes `prompt(record, fmt)` (what lm-eval will show the student) and `" " + target(record, fmt)`
plus EOS (what the student must write, and then stop). A decoder-only student reads both as one sequence
whose prompt positions carry label -100, so only the target is learned; an encoder-decoder student gets
the prompt in the encoder and the target as decoder labels.

Batches carry no padding: either the examples of a batch are laid end to end in one row with restarting
position ids ("padding_free"; attention stays within each example), or batches are drawn from examples
of similar length and padded only to the longest in the batch ("length_grouped").
"""

from collections import Counter
from pathlib import Path

from distill import prompts
from distill.benchmarks import FORMATS
from distill.errors import DistillError
from distill.jsonio import read_jsonl

IGNORE_INDEX = -100  # the label value PyTorch's cross-entropy (and every HF model's loss) skips
TRAIN_FORMATS = tuple(f for f in FORMATS if f.startswith("ft_"))  # what a student is fine-tuned on
BATCHING = ("auto", "padding_free", "length_grouped")


def load_records(path: Path, fmt: str) -> list[dict]:
    """The training file's records, checked against the format they will be trained in."""
    if fmt not in TRAIN_FORMATS:
        raise DistillError(f"students train on {' or '.join(TRAIN_FORMATS)}, not '{fmt}'")
    if not Path(path).is_file():
        raise DistillError(f"training file '{path}' does not exist: `distill filter` writes them")
    records = read_jsonl(Path(path))
    if not records:
        raise DistillError(f"training file '{path}' is empty")
    missing = [r.get("id", "?") for r in records if "question" not in r or "answer" not in r]
    if missing:
        raise DistillError(f"{path}: {len(missing)} record(s) lack a question or answer, e.g. {missing[0]}")
    if prompts.is_cot(fmt):
        bare = [r["id"] for r in records if not r.get("rationale")]
        if bare:
            # prompts.target() would silently fall back to the bare answer for these.
            raise DistillError(f"{path}: {len(bare)} record(s) have no rationale (e.g. {bare[0]}), so they cannot "
                               "train a CoT student: use the ft_cot file, or --format ft_direct")
    elif prompts.is_program(fmt):
        bare = [r["id"] for r in records if not r.get("program")]
        if bare:
            raise DistillError(f"{path}: {len(bare)} record(s) have no program (e.g. {bare[0]}), so they cannot "
                               "train a program-of-thought student: use the ft_pot file `distill filter` wrote "
                               "from teacher programs")
    else:
        repeated = [qid for qid, n in Counter(r["id"] for r in records).items() if n > 1]
        if repeated:
            # A CoT file holds up to k rationales per question; the answer-only twin must see each question once.
            raise DistillError(f"{path}: {len(repeated)} question(s) appear more than once (e.g. {repeated[0]}): "
                               "train the answer-only student on the ft_direct twin that `distill filter` wrote")
    return records


def encode(record: dict, fmt: str, tokenizer, encoder_decoder: bool) -> dict:
    """Token ids and labels of one example; label -100 marks the positions that carry no loss."""
    # The prompt is encoded on its own, with the tokenizer's default special tokens, exactly as lm-eval
    # encodes it at evaluation time, so the student learns to continue the very ids it will be given.
    prompt_ids = tokenizer(prompts.prompt(record, fmt)).input_ids
    target_ids = tokenizer(" " + prompts.target(record, fmt), add_special_tokens=False).input_ids
    target_ids = target_ids + [tokenizer.eos_token_id]  # learn to stop after the answer
    if encoder_decoder:
        return {"input_ids": prompt_ids, "labels": target_ids}
    return {"input_ids": prompt_ids + target_ids, "labels": [IGNORE_INDEX] * len(prompt_ids) + target_ids}


def build_dataset(records: list[dict], fmt: str, tokenizer, encoder_decoder: bool, max_length: int):
    """The encoded examples (a plain list: Trainer needs no more), and token statistics for the run's metadata."""
    examples, too_long = [], 0
    prompt_tokens = target_tokens = 0
    for record in records:
        ex = encode(record, fmt, tokenizer, encoder_decoder)
        n_target = sum(label != IGNORE_INDEX for label in ex["labels"])
        n_prompt = len(ex["input_ids"]) - (0 if encoder_decoder else n_target)
        if max(len(ex["input_ids"]), len(ex["labels"])) > max_length:
            too_long += 1  # dropped, not cut: a truncated chain of thought would teach an answerless rationale
            continue
        examples.append(ex)
        prompt_tokens += n_prompt
        target_tokens += n_target
    if not examples:
        raise DistillError(f"every example is longer than max_length={max_length} tokens: raise --max-length")
    stats = {"examples": len(examples), "questions": len({r["id"] for r in records}),
             "dropped_too_long": too_long, "prompt_tokens": prompt_tokens, "target_tokens": target_tokens}
    return examples, stats


def resolve_batching(batching: str, encoder_decoder: bool, attn_implementation: str | None) -> str:
    """'auto' lays examples end to end only where attention kernels skip the cross-example blocks.

    A padding-free row of n examples costs full (n * length)^2 attention under SDPA or eager
    attention, masked block-diagonally but still computed; FlashAttention's variable-length kernels
    cost only the blocks themselves. Encoder-decoder models cannot take restarting position ids.
    """
    if batching not in BATCHING:
        raise DistillError(f"unknown batching '{batching}': choose from {', '.join(BATCHING)}")
    if batching == "padding_free" and encoder_decoder:
        raise DistillError("padding_free batching needs a decoder-only student; use length_grouped")
    if batching != "auto":
        return batching
    flash = (attn_implementation or "").startswith("flash_attention")
    return "padding_free" if flash and not encoder_decoder else "length_grouped"


def collator(batching: str, tokenizer, model):
    """transformers' own collators: one flattened row per batch, or padding to the batch's longest example."""
    from transformers import DataCollatorForSeq2Seq, DataCollatorWithFlattening

    if batching == "padding_free":
        # Each example's first label becomes -100 (a prompt token already), so no example learns to
        # predict the next example's first token.
        return DataCollatorWithFlattening(separator_id=IGNORE_INDEX)
    # Pads input_ids with the pad token and labels with -100; for encoder-decoder models it also builds
    # decoder_input_ids from the labels. pad_to_multiple_of stays off: on CPU, every padded token costs.
    return DataCollatorForSeq2Seq(tokenizer, model=model, label_pad_token_id=IGNORE_INDEX)


def training_file(out: Path, benchmark: str, source: str, fmt: str) -> Path:
    """Where `distill filter` writes a training set: <benchmark>.<source>.<format>.jsonl."""
    return out / f"{benchmark}.{source}.{fmt}.jsonl"


def source_of(path: Path) -> str | None:
    """The <source> of a `training_file` name (a source may hold dots: qwen2.5); None for another name."""
    parts = path.name.removesuffix(".jsonl").split(".", 1)
    return parts[1].rsplit(".", 1)[0] if len(parts) == 2 and "." in parts[1] else None


def data_info(path: Path, records: list[dict], stats: dict, sha256: str) -> dict:
    """What a student learned from, for its board entry: the file and its sha256 (as hashed when the run started,
    the version its records were read from), its teacher, token counts, and what `distill filter` reported about
    the file (its report.json sits beside it)."""
    import json

    sources = sorted({(r.get("meta") or {}).get("source") or "unknown" for r in records})
    # distill filter writes meta.source as "gold" or "teacher:<name>:<mode>"
    teachers = sorted({s.split(":")[1] if s.startswith("teacher:") else s for s in sources})
    report_file = path.parent / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    entry = next((r for r in report.values()
                  if path.name in {Path(r.get(f"{fmt}_file") or "").name for fmt in TRAIN_FORMATS}), None)
    return {"file": path.name, "sha256": sha256,
            "benchmarks": sorted({r["benchmark"] for r in records}),
            "source": (entry or {}).get("source") or source_of(path) or path.stem, "teacher": ", ".join(teachers),
            "sources": sources, **stats, "filter_report": entry}
