"""The API's protective middleware on a small stand-in app (no index needed): body limits
before parsing, load shedding with 503 + Retry-After, request timeouts that stop the work,
and security headers on every response."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from qa_service import deadline
from qa_service.api.middleware import (
    BodyLimitMiddleware,
    LoadControlMiddleware,
    SecurityHeadersMiddleware,
    is_api,
    is_timed,
)
from qa_service.config import Settings


class Work:
    """What the stand-in endpoints did: calls, how many ran at once, cancellations."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls = 0
        self.active = 0
        self.most_active = 0
        self.cancelled = 0
        self.finished = 0

    def __enter__(self) -> Work:
        with self.lock:
            self.calls += 1
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        return self

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.active -= 1
            self.finished += 1


class Body(BaseModel):
    text: str


def make_app(**limits: Any) -> tuple[FastAPI, Work, LoadControlMiddleware]:
    app = FastAPI()
    work = Work()

    @app.post("/api/echo")
    def echo(body: Body) -> dict:
        with work:
            return {"length": len(body.text)}

    @app.post("/api/upload")
    async def upload(request: Request) -> dict:
        return {"length": len(await request.body())}

    @app.get("/api/slow")
    def slow(seconds: float, cooperative: bool = True) -> dict:
        with work:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                if cooperative:
                    try:
                        deadline.check()
                    except deadline.Cancelled:
                        with work.lock:
                            work.cancelled += 1
                        raise
                time.sleep(0.01)
            return {"slept": seconds}

    @app.get("/api/stream")
    def stream() -> StreamingResponse:
        def chunks() -> Iterator[bytes]:
            for i in range(6):
                time.sleep(0.1)
                yield f"{i}\n".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/api/checked-stream")
    def checked_stream() -> StreamingResponse:
        """A stream whose work checks the deadline before each part (like a streamed answer
        computed stage by stage)."""

        def chunks() -> Iterator[bytes]:
            for i in range(6):
                time.sleep(0.1)
                deadline.check()
                yield f"{i}\n".encode()

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/own-headers")
    def own() -> Any:
        from fastapi.responses import JSONResponse

        return JSONResponse({}, headers={"Referrer-Policy": "same-origin"})

    settings = {
        "max_concurrent": 2,
        "max_queued": 1,
        "queue_timeout": 5.0,
        "request_timeout": 5.0,
        "retry_after": 3,
        **limits,
    }
    app.add_middleware(LoadControlMiddleware, limited=is_api, timed=is_timed, **settings)

    def limit_for(scope: dict) -> tuple[int, str]:
        if scope["path"] == "/api/upload":
            return 4096, "QA_UPLOAD_LIMIT"
        return 1024, "QA_MAX_REQUEST_KB"

    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    app.add_middleware(SecurityHeadersMiddleware)
    app.middleware_stack = app.build_middleware_stack()
    control = _find(app.middleware_stack, LoadControlMiddleware)
    return app, work, control


def _find(app: Any, kind: type) -> Any:
    while not isinstance(app, kind):
        app = app.app
    return app


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


# -- body limit -------------------------------------------------------------------------------
def test_body_over_the_limit_is_413_before_parsing() -> None:
    app, work, _ = make_app()

    async def go() -> list[httpx.Response]:
        async with await _client(app) as c:
            small = await c.post("/api/echo", json={"text": "a" * 100})
            large = await c.post("/api/echo", json={"text": "a" * 5000})

            async def chunked() -> AsyncIterator[bytes]:  # no Content-Length
                yield b'{"text": "'
                for _ in range(20):
                    yield b"a" * 100
                yield b'"}'

            streamed = await c.post(
                "/api/echo", content=chunked(), headers={"content-type": "application/json"}
            )
            upload = await c.post("/api/upload", content=b"x" * 3000)
            upload_large = await c.post("/api/upload", content=b"x" * 5000)
            return [small, large, streamed, upload, upload_large]

    small, large, streamed, upload, upload_large = run(go())
    assert small.status_code == 200
    for r in (large, streamed):
        assert r.status_code == 413
        assert r.json()["detail"] == "request body too large: at most 1 KB (QA_MAX_REQUEST_KB)"
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "content-length" not in streamed.request.headers
    assert work.calls == 1  # the endpoint never ran for the refused bodies
    assert upload.status_code == 200 and upload.json() == {"length": 3000}
    assert upload_large.status_code == 413 and "4 KB (QA_UPLOAD_LIMIT)" in upload_large.text


def test_lying_content_length_is_still_caught() -> None:
    """A Content-Length under the limit does not let a longer chunked stream through."""
    app, work, _ = make_app()

    async def go() -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            yield b"x" * 3000
            yield b"x" * 3000

        async with await _client(app) as c:
            return await c.post("/api/upload", content=body(), headers={"content-length": "10"})

    r = run(go())
    assert r.status_code == 413


# -- load shedding ----------------------------------------------------------------------------
def test_overload_is_shed_with_503_and_retry_after() -> None:
    app, work, control = make_app(max_concurrent=2, max_queued=1)

    async def go() -> tuple[list[httpx.Response], httpx.Response]:
        async with await _client(app) as c:
            slow = [c.get("/api/slow", params={"seconds": 0.6}) for _ in range(6)]
            tasks = [asyncio.ensure_future(s) for s in slow]
            await asyncio.sleep(0.2)
            health = await c.get("/health")  # not an API request: never queued or shed
            return list(await asyncio.gather(*tasks)), health

    responses, health = run(go())
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 503, 503, 503]  # 2 running + 1 queued; 3 shed at once
    for r in responses:
        if r.status_code == 503:
            assert r.headers["retry-after"] == "3"
            assert "busy" in r.json()["detail"] and "try again in 3 s" in r.json()["detail"]
    assert health.status_code == 200
    assert work.calls == 3 and work.most_active <= 2
    assert control.running == 0 and control.waiting == 0 and control.shed == 3


def test_queue_wait_is_bounded_by_queue_timeout() -> None:
    app, work, control = make_app(max_concurrent=1, max_queued=5, queue_timeout=0.3)

    async def go() -> tuple[httpx.Response, httpx.Response, float]:
        async with await _client(app) as c:
            first = asyncio.ensure_future(c.get("/api/slow", params={"seconds": 1.5}))
            await asyncio.sleep(0.1)
            t0 = time.monotonic()
            second = await c.get("/api/slow", params={"seconds": 0.1})
            waited = time.monotonic() - t0
            return await first, second, waited

    first, second, waited = run(go())
    assert first.status_code == 200
    assert second.status_code == 503 and second.headers["retry-after"] == "3"
    assert 0.25 <= waited < 1.2
    assert control.running == 0


def test_a_slot_is_handed_to_the_waiting_request() -> None:
    app, work, control = make_app(max_concurrent=1, max_queued=3)

    async def go() -> list[httpx.Response]:
        async with await _client(app) as c:
            tasks = [
                asyncio.ensure_future(c.get("/api/slow", params={"seconds": 0.2})) for _ in range(4)
            ]
            return list(await asyncio.gather(*tasks))

    assert [r.status_code for r in run(go())] == [200] * 4
    assert work.most_active == 1 and control.running == 0


# -- request timeout --------------------------------------------------------------------------
def test_request_timeout_answers_503_and_stops_the_work() -> None:
    app, work, control = make_app(request_timeout=0.3)

    async def go() -> tuple[httpx.Response, float]:
        async with await _client(app) as c:
            t0 = time.monotonic()
            r = await c.get("/api/slow", params={"seconds": 10})
            return r, time.monotonic() - t0

    r, took = run(go())
    assert r.status_code == 503 and r.headers["retry-after"] == "3"
    assert "longer than 0.3 s and was cancelled" in r.json()["detail"]
    assert took < 3
    for _ in range(100):  # the worker thread notices at its next check
        if work.finished:
            break
        time.sleep(0.02)
    assert work.cancelled == 1 and work.finished == 1
    assert control.running == 0 and control.shed == 1


def test_abandoned_work_keeps_its_slot_until_it_stops() -> None:
    """Work that cannot be interrupted still counts against the limit after its 503, so
    timed-out requests never pile up more threads than max_concurrent."""
    app, work, control = make_app(max_concurrent=1, max_queued=2, request_timeout=0.2)

    async def go() -> tuple[httpx.Response, int, httpx.Response]:
        async with await _client(app) as c:
            stuck = await c.get("/api/slow", params={"seconds": 0.8, "cooperative": False})
            still_running = control.running
            after = await c.get("/api/slow", params={"seconds": 0.05})
            return stuck, still_running, after

    stuck, still_running, after = run(go())
    assert stuck.status_code == 503
    assert still_running == 1  # the 503 is sent, the thread is still busy and holds the slot
    assert after.status_code == 200  # it waited in the queue for the slot
    assert work.most_active == 1
    assert control.running == 0


def test_a_started_stream_is_not_cut_by_the_timeout() -> None:
    app, _, _ = make_app(request_timeout=0.3)

    async def go() -> httpx.Response:
        async with await _client(app) as c:
            return await c.get("/api/stream")

    r = run(go())
    assert r.status_code == 200 and r.text == "".join(f"{i}\n" for i in range(6))


def test_a_started_stream_whose_work_checks_the_deadline_is_not_cut() -> None:
    """Once the response has started, the time limit no longer applies to its work either:
    a stream that checks the deadline between its parts runs to its end (cutting it would
    only leave the client with a broken response), and its slot is then given back."""
    app, _, control = make_app(request_timeout=0.3)

    async def go() -> httpx.Response:
        async with await _client(app) as c:
            return await c.get("/api/checked-stream")

    r = run(go())
    assert r.status_code == 200 and r.text == "".join(f"{i}\n" for i in range(6))
    assert control.running == 0


def test_which_requests_are_limited_and_timed() -> None:
    def scope(method: str, path: str) -> dict:
        return {"type": "http", "method": method, "path": path}

    assert is_api(scope("POST", "/api/ask")) and is_api(scope("POST", "/api/ask/batch"))
    assert not is_api(scope("GET", "/health")) and not is_api(scope("GET", "/"))
    assert is_api(scope("POST", "/v1/chat/completions")) and not is_api(scope("GET", "/metrics"))
    assert is_timed(scope("POST", "/api/ask")) and is_timed(scope("POST", "/api/ask/stream"))
    assert is_timed(scope("GET", "/api/documents/kst-1-1"))
    assert not is_timed(scope("POST", "/api/documents"))
    assert not is_timed(scope("DELETE", "/api/documents/kst-1-1"))


# -- headers ----------------------------------------------------------------------------------
def test_security_headers_on_every_response() -> None:
    app, _, _ = make_app()

    async def go() -> list[httpx.Response]:
        async with await _client(app) as c:
            return [
                await c.get("/health"),
                await c.get("/nowhere"),
                await c.post("/api/echo", json={"wrong": 1}),
                await c.post("/api/echo", content=b"x" * 5000),
                await c.get("/own-headers"),
            ]

    ok, missing, invalid, large, own = run(go())
    assert [r.status_code for r in (ok, missing, invalid, large)] == [200, 404, 422, 413]
    for r in (ok, missing, invalid, large, own):
        assert r.headers["x-content-type-options"] == "nosniff"
    assert ok.headers["referrer-policy"] == "no-referrer"
    assert own.headers["referrer-policy"] == "same-origin"  # a response's own value is kept


@pytest.mark.parametrize("seconds", [0.05])
def test_deadline_outside_requests(seconds: float) -> None:
    deadline.check()  # no deadline: nothing happens
    with deadline.deadline(seconds) as d:
        deadline.check()
        time.sleep(seconds * 2)
        assert d.expired
        with pytest.raises(deadline.Cancelled, match="cancelled"):
            deadline.check()
    deadline.check()


@pytest.mark.parametrize(("backend", "seconds"), [("extractive", 30.0), ("openai", 300.0)])
def test_generated_answers_have_their_own_timeout(
    tmp_path: Path, backend: str, seconds: float
) -> None:
    """A language model on a CPU takes tens of seconds: QA_GENERATION_REQUEST_TIMEOUT applies."""
    from qa_service.api.app import create_app

    settings = Settings(index_dir=tmp_path / "index", answer_backend=backend)
    app = create_app(settings, load=False)
    [load] = [m for m in app.user_middleware if m.cls is LoadControlMiddleware]
    assert load.kwargs["request_timeout"] == seconds
