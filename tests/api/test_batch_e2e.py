"""End to end over HTTP: ``POST /api/ask/batch`` and ``qa-service bulk --url`` against the
real server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from qa_service.bulk.answerers import RemoteAnswerer
from qa_service.bulk.inputs import read_questions
from qa_service.bulk.run import run_bulk
from qa_service.config import PROJECT_ROOT, Settings
from qa_service.devtools.server import free_port, running_server

EXAMPLES = PROJECT_ROOT / "examples"


@pytest.fixture(scope="module")
def base_url(corpus_index: Settings) -> Iterator[str]:
    with running_server(corpus_index.index_dir) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=300) as c:
        yield c


def without_timings(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("timings_ms", "id")}


def test_batch_mixes_answers_and_errors_in_order(client: httpx.Client) -> None:
    questions: list[Any] = [
        "Wat heeft de minister toegezegd voor Afghanistan?",
        {"id": "en", "question": "What did the minister pledge for Afghanistan?"},
        {"id": 7, "question": "   "},
        "x" * 2001,
        {"id": "weather", "question": "What is the weather forecast for Amsterdam tomorrow?"},
    ]
    r = client.post("/api/ask/batch", json={"questions": questions, "top_k": 3})
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["id"] for x in results] == [0, "en", 7, 3, "weather"]
    assert "must not be empty" in results[2]["error"] and set(results[2]) == {"id", "error"}
    assert "at most 2000 characters" in results[3]["error"]
    for i in (0, 1):
        assert results[i]["answerable"] is True and 1 <= len(results[i]["citations"]) <= 3
    assert results[4]["answerable"] is False
    # each answer is the one /api/ask gives
    for i, q in ((0, questions[0]), (1, questions[1]["question"]), (4, questions[4]["question"])):
        single = client.post("/api/ask", json={"question": q, "top_k": 3}).json()
        assert without_timings(results[i]) == without_timings(single)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"questions": ["Navo?"] * 101}, "at most 100 questions per call (got 101)"),
        ({"questions": [{"question": "Navo?"}]}, "questions.0.id: Field required"),
        ({"questions": [{"id": 1, "question": 5}]}, "question"),
        ({"questions": [{"id": 1, "question": "Navo?", "lang": "nl"}]}, "lang"),
        ({"questions": [42]}, "question 0 must be a string or an {id, question} object"),
        ({"questions": "Navo?"}, "questions"),
        ({"questions": ["Navo?"], "top_k": 51}, "top_k"),
        ({}, "questions"),
    ],
)
def test_batch_refuses_malformed_calls(
    client: httpx.Client, body: dict[str, Any], message: str
) -> None:
    r = client.post("/api/ask/batch", json=body)
    assert r.status_code == 422
    assert message in r.json()["detail"]


def test_batch_limits(client: httpx.Client) -> None:
    r = client.post("/api/ask/batch", json={"questions": ["Navo?"] * 100, "top_k": 1})
    assert r.status_code == 200 and len(r.json()["results"]) == 100
    assert client.post("/api/ask/batch", json={"questions": []}).json() == {"results": []}
    assert "/api/ask/batch" in client.get("/openapi.json").json()["paths"]


def test_bulk_url_mode_gives_the_local_answers(base_url: str, tmp_path: Path) -> None:
    items = read_questions(EXAMPLES / "questions.txt")
    out = tmp_path / "remote.jsonl"
    summary = run_bulk(items, out, RemoteAnswerer(base_url, top_k=5), batch_size=2, workers=2)
    assert summary.failed == 0 and summary.answered + summary.declined == len(items)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [i.id for i in items]
    with httpx.Client(base_url=base_url, timeout=300) as c:
        for item, row in zip(items, rows, strict=True):
            single = c.post("/api/ask", json={"question": item.question}).json()
            assert without_timings(row) == without_timings(single)


def test_bulk_cli_url_mode_and_unreachable_server(base_url: str, tmp_path: Path) -> None:
    source = tmp_path / "q.txt"
    source.write_text("Wat heeft de minister toegezegd voor Afghanistan?\n\n" + "x" * 3000 + "\n")
    out = tmp_path / "answers.csv"
    cmd = [
        sys.executable,
        "-m",
        "qa_service.cli",
        "bulk",
        str(source),
        "-o",
        str(out),
        "-q",
    ]
    proc = subprocess.run([*cmd, "--url", base_url], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "1 answered, 0 declined, 1 failed" in proc.stdout
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and "at most 2000 characters" in lines[1] + lines[2]

    nowhere = f"http://127.0.0.1:{free_port()}"
    cmd[cmd.index(str(out))] = str(tmp_path / "elsewhere.jsonl")
    proc = subprocess.run(
        [*cmd, "--url", nowhere, "--retries", "1"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    assert f"cannot reach the service at {nowhere}" in proc.stderr
    assert "Traceback" not in proc.stderr
