"""Thin HTTP routes: validate, call :class:`~qa_service.service.QAService`, shape the reply.

Handlers are plain ``def`` functions, so FastAPI runs them in its thread pool and the event
loop never blocks on embedding or search.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from qa_service.answer.extractive import Citation
from qa_service.api.auth import require_api_key
from qa_service.api.schemas import (
    AskRequest,
    AskResponse,
    BatchAnswer,
    BatchAskRequest,
    BatchAskResponse,
    BatchError,
    CitationOut,
    DocumentDetail,
    DocumentList,
    DocumentOut,
    FacetsResponse,
    HealthResponse,
    PassageInDocument,
    PassageOut,
    SearchRequest,
    SearchResponse,
    UpdateResponse,
    clean_question,
)
from qa_service.api.uploads import receive_uploads, update_response
from qa_service.documents import DocumentMeta
from qa_service.filters import Filters
from qa_service.search.retriever import Hit
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


def ask_response(result: AskResult) -> AskResponse:
    a = result.answer
    return AskResponse(
        question=a.question,
        answer=a.answer,
        answerable=a.answerable,
        citations=[citation_out(c) for c in a.citations],
        timings_ms=result.timings_ms,
        search_query=result.search_query,
        backend=a.backend,
        removed_sentences=a.removed_sentences,
    )


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
    filters = body.filters.to_core() if body.filters else None
    result = service.search(body.query, body.top_k, filters=filters)
    return SearchResponse(results=[passage_out(h) for h in result.hits])


@router.post("/api/ask", response_model=AskResponse, tags=["query"])
def ask(body: AskRequest, service: ServiceDep) -> AskResponse:
    """A short answer whose every sentence carries an ``[n]`` citation, or an abstention."""
    filters = body.filters.to_core() if body.filters else None
    return ask_response(
        service.ask(body.question, body.top_k, history=body.history, filters=filters)
    )


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
        ask_events(service, body),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/api/ask/batch", response_model=BatchAskResponse, tags=["query"])
def ask_batch(body: BatchAskRequest, service: ServiceDep) -> BatchAskResponse:
    """Up to 100 questions in one call, answered together (several times faster than one by
    one). A question that /api/ask would refuse gets an ``{id, error}`` entry instead."""
    errors: dict[int, str] = {}
    questions: list[str] = []
    for i, item in enumerate(body.questions):
        try:
            questions.append(clean_question(item.question))
        except ValueError as exc:
            errors[i] = f"question {exc}"
    answers = iter(service.ask_batch(questions, body.top_k))
    results = [
        BatchError(id=item.id, error=errors[i])
        if i in errors
        else BatchAnswer(id=item.id, **ask_response(next(answers)).model_dump())
        for i, item in enumerate(body.questions)
    ]
    return BatchAskResponse(results=results)


ListParam = Annotated[list[str] | None, Query(max_length=100)]


@router.get("/api/documents", response_model=DocumentList, tags=["documents"])
def list_documents(
    service: ServiceDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    doc_id: ListParam = None,
    dossier: ListParam = None,
    doc_type: ListParam = None,
    date_from: Annotated[str | None, Query(max_length=40)] = None,
    date_to: Annotated[str | None, Query(max_length=40)] = None,
    vergaderjaar: ListParam = None,
) -> DocumentList:
    """Indexed documents with their metadata, ordered by id; filtered like ``filters`` of
    /api/search (repeat a parameter for several values: ``?dossier=28676&dossier=21501``);
    ``total`` counts the matching documents."""
    try:
        filters = Filters.create(doc_id, dossier, doc_type, date_from, date_to, vergaderjaar)
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    total, docs = service.list_documents(offset, limit, filters)
    return DocumentList(
        total=total, offset=offset, limit=limit, documents=[document_out(m, n) for m, n in docs]
    )


@router.get("/api/facets", response_model=FacetsResponse, tags=["documents"])
def facets(service: ServiceDep) -> FacetsResponse:
    """The dossiers, document types, vergaderjaren and date range of the indexed documents:
    the values a filter can take."""
    return FacetsResponse.model_validate(service.facets())


@router.post(
    "/api/documents",
    response_model=UpdateResponse,
    tags=["documents"],
    dependencies=[Depends(require_api_key)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["files"],
                        "properties": {
                            "files": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                }
            },
        }
    },
)
async def upload_documents(request: Request, service: ServiceDep) -> UpdateResponse:
    """Add or replace documents: upload one or more files (PDF, KOOP XML, HTML, text, JSONL)
    as multipart field ``files``. Needs ``Authorization: Bearer <QA_API_KEY>``. The files are
    kept in the upload directory; the index is updated (only new or changed documents are
    embedded) and the service switches to it while it keeps answering."""
    return await receive_uploads(request, service)


@router.delete(
    "/api/documents/{doc_id}",
    response_model=UpdateResponse,
    tags=["documents"],
    dependencies=[Depends(require_api_key)],
)
def delete_document(doc_id: str, service: ServiceDep) -> UpdateResponse:
    """Remove a document from the index (and its uploaded file, if it was uploaded). Needs
    ``Authorization: Bearer <QA_API_KEY>``."""
    if service.index.store.document(doc_id) is None:
        raise HTTPException(status_code=404, detail=f"no document with id {doc_id!r}")
    try:
        report = service.remove_documents([doc_id])
    except ValueError as exc:  # e.g. removing the last document
        raise HTTPException(status_code=409, detail=str(exc)) from None
    if doc_id not in report.removed:
        raise HTTPException(status_code=404, detail=f"no document with id {doc_id!r}")
    return update_response(report)


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
