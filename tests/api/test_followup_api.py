"""Follow-up questions over HTTP: ``history`` in ``/api/ask`` and its validation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

MOLDOVA = "Welke motie vroeg om financiële steun voor Moldavië?"
MOLDOVA_MOTION = "kst-36045-139"
AFGHANISTAN = "Wat heeft de minister toegezegd voor Afghanistan?"


@pytest.fixture(scope="module")
def client(corpus_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=corpus_server, timeout=60) as c:
        yield c


def ask(client: httpx.Client, question: str, history: list[str] | None = None) -> dict:
    body: dict = {"question": question}
    if history is not None:
        body["history"] = [{"question": q, "answer": "..."} for q in history]
    r = client.post("/api/ask", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_who_submitted_it_only_makes_sense_after_the_motion(client: httpx.Client) -> None:
    first = ask(client, MOLDOVA)
    assert first["citations"][0]["doc_id"] == MOLDOVA_MOTION

    alone = ask(client, "Wie heeft hem ingediend?")
    assert MOLDOVA_MOTION not in {c["doc_id"] for c in alone["citations"]}

    followup = ask(client, "Wie heeft hem ingediend?", [MOLDOVA])
    assert followup["answerable"] is True
    assert followup["question"] == "Wie heeft hem ingediend?"
    assert followup["citations"][0]["doc_id"] == MOLDOVA_MOTION
    assert "Piri" in followup["answer"]
    assert followup["search_query"] == f"{MOLDOVA} Wie heeft hem ingediend?"


def test_how_many_soldiers_is_about_afghanistan_in_context(client: httpx.Client) -> None:
    question = "En hoeveel militairen stuurt Nederland?"
    alone = ask(client, question)
    assert "honderd militairen" not in alone["answer"]
    followup = ask(client, question, [AFGHANISTAN])
    assert "honderd militairen" in followup["answer"]
    quoted = [c for c in followup["citations"] if "honderd militairen" in c["quote"]]
    assert quoted and quoted[0]["doc_id"] == "kst-28676-280"


def test_a_new_topic_is_searched_on_its_own(client: httpx.Client) -> None:
    body = ask(client, MOLDOVA, [AFGHANISTAN, "En hoeveel militairen stuurt Nederland?"])
    assert body["search_query"] == MOLDOVA
    assert body["citations"][0]["doc_id"] == MOLDOVA_MOTION


def test_abstention_answers_in_the_language_of_the_new_question(client: httpx.Client) -> None:
    body = ask(
        client,
        "En wat is het weerbericht voor Amsterdam morgen?",
        ["What is the weather forecast for Rotterdam?"],
    )
    assert body["answerable"] is False
    assert "geen antwoord" in body["answer"]


def test_empty_history_is_allowed(client: httpx.Client) -> None:
    body = ask(client, AFGHANISTAN, [])
    assert body["answerable"] is True and body["search_query"] == AFGHANISTAN


TURN = {"question": AFGHANISTAN, "answer": "Ik heb toegezegd ... [1]"}


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ("Afghanistan", "history"),
        ({"question": AFGHANISTAN}, "history"),
        ([TURN] * 11, "history"),
        (["Afghanistan?"], "history.0"),
        ([{"answer": "x"}], "history.0.question"),
        ([{"question": "   ", "answer": "x"}], "empty"),
        ([{"question": "x" * 2001, "answer": ""}], "2000"),
        ([{"question": "Afghanistan?", "answer": "x" * 10_001}], "history.0.answer"),
        ([{"question": "Afghanistan?", "answer": 3}], "history.0.answer"),
        ([{"question": "Afghanistan?", "answer": "", "role": "user"}], "role"),
    ],
)
def test_history_is_validated(client: httpx.Client, history: object, message: str) -> None:
    r = client.post("/api/ask", json={"question": "En voor 2019?", "history": history})
    assert r.status_code == 422
    assert message in r.json()["detail"]


def test_ten_turns_are_accepted(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": "En voor 2019?", "history": [TURN] * 10})
    assert r.status_code == 200
