"""Keep secrets (the API key) out of every log line.

The service never logs request headers, but a client may put the key where it does not
belong (in the URL, which the access log prints, or in a question). :func:`redact_in_logs`
installs a log-record factory, once per process, that replaces each registered secret in a
record's message (and in its traceback) with ``[redacted]`` before any handler sees it, whatever
logger or handler emits the record.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

REDACTED = "[redacted]"

_secrets: set[str] = set()
_previous_factory: Any = None


def _scrub(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _scrub_arg(value: Any) -> Any:
    if isinstance(value, (int, float)) or value is None:
        return value
    text = value if isinstance(value, str) else str(value)
    return _scrub(text) if any(secret in text for secret in _secrets) else value


def _make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record: logging.LogRecord = _previous_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: let the handler report it as usual
        return record
    if any(secret in message for secret in _secrets):
        # scrub the parts, keeping their shape (formatters such as uvicorn's read the args)
        if isinstance(record.msg, str):
            record.msg = _scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_scrub_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _scrub_arg(v) for k, v in record.args.items()}
        if any(secret in record.getMessage() for secret in _secrets):  # hidden some other way
            record.msg, record.args = _scrub(message), None
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if any(secret in text for secret in _secrets):
            record.exc_text = _scrub(text)
    return record


def redact_in_logs(secret: str) -> None:
    """From now on, ``secret`` never appears in a log record of this process."""
    global _previous_factory
    if not secret:
        return
    _secrets.add(secret)
    if _previous_factory is None:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_make_record)
