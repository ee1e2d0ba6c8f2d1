"""Request deadlines: cooperative cancellation of work that nobody waits for any more.

The API's load control (:mod:`qa_service.api.middleware`) gives each request a
:class:`Deadline` in a context variable; the work runs in a worker thread, which inherits
the context. Long operations call :func:`check` between their stages: once the deadline has
passed (or the request was abandoned), :class:`Cancelled` stops the work there, so abandoned
requests do not keep the CPU busy. Outside a request (CLI, tests) there is no deadline and
:func:`check` does nothing.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class Cancelled(Exception):
    """The request's deadline passed; the work was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the request took longer than {seconds:g} s and was cancelled; try again later, "
            "or ask a narrower question"
        )
        self.seconds = seconds


class Deadline:
    """A point in time after which the work of one request is no longer wanted."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Stop now (the request was answered without this work, e.g. by a timeout)."""
        self._cancelled.set()

    def lift(self) -> None:
        """No time limit from now on (the response has started: cutting it off would only
        leave the client a broken response); :meth:`cancel` still stops the work."""
        self.expires = math.inf

    @property
    def expired(self) -> bool:
        return self._cancelled.is_set() or time.monotonic() >= self.expires

    def check(self) -> None:
        if self.expired:
            raise Cancelled(self.seconds)


_current: ContextVar[Deadline | None] = ContextVar("qa_deadline", default=None)


def set_current(deadline: Deadline | None) -> None:
    """Give the current context (and the threads and tasks started from it) a deadline."""
    _current.set(deadline)


def check() -> None:
    """Raise :class:`Cancelled` if the current request's deadline has passed."""
    deadline = _current.get()
    if deadline is not None:
        deadline.check()


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Run a block under a deadline of ``seconds`` (for callers outside the API)."""
    d = Deadline(seconds)
    token = _current.set(d)
    try:
        yield d
    finally:
        _current.reset(token)
