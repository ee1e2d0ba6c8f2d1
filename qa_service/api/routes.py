"""Thin HTTP routes: validate, call :class:`~qa_service.service.QAService`, shape the reply.

Handlers are plain ``def`` functions, so FastAPI runs them in its thread pool and the event
loop never blocks on embedding or search.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from qa_service.answering import Citation
from qa_service.api.schemas import (
    AskRequest,
    AskResponse,
    CitationOut,
    DocumentDetail,
    DocumentList,
    DocumentOut,
    HealthResponse,
    PassageInDocument,
    PassageOut,
    SearchRequest,
    SearchResponse,
)
from qa_service.documents import DocumentMeta
from qa_service.retrieval import Hit
from qa_service.service import AskResult, QAService, hit_title

router = APIRouter()


class ServiceUnavailable(Exception):
    """The index or models are not loaded (yet)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def get_service(request: Request) -> QAService:
    service: QAService = request.app.state.service
    if not service.ready:
        raise ServiceUnavailable(request.app.state.load_error or "the index is still loading")
    return service


ServiceDep = Annotated[QAService, Depends(get_service)]


# -- conversions ----------------------------------------------------------------------------
def passage_out(hit: Hit) -> PassageOut:
    p, d = hit.passage, hit.document
    return PassageOut(
        passage_id=p.passage_id,
        doc_id=p.doc_id,
        title=hit_title(hit),
        citation=d.citation(p.page),
        url=d.url,
        section=p.section,
        page=p.page,
        text=p.text,
        score=round(hit.score, 6),
    )


def citation_out(c: Citation) -> CitationOut:
    return CitationOut(n=c.n, quote=c.quote, **passage_out(c.hit).model_dump())


def document_out(meta: DocumentMeta, passage_count: int) -> DocumentOut:
    data = meta.to_dict()
    data["title"] = meta.title or meta.citation()
    return DocumentOut(passage_count=passage_count, **{k: data[k] for k in _DOC_FIELDS})


_DOC_FIELDS = [f for f in DocumentOut.model_fields if f != "passage_count"]


# -- routes ---------------------------------------------------------------------------------
@router.get("/health", response_model=HealthResponse, tags=["service"])
def health(request: Request) -> JSONResponse:
    """200 once the index and models are loaded; 503 while loading or after a load error."""
    service: QAService = request.app.state.service
    if service.ready:
        info = service.info()
        body = HealthResponse(
            status="ok",
            model=info["model"],
            documents=info["documents"],
            passages=info["passages"],
        )
        return JSONResponse(body.model_dump())
    error = request.app.state.load_error
    body = HealthResponse(status="error" if error else "loading", detail=error or "")
    return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "5"})


@router.post("/api/search", response_model=SearchResponse, tags=["query"])
def search(body: SearchRequest, service: ServiceDep) -> SearchResponse:
    """Passages most relevant to the query (hybrid dense + keyword retrieval)."""
    result = service.search(body.query, body.top_k)
    return SearchResponse(results=[passage_out(h) for h in result.hits])


def ask_response(result: AskResult) -> AskResponse:
    a = result.answer
    return AskResponse(
        question=a.question,
        answer=a.answer,
        answerable=a.answerable,
        citations=[citation_out(c) for c in a.citations],
        timings_ms=result.timings_ms,
        backend=a.backend,
        removed_sentences=a.removed_sentences,
    )


@router.post("/api/ask", response_model=AskResponse, tags=["query"])
def ask(body: AskRequest, service: ServiceDep) -> AskResponse:
    """A short answer whose every sentence carries an ``[n]`` citation, or an abstention."""
    from qa_service.generation.backends import GenerationError

    try:
        result = service.ask(body.question, body.top_k)
    except GenerationError as exc:
        raise HTTPException(status_code=502, detail=str(exc)) from exc
    return ask_response(result)


@router.post(
    "/api/ask/stream",
    tags=["query"],
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}},
)
async def ask_stream(body: AskRequest, service: ServiceDep) -> StreamingResponse:
    """The answer as Server-Sent Events: ``citations`` (the passages), ``delta`` (text as it is
    generated), then ``final`` (the verified answer, as /api/ask returns it) or ``error``."""
    from qa_service.api.streaming import ask_events

    return StreamingResponse(
        ask_events(service, body.question, body.top_k),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/api/documents", response_model=DocumentList, tags=["documents"])
def list_documents(
    service: ServiceDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DocumentList:
    """Indexed documents with their metadata, ordered by id."""
    total, docs = service.list_documents(offset, limit)
    return DocumentList(
        total=total, offset=offset, limit=limit, documents=[document_out(m, n) for m, n in docs]
    )


@router.get("/api/documents/{doc_id}", response_model=DocumentDetail, tags=["documents"])
def get_document(doc_id: str, service: ServiceDep) -> DocumentDetail:
    """One document with its passages in order."""
    found = service.get_document(doc_id)
    if found is None:
        raise HTTPException(status_code=404, detail=f"no document with id {doc_id!r}")
    meta, passages = found
    out = document_out(meta, len(passages))
    return DocumentDetail(
        **out.model_dump(),
        passages=[
            PassageInDocument(
                passage_id=p.passage_id,
                position=p.position,
                section=p.section,
                page=p.page,
                text=p.text,
            )
            for p in passages
        ],
    )
