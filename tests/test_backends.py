"""distill.backends: what every backend shares, and stopping a chain of thought at its answer."""

import json

import pytest

from distill import data, prompts
from distill.backends import HFBackend, OpenAIBackend, Request, Sampling, _read_until_answer, cut_at_stop
from distill.errors import DistillError
from distill.grading import answer_end

from conftest import STUDENT


@pytest.mark.parametrize("text, kept", [
    (" Two flips. The answer is yes.", " Two flips. The answer is yes."),  # no stop string: all of it
    (" The answer is yes.\n\nQ: next question", " The answer is yes."),  # a blank line ends a chain
    (" The answer is no.\nQ: another", " The answer is no."),  # so does a new question
    (" A.\nQ: b\n\nc", " A."),  # the first stop string wins, whichever it is
    ("\n\n", ""),
])
def test_cut_at_stop_keeps_the_text_before_the_first_stop_string(text, kept):
    assert cut_at_stop(text) == kept


def _events(pieces: list[str], chat: bool = False) -> list[bytes]:
    """A server's streamed reply as the lines urllib reads: one `data:` event per piece, then [DONE]."""
    def event(piece):
        choice = {"delta": {"content": piece}} if chat else {"text": piece}
        return b"data: " + json.dumps({"choices": [choice]}).encode() + b"\n"
    return [line for piece in pieces for line in (event(piece), b"\n")] + [b"data: [DONE]\n"]


@pytest.mark.parametrize("chat", [False, True], ids=["completions", "chat"])
def test_a_stream_is_read_until_its_answer_sentence_ends(chat):
    pieces = [" One flip", ".", " The answer is", " no", ".", " The", " answer", " is", " no", "."]
    stream = iter(_events(pieces, chat))
    completion = _read_until_answer(stream, Sampling(stop_at_answer=True))
    assert completion.text == " One flip. The answer is no." and completion.tokens == 6  # " The" showed the end
    assert next(stream).startswith(b"\n") and len(list(stream)) == 2 * 4 + 1, "the rest is left unread"


def test_a_stream_that_ends_first_keeps_all_its_text():
    completion = _read_until_answer(iter(_events([" So the answer is 18", ".5", "\n\n"])), Sampling())
    assert completion.text == " So the answer is 18.5" and completion.tokens == 3


def test_an_error_in_a_stream_is_named():
    with pytest.raises(DistillError, match="stopped a streamed completion: .*context size"):
        _read_until_answer(iter([b'data: {"error": {"message": "exceeds the context size"}}\n']), Sampling())


@pytest.mark.slow
def test_stopping_at_the_answer_cuts_what_the_backends_would_write_after_it(smollm2, llama_server):
    """Greedy CoTs with and without the early stop: through transformers (batches of one, so the numbers match)
    each stopped CoT is the full one cut at its answer; through llama.cpp, whose cached prompts may round
    otherwise, each ends at its answer sentence, and both spend fewer tokens."""
    exemplars = data.load_exemplars("coin_flip")
    requests = [Request(prompts.teacher_prompt(q, "hint", exemplars), seed=0)
                for q in data.load_split("coin_flip", "train")[:4]]

    def both(backend):
        return [dict(backend.generate(requests, Sampling(max_new_tokens=48, stop_at_answer=stop)))
                for stop in (False, True)]

    full, stopped = both(HFBackend(smollm2, batch_size=1))
    assert {i: c.text[: answer_end(c.text)] for i, c in full.items()} == {i: c.text for i, c in stopped.items()}
    assert sum(c.tokens for c in stopped.values()) < sum(c.tokens for c in full.values())
    full, stopped = both(OpenAIBackend(llama_server, STUDENT, concurrency=1))
    assert all(answer_end(c.text + " ") == len(c.text) for c in stopped.values()), stopped
    assert sum(c.tokens for c in stopped.values()) < sum(c.tokens for c in full.values())
