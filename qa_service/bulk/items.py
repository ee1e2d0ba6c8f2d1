"""What bulk works on: a question with its id, an output row, and the errors that stop a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]  # an answer object with "id", or {"id", "question", "error"}


class BulkError(Exception):
    """A problem the user has to fix: a malformed input file, an output file that is not
    ours, an unreachable service. The message says what and where."""


class ServiceError(BulkError):
    """The service (``--url``) cannot be reached or refuses the questions."""


@dataclass
class Item:
    """One question of the input file."""

    id: str
    question: str  # cleaned when ``error`` is empty; as read (for the output) otherwise
    error: str = ""  # why the question cannot be asked
