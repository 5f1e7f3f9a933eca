"""Final-answer extraction and grading: the one place that decides whether a model's text is right.

lm-eval tasks and teacher-CoT filtering both grade through here. A lenient rule would let
wrong chains of thought into the training data, so every rule prefers None (which grades
as wrong) over a guess.
"""

import re
from decimal import Context, Decimal

from distill.interpreter import run_program

ANSWER_TYPES = ("number", "yesno", "letter", "string")

_WRAPPERS = "\"'“”‘’`*_"  # quotes and markdown emphasis around an answer
# One or more chained phrases ("Answer: The answer is") plus the colons/markdown after them.
_PHRASE = re.compile(
    r"(?:\b(?:the\s+)?(?:final\s+)?answer(?:\*\*|__)?\s*(?:is\b|:)[\s:*_]*)+", re.IGNORECASE
)
# The answer runs to the end of its sentence or line; "18.5" and "$1,234.00" have no space after the point.
_SPAN = re.compile(r"[^\n]*?(?=\.(?:\s|\Z)|\n|\Z)")
# The same span once the text after it shows where it ends: a period and a space. Not a bare line break, which
# the next line could still join to the phrase ("The answer is the answer" + "\nis yes").
_ENDED_SPAN = re.compile(r"[^\n]*?\.(?=\s)")
# Commas are thousands separators only when exactly three digits follow, so "3, 4" is two numbers.
# The lookbehinds stop a match starting inside a word or a dotted number ("1.2.3"), while
# "so...18" still reads as 18, not 0.18.
_NUMBER = re.compile(
    r"(?<!\w)(?<!\d\.)(?P<sign>[-−]?)\$?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|(?<!\.)\.\d+)"
)
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_NEGATION = re.compile(r"not\b", re.IGNORECASE)
_YESNO_START = re.compile(r"(yes|no|true|false)\b", re.IGNORECASE)
_YESNO_BARE_START = re.compile(r"(yes|no)\b", re.IGNORECASE)
_YESNO_WORD = re.compile(r"\b(not\s+)?(yes|no)\b", re.IGNORECASE)
_LETTER_FULL = re.compile(r"(?:option\s+)?\(?([a-z])\)?", re.IGNORECASE)
# A bare letter must be a capital followed by a break, so "a dog" is not option A.
_LETTER_START = re.compile(
    r"(?i:option\s+)?(?:\(([A-Za-z])\)|([A-Za-z])\)|([A-Z])(?=[\s.,:;]|\Z))"
)
_LETTER_PAREN = re.compile(r"\(([A-Z])\)")
_CONNECTIVE = re.compile(r"\s*\b(?:so|thus|therefore|hence)[,:]?\s*$", re.IGNORECASE)  # "... So the answer is"
_MAX_BARE_TOKEN = 32  # a phrase-less string answer must look like a direct answer, not prose


def normalize(answer: str, answer_type: str) -> str | None:
    """Canonical form of an answer string (gold or extracted); None if it is not a valid answer of that type."""
    _check_type(answer_type)
    cleaned = _clean(answer)
    if answer_type == "number":
        match = _NUMBER.fullmatch(cleaned.removesuffix("%"))
        return _number(match) if match else None
    if answer_type == "yesno":
        return {"yes": "yes", "true": "yes", "no": "no", "false": "no"}.get(cleaned.lower())
    if answer_type == "letter":
        match = _LETTER_FULL.fullmatch(cleaned)
        return match[1].upper() if match else None
    return " ".join(cleaned.lower().split()) or None


def extract_answer(text: str, answer_type: str, choices: list[str] | None = None) -> str | None:
    """The final answer a model's text gives, in canonical form, or None if it gives none."""
    _check_type(answer_type)
    # The first phrase wins: prompts end each target with "The answer is X.", so later ones are
    # the model rambling on into new questions.
    phrase = _PHRASE.search(text)
    if phrase is None:
        return _fallback(text, answer_type)
    span = _clean(_SPAN.match(text, phrase.end())[0])
    if _NEGATION.match(span):
        return None
    if answer_type == "number":
        # A span with a second number holds more than one quantity: two units ("5 dollars and
        # 20 cents", "2 hours 30 minutes"), a range ("3 to 5", "10-12") or alternatives ("12 or
        # 13"). Its first number would be a guess, so exactly one number or None. A repeat of the
        # same value ("$18 (18 dollars)") is None too, as "2 hours 2 minutes" looks the same.
        # Number words are not counted, so "5 (five)" still reads as 5.
        numbers = list(_NUMBER.finditer(span))
        return _number(numbers[0]) if len(numbers) == 1 else None
    if answer_type == "yesno":
        match = _YESNO_START.match(span)
        return normalize(match[1], "yesno") if match else None
    if answer_type == "letter":
        return _letter(span, choices)
    return normalize(span, "string")


def has_answer_phrase(text: str) -> bool:
    """Whether a text says "the answer is" (or "Answer:"), where extract_answer reads instead of guessing."""
    return _PHRASE.search(text) is not None


def answer_end(text: str) -> int | None:
    """Where the first answer sentence ends, once the text shows it: the index after its period, else None.
    Nothing written after it changes extract_answer or rationale_of, so a generator may stop there."""
    phrase = _PHRASE.search(text)
    span = _ENDED_SPAN.match(text, phrase.end()) if phrase else None
    return span.end() if span else None


def rationale_of(text: str) -> str:
    """The reasoning before the first answer phrase, on one line, without a dangling "So"."""
    phrase = _PHRASE.search(text)
    body = text[: phrase.start()] if phrase else text
    return _CONNECTIVE.sub("", " ".join(body.split())).rstrip(" ,;:")


def answer_of(text: str, answer_type: str, choices: list[str] | None = None, program: bool = False) -> str | None:
    """The answer an output gives: what its program computes (program of thought), else what its text says."""
    return program_answer(text)[0] if program else extract_answer(text, answer_type, choices)


def is_correct(text: str, gold: str, answer_type: str, choices: list[str] | None = None,
               program: bool = False) -> bool:
    """True only when the output's answer (answer_of) equals the normalised gold answer."""
    return matches(answer_of(text, answer_type, choices, program), gold, answer_type)


def matches(answer: str | None, gold: str, answer_type: str) -> bool:
    """True only when an answer already read from an output equals the normalised gold answer."""
    canonical_gold = normalize(gold, answer_type)
    if canonical_gold is None:
        # A gold answer we cannot read is a data bug; grading it as wrong would hide it.
        raise ValueError(f"gold answer {gold!r} is not a valid {answer_type!r} answer")
    return answer == canonical_gold


def _check_type(answer_type: str) -> None:
    if answer_type not in ANSWER_TYPES:
        raise ValueError(f"unknown answer_type {answer_type!r}; expected one of {ANSWER_TYPES}")


def _clean(text: str) -> str:
    """Strip surrounding whitespace, quotes, markdown emphasis and trailing periods."""
    while True:
        stripped = text.strip().strip(_WRAPPERS).rstrip(".")
        if stripped == text:
            return text
        text = stripped


def _number(match: re.Match[str]) -> str:
    digits = match["digits"].replace(",", "")
    value = Decimal(digits)
    if value == 0:
        return "0"  # no "-0"
    # normalize() drops trailing zeros; a context as wide as the input keeps it exact (never rounds).
    value = value.normalize(Context(prec=len(digits)))
    return ("-" if match["sign"] else "") + format(value, "f")


def _letter(span: str, choices: list[str] | None) -> str | None:
    if choices:
        # The model may write an option's text instead of its letter; only an exact match counts.
        options = [normalize(choice, "string") for choice in choices]
        written = normalize(span, "string")
        if written is not None and written in options:
            return chr(ord("A") + options.index(written))
    match = _LETTER_START.match(span)
    return (match[1] or match[2] or match[3]).upper() if match else None


def _fallback(text: str, answer_type: str) -> str | None:
    """The answer of a text with no answer phrase, where one can be read without guessing."""
    if answer_type == "number":
        bold = [number for inner in _BOLD.findall(text) if (number := normalize(inner, "number"))]
        if bold:
            return bold[-1]
        numbers = list(_NUMBER.finditer(text))
        return _number(numbers[-1]) if numbers else None
    if answer_type == "yesno":
        start = _YESNO_BARE_START.match(_clean(text))
        if start:
            return start[1].lower()
        words = _YESNO_WORD.findall(text)
        if any(negated for negated, _ in words):
            return None
        found = {word.lower() for _, word in words}
        return found.pop() if len(found) == 1 else None
    if answer_type == "letter":
        letters = _LETTER_PAREN.findall(text)
        return letters[-1] if letters else None
    token = normalize(text, "string")
    if token and " " not in token and len(token) <= _MAX_BARE_TOKEN:
        return token
    return None


_FENCE = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)


def program_of(text: str) -> str:
    """The program in a model's program-of-thought text: a fenced block if it wrote one, else the text."""
    fenced = _FENCE.search(text)
    return (fenced[1] if fenced else text).strip()


def program_answer(text: str) -> tuple[str | None, str | None]:
    """The number a model-written program computes, run by distill.interpreter (never exec'd), in canonical
    form: (answer, None), or (None, why there is none), which grades as wrong."""
    result = run_program(program_of(text))
    if result.error:
        return None, result.error
    value = result.answer
    if isinstance(value, float):
        value = round(value, 6)  # 0.1 + 0.2 is 0.3 here, and 16.999999999 is 17
        value = int(value) if value.is_integer() else value
    # Positional digits, as an answer is written: str() gives 5e-05, which is no number to `normalize`.
    text = f"{value:.6f}".rstrip("0") if isinstance(value, float) else str(value)
    answer = None if isinstance(value, bool) else normalize(text, "number")
    return (answer, None) if answer is not None else (None, f"the program's answer {value!r} is not a number")
