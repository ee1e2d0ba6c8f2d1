"""Questions and searches: ``/api/search``, ``/api/ask``, ``/api/ask/batch``."""

from __future__ import annotations

from fastapi import APIRouter

from qa_service.answer.questions import clean_question
from qa_service.api.deps import ServiceDep
from qa_service.api.schemas import (
    AskRequest,
    AskResponse,
    BatchAnswer,
    BatchAskRequest,
    BatchAskResponse,
    BatchError,
    SearchRequest,
    SearchResponse,
)
from qa_service.api.views import ask_response, passage_out

router = APIRouter()


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
