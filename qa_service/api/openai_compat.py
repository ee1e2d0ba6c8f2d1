"""An OpenAI-compatible chat endpoint, so chat UIs (Open WebUI, LibreChat, ...) and the
``openai`` client libraries can use the service as a "model".

- ``GET /v1/models`` lists one model (``QA_CHAT_MODEL_ID``, default ``kamerstukken-qa``).
- ``POST /v1/chat/completions``: the last ``user`` message is the question, the earlier
  user/assistant pairs are the ``history`` of ``/api/ask``. The answer is exactly the one
  ``/api/ask`` gives: its text keeps the ``[n]`` markers and is followed by a sources list
  (official citation and link per ``[n]``); the whole ``/api/ask`` object is in the extra
  field ``qa_answer``. Extra body fields ``filters`` (as for ``/api/ask``) and ``top_k`` are
  read; other OpenAI parameters (``temperature``, ``top_p``, ``max_tokens``, ...) are accepted
  and ignored.
- ``stream: true`` sends ``chat.completion.chunk`` events and ``data: [DONE]``. Only the
  verified answer is streamed (a chat UI cannot take back draft text that verification
  removes), in pieces of a sentence or so, then the sources; the last chunk carries
  ``qa_answer``.
- Errors have OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``: 400 for bad
  input, 401 for a wrong key (when ``QA_CHAT_API_KEY`` is set), 404 for an unknown model, 503
  while loading or overloaded, 502 when the language model fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from qa_service.api.deps import ServiceUnavailable, get_service
from qa_service.api.schemas import (
    MAX_ANSWER_CHARS,
    MAX_HISTORY_TURNS,
    AskResponse,
    Filters,
    TopK,
    Turn,
    clean_question,
)
from qa_service.api.views import ask_response
from qa_service.config import Settings
from qa_service.deadline import Cancelled
from qa_service.generation.backends import GenerationError
from qa_service.service import QAService

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["openai"])

#: The heading of the sources list appended to the answer text.
SOURCES_HEADING = {"nl": "Bronnen", "en": "Sources"}


class OpenAIError(Exception):
    """An error answered in OpenAI's shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type = status, message, type
        self.param, self.code, self.headers = param, code, headers

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


# -- the request --------------------------------------------------------------------------------
class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None


class ChatRequest(BaseModel):
    """OpenAI's chat request; unknown parameters are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1, max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=1000)
    stream: bool = False
    # extras of this service
    filters: Filters | None = None
    top_k: TopK = 5


def _text(message: ChatMessage) -> str:
    if message.content is None:
        return ""
    if isinstance(message.content, str):
        return message.content
    return "\n".join(p.text or "" for p in message.content if p.type == "text")


_SOURCES_BLOCK = re.compile(r"\n\n(?:\*\*)?(?:Bronnen|Sources):?(?:\*\*)?:?\n.*\Z", re.S)


def conversation(messages: list[ChatMessage]) -> tuple[str, list[Turn]]:
    """The question (the last message, a user's) and the earlier user/assistant turns (the
    last :data:`MAX_HISTORY_TURNS`, each answer without its sources list)."""
    last = messages[-1]
    if last.role != "user":
        raise OpenAIError(
            400,
            f"the last message must be the user's question (got role {last.role!r})",
            param="messages",
        )
    try:
        question = clean_question(_text(last))
    except ValueError as exc:
        raise OpenAIError(400, f"the question {exc}", param="messages") from None
    turns: list[Turn] = []
    pending: str | None = None
    for message in messages[:-1]:
        if message.role == "user":
            pending = _text(message)
        elif message.role == "assistant" and pending is not None:
            answer = _SOURCES_BLOCK.sub("", _text(message))[:MAX_ANSWER_CHARS]
            # an earlier question that /api/ask would refuse is not used as context
            with contextlib.suppress(ValidationError):
                turns.append(Turn(question=pending, answer=answer))
            pending = None
    return question, turns[-MAX_HISTORY_TURNS:]


def _describe(exc: ValidationError) -> tuple[str, str | None]:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err.get("loc", ()))
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return (f"{loc}: {msg}" if loc else msg), (loc or None)


async def read_request(request: Request) -> ChatRequest:
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise OpenAIError(400, "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise OpenAIError(400, "the request body must be a JSON object")
    try:
        return ChatRequest.model_validate(data)
    except ValidationError as exc:
        message, param = _describe(exc)
        raise OpenAIError(400, message, param=param) from None


# -- the answer ---------------------------------------------------------------------------------
def sources_text(answer: AskResponse) -> str:
    """The answer's citations as a list a reader can check: ``[n] citation, link``."""
    if not answer.citations:
        return ""
    lang = "en" if _is_english(answer) else "nl"
    lines = [f"**{SOURCES_HEADING[lang]}:**"]
    for c in answer.citations:
        where = f"{c.citation}" + (f", {c.section}" if c.section else "")
        link = f" <{c.url}>" if c.url else ""
        lines.append(f"[{c.n}] {c.title} ({where}){link}")
    return "\n".join(lines)


def _is_english(answer: AskResponse) -> bool:
    from qa_service.text.language import detect_language

    return detect_language(answer.question) == "en"


def answer_text(answer: AskResponse) -> str:
    sources = sources_text(answer) if answer.answerable else ""
    return f"{answer.answer}\n\n{sources}" if sources else answer.answer


def completion(settings: Settings, answer: AskResponse) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": settings.chat_model_id,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer_text(answer)},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "qa_answer": answer.model_dump(),
    }


_PIECES = re.compile(r"[^\n]*?(?:[.!?](?:\s*\[\d+\])*\s+|\n+|$)")


def pieces(text: str) -> list[str]:
    """The text in sentence-sized pieces that join back to it."""
    out = [p for p in _PIECES.findall(text) if p]
    return out if "".join(out) == text else [text]


def _chunk(cid: str, created: int, model: str, delta: dict[str, Any], **extra: Any) -> str:
    chunk = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "delta": delta,
                "finish_reason": extra.pop("finish_reason", None),
                "logprobs": None,
            }
        ],
        **extra,
    }
    return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"


def _ask(
    service: QAService, body: ChatRequest, cancel: threading.Event | None = None
) -> AskResponse:
    question, history = conversation(body.messages)
    filters = body.filters.to_core() if body.filters else None
    return ask_response(
        service.ask(question, body.top_k, history=history, filters=filters, cancel=cancel)
    )


async def stream_answer(
    settings: Settings, service: QAService, body: ChatRequest
) -> AsyncIterator[str]:
    cid, created, model = f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), settings.chat_model_id
    cancel = threading.Event()
    yield _chunk(cid, created, model, {"role": "assistant", "content": ""})
    try:
        work = asyncio.ensure_future(run_in_threadpool(_ask, service, body, cancel))
        while not work.done():  # comments keep proxies from closing a quiet connection
            done, _ = await asyncio.wait({work}, timeout=10)
            if not done:
                yield ": generating\n\n"
        answer: AskResponse = work.result()
    except asyncio.CancelledError:
        cancel.set()  # the client went away: stop generating
        raise
    except Exception as exc:
        try:
            error = _as_openai_error(exc)
        except Exception:
            log.exception("streamed chat completion failed")
            error = OpenAIError(500, f"internal error ({type(exc).__name__})", type="server_error")
        yield f"data: {json.dumps(error.body(), ensure_ascii=False)}\n\n"
        yield "data: [DONE]\n\n"
        return
    for piece in pieces(answer_text(answer)):
        yield _chunk(cid, created, model, {"content": piece})
    yield _chunk(cid, created, model, {}, finish_reason="stop", qa_answer=answer.model_dump())
    yield "data: [DONE]\n\n"


def _as_openai_error(exc: BaseException) -> OpenAIError:
    if isinstance(exc, OpenAIError):
        return exc
    if isinstance(exc, ServiceUnavailable):
        return OpenAIError(
            503, exc.detail, type="server_error", code="loading", headers={"Retry-After": "5"}
        )
    if isinstance(exc, Cancelled):
        return OpenAIError(503, str(exc), type="server_error", code="timeout")
    if isinstance(exc, GenerationError):
        return OpenAIError(502, str(exc), type="server_error", code="generation_failed")
    raise exc


# -- the routes ---------------------------------------------------------------------------------
def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema with its ``$defs`` written in place (OpenAPI has no ``$defs``)."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return dict(resolve(schema))


def check_key(request: Request) -> None:
    settings: Settings = request.app.state.settings
    expected = settings.chat_api_key.get_secret_value().strip() if settings.chat_api_key else ""
    if not expected:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    ok = scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode("latin-1", "replace"), expected.encode("utf-8")
    )
    if not ok:
        raise OpenAIError(
            401,
            "missing or wrong API key: send 'Authorization: Bearer <QA_CHAT_API_KEY>'",
            code="invalid_api_key",
        )


@router.get("/models")
async def list_models(request: Request) -> JSONResponse:
    """The one model this service offers (OpenAI's model list)."""
    check_key(request)
    settings: Settings = request.app.state.settings
    model = {"id": settings.chat_model_id, "object": "model", "created": 0}
    model["owned_by"] = "qa-service"
    return JSONResponse({"object": "list", "data": [model]})


@router.post(
    "/chat/completions",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": inline_refs(ChatRequest.model_json_schema())}
            },
        }
    },
)
async def chat_completions(request: Request) -> Any:
    """OpenAI's chat completion: the last user message answered as by /api/ask, with the
    sources listed after the answer; ``stream: true`` for ``chat.completion.chunk`` events."""
    check_key(request)
    settings: Settings = request.app.state.settings
    body = await read_request(request)
    if body.model != settings.chat_model_id:
        raise OpenAIError(
            404,
            f"unknown model {body.model!r}: this server offers {settings.chat_model_id!r}",
            param="model",
            code="model_not_found",
        )
    conversation(body.messages)  # bad input: an error before anything is streamed
    try:
        service = get_service(request)
        if body.stream:
            return StreamingResponse(
                stream_answer(settings, service, body),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        answer = await run_in_threadpool(_ask, service, body)
    except (ServiceUnavailable, Cancelled, GenerationError) as exc:
        return _as_openai_error(exc).response()
    return JSONResponse(completion(settings, answer))


def install(app: FastAPI) -> None:
    """Add the routes and the handler that gives their errors OpenAI's shape."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return _as_openai_error(exc).response()

    app.add_exception_handler(OpenAIError, handler)
    app.include_router(router)
