"""End to end over HTTP: uploading and deleting documents behind the API key, path traversal,
size limits, queries that keep working during updates, and filters."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa_service.config import Settings
from qa_service.devtools.pdfs import kamerbrief_pdf
from qa_service.devtools.server import running_server
from qa_service.embedding import Embedder
from qa_service.ingest.build import build_index
from tests.conftest import CORPUS, KAMERBRIEF, PROJECT_ROOT, milvus_env, milvus_settings

KEY = "test-key-7f3a9c"
AUTH = {"Authorization": f"Bearer {KEY}"}
KOOP = PROJECT_ROOT / "tests" / "fixtures" / "koop"
DOSSIERS = ("kst-36410-VI-", "kst-36410-XVI-", "kst-21501-20-")


@pytest.fixture(scope="module")
def docs_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """The index the servers below start from (built once; each server gets a copy)."""
    root = tmp_path_factory.mktemp("docs-index")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(KAMERBRIEF, corpus / KAMERBRIEF.name)
    for path in sorted((CORPUS / "moties").glob("kst-*.txt")):
        if path.name.startswith(DOSSIERS):
            shutil.copy(path, corpus / path.name)
    shutil.copy(CORPUS / "moties.jsonl", corpus / "moties.jsonl")
    settings = Settings(index_dir=root / "index")
    build_index([corpus], settings, embedder)
    return settings.index_dir


@pytest.fixture(scope="module", params=["local", "milvus"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, docs_index: Path
) -> Iterator[dict]:
    """The server on each store (``QA_STORE``); uploads and deletions change its index."""
    root = tmp_path_factory.mktemp("docs-api")
    index = root / "index"
    shutil.copytree(docs_index, index)
    uploads = root / "uploads"
    env = {
        "QA_API_KEY": KEY,
        "QA_UPLOAD_DIR": str(uploads),
        "QA_MAX_UPLOAD_MB": "1",
        "QA_RELOAD_INTERVAL": "1",
    }
    if request.param == "milvus":
        from qa_service.ingest.milvus import import_local

        uri = request.getfixturevalue("milvus_uri")
        import_local(milvus_settings(uri, "docs_api", index_dir=index), index)
        env.update(milvus_env(uri, "docs_api"))
    with running_server(index, env=env) as url:
        yield {"url": url, "uploads": uploads, "root": root}


@pytest.fixture()
def client(server: dict) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server["url"], timeout=120) as c:
        yield c


def _upload(client: httpx.Client, files: list[tuple[str, bytes]], headers: dict | None = None):
    return client.post(
        "/api/documents",
        files=[("files", (name, data)) for name, data in files],
        headers=AUTH if headers is None else headers,
    )


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "missing API key"),
        ({"Authorization": "Bearer wrong-key"}, "wrong API key"),
        ({"Authorization": f"Basic {KEY}"}, "missing API key"),
        ({"Authorization": f"Bearer {KEY}x"}, "wrong API key"),
    ],
)
def test_upload_and_delete_need_the_key(client: httpx.Client, headers: dict, detail: str) -> None:
    r = _upload(client, [("a.txt", b"Tekst.")], headers)
    assert r.status_code == 401 and detail in r.json()["detail"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = client.delete("/api/documents/kst-28676-280", headers=headers)
    assert r.status_code == 401
    assert client.get("/api/documents/kst-28676-280").status_code == 200


def test_upload_search_replace_delete(client: httpx.Client, server: dict) -> None:
    pdf = kamerbrief_pdf().replace(b"28 676", b"28 699")
    r = _upload(
        client,
        [
            ("brief.pdf", pdf),
            ("kst-36410-XVI-119.xml", (KOOP / "kst-36410-XVI-119.xml").read_bytes()),
            ("kapot.pdf", b"%PDF-1.4 kapot"),
        ],
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(body["added"]) == ["kst-28699-280"]
    assert body["replaced"] == ["kst-36410-XVI-119"]  # the XML version replaces the text one
    assert [s["file"] for s in body["skipped"]] == ["kapot.pdf"]
    assert "not a readable PDF" in body["skipped"][0]["reason"]
    stored = sorted(p.name for p in server["uploads"].iterdir())
    assert stored == ["brief.pdf", "kst-36410-XVI-119.xml"]  # the broken file is not kept

    # the service answers from the new index at once
    doc = client.get("/api/documents/kst-28699-280").json()
    assert [p["page"] for p in doc["passages"]][-1] == 3
    hits = client.post(
        "/api/search", json={"query": "uitdagingen Afghaanse veiligheidstroepen", "top_k": 3}
    ).json()["results"]
    assert hits[0]["doc_id"] == "kst-28699-280" and hits[0]["page"] == 1

    # the same upload again changes nothing
    again = _upload(client, [("brief.pdf", pdf)]).json()
    assert again["unchanged"] == ["kst-28699-280"] and not again["added"]

    r = client.delete("/api/documents/kst-28699-280", headers=AUTH)
    assert r.status_code == 200 and r.json()["removed"] == ["kst-28699-280"]
    assert client.get("/api/documents/kst-28699-280").status_code == 404
    assert not (server["uploads"] / "brief.pdf").exists()
    assert client.delete("/api/documents/kst-28699-280", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "../../evil.txt", "/tmp/evil.txt", "..\\evil.txt", "sub/evil.txt", ".."],
)
def test_file_names_cannot_leave_the_upload_directory(
    client: httpx.Client, server: dict, name: str
) -> None:
    r = _upload(client, [(name, b"Tweede Kamer. Een tekst die nergens terecht mag komen.")])
    assert r.status_code == 400, r.text
    assert "plain name" in r.json()["detail"] or "usable" in r.json()["detail"]
    assert not list(server["root"].rglob("evil.txt"))
    assert not Path("/tmp/evil.txt").exists()


def test_upload_limits(client: httpx.Client) -> None:
    r = _upload(client, [("groot.txt", b"tekst " * 200_000)])  # 1.2 MB, limit 1 MB
    assert r.status_code == 413 and "QA_MAX_UPLOAD_MB" in r.json()["detail"]
    r = _upload(client, [("programma.exe", b"MZ")])
    assert r.status_code == 415
    r = _upload(client, [("leeg.txt", b"")])
    assert r.status_code == 422
    r = client.post("/api/documents", json={"files": []}, headers=AUTH)
    assert r.status_code == 415
    r = _upload(client, [("alleen-menu.html", b"<html><nav>menu</nav></html>")])
    assert r.status_code == 422 and "nothing could be indexed" in r.json()["detail"]


def test_queries_keep_working_during_updates(client: httpx.Client, server: dict) -> None:
    stop = threading.Event()
    statuses: list[tuple[int, int]] = []

    def query() -> None:
        with httpx.Client(base_url=server["url"], timeout=60) as c:
            while not stop.is_set():
                r = c.post("/api/search", json={"query": "verzoekt de regering", "top_k": 10})
                statuses.append((r.status_code, len(r.json().get("results", []))))

    threads = [threading.Thread(target=query) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        motion = (CORPUS / "moties" / "kst-29754-673.txt").read_bytes()
        assert _upload(client, [("kst-29754-673.txt", motion)]).status_code == 200
        r = client.delete("/api/documents/kst-29754-673", headers=AUTH)
        assert r.status_code == 200
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert statuses and all(s == (200, 10) for s in statuses), [
        s for s in statuses if s != (200, 10)
    ]


def test_filters_in_search_and_ask(client: httpx.Client) -> None:
    query = {"query": "Afghanistan Navo verkiezingen", "top_k": 5}
    unfiltered = client.post("/api/search", json=query).json()["results"]
    assert unfiltered[0]["doc_id"] == "kst-28676-280"
    body = {**query, "filters": {"dossier": "36410", "doc_type": "motie"}}
    results = client.post("/api/search", json=body).json()["results"]
    assert len(results) == 5
    assert all(r["doc_id"].startswith(("kst-36410-VI-", "kst-36410-XVI-")) for r in results)
    body = {
        "question": "Wat vraagt de Kamer over voetbalclubs?",
        "filters": {"dossier": "21501-20"},
    }
    answer = client.post("/api/ask", json=body).json()
    assert answer["citations"]
    assert all(c["doc_id"].startswith("kst-21501-20-") for c in answer["citations"])


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"date_from": "morgen"}, "date_from"),
        ({"date_from": "2024-02-01", "date_to": "2024-01-01"}, "after"),
        ({"vergaderjaar": "2023"}, "vergaderjaar"),
        ({"onbekend": "x"}, "onbekend"),
        ({"dossier": 28676}, "dossier"),
        ({"doc_ids": ["x"] * 1001}, "doc_ids"),
    ],
)
def test_bad_filters_are_422(client: httpx.Client, filters: dict, message: str) -> None:
    r = client.post("/api/search", json={"query": "Navo", "filters": filters})
    assert r.status_code == 422 and message in r.json()["detail"]


def test_document_listing_is_filtered_and_paginated(client: httpx.Client) -> None:
    page = client.get("/api/documents", params={"dossier": "36410-XVI", "limit": 4}).json()
    assert page["total"] == 15 and len(page["documents"]) == 4
    rest = client.get(
        "/api/documents", params={"dossier": "36410-XVI", "limit": 20, "offset": 4}
    ).json()
    ids = [d["doc_id"] for d in page["documents"] + rest["documents"]]
    assert len(set(ids)) == 15 and all(d.startswith("kst-36410-XVI-") for d in ids)
    two = client.get("/api/documents", params=[("dossier", "28676"), ("dossier", "21501-20")])
    assert two.json()["total"] == 1 + 17
    dated = client.get(
        "/api/documents", params={"date_from": "2024-02-01", "doc_type": "motie"}
    ).json()
    assert dated["total"] > 0 and all(d["date"] >= "2024-02-01" for d in dated["documents"])
    r = client.get("/api/documents", params={"date_to": "gisteren"})
    assert r.status_code == 422


def test_facets(client: httpx.Client) -> None:
    facets = client.get("/api/facets").json()
    dossiers = {d["dossier"]: d["documents"] for d in facets["dossiers"]}
    assert dossiers["36410-VI"] == 15 and dossiers["28676"] == 1
    assert {t["doc_type"] for t in facets["doc_types"]} >= {"brief", "motie"}
    assert facets["date_from"] <= facets["date_to"]


def test_disabled_without_a_key(tmp_path: Path) -> None:
    """With no QA_API_KEY the endpoints that change the index are off (403), not open."""
    from fastapi.testclient import TestClient

    from qa_service.api.app import create_app
    from qa_service.service import QAService

    settings = Settings(index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads")
    app = create_app(settings, QAService(settings), load=False)
    with TestClient(app) as c:
        r = c.post("/api/documents", files=[("files", ("a.txt", b"x"))], headers=AUTH)
        assert r.status_code == 403 and "QA_API_KEY" in r.json()["detail"]
        assert c.delete("/api/documents/kst-28676-280", headers=AUTH).status_code == 403
    assert not (tmp_path / "uploads").exists()
