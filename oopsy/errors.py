"""The one exception type oopsy raises for bad input.

The CLI turns it into a single line ``oopsy: FILE:LINE: message`` and exit status 1,
so a user never sees a Python traceback for input that oopsy could not use.
"""

from __future__ import annotations


class OopsyError(Exception):
    """Input oopsy cannot use; carries where the problem is."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.source is not None:
            where = f"{self.source}:{self.line}: " if self.line is not None else f"{self.source}: "
        return f"{where}{self.message}"
