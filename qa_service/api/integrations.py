"""What the service offers to other tools, installed on the app in one call: the
OpenAI-compatible chat endpoint, MCP over streamable HTTP, Prometheus metrics, the offline API
docs and the request log."""

from __future__ import annotations

from fastapi import FastAPI

from qa_service.config import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Call after :func:`qa_service.api.middleware.install`: the metrics and the request log
    wrap the other middleware, so they see the 413s and 503s those send."""
    from qa_service.api import docs_assets, metrics, openai_compat, request_log

    openai_compat.install(app)
    docs_assets.install(app)
    if settings.mcp_http:
        from qa_service.api.mcp import mount

        mount(app, settings)
    if settings.metrics:
        metrics.install(app)
    request_log.install(app, settings)
