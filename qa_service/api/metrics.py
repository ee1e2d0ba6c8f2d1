"""Prometheus metrics at ``GET /metrics`` (text format, ``prometheus-client``).

Each app has its own registry (several apps may live in one process, in tests). Measured:

- ``qa_http_requests_total{method, route, status}`` and
  ``qa_http_request_duration_seconds{method, route}``: every request, by route template
  (``/api/documents/{doc_id}``, not the id), so the number of series stays bounded;
  requests that match no route count as ``route="unmatched"``;
- ``qa_stage_duration_seconds{stage}``: the stages of each answer (``retrieval``,
  ``answer``, and with a language model ``generation`` and ``verification``), from the
  timings :meth:`QAService.ask` reports;
- ``qa_requests_shed_total``: requests refused with 503 for load or timed out, and
  ``qa_requests_running`` / ``qa_requests_waiting``: the load control's slots now;
- ``qa_index_documents``, ``qa_index_passages``, ``qa_index_info{build, model}``,
  ``qa_service_ready`` and ``qa_model_load_seconds`` (loading the index and models).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa_service.service import AskResult, QAService

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
#: the timings of an answer that are stages (``total`` and ``first_token`` are not)
STAGES = ("retrieval", "answer", "generation", "verification")


class Metrics:
    """The metrics of one app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "qa_http_requests",
            "HTTP requests by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "qa_http_request_duration_seconds",
            "Time to the end of the response, by method and route.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.stages = Histogram(
            "qa_stage_duration_seconds",
            "Time per stage of an answer: retrieval, answer, generation, verification.",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def observe_answer(self, result: AskResult) -> None:
        for stage in STAGES:
            ms = result.timings_ms.get(stage)
            if ms is not None:
                self.stages.labels(stage).observe(ms / 1000)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def route_label(scope: Scope, templates: Sequence[tuple[re.Pattern[str], str]] = ()) -> str:
    """The template of the route that served the request; for a request refused before
    routing (413, 503), the documented route template its path matches."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str) and path:
        return path
    for regex, template in templates:
        if regex.match(str(scope.get("path", ""))):
            return template
    return "unmatched"


def route_templates(app: FastAPI) -> list[tuple[re.Pattern[str], str]]:
    """The path templates of the app's documented routes, as regular expressions."""
    return [(compile_path(path)[0], path) for path in app.openapi().get("paths", {})]


class MetricsMiddleware:
    """Counts and times every HTTP request (outermost, so 413 and 503 are counted too)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, api: FastAPI) -> None:
        self.app = app
        self.metrics = metrics
        self.api = api
        self._templates: list[tuple[re.Pattern[str], str]] | None = None

    def templates(self) -> list[tuple[re.Pattern[str], str]]:
        if self._templates is None:
            self._templates = route_templates(self.api)
        return self._templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            method = str(scope.get("method", ""))
            route = route_label(scope)
            if route == "unmatched":
                route = route_label(scope, self.templates())
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - start)


class ServiceCollector(Collector):
    """Read at scrape time: the index, readiness, load time and the load control's state."""

    def __init__(self, app: FastAPI, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    def describe(self) -> Iterable[Metric]:
        return []  # collected at scrape time only

    def collect(self) -> Iterable[Metric]:
        service: QAService = self.app.state.service
        yield _gauge("qa_service_ready", "1 once the index and models are loaded.", service.ready)
        if service.load_seconds is not None:
            yield _gauge(
                "qa_model_load_seconds",
                "Seconds it took to load the index and the models at start-up.",
                service.load_seconds,
            )
        if service.ready:
            index = service.index
            manifest = index.manifest
            yield _gauge("qa_index_documents", "Documents in the index.", manifest.document_count)
            yield _gauge("qa_index_passages", "Passages in the index.", manifest.passage_count)
            info = GaugeMetricFamily(
                "qa_index_info", "The live index build and its model.", labels=["build", "model"]
            )
            info.add_metric([Path(str(index.build)).name, manifest.model], 1)
            yield info
        control = _load_control(self.app)
        if control is not None:
            yield _counter(
                "qa_requests_shed", "Requests refused with 503 (busy) or timed out.", control.shed
            )
            yield _gauge("qa_requests_running", "API requests being worked on.", control.running)
            yield _gauge("qa_requests_waiting", "API requests waiting for a slot.", control.waiting)


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=float(value))


def _counter(name: str, doc: str, value: float) -> Metric:
    from prometheus_client.core import CounterMetricFamily

    return CounterMetricFamily(name, doc, value=float(value))


def _load_control(app: FastAPI) -> Any:
    """The app's :class:`LoadControlMiddleware` (built with the middleware stack)."""
    from qa_service.api.middleware import LoadControlMiddleware

    node: Any = app.middleware_stack
    for _ in range(50):
        if node is None or isinstance(node, LoadControlMiddleware):
            return node
        node = getattr(node, "app", None)
    return None


def install(app: FastAPI) -> Metrics:
    """``GET /metrics``, the middleware that counts requests, and the service's timings."""
    metrics = Metrics()
    metrics.registry.register(ServiceCollector(app, metrics))
    app.state.service.observers.append(metrics.observe_answer)
    app.state.metrics = metrics

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(MetricsMiddleware, metrics=metrics, api=app)
    return metrics
