"""End to end over HTTP with the real server: an acknowledged upload or deletion survives
``kill -9`` right after; queries during replacements see one version of a document or the
other, never a mix; the API key never reaches the logs."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qa_service.devtools.server import ServerProcess, server_process
from tests.samples import TEST_MOTION

KEY = "durable-key-5b1e0c9d7a3f4e21"
AUTH = {"Authorization": f"Bearer {KEY}"}
DOC = "kst-99999-1"


def motion(word: str) -> bytes:
    return TEST_MOTION.format(word=word).encode()


def upload(client: httpx.Client, word: str) -> httpx.Response:
    files = [("files", (f"{DOC}.txt", motion(word)))]
    return client.post("/api/documents", files=files, headers=AUTH)


@pytest.fixture()
def place(small_index: Path, tmp_path: Path) -> dict:
    shutil.copytree(small_index, tmp_path / "index")
    env = {"QA_API_KEY": KEY, "QA_UPLOAD_DIR": str(tmp_path / "uploads")}
    return {"index": tmp_path / "index", "uploads": tmp_path / "uploads", "env": env}


def test_acknowledged_changes_survive_kill_9(place: dict) -> None:
    server = ServerProcess(place["index"], place["env"])
    try:
        server.wait_healthy()
        with httpx.Client(base_url=server.url, timeout=300) as c:
            r = upload(c, "zoutwinning")
            assert r.status_code == 200 and r.json()["added"] == [DOC], r.text
        server.kill()  # the moment the upload is acknowledged
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)

    with server_process(place["index"], place["env"]) as again:
        with httpx.Client(base_url=again.url, timeout=300) as c:
            doc = c.get(f"/api/documents/{DOC}")
            assert doc.status_code == 200
            assert "zoutwinning" in " ".join(p["text"] for p in doc.json()["passages"])
            hits = c.post("/api/search", json={"query": "zoutwinning proefpolder"}).json()
            assert hits["results"][0]["doc_id"] == DOC
            assert (place["uploads"] / f"{DOC}.txt").read_bytes() == motion("zoutwinning")
            r = c.delete(f"/api/documents/{DOC}", headers=AUTH)
            assert r.status_code == 200 and r.json()["removed"] == [DOC]
        again.kill()

    with server_process(place["index"], place["env"]) as third:
        with httpx.Client(base_url=third.url, timeout=60) as c:
            assert c.get(f"/api/documents/{DOC}").status_code == 404
            assert c.get("/api/documents").json()["total"] == 4
        assert not (place["uploads"] / f"{DOC}.txt").exists()


@pytest.fixture(scope="module")
def keyed(small_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("keyed")
    shutil.copytree(small_index, root / "index")
    env = {"QA_API_KEY": KEY, "QA_UPLOAD_DIR": str(root / "uploads")}
    with server_process(root / "index", env=env, log=root / "server.log") as server:
        yield server


def test_queries_during_replacements_see_one_version(keyed: ServerProcess) -> None:
    words = ("zoutwinning", "bodemdaling")
    with httpx.Client(base_url=keyed.url, timeout=300) as c:
        assert upload(c, words[0]).status_code == 200
    stop = threading.Event()
    problems: list[str] = []
    seen: set[str] = set()

    def versions(texts: list[str]) -> set[str]:
        return {w for w in words for t in texts if w in t}

    def read() -> None:
        with httpx.Client(base_url=keyed.url, timeout=120) as c:
            while not stop.is_set():
                doc = c.get(f"/api/documents/{DOC}")
                found = versions([p["text"] for p in doc.json().get("passages", [])])
                if doc.status_code != 200 or len(found) != 1:
                    problems.append(f"document: {doc.status_code} {sorted(found)}")
                seen.update(found)
                r = c.post("/api/search", json={"query": "proefpolder bewoners", "top_k": 8})
                results = r.json().get("results", [])
                mine = [h["text"] for h in results if h["doc_id"] == DOC]
                if r.status_code != 200 or len(results) != 8 or len(versions(mine)) > 1:
                    problems.append(f"search: {r.status_code} {len(results)} {versions(mine)}")

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        with httpx.Client(base_url=keyed.url, timeout=300) as c:
            for word in (words[1], words[0], words[1]):
                r = upload(c, word)
                assert r.status_code == 200 and r.json()["replaced"] == [DOC], r.text
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not problems, problems[:5]
    assert seen == set(words)  # the readers did see both versions


def test_logs_never_contain_the_key(keyed: ServerProcess, tmp_path: Path) -> None:
    """Authorised and unauthorised requests, the key in places it does not belong (the URL,
    a file name that becomes a document id, a question): the log shows none of it."""
    with httpx.Client(base_url=keyed.url, timeout=300) as c:
        responses = [
            c.delete("/api/documents/kst-0-0", headers=AUTH),  # authorised, 404
            c.delete("/api/documents/kst-0-0", headers={"Authorization": f"Bearer {KEY}x"}),
            c.delete("/api/documents/kst-0-0", headers={"Authorization": f"Basic {KEY}"}),
            c.get(f"/api/documents?api_key={KEY}"),
            c.get(f"/api/documents/{KEY}"),
            c.get(f"/nowhere/{KEY}?token={KEY}"),
            c.post("/api/ask", json={"question": f"Wat is {KEY}?"}),
            c.post(f"/api/search?key={KEY}", json={"query": 1}),
            c.post(
                "/api/documents",
                files=[("files", (f"{KEY}.txt", motion("windenergie")))],
                headers=AUTH,
            ),
            c.post(
                "/api/documents", files=[("files", (f"{KEY}.pdf", b"%PDF-1.4 kapot"))], headers=AUTH
            ),
        ]
        statuses = [r.status_code for r in responses]
        assert statuses == [404, 401, 401, 200, 404, 404, 200, 422, 200, 422], statuses
        for r in responses[:-4]:
            assert KEY not in r.text or r.request.url.path.endswith(KEY)
    log = keyed.output()
    assert "POST /api/documents" in log and "DELETE /api/documents/kst-0-0" in log  # logged
    assert "[redacted]" in log  # the lines that held the key were logged, without it
    assert KEY not in log
    assert KEY[:12] not in log  # not even in part
