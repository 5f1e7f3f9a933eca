"""The one prompt module: renders the six formats for lm-eval tasks, the teacher and training data.

    fewshot_cot     k exemplars "Q: ...\\nA: <rationale> The answer is X." then "Q: <q>\\nA:"
    fewshot_direct  the same exemplars without rationales
    ft_cot          "Q: <q>\\nA:" zero-shot; target "<rationale> The answer is X."
    ft_direct       "Q: <q>\\nA:" zero-shot; target "The answer is X."
    fewshot_pot     arithmetic only: the exemplars' targets are programs that set `answer` (program of thought)
    ft_pot          "Q: <q>\\nA:" zero-shot; target a program

A prompt is lm-eval's few-shot layout: each exemplar is `question(ex) + TARGET_DELIMITER +
target(ex, fmt) + FEWSHOT_DELIMITER`, then `question(record)`; the lm-eval tasks serve the same pieces
through lm-eval's few-shot config, so both render the same bytes. A completion follows the prompt after
TARGET_DELIMITER, so the model continues "A:" exactly as in the exemplars. Rationales are single lines,
which is why a blank line or a new "Q:" ends a generation (STOP).
"""

from distill.benchmarks import PROGRAM_FORMATS, check_format
from distill.errors import DistillError

STOP = ["\n\n", "\nQ:"]
TARGET_DELIMITER = " "  # between "A:" and an exemplar's target, as lm-eval's target_delimiter
FEWSHOT_DELIMITER = "\n\n"  # after each exemplar, as lm-eval's fewshot_delimiter
TEACHER_MODES = ("fewshot", "hint", "zeroshot")
TEACHER_FORMATS = ("cot", "pot")  # what a teacher writes: chains of thought, or programs (arithmetic only)
ZEROSHOT_TRIGGER = "Let's think step by step."  # Kojima et al. (2022), as used by Ho et al. (2023)
# Zero-shot CoT's second stage (Kojima et al.): a chain that ends without an answer sentence is followed by this,
# and the teacher's continuation is its answer. Our grader reads "the answer is", so no "(arabic numerals)".
ANSWER_TRIGGER = "\nTherefore, the answer is"
MAX_GEN_TOKS = {"cot": 256, "direct": 32, "pot": 256}  # the longest gold rationales here are about 200 tokens
LETTERS = "ABCDEFGHIJ"


def is_cot(fmt: str) -> bool:
    return check_format(fmt).endswith("_cot")


def is_program(fmt: str) -> bool:
    """Program of thought: the output is a program (run by distill.interpreter), not text with an answer."""
    return check_format(fmt) in PROGRAM_FORMATS


def kind(fmt: str) -> str:
    """'cot', 'direct' or 'pot': what a format's output is, and so its MAX_GEN_TOKS."""
    return check_format(fmt).rsplit("_", 1)[1]


def render_question(record: dict) -> str:
    """The question, with its options listed as in BIG-Bench Hard when it is multiple choice."""
    if not record.get("choices"):
        return record["question"]
    options = "\n".join(f"({LETTERS[i]}) {text}" for i, text in enumerate(record["choices"]))
    return f"{record['question']}\nOptions:\n{options}"


def render_answer(record: dict) -> str:
    return f"({record['answer']})" if record.get("choices") else record["answer"]


def target(record: dict, fmt: str) -> str:
    """What the model should write after "A: ", for a record with a gold answer (and a program, for PoT)."""
    if is_program(fmt):
        if not record.get("program"):
            raise DistillError(f"format {fmt} needs a program for {record['question'][:60]!r}")
        return record["program"]
    answer = f"The answer is {render_answer(record)}."
    if is_cot(fmt) and record.get("rationale"):
        return f"{record['rationale']} {answer}"
    return answer


def question(record: dict) -> str:
    """What the model is asked, "Q: <question>\\nA:"; the lm-eval tasks' doc_to_text."""
    return f"Q: {render_question(record)}\nA:"


def prompt(record: dict, fmt: str, exemplars: list[dict] | None = None) -> str:
    """The full prompt for `record` in format `fmt`; few-shot formats need the benchmark's exemplars
    (`distill.data.load_exemplars`), fine-tuned formats are zero-shot and ignore them."""
    shots = []
    if check_format(fmt).startswith("fewshot"):
        if exemplars is None:
            raise DistillError(f"format '{fmt}' needs the benchmark's exemplars: pass "
                               "distill.data.load_exemplars(benchmark) as `exemplars`")
        shots = [question(ex) + TARGET_DELIMITER + target(ex, fmt) + FEWSHOT_DELIMITER for ex in exemplars]
    return "".join(shots) + question(record)


def _with_hint(record: dict) -> dict:
    """The question followed by its gold answer, so the teacher explains it (Magister et al. 2023)."""
    return {**record, "question": f"{record['question']} (Hint: the answer is {render_answer(record)}.)"}


def teacher_prompt(record: dict, mode: str, exemplars: list[dict], teacher_format: str = "cot") -> str:
    """The prompt a teacher continues to write a chain of thought (teacher_format "cot") or a program ("pot")
    for `record`."""
    if teacher_format not in TEACHER_FORMATS:
        raise DistillError(f"unknown teacher format '{teacher_format}': choose from {', '.join(TEACHER_FORMATS)}")
    fmt = f"fewshot_{teacher_format}"
    if mode == "fewshot":
        return prompt(record, fmt, exemplars)
    if mode == "hint":
        # Exemplars carry hints too, so the teacher sees the pattern it should follow.
        return prompt(_with_hint(record), fmt, [_with_hint(ex) for ex in exemplars])
    if mode == "zeroshot":
        if teacher_format == "pot":
            raise DistillError("zeroshot mode writes chains of thought only: programs need the exemplars' "
                               "programs to show their form (use fewshot or hint)")
        return f"{question(record)} {ZEROSHOT_TRIGGER}"
    raise DistillError(f"unknown teacher mode '{mode}': choose from {', '.join(TEACHER_MODES)}")
