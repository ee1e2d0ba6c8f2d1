"""/docs and /redoc work without internet access: their HTML names no other host, their
assets come from this service, and they are served with a Content-Security-Policy that
allows nothing from elsewhere (the pages render in Chromium: tests/ui/test_docs_browser.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa_service.api.app import create_app
from qa_service.config import Settings

URL_ATTR = re.compile(r"""(?:src|href|spec-url|data-openapi)="([^"]*)\"""")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(index_dir=tmp_path_factory.mktemp("docs") / "index", reload_interval=0)
    with TestClient(create_app(settings, load=False)) as c:  # no index needed for the docs
        yield c


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_page_names_no_other_host(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "http://" not in r.text and "https://" not in r.text and "//" not in r.text
    urls = URL_ATTR.findall(r.text)
    assert urls and all(u.startswith("/") for u in urls)
    assert "<script>" not in r.text  # no inline script: the CSP would block it
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/assets/swagger-ui-bundle.js"])
def test_content_security_policy_allows_only_this_origin(client: TestClient, page: str) -> None:
    csp = client.get(page).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"  # no CDN, no inline script
    assert "http" not in csp and "*" not in csp


def test_the_assets(client: TestClient) -> None:
    types = {
        "swagger-ui-bundle.js": "text/javascript",
        "swagger-init.js": "text/javascript",
        "swagger-ui.css": "text/css",
        "redoc.standalone.js": "text/javascript",
        "favicon.png": "image/png",
    }
    for name, media in types.items():
        r = client.get(f"/docs/assets/{name}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), name
    assert "SwaggerUIBundle(" in client.get("/docs/assets/swagger-init.js").text
    for bad in ("nope.js", "..%2Fcore.py", "%2E%2E"):
        assert client.get(f"/docs/assets/{bad}").status_code == 404


def test_the_openapi_document_lists_the_new_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/chat/completions" in paths and "/v1/models" in paths
    assert "/api/ask" in paths


def test_the_assets_are_in_the_installed_package() -> None:
    from qa_service.api.docs_assets import assets_dir

    folder = assets_dir()
    assert isinstance(folder, Path)
    assert (folder / "swagger-ui-bundle.js").stat().st_size > 100_000
