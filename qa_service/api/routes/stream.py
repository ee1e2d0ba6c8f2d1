"""``POST /api/ask/stream``: the answer as Server-Sent Events.

The answer is computed by :meth:`QAService.ask` in a worker thread (generation is CPU- or
network-bound and must not block the event loop); its callbacks put events on an asyncio
queue through ``loop.call_soon_threadsafe``. When the client disconnects, Starlette cancels
this generator, the ``finally`` sets the cancel event, and the worker stops generating at the
next token.

Events, in order (each ``data`` is one JSON object):

- ``citations``: ``{"citations": [...]}``, the passages given to the model, numbered like the
  ``[n]`` of the streamed text;
- ``delta`` (one or more): ``{"text": "..."}``, answer text as it is written;
- ``final``: the verified answer, the same object as ``POST /api/ask`` returns; or
- ``error``: ``{"detail": "..."}`` when the answer could not be produced (the stream ends).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from qa_service.answer.answers import Citation
from qa_service.api.deps import ServiceDep
from qa_service.api.schemas import AskRequest, StreamCitations
from qa_service.api.views import ask_response, citation_out
from qa_service.generation.backends import GenerationError
from qa_service.search.retriever import Hit
from qa_service.service import QAService

log = logging.getLogger(__name__)
router = APIRouter()

_END = "end"


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event; JSON never contains a raw newline, so one data line suffices."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def citations_event(hits: list[Hit]) -> dict[str, Any]:
    body = StreamCitations(
        citations=[citation_out(Citation(n=i + 1, hit=h, quote="")) for i, h in enumerate(hits)]
    )
    return body.model_dump()


async def ask_events(service: QAService, body: AskRequest) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    cancel = threading.Event()

    def put(event: str, data: Any) -> None:
        if cancel.is_set():  # the client is gone: nobody reads the queue any more
            return
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (event, data))
        except RuntimeError:  # the event loop has shut down meanwhile
            cancel.set()

    def work() -> None:
        try:
            result = service.ask(
                body.question,
                body.top_k,
                history=body.history,
                filters=body.filters.to_core() if body.filters else None,
                on_retrieval=lambda hits: put("citations", citations_event(hits)),
                on_delta=lambda text: put("delta", {"text": text}),
                cancel=cancel,
            )
            if not cancel.is_set():
                put("final", ask_response(result).model_dump())
        except GenerationError as exc:
            put("error", {"detail": str(exc)})
        except Exception as exc:
            log.exception("streamed answer failed")
            put("error", {"detail": f"internal error ({type(exc).__name__})"})
        finally:
            put(_END, None)

    threading.Thread(target=work, name="qa-ask-stream", daemon=True).start()
    try:
        while True:
            event, data = await queue.get()
            if event == _END:
                break
            yield sse(event, data)
    finally:
        cancel.set()  # the client went away, or we are done: stop generating either way


@router.post(
    "/api/ask/stream",
    tags=["query"],
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}},
)
async def ask_stream(body: AskRequest, service: ServiceDep) -> StreamingResponse:
    """The answer as Server-Sent Events: ``citations`` (the passages), ``delta`` (text as it is
    generated), then ``final`` (the verified answer, as /api/ask returns it) or ``error``."""
    return StreamingResponse(
        ask_events(service, body),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
