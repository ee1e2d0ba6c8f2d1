"""/docs and /redoc render in Chromium with every request to another host blocked: the API
documentation works on a server without internet access, under its Content-Security-Policy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qa_service.devtools.server import running_server
from tests.ui import test_page_browser as pages

sync_api = pages.sync_api
browser = pages.browser  # the fixture (Debian's Chromium, headless)


@pytest.fixture(scope="module")
def server(small_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = tmp_path_factory.mktemp("docs") / "index"
    shutil.copytree(small_index, index)
    with running_server(index) as url:
        yield url


def open_offline(browser: Any, url: str) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    problems: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(url.split("/docs")[0].split("/redoc")[0]):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" or "Content Security Policy" in m.text
            else None
        ),
    )
    page.goto(url)
    return context, page, outside, problems


def test_swagger_ui_renders_offline(browser: Any, server: str) -> None:
    context, page, outside, problems = open_offline(browser, server + "/docs")
    try:
        ops = page.locator(".opblock-summary-path")
        pages.expect(ops.first).to_be_visible(timeout=60_000)
        paths = ops.all_inner_texts()
        assert any("/api/ask" in p for p in paths) and any("/v1/chat" in p for p in paths)
        assert not outside, outside
        assert not problems, problems
    finally:
        context.close()


def test_redoc_renders_offline(browser: Any, server: str) -> None:
    context, page, outside, problems = open_offline(browser, server + "/redoc")
    try:
        pages.expect(page.get_by_text("/api/ask/stream").first).to_be_attached(timeout=60_000)
        pages.expect(page.locator("h1").first).to_contain_text("Kamerstukken QA")
        assert not outside, outside
        # ReDoc's "powered by" logo points at its CDN: the policy blocks it, nothing else
        assert all("cdn.redoc.ly" in p and "img-src" in p for p in problems), problems
    finally:
        context.close()
