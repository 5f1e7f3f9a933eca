import signal

import pytest

from distill.cli import main


def test_a_command_run_in_process_gives_back_the_callers_sigterm_handler(tmp_path):
    def mine(signum, frame):
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        with pytest.raises(SystemExit, match="2"):  # a clear error, after main() took SIGTERM over
            main(["run", str(tmp_path / "missing.yaml"), "--plan"])
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)
