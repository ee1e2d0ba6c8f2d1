"""Which motions an MP submitted, and who holds the office a letter is from, from the
documents' metadata (bundled corpus)."""

from __future__ import annotations

import pytest

from qa_service.filters import Filters
from qa_service.service import QAService


@pytest.fixture(scope="module")
def service(corpus_service: QAService) -> QAService:
    return corpus_service


def test_the_motions_an_mp_submitted_are_listed_with_their_citations(service: QAService) -> None:
    answer = service.ask("Welke moties heeft Kops ingediend?", 5).answer
    assert answer.answerable and answer.answer.startswith(
        "Kops diende 11 moties in (de eerste 10):"
    )
    assert len(answer.citations) == 10
    for c in answer.citations:  # each cited by its own dictum, and each is Kops's
        assert any("kops" in a.lower() for a in c.hit.document.authors)
        assert c.quote.lower().startswith(("verzoekt", "roept", "spreekt", "zegt"))
        assert f"[{c.n}]" in answer.answer
    english = service.ask("Which motions did Kops submit?", 5).answer
    assert english.answer.startswith("Kops submitted 11 motions (the first 10):")
    # how many: the same list, which says how many
    count = service.ask("Hoeveel moties diende Kops in?", 5).answer
    assert count.answer.startswith("Kops diende 11 moties in (de eerste 10):")
    many = service.ask("How many motions did Kops submit?", 5).answer
    assert many.answer.startswith("Kops submitted 11 motions (the first 10):")


def test_the_mp_is_named_as_the_motions_write_them(service: QAService) -> None:
    """ "Jasper van Dijk" is one MP (the question's names are "Jasper" and "Dijk"); two MPs
    asked together get the motions they submitted together."""
    one = service.ask("Welke moties heeft Jasper van Dijk ingediend?", 5).answer
    assert one.answer.startswith("Jasper van Dijk diende ")
    both = service.ask("Which motions did Kops and Wilders submit?", 5).answer
    assert both.answer.startswith("Kops and Wilders submitted 2 motions:")
    for c in both.citations:
        assert {"Kops", "Wilders"} <= set(c.hit.document.authors)
    # a name that opens with a capitalised particle ("Van Baarle", "Van der Plas")
    van = service.ask("Welke moties heeft Van Baarle ingediend?", 5).answer
    assert van.answer.startswith("Van Baarle diende ")
    for c in van.citations:
        assert "Van Baarle" in c.hit.document.authors
    assert service.ask("Which motions did Van der Plas submit?", 5).answer.answerable


def test_a_topic_or_a_filter_narrows_the_list(service: QAService) -> None:
    # a topic: the MP's motions whose title holds it, not the whole list
    topical = service.ask("Welke moties van Kops gaan over stikstof?", 5).answer
    assert topical.answer.startswith("Kops diende 3 moties in over stikstof:")
    for c in topical.citations:
        assert "stikstof" in c.hit.document.title and "Kops" in c.hit.document.authors
    english = service.ask("Which motions did Kops submit about nitrogen?", 5).answer
    assert english.answer.startswith("Kops submitted 3 motions about nitrogen:")
    # a topic that is itself a name is no MP ("de Waddeneilanden")
    named = service.ask("Welke moties van Van der Plas gaan over de Waddeneilanden?", 5).answer
    assert named.answer.startswith("Van der Plas diende 1 motie in")
    assert all("Van der Plas" in c.hit.document.authors for c in named.citations)
    # a topic none of his motions holds: not a list (answered by content or declined)
    wolves = service.ask("Which motions did Kops submit about wolves?", 5).answer
    assert "submitted" not in wolves.answer
    # what the motions do, said otherwise: answered by content
    asking = service.ask("Welke moties van Kops die vragen om een huurverlaging?", 5).answer
    assert "diende" not in asking.answer
    # a filter: only the motions it lets through
    filtered = service.ask(
        "Welke moties heeft Kops ingediend?", 5, filters=Filters.create(dossier="36281")
    ).answer
    assert filtered.answer.startswith("Kops diende 3 moties in:")
    assert {c.hit.document.dossier for c in filtered.citations} == {"36281"}
    # a filter that lets none of his motions through: no list (not every motion)
    none = service.ask(
        "Welke moties heeft Kops ingediend?", 5, filters=Filters.create(doc_ids=["kst-28676-280"])
    ).answer
    assert "moties in" not in none.answer


def test_no_mp_no_list(service: QAService) -> None:
    assert not service.ask("Which motions did Nobody submit?", 5).answer.answerable
    letters = service.ask(
        "Welke moties heeft Kops ingediend?", 5, filters=Filters.create(doc_type="brief")
    )
    assert "moties in" not in letters.answer.answer


def test_the_service_shares_one_author_index(service: QAService) -> None:
    assert service.answerer.authors is service.live.retriever.authors


def test_who_holds_the_office_a_letter_is_from(service: QAService) -> None:
    """ "Who is the Minister of Defence?" is the letter's signer; another country's minister
    of Defence is not the letter's writer and gets no such answer."""
    for question in ("Who is the Minister of Defence?", "Wie is de minister van Defensie?"):
        answer = service.ask(question, 5).answer
        assert answer.answerable and "Bijleveld-Schouten" in answer.answer, question
        assert answer.citations[0].hit.document.doc_id == "kst-28676-280"
    other = service.ask("Wie is de Amerikaanse minister van Defensie?", 5).answer
    assert "Bijleveld-Schouten" not in other.answer
