"""The MCP server through the SDK's own client: over stdio (``qa-service mcp`` spawned on the
test index) and over streamable HTTP at /mcp of the running server. Lists the tools, calls
each, reads a document resource; bad arguments give tool errors, not crashes."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from qa_service.config import Settings

AFGHANISTAN = "Wat heeft de minister toegezegd voor Afghanistan?"
TOOLS = {"search_documents", "ask", "get_document"}


@asynccontextmanager
async def http_session(url: str) -> AsyncIterator[ClientSession]:
    async with (
        streamable_http_client(url + "/mcp") as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


@asynccontextmanager
async def stdio_session(index_dir: str) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "qa_service.cli", "mcp", "--index-dir", index_dir],
        env=dict(os.environ),  # PYTHONPATH, HOME (the model cache), QA_* of the test run
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def run(fn: Callable[[], Awaitable[None]]) -> None:
    anyio.run(fn)


async def check_tools(session: ClientSession, http: httpx.Client) -> None:
    listed = await session.list_tools()
    assert {t.name for t in listed.tools} == TOOLS
    for tool in listed.tools:
        assert tool.description and tool.input_schema["type"] == "object"

    # ask: the /api/ask answer, with its citations
    result = await session.call_tool("ask", {"question": AFGHANISTAN})
    assert not result.is_error
    answer = result.structured_content
    assert answer is not None
    expected = http.post("/api/ask", json={"question": AFGHANISTAN}).json()
    for key in ("answer", "answerable", "citations", "search_query"):
        assert answer[key] == expected[key], key
    assert answer["answerable"] and "[1]" in answer["answer"]

    # search_documents with filters
    result = await session.call_tool(
        "search_documents", {"query": "Moldavië", "top_k": 3, "filters": {"doc_type": "motie"}}
    )
    assert not result.is_error and result.structured_content is not None
    hits = result.structured_content["results"]
    assert 1 <= len(hits) <= 3 and all(h["doc_id"] != "kst-28676-280" for h in hits)

    # get_document
    result = await session.call_tool("get_document", {"doc_id": "kst-28676-280"})
    assert not result.is_error and result.structured_content is not None
    doc = result.structured_content
    assert doc["doc_id"] == "kst-28676-280" and len(doc["passages"]) == doc["passage_count"]


async def check_bad_arguments(session: ClientSession) -> None:
    bad: list[tuple[str, dict[str, Any], str]] = [
        ("ask", {"question": "   "}, "empty"),
        ("ask", {"question": "x" * 2001}, "2000"),
        ("ask", {"question": AFGHANISTAN, "top_k": 99}, "top_k"),
        ("ask", {}, "question"),
        ("ask", {"question": AFGHANISTAN, "filters": {"date_from": "gisteren"}}, "date"),
        ("search_documents", {"query": "x", "filters": {"colour": "red"}}, "colour"),
        ("get_document", {"doc_id": "kst-nope-1"}, "no document"),
    ]
    for name, args, why in bad:
        result = await session.call_tool(name, args)
        assert result.is_error, (name, args)
        text = " ".join(getattr(c, "text", "") for c in result.content)
        assert why in text, (name, args, text)
    # the server is still there
    assert (await session.call_tool("get_document", {"doc_id": "kst-28676-280"})).is_error is False


async def check_resources(session: ClientSession) -> None:
    listed = await session.list_resources()
    uris = [str(r.uri) for r in listed.resources]
    assert len(uris) == 485 and "kamerstukken://documents/kst-28676-280" in uris
    read = await session.read_resource("kamerstukken://documents/kst-28676-280")
    text = read.contents[0].text  # type: ignore[union-attr]
    assert text.startswith("# ") and "Kamerstukken II 2017/18, 28676, nr. 280" in text
    assert "Afghanistan" in text


@pytest.fixture(scope="module")
def http(corpus_server: str) -> Any:
    with httpx.Client(base_url=corpus_server, timeout=60) as c:
        yield c


def test_streamable_http(corpus_server: str, http: httpx.Client) -> None:
    async def main() -> None:
        async with http_session(corpus_server) as session:
            await check_tools(session, http)
            await check_bad_arguments(session)
            await check_resources(session)

    run(main)


def test_stdio(corpus_index: Settings, http: httpx.Client) -> None:
    async def main() -> None:
        with anyio.fail_after(300):
            async with stdio_session(str(corpus_index.index_dir)) as session:
                await check_tools(session, http)
                await check_bad_arguments(session)
                await check_resources(session)

    run(main)


def test_stdio_without_an_index_says_so(tmp_path: Any) -> None:
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "qa_service.cli", "mcp", "--index-dir", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "no index" in proc.stderr and proc.stdout == ""


def test_mcp_http_rejects_a_foreign_host(corpus_server: str) -> None:
    """DNS rebinding protection: a server on loopback only answers requests for loopback."""
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"Host": "evil.example", "Accept": "application/json, text/event-stream"}
    r = httpx.post(corpus_server + "/mcp", json=body, headers=headers, timeout=30)
    assert r.status_code in (400, 403, 421)
