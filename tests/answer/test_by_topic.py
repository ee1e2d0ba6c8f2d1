"""Which motions are about a topic, listed from the motions' titles (unit tests, then the
bundled corpus)."""

from __future__ import annotations

import pytest

from qa_service.answer.by_topic import asked_topic
from qa_service.answer.topic_words import subject
from qa_service.filters import Filters
from qa_service.service import QAService


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Welke moties gaan over stikstof?", "stikstof"),
        ("Welke motie gaat over de wolf?", "de wolf"),
        ("Welke moties zijn er ingediend over Twente Airport?", "Twente Airport"),
        ("Which motions are about Ukraine?", "Ukraine"),
        ("What motions were filed about housing?", "housing"),
        ("Are there any motions on shrimp fishing?", "shrimp fishing"),
        ("List all motions about zzp'ers", "zzp'ers"),
        ("Moties over de energietransitie", "de energietransitie"),
        ("Which motions mention wolves?", "wolves"),
        ("Which motions are about nitrogen?", "nitrogen"),
        # whether there is one: answered by the list
        ("Is er een motie over stikstof?", "stikstof"),
        ("Is there a motion about nitrogen?", "nitrogen"),
        ("Was there any motion on Ukraine?", "Ukraine"),
        ("Bestaat er een motie over paasvuren?", "paasvuren"),
        # how many: answered by the list, which says how many
        ("Hoeveel moties over stikstof zijn er?", "stikstof"),
        ("Hoeveel moties gaan over de wolf?", "de wolf"),
        ("How many motions are about Ukraine?", "Ukraine"),
        ("How many motions were there about housing?", "housing"),
        ("Hoeveel moties over stikstof zijn er ingediend?", "stikstof"),
        # what became of them: not a list of the motions about a topic
        ("Hoeveel moties over stikstof zijn aangenomen?", None),
        ("Welke moties over de wolf werden verworpen?", None),
        # not a list of motions about a topic: an MP's motions, what a motion asks
        ("Welke moties van Kops gaan over stikstof?", None),
        ("Which motions did Kops submit?", None),
        ("Welke motie vraagt om sancties tegen kolonisten?", None),
        ("What did the minister say about the motion on Ukraine?", None),
        ("Which motions are about stikstof [7]?", None),  # no citation marker in the answer
    ],
)
def test_a_list_question_names_its_topic(question: str, topic: str | None) -> None:
    assert asked_topic(question) == topic


@pytest.fixture(scope="module")
def service(corpus_service: QAService) -> QAService:
    return corpus_service


def test_the_motions_about_a_topic_are_listed_with_their_dicta(service: QAService) -> None:
    answer = service.ask("Welke moties gaan over zzp'ers?", 5).answer
    assert answer.answerable
    assert answer.answer.startswith("1 motie gaat over zzp'ers: Motie van het lid Eppink")
    assert "(Kamerstukken II 2022/23, 36200-IX, nr. 28) [1]" in answer.answer
    assert answer.citations[0].quote.startswith("roept het kabinet op")  # its dictum
    many = service.ask("Welke moties gaan over stikstof?", 5).answer
    assert many.answer.startswith("18 moties gaan over stikstof (de eerste 10):")
    assert len(many.citations) == 10
    for c in many.citations:
        assert "stikstof" in subject(c.hit.document.title).lower()
    english = service.ask("Which motions are about Ukraine?", 5).answer
    assert english.answer.startswith("4 motions are about Ukraine:")
    topic = service.ask("Which motions are about nitrogen?", 5).answer
    assert topic.answer.startswith("18 motions are about nitrogen (the first 10):")


def test_a_filter_narrows_the_list_and_a_topic_no_motion_holds_is_declined(
    service: QAService,
) -> None:
    filtered = service.ask(
        "Welke moties gaan over stikstof?", 5, filters=Filters.create(dossier="34682")
    ).answer
    assert {c.hit.document.dossier for c in filtered.citations} == {"34682"}
    letters = service.ask(
        "Welke moties gaan over stikstof?", 5, filters=Filters.create(doc_type="kamerbrief")
    ).answer
    assert "moties gaan over" not in letters.answer
    assert not service.ask("Welke moties gaan over de planeet Mars?", 5).answer.answerable
    assert not service.ask("Which motions are about the Mars rover?", 5).answer.answerable


def test_beyond_the_titles_read_the_titles_of_what_bm25_finds_are_read(
    service: QAService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole archive has too many motions to read every title per question."""
    from qa_service.answer import by_topic

    monkeypatch.setattr(by_topic, "TITLES_READ", 0)
    answer = service.ask("Welke moties gaan over zzp'ers?", 5).answer
    assert answer.answer.startswith("1 motie gaat over zzp'ers: Motie van het lid Eppink")
    nitrogen = service.ask("Which motions are about nitrogen?", 5).answer
    assert nitrogen.answerable and "motions are about nitrogen" in nitrogen.answer


def test_what_the_one_motion_on_a_topic_asks_is_its_dictum(service: QAService) -> None:
    """ "Wat vraagt de motie over durfkapitaal?" embeds near its frame (0.19 to the motion)
    and was declined; one motion's title names the topic, so its dictum answers it, cited.
    Several motions on the topic ("stikstof"), or none, leave it to the usual answer."""
    answer = service.ask("Wat vraagt de motie over durfkapitaal?", 5).answer
    assert answer.answerable and "Romke de Jong" in answer.answer, answer.answer
    assert answer.citations[0].quote.startswith("verzoekt de regering om in de visie op durf")
    english = service.ask("What did the motion about school swimming ask for?", 5).answer
    assert english.answerable and "schoolzwemmen" in english.citations[0].quote
    many = service.ask("Wat vraagt de motie over stikstof?", 5).answer
    assert "(Kamerstukken II" not in many.answer  # not one motion's metadata answer
    assert not service.ask("What does the motion about the Mars rover ask?", 5).answer.answerable
    # a title holding the topic's words is the answer only when the search found it too
    part = service.ask("Wat vraagt de motie over de F-35-onderdelen van de regering?", 5)
    assert "F-35" in part.answer.answer, part.answer.answer


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Wat vraagt de motie over durfkapitaal?", "durfkapitaal"),
        ("Wat wordt er in de motie over schoolzwemmen gevraagd?", "schoolzwemmen"),
        ("What does the motion on the innovation box ask?", "the innovation box"),
        ("What did the motion about school swimming ask for?", "school swimming"),
        ("What did the motion about cycling races want?", "cycling races"),
        ("Wat vraagt de motie van Kops over stikstof?", None),  # an MP's: by_author
        ("What did the minister say about the motion on Ukraine?", None),
    ],
)
def test_a_question_on_what_the_motion_on_a_topic_asks_names_the_topic(
    question: str, topic: str | None
) -> None:
    from qa_service.answer.by_topic import _THE_MOTION

    m = _THE_MOTION.match(question)
    assert (m.group("topic") if m else None) == topic
