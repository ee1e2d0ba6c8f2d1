"""Hostile and malformed input: every bad request gets a 4xx with a clear message, never a
500 or a traceback; questions in any script are answered or declined.

Most cases run in-process on a small index; the ones that depend on real sockets (bodies
without Content-Length, huge uploads, raw bytes) run against the real server."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from qa_service.api.app import create_app
from qa_service.api.schemas import clean_question
from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.service import QAService

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(small_index: Path, embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(index_dir=small_index, max_request_kb=64)
    service = QAService(settings, embedder)
    service.warm_up()
    with TestClient(create_app(settings, service, load=False)) as c:
        yield c


def assert_clear_4xx(r: httpx.Response, status: int | None = None, message: str = "") -> str:
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    if status is not None:
        assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail.strip()
    assert "Traceback" not in r.text and 'File "' not in r.text
    assert message in detail, detail
    assert r.headers["x-content-type-options"] == "nosniff"
    return detail


# -- wrong types, missing and unknown fields -------------------------------------------------
@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/ask", {"question": 42}, "question"),
        ("/api/ask", {"question": ["Afghanistan?"]}, "question"),
        ("/api/ask", {"question": {"nl": "x"}}, "question"),
        ("/api/ask", {"question": True}, "question"),
        ("/api/ask", {"question": None}, "question"),
        ("/api/ask", {"question": "x", "top_k": "5"}, "top_k"),
        ("/api/ask", {"question": "x", "top_k": 5.5}, "top_k"),
        ("/api/ask", {"question": "x", "top_k": -1}, "top_k"),
        ("/api/ask", {"question": "x", "top_k": 10**30}, "top_k"),
        ("/api/ask", {"question": "x", "history": "earlier"}, "history"),
        ("/api/ask", {"question": "x", "history": [1, 2]}, "history.0"),
        ("/api/ask", {"question": "x", "history": [{"question": 1}]}, "history.0.question"),
        ("/api/ask", {"question": "x", "history": [{"question": "a"}] * 11}, "history"),
        ("/api/ask", {"question": "x", "filters": "dossier=1"}, "filters"),
        ("/api/ask", {"question": "x", "filters": {"dossier": {"$ne": 1}}}, "filters.dossier"),
        ("/api/ask", {}, "question: Field required"),
        ("/api/ask", {"query": "x"}, "question"),
        ("/api/ask", {"question": "x", "extra": 1}, "extra"),
        ("/api/ask", {"question": "x", "history": [{"question": "a", "x": 1}]}, "x"),
        ("/api/ask", {"question": "x", "filters": {"unknown": "y"}}, "unknown"),
        ("/api/ask", {"question": "x", "__proto__": {"admin": True}}, "__proto__"),
        ("/api/search", {"query": 1}, "query"),
        ("/api/search", {}, "query"),
        ("/api/search", {"query": "x", "top_k": 0}, "top_k"),
        ("/api/search", {"query": "x", "mode": "dense"}, "mode"),
        ("/api/search", {"query": "x", "filters": {"doc_ids": "kst-1"}}, "doc_ids"),
        ("/api/search", {"query": "x", "filters": {"date_from": "2024-13-45"}}, "date_from"),
    ],
)
def test_invalid_fields_are_422(client: TestClient, path: str, body: object, message: str) -> None:
    assert_clear_4xx(client.post(path, json=body), 422, message)


@pytest.mark.parametrize("body", [[], ["question"], "question", 1, None, True])
def test_a_body_that_is_not_an_object_is_422(client: TestClient, body: object) -> None:
    assert_clear_4xx(
        client.post("/api/ask", content=json.dumps(body), headers=JSON),
        422,
        "must be a JSON object",
    )


@pytest.mark.parametrize(
    ("raw", "headers", "status", "message"),
    [
        (b'{"question": "caf\xe9"}', JSON, 400, "not valid UTF-8"),  # latin-1
        (b'{"question": "\xff\xfe\xfd"}', JSON, 400, "not valid UTF-8"),
        (b"\xff\xfe\x00g\x00a\x00r", JSON, 422, "not valid JSON"),  # read as UTF-16
        (b"{", JSON, 422, "not valid JSON"),
        (b"{'question': 'x'}", JSON, 422, "not valid JSON"),
        (b'{"question": "x"} trailing', JSON, 422, "not valid JSON"),
        (b'{"question": "x", "top_k": NaN}', JSON, 422, "top_k"),
        (b'{"question": "x", "top_k": Infinity}', JSON, 422, "top_k"),
        (b'{"question": "x", "top_k": 1' + b"0" * 5000 + b"}", JSON, 400, "number"),
        (b"[" * 30_000 + b"]" * 30_000, JSON, 400, "nested too deeply"),
        (b"", JSON, 422, "JSON object"),
        (b'{"question": "x"}', {"content-type": "text/plain"}, 422, "Content-Type"),
        (b'{"question": "x"}', {}, 422, "Content-Type"),
        (b"question=x", {"content-type": "application/x-www-form-urlencoded"}, 422, "JSON"),
    ],
)
def test_unreadable_bodies_are_4xx(
    client: TestClient, raw: bytes, headers: dict, status: int, message: str
) -> None:
    assert_clear_4xx(client.post("/api/ask", content=raw, headers=headers), status, message)


def test_deep_nesting_inside_a_field_is_422(client: TestClient) -> None:
    nested = "[" * 500 + '"x"' + "]" * 500
    raw = '{"question": "x", "filters": {"doc_ids": ' + nested + "}}"
    assert_clear_4xx(client.post("/api/search", content=raw, headers=JSON), 422, "doc_ids")


def test_huge_bodies_are_413_before_parsing(client: TestClient) -> None:
    big = {"question": "Afghanistan " * 10_000}  # 120 KB, the limit here is 64 KB
    detail = assert_clear_4xx(client.post("/api/ask", json=big), 413)
    assert detail == "request body too large: at most 64 KB (QA_MAX_REQUEST_KB)"
    r = client.post("/api/ask", content=b"{" * 70_000, headers=JSON)  # not even JSON
    assert_clear_4xx(r, 413, "too large")


def test_multipart_to_a_json_endpoint_is_422(client: TestClient) -> None:
    r = client.post("/api/ask", files={"question": ("q.txt", b"Afghanistan?")})
    assert_clear_4xx(r, 422, "JSON object")


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", "/api/ask"), ("DELETE", "/api/search"), ("PATCH", "/health")]
)
def test_wrong_methods_are_405(client: TestClient, method: str, path: str) -> None:
    assert_clear_4xx(client.request(method, path), 405)


# -- questions: length, control characters, invisible characters, other scripts ---------------
def test_question_length(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": "Afghanistan " * 166}).status_code == 200
    assert_clear_4xx(client.post("/api/ask", json={"question": "x" * 2001}), 422, "2000")
    # what counts is the cleaned text: padding with invisible characters does not get through
    padded = "Afghanistan?" + "\u200b" * 5000
    assert client.post("/api/ask", json={"question": padded}).json()["question"] == "Afghanistan?"


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   \n\t  ",
        "\x00\x01\x02\x1b\x7f",
        "\u200b\u200c\u200d\u2060\ufeff",  # zero-width characters
        "\u202e\u202d\u2066\u2069",  # bidi overrides and isolates
        "\u00ad\u180e",  # soft hyphen, Mongolian vowel separator
        "\u3164\u115f\uffa0\u2800",  # Hangul fillers, braille blank
        "\ufe0f\U000e0041\U000e007f",  # variation selector, tag characters
        "\ue000\U000f0000",  # private use
        "\u2028\u2029\u3000\u00a0",  # line/paragraph separators, wide and no-break spaces
    ],
)
def test_invisible_questions_are_refused(client: TestClient, question: str) -> None:
    assert_clear_4xx(client.post("/api/ask", json={"question": question}), 422, "empty")
    assert_clear_4xx(client.post("/api/search", json={"query": question}), 422, "empty")


QUESTION = "Hoeveel militairen stuurt Nederland naar Afghanistan?"


@pytest.mark.parametrize(
    "question",
    [
        "\x00Hoeveel\x07 militairen stuurt\x1b Nederland naar Afghanistan?\x00",
        "Hoeveel mili\u200btai\u00adren stuurt Neder\u2060land naar Afgha\ufeffnistan?",
        "Hoeveel militairen\u202e stuurt Nederland naar\u2066 Afghanistan?\u2069",
        "  Hoeveel   militairen\t\tstuurt Nederland\u00a0naar\u3000Afghanistan?  ",
    ],
)
def test_control_and_invisible_characters_are_cleaned(client: TestClient, question: str) -> None:
    expected = client.post("/api/ask", json={"question": QUESTION}).json()
    body = client.post("/api/ask", json={"question": question}).json()
    assert body["question"] == QUESTION
    assert body["answer"] == expected["answer"] and body["answerable"] is True
    assert body["citations"] == expected["citations"]


def test_line_breaks_are_kept_as_one(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "Hoeveel militairen\r\n\n\nstuurt ...?"})
    assert body.json()["question"] == "Hoeveel militairen\nstuurt ...?"


@pytest.mark.parametrize(
    "question",
    [
        "部长对阿富汗承诺了什么？",  # Chinese
        "ماذا وعد الوزير لأفغانستان؟",  # Arabic
        "מה הבטיח השר לאפגניסטן?",  # Hebrew
        "मंत्री ने अफ़ग़ानिस्तान के लिए क्या वादा किया?",  # Devanagari
        "Что министр пообещал Афганистану?",  # Cyrillic
        "🇦🇫 🪖 ❓",  # emoji only
        "👨‍👩‍👧 What did the minister pledge? 🤔",
        "Z̷̢̛͓a̴͎͝l̸̡̛g̵̣̈o̶̢͝ Afghanistan",  # stacked combining marks
        "Ａｆｇｈａｎｉｓｔａｎ？",  # full-width letters
        "e\u0301e\u0301n vraag",  # decomposed accents (normalised to NFC)
        "\U0001d400\U0001d401\U0001d402",  # mathematical letters
        "?" * 2000,
    ],
)
def test_questions_in_other_scripts_are_answered_or_declined(
    client: TestClient, question: str
) -> None:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["question"] == unicodedata.normalize("NFC", clean_question(question))
    assert body["answer"].strip()
    assert isinstance(body["answerable"], bool)
    if body["answerable"]:
        assert body["citations"]
    r = client.post("/api/search", json={"query": question, "top_k": 3})
    assert r.status_code == 200 and len(r.json()["results"]) == 3


@given(st.text(max_size=300))
def test_cleaning_any_question(raw: str) -> None:
    try:
        cleaned = clean_question(raw)
    except ValueError as exc:
        assert "empty" in str(exc) or "2000" in str(exc)
        return
    assert cleaned and cleaned == cleaned.strip() and len(cleaned) <= 2000
    for ch in cleaned:
        category = unicodedata.category(ch)
        assert ch == "\n" or category not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"), repr(ch)
    assert "  " not in cleaned and "\n\n" not in cleaned
    assert clean_question(cleaned) == cleaned  # cleaning twice changes nothing


def test_lone_surrogates_in_json_escapes(client: TestClient) -> None:
    raw = b'{"question": "\\ud800Afghanistan\\udfff?"}'
    r = client.post("/api/ask", content=raw, headers=JSON)
    assert r.status_code == 200 and r.json()["question"] == "Afghanistan?"
    r = client.post("/api/ask", content=b'{"question": "\\ud800"}', headers=JSON)
    assert_clear_4xx(r, 422, "empty")


def test_history_with_hostile_text(client: TestClient) -> None:
    history = [{"question": "\x00Afghanistan\u200b?", "answer": "\u202e" * 10_000}]
    r = client.post("/api/ask", json={"question": "en daarna?", "history": history})
    assert r.status_code == 200
    assert "\x00" not in r.json()["search_query"] and "\u200b" not in r.json()["search_query"]
    too_long = [{"question": "a", "answer": "x" * 10_001}]
    assert_clear_4xx(client.post("/api/ask", json={"question": "x", "history": too_long}), 422)


# -- query strings and path parameters --------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=100000000000000000000000", "limit"),
        ("offset=-1", "offset"),
        ("offset=17843067483790005836960957695262720", "offset"),  # found by the fuzzer
        ("date_from=gisteren", "date_from"),
        ("vergaderjaar=1", "vergaderjaar"),
        ("date_from=" + "9" * 100, "date_from"),
        ("&".join(["dossier=1"] * 101), "dossier"),
    ],
)
def test_bad_query_parameters_are_422(client: TestClient, query: str, message: str) -> None:
    assert_clear_4xx(client.get(f"/api/documents?{query}"), 422, message)


@pytest.mark.parametrize(
    "query", ["dossier=%00", "dossier=%FF%FE", "doc_type=%ZZ", "dossier=' OR 1=1 --", "x=1"]
)
def test_odd_query_values_are_harmless(client: TestClient, query: str) -> None:
    r = client.get(f"/api/documents?{query}")
    assert r.status_code == 200
    assert r.json()["total"] in (0, 4)  # unknown parameters are ignored; odd values match none


@pytest.mark.parametrize(
    "doc_id", ["%00", "kst%00-28676-280", "%E2%80%AE", "x" * 5000, "'; DROP TABLE documents; --"]
)
def test_odd_document_ids_are_404(client: TestClient, doc_id: str) -> None:
    assert_clear_4xx(client.get(f"/api/documents/{doc_id}"), 404, "no document")
    assert client.get("/api/documents/kst-28676-280").status_code == 200  # still there


# -- over real sockets ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def http(corpus_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=corpus_server, timeout=60) as c:
        yield c


def test_real_server_refuses_huge_bodies_with_413(http: httpx.Client) -> None:
    huge = b'{"question": "' + b"a" * (8 * 1024 * 1024) + b'"}'  # 8 MB, the limit is 1 MB
    r = http.post("/api/ask", content=huge, headers=JSON)
    assert_clear_4xx(r, 413, "QA_MAX_REQUEST_KB")

    def chunks() -> Iterator[bytes]:  # chunked transfer: no Content-Length to go by
        for i in range(0, len(huge), 64 * 1024):
            yield huge[i : i + 64 * 1024]

    r = http.post("/api/ask", content=chunks(), headers=JSON)
    assert "content-length" not in r.request.headers
    assert_clear_4xx(r, 413, "QA_MAX_REQUEST_KB")
    assert http.post("/api/ask", json={"question": "Afghanistan?"}).status_code == 200


def test_real_server_raw_bytes(http: httpx.Client) -> None:
    for raw in (b"\xff\xfe\x00garbage", b"\x00" * 1000, bytes(range(256)) * 10):
        assert_clear_4xx(http.post("/api/ask", content=raw, headers=JSON))
        assert_clear_4xx(http.post("/api/search", content=raw))
    assert http.get("/health").json()["status"] == "ok"
