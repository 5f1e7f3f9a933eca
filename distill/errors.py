"""The one exception type the command line turns into a single clear error line."""


class DistillError(Exception):
    """A problem the user can fix: the message names it and says what to do."""


class Unavailable(DistillError):
    """A download this machine cannot get (no network, or a package index that withholds the file): not a
    bug in the data or the code, so the test suite skips what needs it and says why."""
