"""The SSE bridge: events in order from a worker thread, and a client that goes away stops the
generation (the local Gemma 3 270M model in process)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

from qa_service.api.routes.stream import ask_events, sse
from qa_service.api.schemas import AskRequest
from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.generation.backends import LocalGenerator
from qa_service.service import QAService


def test_sse_format() -> None:
    assert sse("delta", {"text": "a\nb"}) == 'event: delta\ndata: {"text": "a\\nb"}\n\n'


def test_disconnect_stops_generation(
    corpus_index: Settings, embedder: Embedder, gemma_dir: Path
) -> None:
    settings = corpus_index.model_copy(
        update={
            "answer_backend": "local",
            "local_model": str(gemma_dir),
            "generation_max_tokens": 2048,  # minutes of generation if it were not stopped
        }
    )
    service = QAService(settings, embedder)
    service.warm_up()
    assert service.generative is not None
    generator = service.generative.generator
    assert isinstance(generator, LocalGenerator)

    async def first_two_events() -> list[str]:
        body = AskRequest(question="Wat heeft de minister toegezegd voor Afghanistan?", top_k=5)
        events = ask_events(service, body)
        got = [await anext(events), await anext(events)]
        await events.aclose()  # what Starlette does when the client disconnects
        return got

    citations, delta = asyncio.run(first_two_events())
    assert citations.startswith("event: citations\n")
    assert delta.startswith("event: delta\n") and json.loads(delta.split("data: ", 1)[1])
    # generation stops at the next token: the model is free again long before it could have
    # written the remaining tokens of its budget
    started = time.monotonic()
    assert generator._run_lock.acquire(timeout=30)
    generator._run_lock.release()
    assert time.monotonic() - started < 30
    # and the worker thread ends without verifying or sending anything
    for thread in threading.enumerate():
        if thread.name == "qa-ask-stream":
            thread.join(timeout=30)
            assert not thread.is_alive()
