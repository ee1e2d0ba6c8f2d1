"""Access: reads are open, every endpoint that changes data needs the API key (and is off
without one), CORS is closed unless configured, security headers on every response, and no
path from a request reaches the filesystem outside the configured directories."""

from __future__ import annotations

import hmac
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from qa_service.api import auth
from qa_service.api.app import create_app
from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.service import QAService

KEY = "k3y-0123456789abcdef-secret"
AUTH = {"Authorization": f"Bearer {KEY}"}
TEXT = b"Tweede Kamer der Staten-Generaal\n\nEen korte tekst over de proefpolder.\n"

#: POST endpoints that only read (questions); every other non-GET endpoint changes data.
READ_ONLY_POSTS = {"/api/ask", "/api/search", "/api/ask/batch", "/api/ask/stream"}
# questions too, guarded by their own optional key (QA_CHAT_API_KEY)
READ_ONLY_POSTS |= {"/v1/chat/completions"}


@pytest.fixture()
def root(small_index: Path, tmp_path: Path) -> Path:
    shutil.copytree(small_index, tmp_path / "index")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "canary.txt").write_text("keep me")
    return tmp_path


def _client(root: Path, embedder: Embedder, **settings: object) -> TestClient:
    s = Settings(index_dir=root / "index", upload_dir=root / "uploads", **settings)  # type: ignore[arg-type]
    service = QAService(s, embedder)
    service.warm_up()
    return TestClient(create_app(s, service, load=False), raise_server_exceptions=False)


@pytest.fixture()
def client(root: Path, embedder: Embedder) -> Iterator[TestClient]:
    with _client(root, embedder, api_key=KEY) as c:
        yield c


# -- the API key ------------------------------------------------------------------------------
def test_every_endpoint_that_changes_data_requires_the_key(client: TestClient) -> None:
    """A guard for endpoints added later: any POST/PUT/PATCH/DELETE route that is not a
    question must depend on require_api_key."""
    changing = []
    for route in _api_routes(client.app.routes):  # type: ignore[attr-defined]
        if route.methods & {"POST", "PUT", "PATCH", "DELETE"} and route.path not in READ_ONLY_POSTS:
            changing.append(route.path)
            calls = [d.call for d in route.dependant.dependencies]
            assert auth.require_api_key in calls, f"{route.path} is not protected"
    assert "/api/documents" in changing and "/api/documents/{doc_id}" in changing


def _api_routes(routes: list) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI >= 0.16x includes routers lazily
            yield from _api_routes(route.original_router.routes)
        elif hasattr(route, "routes"):
            yield from _api_routes(route.routes)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {KEY[:-1]}"},  # a prefix
        {"Authorization": f"Bearer {KEY}x"},  # longer
        {"Authorization": f"Bearer {KEY.upper()}"},
        {"Authorization": f"Basic {KEY}"},
        {"Authorization": f"Token {KEY}"},
        {"Authorization": KEY},
        {"X-API-Key": KEY},
        {"Cookie": f"api_key={KEY}"},
        {"Authorization": b"Bearer \xe9\xe8\xff"},  # not ASCII
        {"Authorization": b"Bearer " + KEY.encode() + "\u00e9".encode()},
    ],
)
def test_without_the_right_key_nothing_changes(
    client: TestClient, root: Path, headers: dict
) -> None:
    r = client.post("/api/documents", files=[("files", ("a.txt", TEXT))], headers=headers)
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert KEY not in r.text
    r = client.delete("/api/documents/kst-29754-673", headers=headers)
    assert r.status_code == 401
    r = client.delete(f"/api/documents/kst-29754-673?api_key={KEY}", headers=headers)
    assert r.status_code == 401
    assert client.get("/api/documents/kst-29754-673").status_code == 200
    assert not (root / "uploads").exists() or not any((root / "uploads").iterdir())


def test_the_key_is_compared_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def compare_digest(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", compare_digest)
    assert (
        client.delete("/api/documents/kst-0-0", headers={"Authorization": "Bearer x"}).status_code
        == 401
    )
    assert client.delete("/api/documents/kst-0-0", headers=AUTH).status_code == 404
    assert compared == [(b"x", KEY.encode()), (KEY.encode(), KEY.encode())]


def test_with_the_key_documents_change(client: TestClient, root: Path) -> None:
    r = client.post("/api/documents", files=[("files", ("proef.txt", TEXT))], headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["added"] == ["proef"]
    lower = {"Authorization": f"bearer  {KEY} "}  # the scheme is case-insensitive
    assert client.delete("/api/documents/proef", headers=lower).status_code == 200
    assert client.get("/api/documents/proef").status_code == 404


@pytest.mark.parametrize("key", [None, "", "   "])
def test_without_a_configured_key_changes_are_disabled(
    root: Path, embedder: Embedder, key: str | None
) -> None:
    with _client(root, embedder, api_key=key) as c:
        for headers in ({}, AUTH, {"Authorization": "Bearer "}):
            r = c.post("/api/documents", files=[("files", ("a.txt", TEXT))], headers=headers)
            assert r.status_code == 403 and "QA_API_KEY" in r.json()["detail"]
            assert c.delete("/api/documents/kst-29754-673", headers=headers).status_code == 403
        assert c.get("/api/documents/kst-29754-673").status_code == 200
    assert not (root / "uploads").exists()


def test_reads_are_open(client: TestClient) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/api/documents").status_code == 200
    assert client.get("/api/facets").status_code == 200
    assert client.get("/api/documents/kst-28676-280").status_code == 200
    assert client.post("/api/search", json={"query": "Afghanistan"}).status_code == 200
    assert client.post("/api/ask", json={"question": "Afghanistan?"}).status_code == 200


# -- CORS -------------------------------------------------------------------------------------
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


def test_cors_is_closed_by_default(client: TestClient) -> None:
    origin = {"Origin": "https://evil.example"}
    r = client.get("/api/documents", headers=origin)
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    r = client.options("/api/ask", headers={**origin, **PREFLIGHT})
    assert "access-control-allow-origin" not in r.headers
    assert r.status_code in (400, 405)


def test_cors_allows_only_the_configured_origins(
    root: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_CORS_ORIGINS", "https://allowed.example, https://other.example")
    assert Settings().cors_origins == ["https://allowed.example", "https://other.example"]
    with _client(root, embedder, cors_origins=["https://allowed.example"]) as c:
        ok = {"Origin": "https://allowed.example"}
        r = c.options("/api/ask", headers={**ok, **PREFLIGHT})
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "https://allowed.example"
        assert "POST" in r.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in r.headers
        r = c.get("/api/documents", headers=ok)
        assert r.headers["access-control-allow-origin"] == "https://allowed.example"
        bad = {"Origin": "https://evil.example"}
        r = c.options("/api/ask", headers={**bad, **PREFLIGHT})
        assert r.status_code == 400 and "access-control-allow-origin" not in r.headers
        r = c.get("/api/documents", headers=bad)
        assert "access-control-allow-origin" not in r.headers


# -- security headers -------------------------------------------------------------------------
def test_api_responses_carry_security_headers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    service: QAService = client.app.state.service  # type: ignore[attr-defined]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("internal detail /srv/secret/path")

    responses = {
        "200": client.post("/api/search", json={"query": "Afghanistan"}),
        "401": client.delete("/api/documents/x"),
        "404": client.get("/api/documents/kst-0-0"),
        "422": client.post("/api/ask", json={}),
        "413": client.post("/api/ask", content=b"x" * 2_000_000),
    }
    monkeypatch.setattr(service, "search", broken)
    responses["500"] = client.post("/api/search", json={"query": "Afghanistan"})
    for status, r in responses.items():
        assert str(r.status_code) == status, r.text
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["content-type"].startswith("application/json")
    assert responses["500"].json() == {"detail": "internal error"}  # no traceback, no detail
    page = client.get("/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


# -- paths ------------------------------------------------------------------------------------
def _files_outside(root: Path) -> set[Path]:
    """Files anywhere under the test's root except the upload directory and the index (which
    an accepted upload changes)."""
    skip = {root / "uploads", root / "index"}
    return {p for p in root.rglob("*") if p.is_file() and not skip & set(p.parents)}


@pytest.mark.parametrize(
    "path",
    [
        "/api/documents/..%2F..%2Foutside%2Fcanary.txt",
        "/api/documents/%2e%2e%2f%2e%2e%2foutside%2fcanary.txt",
        "/api/documents/..%5C..%5Coutside%5Ccanary.txt",
        "/api/documents/%2Ftmp%2Fcanary.txt",
        "/api/documents//etc/passwd",
        "/api/documents/../../outside/canary.txt",
        "/api/documents/canary.txt%00",
        "/api/documents/%00",
        "/api/documents/%C0%AE%C0%AE%2F",
    ],
)
def test_document_ids_never_reach_the_filesystem(client: TestClient, root: Path, path: str) -> None:
    before = _files_outside(root)
    for method in ("GET", "DELETE"):
        r = client.request(method, path, headers=AUTH)
        assert r.status_code in (404, 405), (method, r.status_code, r.text)
        assert "keep me" not in r.text and "root:" not in r.text
    assert (root / "outside" / "canary.txt").read_text() == "keep me"
    assert _files_outside(root) == before


def test_deleting_a_document_never_deletes_files_outside_the_upload_directory(
    client: TestClient, root: Path
) -> None:
    service: QAService = client.app.state.service  # type: ignore[attr-defined]
    source = Path(service.index.store.document("kst-29754-673").source)
    assert source.is_file()
    assert client.delete("/api/documents/kst-29754-673", headers=AUTH).status_code == 200
    assert source.is_file()  # the corpus file it came from is not the server's to delete


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "../../outside/evil.txt",
        "/tmp/evil.txt",
        "C:\\evil.txt",
        "..\\evil.txt",
        "....//evil.txt",
        "evil\x00.txt",
        "evil.txt\x00.pdf",
        "..",
        ".",
        "",
        "%2e%2e%2fevil.txt",
        "..%2Fevil.txt",
        "..\u2215evil.txt",  # division slash
        "..\uff0fevil.txt",  # full-width solidus
        "e" * 1000 + ".txt",
        "\u202etxt.exe",
    ],
)
def test_upload_names_never_leave_the_upload_directory(
    client: TestClient, root: Path, name: str
) -> None:
    before = _files_outside(root)
    r = client.post("/api/documents", files=[("files", (name, TEXT))], headers=AUTH)
    assert r.status_code in (200, 400, 415, 422), r.text
    assert "Traceback" not in r.text
    assert _files_outside(root) == before
    assert not Path("/tmp/evil.txt").exists()
    uploads = root / "uploads"
    for stored in uploads.rglob("*") if uploads.exists() else []:
        assert stored.parent == uploads and stored.is_file()  # flat, inside, plain files
        assert len(stored.name) <= 150 and "\x00" not in stored.name


def test_an_upload_does_not_follow_a_symlink_in_the_upload_directory(
    client: TestClient, root: Path
) -> None:
    uploads = root / "uploads"
    uploads.mkdir()
    os.symlink(root / "outside" / "canary.txt", uploads / "proef.txt")
    r = client.post("/api/documents", files=[("files", ("proef.txt", TEXT))], headers=AUTH)
    assert r.status_code == 400 and "outside the upload directory" in r.json()["detail"]
    assert (root / "outside" / "canary.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    "path",
    [
        "/static/..%2F..%2F..%2Fpyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/../../pyproject.toml",
        "/static/app.js%00.txt",
        "/static/%2Fetc%2Fpasswd",
        "/static/",
        "/static/index.html",
    ],
)
def test_static_files_are_a_fixed_list(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert "[project]" not in r.text and "root:" not in r.text
    assert client.get("/static/app.js").status_code == 200
