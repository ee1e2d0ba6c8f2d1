"""One log line per request with a request id (echoed as X-Request-ID), JSON lines with
QA_LOG_FORMAT=json, and question text only with QA_LOG_QUESTIONS=true."""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from qa_service.api.app import create_app
from qa_service.api.request_log import JsonFormatter
from qa_service.config import Settings
from qa_service.devtools.server import server_process
from qa_service.embedding import Embedder
from qa_service.service import QAService

QUESTION = "Wat heeft de minister toegezegd voor Afghanistan?"


def make_client(index: Path, embedder: Embedder, **options: object) -> TestClient:
    settings = Settings(index_dir=index, reload_interval=0, **options)  # type: ignore[arg-type]
    service = QAService(settings, embedder)
    service.warm_up()
    return TestClient(create_app(settings, service, load=False))


@pytest.fixture(scope="module")
def client(small_index: Path, embedder: Embedder) -> Iterator[TestClient]:
    with make_client(small_index, embedder) as c:
        yield c


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "qa_service.access"]


def test_one_line_per_request_with_an_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="qa_service.access")
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    request_id = r.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    (record,) = access_records(caplog)
    fields = record.__dict__
    assert (fields["method"], fields["path"], fields["status"]) == ("POST", "/api/ask", 200)
    assert fields["request_id"] == request_id and fields["duration_ms"] > 0
    assert request_id in record.getMessage() and "/api/ask 200" in record.getMessage()
    assert "question" not in fields  # not logged unless QA_LOG_QUESTIONS=true
    assert not any("Afghanistan" in r.getMessage() for r in caplog.records)


def test_the_clients_request_id_is_kept_a_bad_one_replaced(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="qa_service.access")
    r = client.get("/health", headers={"X-Request-ID": "trace-42.a:b_c"})
    assert r.headers["x-request-id"] == "trace-42.a:b_c"
    for bad in (b"has space", b"x" * 129, "new\u00e9".encode(), b"a\tb"):
        r = client.get("/health", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"]), bad
    # errors carry it too
    r = client.post("/api/ask", json={"question": ""}, headers={"X-Request-ID": "err-1"})
    assert r.status_code == 422 and r.headers["x-request-id"] == "err-1"
    assert [x.__dict__["status"] for x in access_records(caplog)][-1] == 422


def test_questions_are_logged_only_when_asked_for(
    small_index: Path, embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="qa_service.access")
    with make_client(small_index, embedder, log_questions=True) as c:
        c.post("/api/ask", json={"question": QUESTION})
        c.post("/api/search", json={"query": "Moldavië"})
        chat = {"model": "kamerstukken-qa", "messages": [{"role": "user", "content": "Wie?"}]}
        c.post("/v1/chat/completions", json=chat)
        c.get("/health")
    records = access_records(caplog)
    questions = [r.__dict__.get("question") for r in records]
    assert questions == [QUESTION, "Moldavië", "Wie?", None]
    assert QUESTION in records[0].getMessage()


def test_json_formatter_writes_one_object_a_line() -> None:
    record = logging.LogRecord("qa_service.access", logging.INFO, "x", 1, "GET / 200", (), None)
    record.__dict__.update(request_id="abc", method="GET", path="/", status=200)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "GET / 200" and data["request_id"] == "abc"
    assert data["level"] == "INFO" and data["status"] == 200


def test_the_server_writes_json_lines(small_index: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(small_index, index)
    log = tmp_path / "server.log"
    env = {"QA_LOG_FORMAT": "json", "QA_LOG_QUESTIONS": "true"}
    with server_process(index, env=env, log=log) as server:
        r = httpx.post(
            server.url + "/api/ask",
            json={"question": QUESTION},
            headers={"X-Request-ID": "json-test-1"},
            timeout=60,
        )
        assert r.headers["x-request-id"] == "json-test-1"
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    (access,) = [x for x in lines if x.get("request_id") == "json-test-1"]
    assert access["logger"] == "qa_service.access" and access["path"] == "/api/ask"
    assert access["status"] == 200 and access["question"] == QUESTION
    assert any(x["logger"].startswith("uvicorn") for x in lines)  # uvicorn's lines too
