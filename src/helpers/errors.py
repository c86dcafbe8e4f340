"""Exceptions the book raises on bad input: each message names the problem and the fix."""


class BookError(Exception):
    """Base class: the CLI prints these without a traceback and exits non-zero."""

    exit_code = 2


class DataError(BookError):
    """A data file is missing, corrupt or does not match its catalogue entry."""

    exit_code = 3


class MirrorNotFound(DataError):
    """BOOK_DATA_MIRROR is unset or does not point at a copy of the data release."""


class ParameterError(BookError):
    """A notebook parameter is unknown, of the wrong type, or outside the data."""

    exit_code = 2


class BuildError(BookError):
    """A notebook run or the book build failed; the last good book is left in place."""

    exit_code = 4


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C (temporary files are removed) and exits with 143."""

    exit_code = 143
