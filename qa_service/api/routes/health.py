"""``GET /health``: whether the index and models are loaded."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from qa_service.api.schemas import HealthResponse
from qa_service.service import QAService

router = APIRouter()


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
