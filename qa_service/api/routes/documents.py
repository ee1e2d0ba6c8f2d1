"""The indexed documents: list, facets, one document, upload and delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from qa_service.api.auth import require_api_key
from qa_service.api.deps import ServiceDep
from qa_service.api.schemas import (
    DocumentDetail,
    DocumentList,
    FacetsResponse,
    PassageInDocument,
    UpdateResponse,
)
from qa_service.api.uploads import receive_uploads, update_response
from qa_service.api.views import document_out
from qa_service.filters import Filters

router = APIRouter()

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
