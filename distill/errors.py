"""The one exception type the command line turns into a single clear error line."""


class DistillError(Exception):
    """A problem the user can fix: the message names it and says what to do."""


class Unavailable(DistillError):
    """A download this machine cannot get (no network, or a package index that withholds the file): not a
    bug in the data or the code, so the test suite skips what needs it and says why."""


class Unchecked(Unavailable):
    """Tasks that could not be re-derived here because their test split cannot be downloaded, raised only once
    every other task was checked and none had a problem (a problem is a verdict; this is the lack of one)."""

    def __init__(self, tasks: list[str], why: str):
        self.tasks, self.why = tasks, why
        super().__init__(f"{len(tasks)} task{'s' if len(tasks) != 1 else ''} ({', '.join(tasks)}): {why}")
