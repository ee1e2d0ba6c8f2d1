"""Questions about a document answered from its text where its metadata lacks the fact:
three OCR'd historical documents (written questions and their answers, a signed letter)
whose records carry no authors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.embedding import Embedder
from qa_service.ingest.build import build_index
from qa_service.search.retriever import Hit
from qa_service.service import QAService

SAMPLE = Path(__file__).parents[1] / "fixtures" / "historical-sample.jsonl"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[QAService]:
    # three documents centre the similarities poorly: abstention is tested elsewhere
    settings = Settings(
        index_dir=tmp_path_factory.mktemp("historical") / "index",
        abstain_threshold_nl=-1.0,
        abstain_threshold_en=-1.0,
    )
    build_index([SAMPLE], settings, embedder)
    s = QAService(settings, embedder)
    s.warm_up()
    yield s
    s.close()


@pytest.mark.parametrize(
    ("question", "who", "doc_id"),
    [
        # who answered: the document that names the asker and the topic, not the first hit
        (
            "Which minister answered Van der Hek's 1977 questions about Badger Belgium?",
            "Minister Lubbers (Economische Zaken)",
            "0000186467",
        ),
        (
            "Welke minister beantwoordde de vragen van Waltmans over de Koninkrijkswerkgroep?",
            "Minister Van der Stee (Nederlands-Antilliaanse Zaken)",
            "0000175769",
        ),
        # who asked
        (
            "Welk Kamerlid stelde in 1977 vragen over het ontslag bij Badger Belgium?",
            "het lid Van der Hek (P.v.d.A.)",
            "0000186467",
        ),
        # who signed a letter whose record names no author: its signature
        (
            "Who signed the letter about the lock in the Oesterdam?",
            "De Minister van Verkeer en Waterstaat, N. Smit-Kroes",
            "0000142774",
        ),
    ],
)
def test_who_answered_asked_or_signed_from_the_text(
    service: QAService, question: str, who: str, doc_id: str
) -> None:
    assert service.retriever.store.document(doc_id).authors == []  # not in the metadata
    answer = service.ask(question, 5).answer
    assert answer.answerable
    assert who in answer.answer.split("[1]")[0]  # the lead states it ...
    first = answer.citations[0]
    assert first.hit.document.doc_id == doc_id  # ... citing the passage that says so
    assert " ".join(who.split()) in " ".join(first.quote.split())
    assert first.quote in first.hit.passage.text


def test_a_document_that_does_not_state_it_is_not_cited_for_it(service: QAService) -> None:
    """No written questions in the letter: who asked them is not made up from it."""
    answer = service.ask("Welk Kamerlid stelde vragen over de sluis in de Oesterdam?", 5).answer
    assert "De vragen zijn gesteld door" not in answer.answer


def test_printed_furniture_is_not_quoted(service: QAService) -> None:
    """The head of an answer to written questions and its "(Ingezonden ...)" line are not
    answer sentences; a sentence OCR glued to that line is quoted without it."""
    text = (
        "ANTWOORD van de heer Schmelzer, Minister van Buitenlandse Zaken. "
        "(Ingezonden 10 april 1972.) Het is juist dat de ambassade in Colombo sluit."
    )
    passage = Passage("x#p0", "x", text, position=0)
    hit = Hit(0, passage, DocumentMeta(doc_id="x"), 1.0, 1.0, 0.0)
    quoted = [c.text for c in service.answerer._candidates([hit])]
    assert quoted == ["Het is juist dat de ambassade in Colombo sluit."]
    assert all(q in text for q in quoted)
