"""Follow-up questions: which questions lean on the conversation, and what gets searched."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from qa_service.answer.followup import MAX_CONTEXT_CHARS, is_followup, resolve


@dataclass
class T:
    question: str
    answer: str = ""


@pytest.mark.parametrize(
    "question",
    [
        "En wat zei hij over Irak?",
        "and for 2019?",
        "En hoeveel militairen stuurt Nederland?",
        "Wie heeft hem ingediend?",
        "Wat werd daarover besloten?",
        "What about North Korea?",
        "What did they decide?",
        "Moldavië?",
        "Ook voor 2024?",
    ],
)
def test_followups(question: str) -> None:
    assert is_followup(question)


@pytest.mark.parametrize(
    "question",
    [
        "Wat heeft de minister toegezegd voor Afghanistan?",
        "Welke motie vroeg om financiële steun voor Moldavië?",
        "What did the minister pledge for Afghanistan?",
        "Wat zijn de afspraken over de Navo-commandostructuur?",
        "Is there a motion about the embassy in Israel?",
        "Welke moties gaan over de energietransitie die de regering moet uitvoeren?",
        "",
    ],
)
def test_questions_that_stand_alone(question: str) -> None:
    assert not is_followup(question)


def test_without_history_the_question_is_searched_as_is() -> None:
    r = resolve("En wat zei hij over Irak?")
    assert r.query == "En wat zei hij over Irak?" and not r.followup and r.language == "nl"


def test_a_followup_is_searched_with_the_question_it_follows() -> None:
    history = [T("Wat heeft de minister toegezegd voor Afghanistan?", "Ik heb ... [1]")]
    r = resolve("En hoeveel militairen?", history)
    assert r.followup
    assert r.query == "Wat heeft de minister toegezegd voor Afghanistan? En hoeveel militairen?"


def test_a_question_that_stands_alone_ignores_the_history() -> None:
    history = [T("Wat heeft de minister toegezegd voor Afghanistan?")]
    question = "Welke motie vroeg om financiële steun voor Moldavië?"
    r = resolve(question, history)
    assert r.query == question and not r.followup


def test_a_chain_of_followups_keeps_its_topic() -> None:
    history = [
        T("Welke motie vroeg om steun voor Moldavië?"),
        T("Wie heeft hem ingediend?"),
    ]
    r = resolve("En wanneer?", history)
    assert (
        r.query == "Welke motie vroeg om steun voor Moldavië? Wie heeft hem ingediend? En wanneer?"
    )
    # a new topic resets the chain
    history.append(T("Wat heeft de minister toegezegd voor Afghanistan?"))
    r = resolve("En wanneer?", history)
    assert r.query == "Wat heeft de minister toegezegd voor Afghanistan? En wanneer?"


def test_language_is_the_new_questions_or_else_the_conversations() -> None:
    english = [T("What did the minister pledge for Afghanistan?")]
    assert resolve("and for 2019?", english).language == "en"
    assert resolve("En wat zei hij over Irak?", english).language == "nl"
    assert resolve("Moldova?", english).language == "en"  # no signal of its own
    assert resolve("Moldavië?", [T("Welke motie ging over Oekraïne?")]).language == "nl"


def test_long_context_is_cut() -> None:
    long_question = "Wat heeft de minister toegezegd " + "over Afghanistan " * 100
    r = resolve("En hij?", [T(long_question)])
    assert r.followup
    assert len(r.query) <= MAX_CONTEXT_CHARS + len(" En hij?")
    assert r.query.endswith(" En hij?")
