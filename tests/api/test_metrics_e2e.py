"""GET /metrics on the real server: scraped after real requests and parsed with
prometheus_client's own text parser."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from qa_service.devtools.server import server_process


@pytest.fixture(scope="module")
def http(corpus_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=corpus_server, timeout=60) as c:
        yield c


def scrape(http: httpx.Client) -> dict[str, list[Sample]]:
    r = http.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=")
    samples: dict[str, list[Sample]] = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            samples.setdefault(s.name, []).append(s)
    return samples


def value(samples: dict[str, list[Sample]], name: str, **labels: str) -> float:
    found = [s.value for s in samples.get(name, []) if labels.items() <= s.labels.items()]
    return sum(found)


def test_requests_latency_and_stages_are_counted(http: httpx.Client) -> None:
    before = scrape(http)
    question = {"question": "Wat heeft de minister toegezegd voor Afghanistan?"}
    assert http.post("/api/ask", json=question).status_code == 200
    assert http.post("/api/ask", json=question).status_code == 200
    assert http.post("/api/search", json={"query": "Afghanistan"}).status_code == 200
    assert http.post("/api/ask", json={"question": ""}).status_code == 422
    assert http.get("/api/documents/kst-nope-1").status_code == 404
    assert http.get("/no/such/page").status_code == 404
    after = scrape(http)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    total = "qa_http_requests_total"
    assert delta(total, method="POST", route="/api/ask", status="200") == 2
    assert delta(total, method="POST", route="/api/search", status="200") == 1
    assert delta(total, method="POST", route="/api/ask", status="422") == 1
    # by route template: the id does not make a series of its own
    assert delta(total, route="/api/documents/{doc_id}", status="404") == 1
    assert delta(total, route="unmatched", status="404") == 1
    assert not any("kst-nope" in str(s.labels) for s in after[total])

    latency = "qa_http_request_duration_seconds"
    assert delta(latency + "_count", method="POST", route="/api/ask") == 3
    assert delta(latency + "_sum", method="POST", route="/api/ask") > 0
    buckets = [s for s in after[latency + "_bucket"] if s.labels["route"] == "/api/ask"]
    assert any(s.labels["le"] == "+Inf" for s in buckets)

    for stage in ("retrieval", "answer"):
        assert delta("qa_stage_duration_seconds_count", stage=stage) == 2
        assert delta("qa_stage_duration_seconds_sum", stage=stage) > 0


def test_index_load_and_shedding_gauges(http: httpx.Client) -> None:
    samples = scrape(http)
    health = http.get("/health").json()
    assert value(samples, "qa_service_ready") == 1
    assert value(samples, "qa_index_documents") == health["documents"] == 485
    assert value(samples, "qa_index_passages") == health["passages"]
    (info,) = samples["qa_index_info"]
    assert info.labels["model"] == health["model"] and info.labels["build"]
    assert value(samples, "qa_model_load_seconds") > 0
    assert "qa_requests_shed_total" in samples
    assert value(samples, "qa_requests_running") >= 0
    assert "qa_requests_waiting" in samples


@pytest.fixture(scope="module")
def tight_server(small_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server that works on one request at a time and lets one more wait."""
    index = tmp_path_factory.mktemp("tight") / "index"
    shutil.copytree(small_index, index)
    env = {"QA_MAX_CONCURRENT_REQUESTS": "1", "QA_MAX_QUEUED_REQUESTS": "1"}
    with server_process(index, env=env) as server:
        yield server.url


def test_shed_requests_are_counted(tight_server: str) -> None:
    """Overload a server that works on one request at a time: every 503 it sheds counts."""
    results: list[int] = []
    lock = threading.Lock()

    def ask() -> None:
        with httpx.Client(base_url=tight_server, timeout=120) as c:
            r = c.post("/api/ask", json={"question": "Wat verzoekt de Kamer de regering?"})
            with lock:
                results.append(r.status_code)

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with httpx.Client(base_url=tight_server, timeout=30) as c:
        samples = scrape(c)
    shed = results.count(503)
    assert shed >= 1
    assert value(samples, "qa_requests_shed_total") == shed
    assert value(samples, "qa_http_requests_total", route="/api/ask", status="503") == shed
