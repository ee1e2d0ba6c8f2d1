"""End to end: start the real server on the bundled corpus and query it over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

CITATION_FIELDS = {
    "n",
    "passage_id",
    "doc_id",
    "title",
    "citation",
    "url",
    "section",
    "page",
    "text",
    "quote",
    "score",
}


@pytest.fixture(scope="module", params=["local", "milvus"])
def client(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """The server on the bundled corpus, on each store (``QA_STORE``): the same contract."""
    server = "corpus_server" if request.param == "local" else "corpus_milvus_server"
    with httpx.Client(base_url=request.getfixturevalue(server), timeout=30) as c:
        yield c


def test_health(client: httpx.Client) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["documents"] == 485
    assert body["passages"] > 1000


def test_search_returns_the_contract(client: httpx.Client) -> None:
    r = client.post("/api/search", json={"query": "oproep aan Afghanistan verkiezingen"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 5
    assert set(results[0]) == {
        "passage_id",
        "doc_id",
        "title",
        "citation",
        "url",
        "section",
        "page",
        "text",
        "score",
    }
    top = results[0]
    assert top["doc_id"] == "kst-28676-280"
    assert "verkiezingen" in top["text"]
    assert top["url"] == "https://zoek.officielebekendmakingen.nl/kst-28676-280.html"
    assert top["citation"].startswith("Kamerstukken II 2017/18, 28676, nr. 280")


@pytest.mark.parametrize(
    "question",
    [
        "What did the minister pledge for Afghanistan?",
        "Wat heeft de minister toegezegd voor Afghanistan?",
    ],
)
def test_ask_afghanistan_pledge(client: httpx.Client, question: str) -> None:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200
    body = r.json()
    assert body["answerable"] is True
    assert body["question"] == question
    citations = body["citations"]
    assert citations and set(citations[0]) == CITATION_FIELDS
    # every [n] in the answer points to a citation, and every citation is used
    import re

    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert numbers == {c["n"] for c in citations}
    for c in citations:
        assert c["quote"] and c["quote"].split(" … ")[0] in c["text"]
    cited = " ".join(c["text"] for c in citations)
    assert "honderd militairen" in cited or "trainers" in cited
    assert any(c["doc_id"] == "kst-28676-280" for c in citations)
    assert body["timings_ms"]["total"] > 0


def test_ask_abstains_when_documents_do_not_answer(client: httpx.Client) -> None:
    body = client.post(
        "/api/ask", json={"question": "Wat is het weerbericht voor Amsterdam morgen?"}
    ).json()
    assert body["answerable"] is False
    assert "geen antwoord" in body["answer"]
    body = client.post(
        "/api/ask", json={"question": "What is the weather forecast for Amsterdam tomorrow?"}
    ).json()
    assert body["answerable"] is False
    assert "do not answer" in body["answer"]


def test_documents(client: httpx.Client) -> None:
    listing = client.get("/api/documents", params={"limit": 10}).json()
    assert listing["total"] == 485 and len(listing["documents"]) == 10
    doc = client.get("/api/documents/kst-28676-280").json()
    assert doc["dossier"] == "28676" and doc["ondernummer"] == "280"
    assert [p["position"] for p in doc["passages"]] == list(range(len(doc["passages"])))
    assert client.get("/api/documents/kst-0-0").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/ask", {"question": ""}, "empty"),
        ("/api/ask", {"question": "   \n\t "}, "empty"),
        ("/api/ask", {"question": "x" * 2001}, "2000"),
        ("/api/ask", {"question": "Afghanistan?", "top_k": 0}, "top_k"),
        ("/api/ask", {"question": "Afghanistan?", "top_k": 51}, "top_k"),
        ("/api/ask", {"question": 42}, "question"),
        ("/api/ask", {}, "question"),
        ("/api/ask", {"question": "Afghanistan?", "extra": 1}, "extra"),
        ("/api/search", {"query": ""}, "empty"),
        ("/api/search", {"query": "Navo", "top_k": "5"}, "top_k"),
        ("/api/search", ["not", "an", "object"], "object"),
    ],
)
def test_validation_errors_are_clear_4xx(
    client: httpx.Client, path: str, body: object, message: str
) -> None:
    r = client.post(path, json=body)
    assert r.status_code == 422
    assert message in r.json()["detail"]


def test_non_json_body(client: httpx.Client) -> None:
    r = client.post(
        "/api/ask", content=b"question=hello", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert "not valid JSON" in r.json()["detail"]
    r = client.post("/api/ask", content=b"\xff\xfe\x00garbage")
    assert 400 <= r.status_code < 500


def test_openapi_docs(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/search", "/api/ask", "/health", "/api/documents"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200
