"""The one error every parser raises for input it cannot read."""

from __future__ import annotations


class ParseError(ValueError):
    """A file that cannot be parsed; the message says why."""
