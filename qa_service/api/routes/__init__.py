"""The HTTP routes, one module per group; each handler validates, calls the service and
shapes the reply (thin: the work is in :class:`qa_service.service.QAService`).

Handlers are plain ``def`` functions where they block, so FastAPI runs them in its thread
pool and the event loop never waits on embedding or search.
"""

from __future__ import annotations

from fastapi import APIRouter

from qa_service.api.routes import documents, health, query, stream

router = APIRouter()
for module in (health, query, stream, documents):
    router.include_router(module.router)
