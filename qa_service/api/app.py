"""FastAPI application factory.

The index and models load in a background thread at start-up, so ``/health`` can answer
503 ("loading") at once and 200 when ready; query endpoints answer 503 until then. Another
background thread checks every ``QA_RELOAD_INTERVAL`` seconds for a newer build published by
``qa-service index --add/--remove/--watch`` and switches to it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from qa_service import __version__
from qa_service.api import integrations, middleware
from qa_service.api.deps import ServiceUnavailable
from qa_service.api.redact import redact_in_logs
from qa_service.api.routes import router
from qa_service.config import Settings
from qa_service.deadline import Cancelled
from qa_service.generation.backends import GenerationError
from qa_service.service import QAService
from qa_service.store.layout import IndexLoadError

log = logging.getLogger(__name__)


def _load(app: FastAPI) -> None:
    service: QAService = app.state.service
    try:
        service.warm_up()
        log.info("service ready: %s", service.info())
    except IndexLoadError as exc:
        app.state.load_error = str(exc)
        log.error("cannot load the index: %s", exc)
    except Exception as exc:  # keep serving /health with the reason
        app.state.load_error = f"{type(exc).__name__}: {exc}"
        log.exception("cannot start the service")


def _watch_builds(app: FastAPI, stop: threading.Event, interval: float) -> None:
    """Switch the service to a newer index build when one is published (by the CLI)."""
    service: QAService = app.state.service
    while not stop.wait(interval):
        if not service.ready:
            continue
        try:
            if service.reload():
                log.info("switched to the new index build: %s", service.info())
        except IndexLoadError as exc:  # keep answering from the loaded build
            log.error("cannot load the new index build (still serving the old one): %s", exc)
        except Exception:
            log.exception("checking for a new index build failed")


def _describe(errors: list) -> str:
    parts = []
    for err in errors:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
        msg = err.get("msg", "invalid")
        if err.get("type") == "json_invalid":
            return "request body is not valid JSON"
        if err.get("type") == "model_attributes_type" and not loc:
            return "request body must be a JSON object"
        msg = msg.removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or "invalid request"


def _unreadable_body(cause: BaseException | None) -> str | None:
    """A clear message for a body that could not even be decoded (FastAPI says only "There
    was an error parsing the body")."""
    if isinstance(cause, UnicodeDecodeError):
        return f"request body is not valid UTF-8 (byte {cause.start}): send JSON in UTF-8"
    if isinstance(cause, RecursionError):
        return "request body is nested too deeply"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "a number in the request body is too long"
    if cause is not None:
        return "request body could not be read as JSON"
    return None


def create_app(settings: Settings, service: QAService | None = None, load: bool = True) -> FastAPI:
    """Build the app. ``load=False`` skips loading (for a service warmed up by the caller)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if load and not app.state.service.ready:
            threading.Thread(target=_load, args=(app,), name="qa-load", daemon=True).start()
        stop = threading.Event()
        if settings.reload_interval > 0:
            threading.Thread(
                target=_watch_builds,
                args=(app, stop, settings.reload_interval),
                name="qa-reload",
                daemon=True,
            ).start()
        yield
        stop.set()
        app.state.service.close()

    app = FastAPI(
        title="Kamerstukken QA",
        version=__version__,
        description=(
            "Questions over Dutch parliamentary documents, answered with citations to the "
            "exact passages."
        ),
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc: qa_service.api.docs_assets (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.service = service or QAService(settings)
    app.state.load_error = None

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = _describe(list(exc.errors()))
        if detail in ("Field required", "request body must be a JSON object"):  # the body itself
            detail = "request body must be a JSON object"
            if "json" not in request.headers.get("content-type", ""):
                detail += ", sent with Content-Type: application/json"
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(request: Request, exc: ServiceUnavailable) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(Cancelled)
    async def _cancelled(request: Request, exc: Cancelled) -> JSONResponse:
        headers = {"Retry-After": str(settings.retry_after)}
        return JSONResponse({"detail": str(exc)}, status_code=503, headers=headers)

    @app.exception_handler(GenerationError)
    async def _generation(request: Request, exc: GenerationError) -> JSONResponse:
        # the language model (a server, or the local one) failed: a bad gateway, with why
        return JSONResponse({"detail": str(exc)}, status_code=502)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 400 and exc.__cause__ is not None:
            detail = _unreadable_body(exc.__cause__) or detail
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # sent from outside the middleware stack: add its headers here
        headers = middleware.SecurityHeadersMiddleware.HEADERS
        return JSONResponse({"detail": "internal error"}, status_code=500, headers=headers)

    app.include_router(router)
    _mount_ui(app)
    middleware.install(app, settings)
    integrations.install(app, settings)  # /v1 (OpenAI), /mcp, /metrics, /docs, request log
    _protect_key(settings)
    return app


def _protect_key(settings: Settings) -> None:
    key = settings.api_key.get_secret_value().strip() if settings.api_key else ""
    if not key:
        return
    redact_in_logs(key)
    if len(key) < 16:
        log.warning("QA_API_KEY is short (%d characters); use 16 or more random ones", len(key))


def _mount_ui(app: FastAPI) -> None:
    """Serve the chat page from the package (no build step, no CDN)."""
    from qa_service.ui import router as ui_router

    app.include_router(ui_router)
