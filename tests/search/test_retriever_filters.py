"""Filters inside retrieval: each filter, in dense, keyword (BM25) and hybrid search, returns a
full top-k of matching passages, also when the unfiltered top-k holds other documents (so
dropping results after the search would have returned too few)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from qa_service.config import Settings
from qa_service.documents import DocumentMeta
from qa_service.embedding import Embedder
from qa_service.filters import Filters
from qa_service.service import QAService

K = 10
# The Kamerbrief about NATO and Afghanistan tops the unfiltered results; "regering" occurs in
# nearly every motion ("verzoekt de regering"), so BM25 has matches in every filtered set.
QUERY = "Afghanistan Navo verkiezingen regering"

Check = Callable[[DocumentMeta], bool]


@pytest.fixture(scope="module")
def service(corpus_index: Settings, embedder: Embedder) -> QAService:
    service = QAService(corpus_index, embedder)
    service.warm_up()
    return service


def _cases(service: QAService) -> dict[str, tuple[Filters, Check]]:
    listed = service.list_documents(0, 12, Filters.create(dossier="36410-V"))[1]
    some = [meta.doc_id for meta, _ in listed]
    return {
        "doc_ids": (Filters.create(doc_ids=some), lambda m: m.doc_id in some),
        "dossier": (Filters.create(dossier="36410-VI"), lambda m: m.dossier == "36410-VI"),
        "dossier and sub-dossiers": (
            Filters.create(dossier="36410"),
            lambda m: m.dossier.startswith("36410-"),
        ),
        "doc_type": (Filters.create(doc_type="motie"), lambda m: m.doc_type == "motie"),
        "date range": (
            Filters.create(date_from="2023-02-01", date_to="2023-02-28"),
            lambda m: "2023-02-01" <= m.date <= "2023-02-28",
        ),
        "vergaderjaar": (
            Filters.create(vergaderjaar="2022/23"),
            lambda m: m.vergaderjaar == "2022-2023",
        ),
    }


CASES = ["doc_ids", "dossier", "dossier and sub-dossiers", "doc_type", "date range", "vergaderjaar"]


@pytest.mark.parametrize("mode", ["dense", "bm25", "hybrid"])
@pytest.mark.parametrize("case", CASES)
def test_filter_returns_a_full_top_k(service: QAService, case: str, mode: str) -> None:
    filters, matches = _cases(service)[case]
    unfiltered = service.search(QUERY, K, mode=mode).hits  # type: ignore[arg-type]
    assert not all(matches(h.document) for h in unfiltered)  # post-filtering would lose hits
    hits = service.search(QUERY, K, mode=mode, filters=filters).hits  # type: ignore[arg-type]
    assert len(hits) == K
    assert all(matches(h.document) for h in hits), [h.document.doc_id for h in hits]
    assert len({h.passage.passage_id for h in hits}) == K
    if mode == "bm25":
        assert all(h.bm25_score > 0 for h in hits)


def test_filters_combine(service: QAService) -> None:
    filters = Filters.create(dossier="36410", date_from="2024-02-01")
    hits = service.search(QUERY, K, filters=filters).hits
    assert hits and all(
        h.document.dossier.startswith("36410-") and h.document.date >= "2024-02-01" for h in hits
    )


def test_fewer_matching_passages_than_k(service: QAService) -> None:
    passages = len(service.get_document("kst-29754-673")[1])  # type: ignore[index]
    hits = service.search(QUERY, K, mode="dense", filters=Filters.create(doc_ids="kst-29754-673"))
    assert len(hits.hits) == passages < K
    assert {h.passage.doc_id for h in hits.hits} == {"kst-29754-673"}


def test_nothing_matches(service: QAService) -> None:
    nothing = Filters.create(dossier="99999")
    assert service.search(QUERY, K, filters=nothing).hits == []
    answer = service.ask("Wat zegt de minister over Afghanistan?", 5, filters=nothing)
    assert answer.answer.answerable is False and answer.answer.citations == []


def test_ask_with_a_filter_cites_only_matching_documents(service: QAService) -> None:
    result = service.ask("What did the minister pledge for Afghanistan?", 5)
    assert any(c.hit.document.doc_id == "kst-28676-280" for c in result.answer.citations)
    filtered = service.ask(
        "What did the minister pledge for Afghanistan?", 5, filters=Filters.create(doc_type="motie")
    )
    assert filtered.answer.citations
    assert all(c.hit.document.doc_type == "motie" for c in filtered.answer.citations)
