"""Typed dependencies of the routes: the loaded service, or a 503 while it loads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from qa_service.service import QAService


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
