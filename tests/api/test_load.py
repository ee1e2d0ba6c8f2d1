"""Load: the load-test script against the real server (smaller numbers than the 16 clients for
60 s of docs/reliability.md), and overload that is shed with 503 + Retry-After instead of
queueing without bound."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa_service.config import PROJECT_ROOT
from qa_service.devtools.server import server_process
from qa_service.embedding import Embedder

LOADTEST = PROJECT_ROOT / "scripts" / "loadtest.py"


def loadtest(*args: str, timeout: float = 300) -> tuple[int, dict, str]:
    proc = subprocess.run(
        [sys.executable, str(LOADTEST), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    summary = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {}
    return proc.returncode, summary, proc.stderr


def test_concurrent_clients_get_answers_without_errors(corpus_server: str) -> None:
    rc, summary, err = loadtest(
        "--url", corpus_server, "--clients", "4", "--duration", "8", "--endpoint", "mixed", "--json"
    )
    assert rc == 0, (summary, err)
    assert summary["errors"] == 0 and summary["shed_503"] == 0
    assert summary["requests"] >= 4 and summary["ok"] == summary["requests"]
    assert summary["statuses"] == {"200": summary["requests"]}
    latency = summary["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]
    assert summary["duration_s"] < 8 + 60 + 15  # it stopped by itself


def test_the_load_script_is_bounded(corpus_server: str) -> None:
    rc, summary, _ = loadtest(
        "--url",
        corpus_server,
        "--clients",
        "2",
        "--max-requests",
        "3",
        "--duration",
        "60",
        "--json",
    )
    assert rc == 0 and summary["requests"] == 3


@pytest.mark.parametrize(
    "url",
    ["http://10.1.2.3:8000", "http://192.0.2.1", "ftp://127.0.0.1", "http://[::ffff:8.8.8.8]"],
)
def test_the_load_script_only_loads_this_machine(url: str) -> None:
    rc, _, err = loadtest("--url", url, "--duration", "1", timeout=60)
    assert rc == 2 and "error:" in err


@pytest.fixture(scope="module")
def tight_server(small_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server that works on one request at a time and lets one more wait."""
    index = tmp_path_factory.mktemp("tight") / "index"
    shutil.copytree(small_index, index)
    env = {"QA_MAX_CONCURRENT_REQUESTS": "1", "QA_MAX_QUEUED_REQUESTS": "1", "QA_RETRY_AFTER": "2"}
    with server_process(index, env=env) as server:
        yield server.url


def test_overload_is_shed_with_503_and_retry_after(tight_server: str) -> None:
    rc, summary, err = loadtest(
        "--url", tight_server, "--clients", "8", "--duration", "5", "--allow-shed", "--json"
    )
    assert rc == 0, (summary, err)
    assert summary["errors"] == 0  # every answer was a 200 or a 503 with Retry-After
    assert summary["ok"] >= 1 and summary["shed_503"] >= 1
    assert set(summary["statuses"]) == {"200", "503"}
    rc, _, _ = loadtest("--url", tight_server, "--clients", "8", "--duration", "3", "--json")
    assert rc == 1  # without --allow-shed, shedding fails the run


def test_under_overload_the_503_says_when_to_retry_and_health_stays_up(tight_server: str) -> None:
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def ask() -> None:
        with httpx.Client(base_url=tight_server, timeout=120) as c:
            r = c.post("/api/ask", json={"question": "Wat verzoekt de Kamer de regering?"})
            with lock:
                results.append(r)

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for t in threads:
        t.start()
    health = httpx.get(tight_server + "/health", timeout=30)
    for t in threads:
        t.join()
    assert health.status_code == 200  # /health is not queued behind the questions
    statuses = sorted(r.status_code for r in results)
    assert set(statuses) <= {200, 503} and 200 in statuses and 503 in statuses
    for r in results:
        if r.status_code == 503:
            assert r.headers["retry-after"] == "2"
            assert "busy" in r.json()["detail"]
            assert r.headers["x-content-type-options"] == "nosniff"


def test_a_request_over_the_timeout_gets_503_and_its_work_stops(
    small_index: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the real pipeline: past QA_REQUEST_TIMEOUT the client gets a 503 that says so,
    and the work stops at its next check instead of running on for nobody."""
    from fastapi.testclient import TestClient

    from qa_service.answer.extractive import ExtractiveAnswerer
    from qa_service.api.app import create_app
    from qa_service.config import Settings
    from qa_service.service import QAService

    answered: list[str] = []
    real_run = ExtractiveAnswerer.run

    def run(self: ExtractiveAnswerer, question: str, *args: object, **kwargs: object) -> object:
        answered.append(question)
        return real_run(self, question, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ExtractiveAnswerer, "run", run)
    settings = Settings(index_dir=small_index, request_timeout=0.001, retry_after=7)
    service = QAService(settings, embedder)
    service.warm_up()
    with TestClient(create_app(settings, service, load=False)) as client:
        r = client.post("/api/ask", json={"question": "Wat verzoekt de Kamer de regering?"})
        assert r.status_code == 503 and r.headers["retry-after"] == "7"
        assert "longer than 0.001 s and was cancelled" in r.json()["detail"]
        assert client.get("/health").status_code == 200  # not timed: still answers
        time.sleep(0.5)
        assert answered == []  # stopped before the answer was composed
        assert service.ask("Wat verzoekt de Kamer de regering?", 3).answer.answer  # no deadline
