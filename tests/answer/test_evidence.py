"""A cited document's texts, terms and word rarity, read once from the loaded index."""

from __future__ import annotations

import pytest

from qa_service.answer.evidence import DocumentEvidence
from qa_service.service import QAService

LETTER = "kst-28676-280"


@pytest.fixture(scope="module")
def evidence(corpus_service: QAService) -> DocumentEvidence:
    return corpus_service.answerer.evidence


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


def test_the_dictum_of_a_motion_quoted_by_its_considerations_only(
    evidence: DocumentEvidence,
) -> None:
    from qa_service.search.retriever import Hit

    store = evidence.index.store
    motion = "kst-36410-VI-81"
    meta = store.document(motion)
    assert meta is not None
    passages = store.document_passages(motion)
    considerations = [p for p in passages if p.text.lower().startswith("constaterende")]
    hits = [Hit(-1, p, meta, 0.0, 0.0, 0.0) for p in considerations]
    vector = evidence.index.passage_vectors([0])[0]
    found = evidence.missing_dictums(hits, vector)
    assert [h.passage.text[:20] for h in found] == ["verzoekt de regering"]
    assert found[0].document.doc_id == motion and found[0].row >= 0
    assert evidence.missing_dictums(found, vector) == []  # its dictum is there already
