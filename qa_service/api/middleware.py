"""ASGI middleware that keeps the service answering under hostile input and load.

They wrap the whole application, so every endpoint is covered, including ones added later:

* :class:`BodyLimitMiddleware` refuses a request body over its limit with 413, before any
  parsing: at once when ``Content-Length`` says so, else (chunked bodies) as soon as the bytes
  received pass the limit.
* :class:`LoadControlMiddleware` works on at most ``max_concurrent`` API requests at a time;
  up to ``max_queued`` more wait (each at most ``queue_timeout`` seconds), and the rest get 503
  with ``Retry-After`` at once, so the service sheds load instead of queueing without bound.
  A request that has not started its response after ``request_timeout`` seconds gets 503: its
  work is told to stop (:mod:`qa_service.deadline`) and keeps its slot until it has stopped, so
  abandoned work never piles up beyond ``max_concurrent``. Once a response has started (a
  stream), the limit is lifted: the stream runs to its end, holding its slot.
* :class:`SecurityHeadersMiddleware` adds ``X-Content-Type-Options: nosniff`` and
  ``Referrer-Policy: no-referrer`` to every response that does not set its own.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_service.config import Settings
from qa_service.deadline import Cancelled, Deadline, set_current

log = logging.getLogger(__name__)

#: A request's body limit in bytes, and the setting(s) to name when it is exceeded.
BodyLimit = tuple[int, str]


def describe_size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n} bytes"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body passes its limit; FastAPI turns it into a 413."""

    def __init__(self, limit: int, setting: str) -> None:
        super().__init__(
            status_code=413,
            detail=f"request body too large: at most {describe_size(limit)} ({setting})",
            headers={"Connection": "close"},
        )


class BodyLimitMiddleware:
    """413 for request bodies over ``limit_for(scope)``, counted as they arrive."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], BodyLimit]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, setting = self.limit_for(scope)
        length = Headers(scope=scope).get("content-length", "")
        if length.strip().isdigit() and int(length) > limit:
            await _reject(scope, receive, send, BodyTooLarge(limit, setting))
            return

        received = 0
        started = False

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, setting)
            return message

        async def send_tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive_limited, send_tracked)
        except BodyTooLarge as exc:  # not turned into a response further in
            if started:
                raise
            await _reject(scope, receive, send, exc)


async def _reject(scope: Scope, receive: Receive, send: Send, exc: HTTPException) -> None:
    response = JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    await response(scope, receive, send)


class LoadControlMiddleware:
    """Bounded concurrency with a bounded queue, and a request timeout, for the requests for
    which ``limited(scope)`` holds (the timeout only where ``timed(scope)`` holds too)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_concurrent: int,
        max_queued: int,
        queue_timeout: float,
        request_timeout: float,
        retry_after: int,
        limited: Callable[[Scope], bool],
        timed: Callable[[Scope], bool],
    ) -> None:
        self.app = app
        self.max_concurrent = max_concurrent
        self.max_queued = max_queued
        self.queue_timeout = queue_timeout
        self.request_timeout = request_timeout
        self.retry_after = retry_after
        self.limited = limited
        self.timed = timed
        self.running = 0  # slots taken, including abandoned work that has not stopped yet
        self._queue: deque[asyncio.Future[None]] = deque()
        self.shed = 0  # requests refused since start (busy or timed out), for monitoring

    @property
    def waiting(self) -> int:
        return sum(1 for f in self._queue if not f.done())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limited(scope):
            await self.app(scope, receive, send)
            return
        if not await self._acquire():
            self.shed += 1
            detail = (
                f"the service is busy ({self.running} requests running, {self.waiting} "
                f"waiting); try again in {self.retry_after} s"
            )
            await self._unavailable(scope, receive, send, detail)
            return
        if self.request_timeout <= 0 or not self.timed(scope):
            try:
                await self.app(scope, receive, send)
            finally:
                self._release()
            return
        await self._run_with_timeout(scope, receive, send)

    # -- the slots ----------------------------------------------------------------------------
    async def _acquire(self) -> bool:
        if self.running < self.max_concurrent and not self.waiting:
            self.running += 1
            return True
        if self.waiting >= self.max_queued:
            return False
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(turn)
        try:
            await asyncio.wait({turn}, timeout=self.queue_timeout)
        except BaseException:  # cancelled while waiting: give back a slot handed over
            if turn.done() and not turn.cancelled():
                self._release()
            else:
                turn.cancel()
            raise
        finally:
            if turn in self._queue:
                self._queue.remove(turn)
        if turn.done() and not turn.cancelled():
            return True  # the slot was handed over by _release (running already counts it)
        turn.cancel()
        return False

    def _release(self) -> None:
        while self._queue:
            turn = self._queue.popleft()
            if not turn.done():
                turn.set_result(None)  # hand the slot to the longest waiting request
                return
        self.running -= 1

    # -- the timeout --------------------------------------------------------------------------
    async def _run_with_timeout(self, scope: Scope, receive: Receive, send: Send) -> None:
        deadline = Deadline(self.request_timeout)
        started = asyncio.Event()
        abandoned = False

        async def send_guarded(message: Message) -> None:
            if abandoned:
                return  # the client has had its 503; drop the late answer
            if message["type"] == "http.response.start":
                started.set()
                deadline.lift()  # the timeout is for starting the response, not for streaming it
            await send(message)

        async def run_app() -> None:
            await self.app(scope, receive, send_guarded)

        context = contextvars.copy_context()
        context.run(set_current, deadline)  # the work (and its worker thread) sees it
        work: asyncio.Task[None] = asyncio.get_running_loop().create_task(
            run_app(), context=context
        )
        work.add_done_callback(self._work_done)  # the slot is held until the work has stopped
        start = asyncio.ensure_future(started.wait())
        try:
            await asyncio.wait(
                {work, start}, timeout=self.request_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if work.done() or started.is_set():
                await work  # stream the rest of the response; raise what the app raised
                return
        except Cancelled:  # the work saw its deadline pass first and nothing handled that
            if started.is_set():
                raise
        except asyncio.CancelledError:
            deadline.cancel()
            work.cancel()
            raise
        finally:
            start.cancel()
        abandoned = True
        # Tell the work to stop; it is not cancelled from here: a worker thread cannot be
        # interrupted, and the slot must stay taken until the work has really stopped.
        deadline.cancel()
        self.shed += 1
        log.warning(
            "%s %s: no response after %g s, cancelled",
            scope.get("method"),
            scope.get("path"),
            self.request_timeout,
        )
        await self._unavailable(scope, receive, send, str(Cancelled(self.request_timeout)))

    def _work_done(self, work: asyncio.Task[None]) -> None:
        self._release()
        if not work.cancelled():
            work.exception()  # retrieved here too, so an abandoned failure is not reported

    async def _unavailable(self, scope: Scope, receive: Receive, send: Send, detail: str) -> None:
        response = JSONResponse(
            {"detail": detail}, 503, headers={"Retry-After": str(self.retry_after)}
        )
        await response(scope, receive, send)


class SecurityHeadersMiddleware:
    """``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` on every
    response (the page sets its own, stricter set, which is kept)."""

    HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in self.HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- wiring -------------------------------------------------------------------------------------
def is_api(scope: Scope) -> bool:
    """Requests that do work (everything under /api/, and the OpenAI-compatible /v1/); the
    page, /health, /metrics and the API docs are cheap and stay reachable under load."""
    return str(scope.get("path", "")).startswith(("/api/", "/v1/"))


def is_timed(scope: Scope) -> bool:
    """Requests the timeout applies to: all API requests except uploads and deletions, which
    may legitimately take minutes (they are authorised and run one at a time)."""
    path = str(scope.get("path", ""))
    changes = path == "/api/documents" or path.startswith("/api/documents/")
    return not (changes and scope.get("method") not in ("GET", "HEAD"))


def install(app: ASGIApp, settings: Settings) -> None:
    """Add the middleware to a FastAPI/Starlette app; the outermost runs first: security
    headers (on every response, errors included), CORS, the body limit (before a request
    takes a slot), load control."""
    from starlette.middleware.cors import CORSMiddleware

    from qa_service.api.uploads import upload_body_limit

    default: BodyLimit = (settings.max_request_kb * 1024, "QA_MAX_REQUEST_KB")
    uploads: BodyLimit = (upload_body_limit(settings), "QA_MAX_UPLOAD_MB × QA_MAX_UPLOAD_FILES")

    def limit_for(scope: Scope) -> BodyLimit:
        if scope.get("method") == "POST" and scope.get("path") == "/api/documents":
            return uploads
        return default

    add = app.add_middleware  # type: ignore[attr-defined]
    add(
        LoadControlMiddleware,
        max_concurrent=settings.max_concurrent_requests,
        max_queued=settings.max_queued_requests,
        queue_timeout=settings.queue_timeout,
        request_timeout=(
            settings.request_timeout
            if settings.answer_backend == "extractive" and settings.answer_assist == "off"
            else settings.generation_request_timeout
        ),
        retry_after=settings.retry_after,
        limited=is_api,
        timed=is_timed,
    )
    add(BodyLimitMiddleware, limit_for=limit_for)
    if settings.cors_origins:
        add(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    add(SecurityHeadersMiddleware)
