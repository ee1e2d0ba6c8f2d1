"""A cited document's texts, terms and word rarity, read once from the loaded index."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qa_service.answer.evidence import DocumentEvidence
from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.service import QAService

LETTER = "kst-28676-280"


@pytest.fixture(scope="module")
def evidence(corpus_index: Settings, embedder: Embedder) -> Iterator[DocumentEvidence]:
    service = QAService(corpus_index, embedder)
    service.warm_up()
    yield service.answerer.evidence
    service.close()


def test_a_documents_texts_and_terms_are_read_once(evidence: DocumentEvidence) -> None:
    texts = evidence.texts(LETTER)
    assert len(texts) > 10 and any("honderd militairen" in t for t in texts)
    assert evidence.texts(LETTER) is texts  # cached, not read again
    terms = evidence.terms(LETTER, "Verslag van de Navo-ministersbijeenkomst")
    assert {"afghanistan", "toezeg", "ministersbijeenkomst"} <= terms.terms
    assert evidence.terms.cache_info().misses == 1


def test_rarity_is_none_for_a_word_the_corpus_lacks(evidence: DocumentEvidence) -> None:
    common, rare = evidence.rarity("Afghanistan"), evidence.rarity("TAAC-North")
    assert common is not None and rare is not None and rare > common
    assert evidence.rarity("Marsrover") is None
    assert evidence.rarity("de") == 0.0  # a stop word has no terms
