"""One log line per request, with a request id, and the log format (text or JSON lines).

- :class:`RequestLogMiddleware` logs ``method path status duration`` and a request id on the
  ``qa_service.access`` logger once a response has been sent, and echoes the id as the
  ``X-Request-ID`` response header. A client's own ``X-Request-ID`` (up to 128 letters,
  digits and ``._:-``) is kept; otherwise a new one is made. Log lines written while the
  request runs carry the id too (``request_id`` in JSON).
- Question text is never logged unless ``QA_LOG_QUESTIONS=true``; then the ``question`` (or
  ``query``, or the last user message of a chat completion) is added to the request's line.
- ``QA_LOG_FORMAT=json`` writes every log line as one JSON object (``time``, ``level``,
  ``logger``, ``message`` and the request's fields).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_service.config import Settings

log = logging.getLogger("qa_service.access")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: the request id of the request being handled (for log lines written meanwhile)
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "qa_request_id", default=""
)
#: requests whose question is logged with QA_LOG_QUESTIONS
_QUESTION_PATHS = ("/api/ask", "/api/ask/stream", "/api/search", "/v1/chat/completions")
_MAX_CAPTURE = 256 * 1024
_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "client", "question")


def request_id_from(headers: Headers) -> str:
    sent = headers.get(REQUEST_ID_HEADER, "").strip()
    return sent if _VALID_ID.fullmatch(sent) else uuid.uuid4().hex


def question_of(body: bytes) -> str:
    """The question in a request body (``question``, ``query``, or the last message's text)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""
    if not isinstance(data, dict):
        return ""
    for key in ("question", "query"):
        if isinstance(data.get(key), str):
            return str(data[key])[:2000]
    messages = data.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
        content = messages[-1].get("content")
        if isinstance(content, str):
            return content[:2000]
    return ""


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, log_questions: bool = False) -> None:
        self.app = app
        self.log_questions = log_questions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope))
        token = current_request_id.set(request_id)
        start = time.perf_counter()
        status = 500
        captured = bytearray()
        capture = self.log_questions and scope.get("method") == "POST"
        capture = capture and scope.get("path") in _QUESTION_PATHS

        async def receive_logged() -> Message:
            message = await receive()
            if capture and message["type"] == "http.request" and len(captured) < _MAX_CAPTURE:
                captured.extend(message.get("body", b"")[: _MAX_CAPTURE - len(captured)])
            return message

        async def send_logged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive_logged if capture else receive, send_logged)
        finally:
            fields: dict[str, Any] = {
                "request_id": request_id,
                "method": scope.get("method", ""),
                "path": scope.get("path", ""),
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                "client": (scope.get("client") or ("",))[0],
            }
            if capture:
                fields["question"] = question_of(bytes(captured))
            log.info(
                "%s %s %s %.1f ms id=%s%s",
                fields["method"],
                fields["path"],
                status,
                fields["duration_ms"],
                request_id,
                f" question={fields['question']!r}" if capture else "",
                extra=fields,
            )
            current_request_id.reset(token)


# -- the log format ---------------------------------------------------------------------------
class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record written while it runs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value not in (None, ""):
                out[name] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings, verbose: bool = False) -> None:
    """Log to stderr in ``QA_LOG_FORMAT``; request lines (INFO) are always written."""
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    log.setLevel(logging.INFO)
    logging.getLogger("qa_service.api.app").setLevel(logging.INFO)  # "service ready"


def install(app: Any, settings: Settings) -> None:
    app.add_middleware(RequestLogMiddleware, log_questions=settings.log_questions)
