"""The one exception type the command line turns into a single clear error line."""


class DistillError(Exception):
    """A problem the user can fix: the message names it and says what to do."""
