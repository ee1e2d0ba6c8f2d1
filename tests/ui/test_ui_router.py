"""The page's files and their security headers (no index needed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa_service.api.app import create_app
from qa_service.config import Settings
from qa_service.ui import STATIC_DIR


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(index_dir=tmp_path_factory.mktemp("empty") / "index")
    with TestClient(create_app(settings, load=False)) as c:
        yield c


def _assert_secure(headers: dict) -> None:
    csp = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'self'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def test_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<script src="/static/app.js" defer></script>' in r.text
    assert "<script>" not in r.text  # nothing inline: the CSP would block it
    _assert_secure(dict(r.headers))
    assert client.head("/").status_code == 200


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("app.js", "text/javascript"), ("style.css", "text/css"), ("favicon.svg", "image/svg+xml")],
)
def test_static_files(client: TestClient, name: str, media_type: str) -> None:
    r = client.get(f"/static/{name}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media_type)
    assert r.content == (STATIC_DIR / name).read_bytes()
    _assert_secure(dict(r.headers))


@pytest.mark.parametrize(
    "path", ["/static/index.html", "/static/nope.js", "/static/..%2F__init__.py", "/static/"]
)
def test_other_paths_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_page_works_while_the_index_is_missing(client: TestClient) -> None:
    """The page loads even when the API cannot answer yet (it then shows the API's reason)."""
    assert client.get("/").status_code == 200
    assert client.post("/api/ask", json={"question": "Afghanistan?"}).status_code == 503


def test_scripts_never_parse_data_as_markup() -> None:
    sinks = re.compile(
        r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function"
    )
    for name in ("app.js", "i18n.js"):  # the page's script and its Dutch/English labels
        assert not sinks.findall((STATIC_DIR / name).read_text(encoding="utf-8")), name
    page = Path(STATIC_DIR / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == [
        '<script src="/static/i18n.js" defer>',
        '<script src="/static/app.js" defer>',
    ]
