"""distill.backends: what every backend shares."""

import pytest

from distill.backends import cut_at_stop


@pytest.mark.parametrize("text, kept", [
    (" Two flips. The answer is yes.", " Two flips. The answer is yes."),  # no stop string: all of it
    (" The answer is yes.\n\nQ: next question", " The answer is yes."),  # a blank line ends a chain
    (" The answer is no.\nQ: another", " The answer is no."),  # so does a new question
    (" A.\nQ: b\n\nc", " A."),  # the first stop string wins, whichever it is
    ("\n\n", ""),
])
def test_cut_at_stop_keeps_the_text_before_the_first_stop_string(text, kept):
    assert cut_at_stop(text) == kept
