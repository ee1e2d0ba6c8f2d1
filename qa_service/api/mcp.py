"""The MCP server: the service's search, answers and documents as tools and resources.

Tools (each returns the JSON object of the matching HTTP endpoint, as structured content):

- ``search_documents(query, top_k=5, filters=None)``: ``POST /api/search``;
- ``ask(question, filters=None, top_k=5)``: ``POST /api/ask``, the answer with its citations;
- ``get_document(doc_id)``: ``GET /api/documents/{doc_id}``.

Resources: every indexed document as ``kamerstukken://documents/{doc_id}`` (its metadata and
passages as Markdown), listed from the live index at each ``resources/list``.

The tools call the same route functions as the HTTP API, so their answers are identical; bad
arguments give a tool error (``isError``) with the reason, never a crash.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp_types import Resource as MCPResource
from pydantic import Field, ValidationError

from qa_service import __version__
from qa_service.api.deps import ServiceUnavailable
from qa_service.api.routes import documents as document_routes
from qa_service.api.routes import query as query_routes
from qa_service.api.schemas import (
    MAX_TOP_K,
    AskRequest,
    AskResponse,
    DocumentDetail,
    Filters,
    SearchRequest,
    SearchResponse,
)
from qa_service.config import Settings
from qa_service.service import QAService

log = logging.getLogger(__name__)

URI_PREFIX = "kamerstukken://documents/"
MAX_LISTED_RESOURCES = 10_000

INSTRUCTIONS = (
    "Dutch parliamentary documents (Kamerstukken: Kamerbrieven, moties, ...). Use `ask` for a "
    "short answer in which every sentence carries a citation [n] to a passage (with the "
    "official citation and a link); `search_documents` for the passages themselves; "
    "`get_document` for a whole document. Questions may be Dutch or English. When `answerable` "
    "is false, the documents do not answer the question: say so, do not guess."
)

TopKArg = Annotated[int, Field(ge=1, le=MAX_TOP_K, description=f"passages, 1 to {MAX_TOP_K}")]
FiltersArg = Annotated[
    Filters | None,
    Field(description="Optional: doc_ids, dossier, doc_type, date_from, date_to, vergaderjaar."),
]


class QAServer(MCPServer):
    """An :class:`MCPServer` whose resource list is read from the live index."""

    def __init__(self, get_service: Callable[[], QAService], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.get_service = get_service

    async def list_resources(self) -> list[MCPResource]:
        from anyio import to_thread

        return await to_thread.run_sync(self._document_resources)

    def _document_resources(self) -> list[MCPResource]:
        service = self.get_service()
        _, docs = service.list_documents(0, MAX_LISTED_RESOURCES)
        return [
            MCPResource(
                uri=URI_PREFIX + meta.doc_id,
                name=meta.doc_id,
                title=meta.title or meta.citation(),
                description=meta.citation(),
                mime_type="text/markdown",
            )
            for meta, _ in docs
        ]


def _invalid(exc: ValidationError) -> ToolError:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return ToolError("invalid argument: " + "; ".join(parts))


def document_markdown(detail: DocumentDetail) -> str:
    lines = [f"# {detail.title}", "", f"- id: {detail.doc_id}", f"- citation: {detail.citation}"]
    for name in ("doc_type", "dossier", "vergaderjaar", "date", "url"):
        value = getattr(detail, name)
        if value:
            lines.append(f"- {name}: {value}")
    if detail.authors:
        lines.append(f"- authors: {', '.join(detail.authors)}")
    section = None
    for p in detail.passages:
        if p.section and p.section != section:
            lines += ["", f"## {p.section}"]
            section = p.section
        page = f" (p. {p.page})" if p.page is not None else ""
        lines += ["", f"{p.text}{page}"]
    return "\n".join(lines) + "\n"


def build_server(get_service: Callable[[], QAService]) -> QAServer:
    """The MCP server; ``get_service`` returns a loaded service or raises (the tool error)."""
    server = QAServer(
        get_service,
        name="kamerstukken-qa",
        title="Kamerstukken QA",
        description="Cited answers over Dutch parliamentary documents.",
        instructions=INSTRUCTIONS,
        version=__version__,
    )

    def service() -> QAService:
        try:
            return get_service()
        except ServiceUnavailable as exc:
            raise ToolError(f"the service is not ready: {exc.detail}") from None

    @server.tool()
    def search_documents(
        query: Annotated[str, Field(description="Search text (Dutch or English).")],
        top_k: TopKArg = 5,
        filters: FiltersArg = None,
    ) -> SearchResponse:
        """The passages most relevant to the query (hybrid dense + keyword retrieval), each
        with its document, official citation, link, section and page."""
        try:
            body = SearchRequest(query=query, top_k=top_k, filters=filters)
        except ValidationError as exc:
            raise _invalid(exc) from None
        return query_routes.search(body, service())

    @server.tool()
    def ask(
        question: Annotated[str, Field(description="A question in Dutch or English.")],
        filters: FiltersArg = None,
        top_k: TopKArg = 5,
    ) -> AskResponse:
        """A short answer in which every sentence ends in a citation [n]; `citations` gives
        each [n]'s passage, official citation and link. `answerable` false: the documents do
        not answer the question."""
        try:
            body = AskRequest(question=question, top_k=top_k, filters=filters)
        except ValidationError as exc:
            raise _invalid(exc) from None
        return query_routes.ask(body, service())

    @server.tool()
    def get_document(
        doc_id: Annotated[str, Field(description="A document id, e.g. kst-28676-280.")],
    ) -> DocumentDetail:
        """One document: its metadata and its passages in order."""
        try:
            return document_routes.get_document(doc_id, service())
        except HTTPException as exc:
            raise ToolError(str(exc.detail)) from None

    @server.resource(
        URI_PREFIX + "{doc_id}",
        name="document",
        description="An indexed document: metadata and passages (Markdown).",
        mime_type="text/markdown",
    )
    def document(doc_id: str) -> str:
        try:
            return document_markdown(document_routes.get_document(doc_id, service()))
        except HTTPException as exc:
            raise ResourceNotFoundError(str(exc.detail)) from None

    return server


# -- transports ---------------------------------------------------------------------------------
def mount(app: FastAPI, settings: Settings) -> QAServer:
    """Serve MCP over streamable HTTP at ``/mcp`` on the app, with its service."""

    def get_service() -> QAService:
        service: QAService = app.state.service
        if not service.ready:
            raise ServiceUnavailable(app.state.load_error or "the index is still loading")
        return service

    server = build_server(get_service)
    http = server.streamable_http_app(streamable_http_path="/mcp", host=settings.host)
    app.router.routes.extend(http.routes)
    original = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with server.session_manager.run(), original(a) as state:
            yield state

    app.router.lifespan_context = lifespan
    return server


def run_stdio(settings: Settings) -> None:
    """``qa-service mcp``: serve over stdin/stdout; the index loads in the background (the
    first tool call waits for it)."""
    qa = QAService(settings)
    failed: list[str] = []

    def load() -> None:
        try:
            qa.warm_up()
        except Exception as exc:
            failed.append(f"{type(exc).__name__}: {exc}")
            log.error("cannot load the index: %s", exc)

    loader = threading.Thread(target=load, name="qa-load", daemon=True)
    loader.start()

    def get_service() -> QAService:
        loader.join()
        if failed:
            raise ServiceUnavailable(failed[0])
        return qa

    try:
        build_server(get_service).run("stdio")
    finally:
        if qa.ready:
            qa.close()
