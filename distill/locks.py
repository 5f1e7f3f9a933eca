"""One writer per output: a teacher file, a student directory, a results entry or a recipe run is held by
one live process at a time.

    with locks.hold(cfg.out, "distill generate"):
        ...  # append to cfg.out

The lock is the operating system's (`flock`) on a small file beside the output, so it goes with its
process however that process ends (Ctrl-C, a crash, SIGKILL): a lock left by a dead process never
blocks. A second writer is refused at once, in one line naming the holder. The lock file holds the
holder's PID and command line for that message; it is left in place (removing it would race with the
next writer) and is hidden: `.<name>.lock`.
"""

import fcntl
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from distill.errors import DistillError


def lock_path(output: Path) -> Path:
    output = Path(output)
    return output.parent / f".{output.name}.lock"


@contextmanager
def hold(output: Path, what: str):
    """Hold `output` for writing while the block runs; DistillError if a live process holds it."""
    path = lock_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace").strip() or "another process"
            raise DistillError(f"{output} is being written by {holder}; wait for it to finish or stop it, "
                               "then run again (it resumes)") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"process {os.getpid()} ({what}: {' '.join(sys.argv)})\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
