"""`distill train`: loss on the target only, causal and seq2seq students, LoRA, configs, resume, two processes.

Tiny students are built here from configs, with a byte-level BPE tokenizer trained on the test's own
questions, so most tests need no weights; the slow ones train the real SmolLM2-135M-Instruct, kill a run
mid-way and resume it, and run two processes under `accelerate launch`.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import yaml

from distill import cli, locks, prompts, train_data
from distill.errors import DistillError
from distill.jsonio import file_sha256
from distill.train import CONFIG_FILE, SUMMARY_FILE, train, trained_on
from distill.train_config import TrainConfig, config_yaml, load_config, yaml_settings
from distill.train_settings import DEFAULT_SEED, seeded

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Toby Baird", "Terrance Dean", "Casey Wilson", "Albert Mcclure", "Rosa Parks", "Ada Lovelace",
         "Alan Turing", "Grace Hopper", "Emmy Noether", "Carl Gauss", "Marie Curie", "Niels Bohr"]
SPECIALS = ["<pad>", "</s>", "<unk>"]  # ids 0, 1, 2, as in T5


def last_letter_records(n: int, cot: bool = True) -> list[dict]:
    records = []
    for i in range(n):
        words = NAMES[i % len(NAMES)].split() + ([NAMES[(i + 5) % len(NAMES)].split()[0]] if i % 3 == 0 else [])
        answer = "".join(w[-1] for w in words)
        steps = " ".join(f'The last letter of "{w}" is "{w[-1]}".' for w in words)
        records.append({"id": f"last_letter-train-{i:04d}", "benchmark": "last_letter", "split": "train",
                        "question": f'Take the last letters of the words in "{" ".join(words)}" and concatenate them.',
                        "answer": answer, "rationale": f'{steps} Concatenating them is "{answer}".' if cot else None,
                        "choices": None, "meta": {"source": "gold"}})
    return records


def write_records(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def tiny_tokenizer(encoder_decoder: bool):
    """A byte-level BPE over the test questions; T5-style, the encoder input ends with </s>."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    texts = [prompts.prompt(r, "ft_cot") + " " + prompts.target(r, "ft_cot") for r in last_letter_records(12)]
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=400, special_tokens=SPECIALS,
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    if encoder_decoder:
        tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")


def build_tiny(kind: str, out: Path, hidden: int = 32, layers: int = 2) -> Path:
    from transformers import LlamaConfig, LlamaForCausalLM, T5Config, T5ForConditionalGeneration

    torch.manual_seed(0)
    tok = tiny_tokenizer(kind == "t5")
    if kind == "t5":
        model = T5ForConditionalGeneration(T5Config(
            vocab_size=len(tok), d_model=hidden, d_ff=2 * hidden, d_kv=16, num_layers=layers, num_decoder_layers=layers,
            num_heads=2, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0))
    else:
        model = LlamaForCausalLM(LlamaConfig(
            vocab_size=len(tok), hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=layers,
            num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=512, pad_token_id=0,
            bos_token_id=1, eos_token_id=1, tie_word_embeddings=True))
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory) -> Path:
    return build_tiny("llama", tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tiny_t5(tmp_path_factory) -> Path:
    return build_tiny("t5", tmp_path_factory.mktemp("tiny-t5"))


@pytest.fixture
def cot_file(tmp_path) -> Path:
    return write_records(tmp_path / "last_letter.gold.ft_cot.jsonl", last_letter_records(16))


def config(student, data, out, **kw) -> TrainConfig:
    defaults = {"format": "ft_cot", "max_steps": 4, "per_device_train_batch_size": 4, "learning_rate": 1e-3,
                "logging_steps": 1, "save_steps": 100, "disable_tqdm": True}
    return TrainConfig(student=str(student), data=str(data), output_dir=str(out), **{**defaults, **kw})


def run_train(*argv: str, env: dict | None = None) -> subprocess.Popen:
    """`distill train ...` in its own process, as a user (or accelerate) would start it."""
    return subprocess.Popen([sys.executable, "-m", "distill.cli", "train", *argv], cwd=ROOT,
                            env=env or subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def subprocess_env() -> dict:
    # One thread per process: two processes on two cores must not oversubscribe them.
    return {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}


def losses(out: Path) -> dict[int, float]:
    history = json.loads((out / "trainer_state.json").read_text())["log_history"]
    return {h["step"]: h["loss"] for h in history if "loss" in h}


# --- the examples: what the student sees, and where the loss falls -----------------------------------------

def test_decoder_only_loss_falls_on_the_target_only():
    tok = tiny_tokenizer(encoder_decoder=False)
    record = last_letter_records(1)[0]
    ex = train_data.encode(record, "ft_cot", tok, encoder_decoder=False)
    prompt_ids = tok(prompts.prompt(record, "ft_cot")).input_ids  # as lm-eval encodes the prompt
    n = len(prompt_ids)
    assert ex["input_ids"][:n] == prompt_ids
    assert ex["labels"][:n] == [train_data.IGNORE_INDEX] * n  # no prompt token carries loss
    assert ex["labels"][n:] == ex["input_ids"][n:]  # every target token does, EOS included
    assert ex["labels"][-1] == tok.eos_token_id
    assert tok.decode(ex["labels"][n:-1]) == " " + prompts.target(record, "ft_cot")


def test_encoder_decoder_gets_the_prompt_in_the_encoder_and_the_target_as_labels():
    tok = tiny_tokenizer(encoder_decoder=True)
    record = last_letter_records(1)[0]
    ex = train_data.encode(record, "ft_direct", tok, encoder_decoder=True)
    assert ex["input_ids"] == tok(prompts.prompt(record, "ft_direct")).input_ids
    assert ex["input_ids"][-1] == tok.eos_token_id  # the T5-style tokenizer closes the encoder input
    assert train_data.IGNORE_INDEX not in ex["labels"]
    assert tok.decode(ex["labels"], skip_special_tokens=True) == f" The answer is {record['answer']}."


def test_a_padding_free_batch_gives_the_padded_batch_loss(tiny_llama, tmp_path):
    """Flattened examples must not attend across each other: one step on the same four examples, laid end to
    end or padded, gives the same loss."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama)
    records = last_letter_records(4)
    assert len({len(train_data.encode(r, "ft_cot", tok, False)["input_ids"]) for r in records}) > 1  # padding needed
    data = write_records(tmp_path / "last_letter.gold.ft_cot.jsonl", records)
    for batching in ("padding_free", "length_grouped"):
        train(config(tiny_llama, data, tmp_path / batching, batching=batching, max_steps=1, bf16=False))
    assert losses(tmp_path / "padding_free")[1] == pytest.approx(losses(tmp_path / "length_grouped")[1], rel=1e-6)
    summary = json.loads((tmp_path / "padding_free" / SUMMARY_FILE).read_text())
    assert summary["batching"] == "padding_free" and summary["tokens"] == sum(
        len(train_data.encode(r, "ft_cot", tok, False)["input_ids"]) for r in records)
    assert json.loads((tmp_path / "padding_free" / "config.json").read_text())["use_cache"] is True


def test_a_program_of_thought_student_learns_the_program_then_stops(tiny_llama, tmp_path):
    """ft_pot: the loss falls on the program (multi-line) and EOS, after the same zero-shot prompt."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama)
    records = [{**r, "rationale": None, "program": f"parts = {r['answer']}\nanswer = parts * 1"}
               for r in data_records("gsm_symbolic", 8)]
    ex = train_data.encode(records[0], "ft_pot", tok, encoder_decoder=False)
    target = [t for t, label in zip(ex["input_ids"], ex["labels"]) if label != train_data.IGNORE_INDEX]
    assert tok.decode(target) == " " + records[0]["program"] + tok.eos_token
    assert tok.decode(ex["input_ids"][: -len(target)]) == prompts.prompt(records[0], "ft_pot")
    out = train(config(tiny_llama, write_records(tmp_path / "g.ft_pot.jsonl", records), tmp_path / "pot",
                       format="ft_pot", max_steps=1, bf16=False))
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert summary["steps"] == 1 and summary["format"] == "ft_pot", summary


def data_records(benchmark: str, n: int) -> list[dict]:
    from distill import data

    return data.load_split(benchmark, "train")[:n]


def test_a_training_file_must_fit_its_format(tmp_path):
    no_rationale = write_records(tmp_path / "a.jsonl", last_letter_records(3, cot=False))
    with pytest.raises(DistillError, match="no rationale"):
        train_data.load_records(no_rationale, "ft_cot")
    assert len(train_data.load_records(no_rationale, "ft_direct")) == 3
    two_cots = write_records(tmp_path / "b.jsonl", last_letter_records(2) * 2)  # k CoTs per question
    with pytest.raises(DistillError, match="ft_direct twin"):
        train_data.load_records(two_cots, "ft_direct")
    with pytest.raises(DistillError, match="students train on"):
        train_data.load_records(two_cots, "fewshot_cot")
    with pytest.raises(DistillError, match="no program"):
        train_data.load_records(two_cots, "ft_pot")  # CoTs cannot train a program-of-thought student


def test_a_training_files_name_gives_back_its_source():
    source = "qwen2.5-coder-1.5b-instruct-hint-k2-t0.7"
    path = train_data.training_file(Path("w/train"), "gsm_symbolic", source, "ft_cot")
    assert path.name == "gsm_symbolic.qwen2.5-coder-1.5b-instruct-hint-k2-t0.7.ft_cot.jsonl"
    assert train_data.source_of(path) == source
    assert train_data.source_of(Path("my-cots.jsonl")) is None


def test_batching_is_padding_free_only_where_attention_kernels_allow():
    assert train_data.resolve_batching("auto", False, "sdpa") == "length_grouped"
    assert train_data.resolve_batching("auto", False, "flash_attention_2") == "padding_free"
    assert train_data.resolve_batching("auto", True, "flash_attention_2") == "length_grouped"
    with pytest.raises(DistillError, match="decoder-only"):
        train_data.resolve_batching("padding_free", True, "sdpa")


# --- configuration: flags over a YAML config over defaults, written back so it reproduces the run ----------

def config_from_flags(argv: list[str]) -> TrainConfig:
    """The TrainConfig `distill train ARGV` would run with."""
    args = cli.build_parser().parse_args(["train", *argv])
    return load_config(args.config, vars(args))


def test_flags_override_the_config_file_which_overrides_defaults(tmp_path, cot_file):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({"student": "s", "data": str(cot_file), "format": "ft_cot", "output_dir": "o",
                                      "learning_rate": "1e-4", "lora": True, "warmup_steps": 5,
                                      "weight_decay": 0.1}))  # any TrainingArguments field; "1e-4" as YAML 1.1 reads it
    cfg = config_from_flags(["--config", str(recipe), "--out", str(tmp_path / "run"), "--lora-r", "8"])
    assert (cfg.learning_rate, cfg.lora, cfg.lora_r, cfg.warmup_steps, cfg.weight_decay) == (1e-4, True, 8, 5, 0.1)
    assert cfg.output_dir == str(tmp_path / "run") and cfg.num_train_epochs == 3.0
    assert cfg.per_device_train_batch_size == 8 and cfg.seed == 42  # TrainingArguments' defaults, flags unused
    saved = tmp_path / "saved.yaml"
    saved.write_text(config_yaml(cfg))
    again = config_from_flags(["--config", str(saved)])
    assert again.given == cfg.given and again.to_dict() == cfg.to_dict()

    recipe.write_text(yaml.safe_dump({"studnet": "s"}))
    with pytest.raises(DistillError, match="unknown setting.*studnet"):
        config_from_flags(["--config", str(recipe)])
    with pytest.raises(DistillError, match="--data, --format"):
        config_from_flags(["--student", "s", "--out", "o"])


def test_a_recipes_train_settings_are_typed_as_a_config_files_are():
    """`train: {learning_rate: 1e-4}` in a recipe is YAML 1.1's string '1e-4', and a number to the student."""
    train = yaml.safe_load("train: {learning_rate: 1e-4, weight_decay: 5e-2, num_train_epochs: 3}")["train"]
    assert train["learning_rate"] == "1e-4"
    typed = yaml_settings(train, "recipe r: train")
    assert typed == {"learning_rate": 1e-4, "weight_decay": 0.05, "num_train_epochs": 3}
    with pytest.raises(DistillError, match="recipe r: train: learning_rate is 'fast', not a number"):
        yaml_settings({"learning_rate": "fast"}, "recipe r: train")
    with pytest.raises(DistillError, match="recipe r: train: unknown setting.s. epochs"):
        yaml_settings({"epochs": 3}, "recipe r: train")


def test_switches_and_renamed_flags_win_over_the_config_file_and_are_recorded(tmp_path, cot_file):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({"student": "s", "data": str(cot_file), "format": "ft_cot", "output_dir": "o",
                                      "bf16": True, "merge_lora": False, "use_cpu": True}))
    cfg = config_from_flags(["--config", str(recipe), "--no-bf16", "--merge-lora", "--batch-size", "2"])
    assert (cfg.bf16, cfg.merge_lora, cfg.per_device_train_batch_size) == (False, True, 2)
    assert yaml.safe_load(config_yaml(cfg))["bf16"] is False  # a rerun of train_config.yaml stays in fp32
    assert config_from_flags(["--config", str(recipe)]).bf16 is True


# --- training: tiny students end to end ---------------------------------------------------------------------

def test_seq2seq_student_trains_saves_reloads_and_generates_its_format(tiny_t5, tmp_path):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    records = last_letter_records(4, cot=False)
    data = write_records(tmp_path / "last_letter.gold.ft_direct.jsonl", records)
    out = tmp_path / "t5-student"
    train(config(tiny_t5, data, out, format="ft_direct", max_steps=60, learning_rate=1e-2, logging_steps=10))
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert summary["architecture"] == "encoder-decoder" and summary["steps"] == 60
    assert summary["final_loss"] < 1.0  # it has learned the four answers
    model = AutoModelForSeq2SeqLM.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    inputs = tok(prompts.prompt(records[0], "ft_direct"), return_tensors="pt")
    text = tok.decode(model.generate(**inputs, max_new_tokens=12, do_sample=False)[0], skip_special_tokens=True)
    assert text.strip() == prompts.target(records[0], "ft_direct")  # "The answer is yd."


def test_lora_student_is_saved_merged_or_as_an_adapter_naming_its_base(tiny_llama, cot_file, tmp_path):
    from transformers import AutoModelForCausalLM

    merged_out = tmp_path / "merged"
    train(config(tiny_llama, cot_file, merged_out, lora=True, lora_r=4))
    summary = json.loads((merged_out / SUMMARY_FILE).read_text())
    assert summary["method"] == "lora" and 0 < summary["trainable_params"] < summary["params"]
    merged = AutoModelForCausalLM.from_pretrained(merged_out)
    base = AutoModelForCausalLM.from_pretrained(tiny_llama)
    assert not torch.equal(merged.model.layers[0].mlp.up_proj.weight, base.model.layers[0].mlp.up_proj.weight)
    assert (merged_out / "adapter" / "adapter_config.json").exists()

    adapter_out = tmp_path / "adapter"
    train(config(tiny_llama, cot_file, adapter_out, lora=True, lora_r=4, merge_lora=False))
    adapter = json.loads((adapter_out / "adapter_config.json").read_text())
    assert adapter["base_model_name_or_path"] == str(tiny_llama) and not (adapter_out / "model.safetensors").exists()


def test_a_finished_run_is_not_retrained_and_other_settings_are_refused(tiny_llama, cot_file, tmp_path, capsys):
    out = tmp_path / "run"
    train(config(tiny_llama, cot_file, out))
    first = (out / "model.safetensors").read_bytes()
    assert not list(out.glob("checkpoint-*"))  # removed once the student is saved
    train(config(tiny_llama, cot_file, out))
    assert "not training again" in capsys.readouterr().out and (out / "model.safetensors").read_bytes() == first
    with pytest.raises(DistillError, match="other settings.*learning_rate"):
        train(config(tiny_llama, cot_file, out, learning_rate=5e-4))
    assert yaml.safe_load((out / CONFIG_FILE).read_text())["learning_rate"] == 1e-3


def test_a_second_run_into_the_same_out_is_refused_while_the_first_holds_it(tiny_llama, cot_file, tmp_path):
    out = tmp_path / "run"
    with locks.hold(out, "the first distill train"):  # as another process would hold it
        with pytest.raises(DistillError, match="is being written by"):
            train(config(tiny_llama, cot_file, out))
    assert not out.exists()


def test_a_run_on_another_version_of_its_training_file_is_refused_finished_or_not(tiny_llama, cot_file, tmp_path):
    out = tmp_path / "run"
    train(config(tiny_llama, cot_file, out))
    assert trained_on(out) == file_sha256(cot_file)
    write_records(cot_file, last_letter_records(12))  # the filter wrote the file again, with other chains
    with pytest.raises(DistillError, match=f"holds a run on another version of {cot_file}"):
        train(config(tiny_llama, cot_file, out))
    (out / SUMMARY_FILE).unlink()  # as if killed mid-run: it must not resume from steps taken on the old file
    with pytest.raises(DistillError, match=f"holds a run on another version of {cot_file}"):
        train(config(tiny_llama, cot_file, out))


def test_eval_files_the_student_with_its_training_and_data(tiny_llama, tmp_path, monkeypatch):
    import distill.evaluate

    calls = []
    monkeypatch.setattr(distill.evaluate, "evaluate", lambda cfg: calls.append(cfg) or tmp_path / "entry")
    data = tmp_path / "last_letter.gold.ft_direct.jsonl"
    write_records(data, last_letter_records(8, cot=False))
    (tmp_path / "report.json").write_text(json.dumps({"last_letter.gold": {
        "teacher": "gold", "ft_direct_file": "x/last_letter.gold.ft_direct.jsonl", "questions": 8}}))
    out = tmp_path / "run"
    trained = config(tiny_llama, data, out, format="ft_direct", run_eval=True, eval_limit=5,
                     results_dir=str(tmp_path / "results"))
    train(trained)
    (cfg,) = calls
    assert (cfg.model, cfg.format, cfg.role, cfg.benchmarks, cfg.limit) == (str(out), "ft_direct", "student",
                                                                            "last_letter", 5)
    assert cfg.name == f"{tiny_llama.name}-last_letter-gold-ft_direct" and cfg.teacher == "gold"
    assert cfg.base_model == str(tiny_llama)
    training, data_meta = cfg.extra["training"], cfg.extra["data"]
    assert training["steps"] == 4 and training["tokens"] > 0 and training["wall_time_s"] > 0
    # The entry records the device and precision this run resolved, whatever the machine chose.
    assert training["hardware"]["device"] == trained.device.type and training["format"] == "ft_direct"
    assert training["precision"] == ("bf16" if trained.bf16 else "fp32")
    assert data_meta["filter_report"]["questions"] == 8 and data_meta["examples"] == 8
    assert (cfg.extra["seed"], cfg.extra["seed_group"]) == (trained.seed, cfg.name)  # the default seed: no suffix
    assert cfg.extra["cost"] == {"teacher_tokens": None, "teacher_seconds": None, "train_examples": 8,
                                 "train_tokens": training["tokens"], "train_steps": 4,
                                 "train_seconds": training["wall_time_s"]}


def test_another_seed_names_its_own_entry_in_the_same_seed_group():
    assert seeded("student-last_letter-gold-ft_cot", DEFAULT_SEED) == "student-last_letter-gold-ft_cot"
    assert seeded("student-last_letter-gold-ft_cot", 7) == "student-last_letter-gold-ft_cot-seed7"


# --- slow: the real student, a killed run, two processes -----------------------------------------------------

@pytest.mark.slow
def test_smollm2_student_trains_saves_reloads_and_generates_its_format(smollm2, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(smollm2)
    records = last_letter_records(8, cot=False)
    ex = train_data.encode(records[0], "ft_direct", tok, encoder_decoder=False)  # the mask on the real tokenizer
    n_prompt = len(tok(prompts.prompt(records[0], "ft_direct")).input_ids)
    assert ex["labels"][:n_prompt] == [-100] * n_prompt and -100 not in ex["labels"][n_prompt:]

    data = write_records(tmp_path / "last_letter.gold.ft_direct.jsonl", records)
    out = tmp_path / "smollm2-student"
    rc = cli.main(["train", "--student", smollm2, "--data", str(data), "--format", "ft_direct", "--out", str(out),
                   "--max-steps", "4", "--batch-size", "4", "--learning-rate", "2e-4", "--logging-steps", "1"])
    summary = json.loads((out / SUMMARY_FILE).read_text())
    assert rc == 0 and summary["architecture"] == "decoder-only" and summary["steps"] == 4
    model = AutoModelForCausalLM.from_pretrained(out)
    inputs = tok(prompts.prompt(last_letter_records(12, cot=False)[11], "ft_direct"), return_tensors="pt")
    completion = tok.decode(model.generate(**inputs, max_new_tokens=12, do_sample=False)[0, inputs.input_ids.shape[1]:])
    assert completion.startswith(" The answer is ")  # the ft_direct target, after four steps


@pytest.mark.slow
def test_a_killed_run_resumes_to_the_same_step_and_loss_curve(tmp_path_factory, tmp_path):
    # Big enough that each step (with its checkpoint) takes a moment, so the kill lands mid-run.
    student = build_tiny("llama", tmp_path_factory.mktemp("resume-llama"), hidden=128, layers=4)
    data = write_records(tmp_path / "last_letter.gold.ft_cot.jsonl", last_letter_records(24))
    args = ["--student", str(student), "--data", str(data), "--format", "ft_cot", "--epochs", "4", "--batch-size", "4",
            "--learning-rate", "1e-3", "--logging-steps", "1", "--save-steps", "1"]
    reference = run_train(*args, "--out", str(tmp_path / "reference"))
    assert reference.wait(timeout=300) == 0, reference.stdout.read()

    out = tmp_path / "killed"
    victim = run_train(*args, "--out", str(out))
    while not any((c / "trainer_state.json").exists() for c in out.glob("checkpoint-*")
                  if int(c.name.split("-")[1]) >= 3):
        assert victim.poll() is None, "the run ended before it could be killed: " + victim.stdout.read()
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait() == -signal.SIGKILL and not (out / SUMMARY_FILE).exists()

    resumed = run_train(*args, "--out", str(out))
    log = resumed.communicate(timeout=300)[0]
    assert resumed.returncode == 0, log
    summary = json.loads((out / SUMMARY_FILE).read_text())
    expected = json.loads((tmp_path / "reference" / SUMMARY_FILE).read_text())
    assert summary["resumed_from_step"] >= 3 and summary["steps"] == expected["steps"] == 24
    assert f"resuming {out} from its checkpoint at step {summary['resumed_from_step']} of 24" in log
    curve, reference_curve = losses(out), losses(tmp_path / "reference")
    assert sorted(curve) == list(range(1, 25))  # every step logged once, none missing
    # Same data order and optimizer state after the resume: the curve continues where the reference went.
    assert curve == pytest.approx(reference_curve, rel=1e-3)


@pytest.mark.slow
def test_two_processes_under_accelerate_take_the_single_process_steps(tiny_llama, cot_file, tmp_path):
    common = ["--student", str(tiny_llama), "--data", str(cot_file), "--format", "ft_cot", "--epochs", "2",
              "--learning-rate", "1e-3", "--logging-steps", "1"]
    single = run_train(*common, "--batch-size", "4", "--out", str(tmp_path / "single"))
    assert single.wait(timeout=300) == 0, single.stdout.read()
    launcher = [sys.executable, "-m", "accelerate.commands.launch", "--config_file",
                str(ROOT / "recipes/train/accelerate_ddp.yaml"), "--num_processes", "2"]
    ddp = subprocess.run([*launcher, "-m", "distill.cli", "train", *common, "--batch-size", "2",
                          "--out", str(tmp_path / "ddp")],
                         cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=300, check=False)
    assert ddp.returncode == 0, ddp.stdout + ddp.stderr
    one, two = (json.loads((tmp_path / d / SUMMARY_FILE).read_text()) for d in ("single", "ddp"))
    assert two["hardware"]["processes"] == 2 and two["hardware"]["distributed_backend"] == (
        "nccl" if torch.cuda.is_available() else "gloo")
    assert one["global_batch_size"] == two["global_batch_size"] == 4
    assert two["steps"] == one["steps"] == 8 and two["tokens"] == one["tokens"]  # every example once per epoch
    assert losses(tmp_path / "ddp") == pytest.approx(losses(tmp_path / "single"), rel=1e-3)
