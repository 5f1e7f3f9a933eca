"""distill.locks: one live writer per output; a lock left by a killed process never blocks."""

import os
import signal
import subprocess
import sys
import time

import pytest

from distill import locks
from distill.errors import DistillError

HOLDER = """
import sys, time
from distill import locks
with locks.hold(sys.argv[1], "a test holder"):
    print("holding", flush=True)
    time.sleep(600)
"""


def test_a_second_writer_is_refused_naming_the_first_and_a_killed_one_never_blocks(tmp_path):
    output = tmp_path / "teacher.jsonl"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(output)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(DistillError, match=rf"teacher.jsonl is being written by process {holder.pid} "
                                               r"\(a test holder: "):
            with locks.hold(output, "a second writer"):
                pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        start = time.monotonic()
        with locks.hold(output, "the next writer"):  # at once: the kernel released the dead holder's lock
            assert time.monotonic() - start < 1
    finally:
        holder.kill()


def test_a_lock_is_released_when_its_block_ends_even_by_an_error(tmp_path):
    output = tmp_path / "entry"
    with pytest.raises(RuntimeError):
        with locks.hold(output, "first"):
            raise RuntimeError("interrupted")
    with locks.hold(output, "second"):
        pass
    assert locks.lock_path(output).name == ".entry.lock"
