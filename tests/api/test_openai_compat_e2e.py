"""/v1/chat/completions and /v1/models through the official ``openai`` client against the real
server on the bundled corpus (loopback only): the answers are those of /api/ask, with the
sources listed after the text; streaming; history; filters; OpenAI-shaped errors; the key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

from qa_service.api.app import create_app
from qa_service.api.openai_compat import conversation, pieces
from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.service import QAService

MODEL = "kamerstukken-qa"
AFGHANISTAN = "Wat heeft de minister toegezegd voor Afghanistan?"


@pytest.fixture(scope="module")
def client(corpus_server: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=corpus_server + "/v1", api_key="unused", max_retries=0)


@pytest.fixture(scope="module")
def http(corpus_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=corpus_server, timeout=60) as c:
        yield c


def extra(obj: Any, name: str) -> Any:
    return (obj.model_extra or {}).get(name)


def without_timings(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "timings_ms"}


def test_models(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == [MODEL]


def test_the_answer_is_the_api_answer_with_its_sources(
    client: openai.OpenAI, http: httpx.Client
) -> None:
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": AFGHANISTAN}],
        temperature=0.3,  # accepted and ignored, like other OpenAI parameters
        top_p=0.9,
        max_tokens=50,
        user="someone",
    )
    expected = http.post("/api/ask", json={"question": AFGHANISTAN}).json()
    qa = extra(completion, "qa_answer")
    assert without_timings(qa) == without_timings(expected)
    assert completion.object == "chat.completion" and completion.model == MODEL
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    text = choice.message.content or ""
    assert text.startswith(expected["answer"])
    sources = text[len(expected["answer"]) :]
    assert "Bronnen" in sources
    for c in expected["citations"]:  # every [n] is listed with its citation and link
        line = next(x for x in sources.splitlines() if x.startswith(f"[{c['n']}] "))
        assert c["citation"] in line and c["url"] in line


def test_streaming_sends_the_same_text_in_chunks(client: openai.OpenAI) -> None:
    messages: Any = [{"role": "user", "content": "What did the minister pledge for Afghanistan?"}]
    whole = client.chat.completions.create(model=MODEL, messages=messages)
    chunks = list(client.chat.completions.create(model=MODEL, messages=messages, stream=True))
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len(chunks) > 3  # the answer comes in pieces, not in one block
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == whole.choices[0].message.content
    assert "Sources" in text  # an English question gets an English heading
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert extra(last, "qa_answer")["answer"] == extra(whole, "qa_answer")["answer"]


def test_earlier_turns_are_the_history(client: openai.OpenAI, http: httpx.Client) -> None:
    first = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": AFGHANISTAN}]
    )
    followup = "En hoeveel militairen?"
    messages: Any = [
        {"role": "system", "content": "You are helpful."},  # ignored
        {"role": "user", "content": AFGHANISTAN},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": [{"type": "text", "text": followup}]},
    ]
    completion = client.chat.completions.create(model=MODEL, messages=messages)
    expected = http.post(
        "/api/ask",
        json={
            "question": followup,
            "history": [{"question": AFGHANISTAN, "answer": extra(first, "qa_answer")["answer"]}],
        },
    ).json()
    qa = extra(completion, "qa_answer")
    assert qa["search_query"] != followup  # searched together with the question it follows
    assert without_timings(qa) == without_timings(expected)


def test_filters_in_the_extra_body(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Welke motie ging over Moldavië?"}],
        extra_body={"filters": {"doc_type": "motie"}, "top_k": 3},
    )
    citations = extra(completion, "qa_answer")["citations"]
    assert citations and all(c["doc_id"] != "kst-28676-280" for c in citations)
    assert len(citations) <= 3


@pytest.mark.parametrize(
    ("body", "status", "param"),
    [
        ({"model": MODEL, "messages": []}, 400, "messages"),
        ({"model": MODEL, "messages": [{"role": "user", "content": "   "}]}, 400, "messages"),
        ({"model": MODEL, "messages": [{"role": "assistant", "content": "hi"}]}, 400, "messages"),
        ({"model": MODEL, "messages": [{"role": "wizard", "content": "hi"}]}, 400, None),
        ({"model": MODEL, "messages": [{"role": "user", "content": "x" * 2001}]}, 400, "messages"),
        ({"messages": [{"role": "user", "content": "hi"}]}, 400, "model"),
        ({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}, 404, "model"),
        ({"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "top_k": 0}, 400, None),
        (
            {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "filters": 5},
            400,
            None,
        ),
    ],
)
def test_bad_input_gets_an_openai_error(
    http: httpx.Client, body: dict[str, Any], status: int, param: str | None
) -> None:
    r = http.post("/v1/chat/completions", json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["message"]
    if param:
        assert error["param"] and error["param"].startswith(param)


def test_the_client_raises_the_error(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError, match="unknown model"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.BadRequestError, match="last message"):
        client.chat.completions.create(
            model=MODEL, messages=[{"role": "assistant", "content": "x"}]
        )


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object(http: httpx.Client, raw: bytes) -> None:
    r = http.post("/v1/chat/completions", content=raw)
    assert r.status_code == 400
    assert "JSON" in r.json()["error"]["message"]


def test_a_chat_key_guards_the_endpoint(small_index: Path, embedder: Embedder) -> None:
    settings = Settings(index_dir=small_index, chat_api_key="k" * 24, reload_interval=0)
    service = QAService(settings, embedder)
    service.warm_up()
    with TestClient(create_app(settings, service, load=False)) as http:
        for auth in ({}, {"Authorization": "Bearer wrong"}):
            r = http.get("/v1/models", headers=auth)
            assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        good = {"Authorization": "Bearer " + "k" * 24}
        assert http.get("/v1/models", headers=good).status_code == 200
        body = {"model": MODEL, "messages": [{"role": "user", "content": AFGHANISTAN}]}
        assert http.post("/v1/chat/completions", json=body).status_code == 401
        r = http.post("/v1/chat/completions", json=body, headers=good)
        assert r.status_code == 200 and r.json()["qa_answer"]["question"] == AFGHANISTAN
        assert http.post("/api/ask", json={"question": AFGHANISTAN}).status_code == 200


def test_conversation_pairs_turns_and_drops_the_sources_list() -> None:
    from qa_service.api.openai_compat import ChatMessage

    msgs = [
        ChatMessage(role="user", content="Eerste vraag?"),
        ChatMessage(role="assistant", content="Antwoord [1].\n\n**Bronnen:**\n[1] x <https://y>"),
        ChatMessage(role="user", content="Tweede?"),
    ]
    question, turns = conversation(msgs)
    assert question == "Tweede?"
    assert [(t.question, t.answer) for t in turns] == [("Eerste vraag?", "Antwoord [1].")]
    many = [ChatMessage(role=r, content=f"v{i}") for i in range(15) for r in ("user", "assistant")]
    _, turns = conversation([*many, ChatMessage(role="user", content="laatste")])
    assert len(turns) == 10 and turns[-1].question == "v14"


def test_pieces_join_back() -> None:
    text = "Een zin. [1] Nog een zin! [2] [3]\n\n**Bronnen:**\n[1] a (b) <https://c>\n[2] d"
    parts = pieces(text)
    assert "".join(parts) == text and len(parts) >= 4
    assert re.search(r"\[1\] $", parts[0])
