"""Retrieval: the dense ranking by a passage's own vector plus its context's (BM25 ranking:
test_bm25.py, fusion: test_fusion.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.documents import attributed, context_of
from qa_service.embedding import Embedder
from qa_service.filters import Filters
from qa_service.search.fusion import weighted_rrf
from qa_service.search.retriever import Retriever
from qa_service.store.loaded import LoadedIndex, load_index
from qa_service.store.vectors import center


def test_passage_vector_is_its_text_plus_weighted_context(
    small_index: Path, embedder: Embedder
) -> None:
    """A passage is searched by its own text's vector (speaker named, no title in front) plus
    context_weight times its context's (title, section) vector, not centred; the similarity
    that abstention uses is the centred cosine."""
    settings = Settings(index_dir=small_index)
    index = load_index(small_index)
    assert index.manifest.context_weight == settings.context_weight > 0
    docs = {m.doc_id: m for m, _ in index.store.list_documents(0, 100)}
    rows_passages = index.store.all_passages()[:3] + index.store.all_passages()[-3:]
    for row, passage in rows_passages:
        meta = docs[passage.doc_id]
        own = embedder.encode_passages([attributed(meta, passage.text)])[0]
        context = embedder.encode_passages([context_of(meta, passage)])[0]
        expected = own + settings.context_weight * context
        assert np.allclose(index.vectors.reconstruct(row), expected, atol=0.02)
    retriever = Retriever(index, embedder, settings)
    result = retriever.search("Hoeveel extra geld krijgt Defensie?", 5, mode="dense")
    query = embedder.encode_queries(["Hoeveel extra geld krijgt Defensie?"])[0]
    for hit in result.hits:
        stored = index.vectors.reconstruct(hit.row)
        assert hit.dense_score == pytest.approx(
            float(center(stored[None, :], index.centroid)[0] @ result.query_vector), abs=1e-5
        )
    scores = [float(index.vectors.reconstruct(h.row) @ query) for h in result.hits]
    assert scores == sorted(scores, reverse=True)  # ranked by the uncentred inner product
    index.close()


def test_the_operative_clause_of_a_motion_ranks_first(
    small_index: Path, embedder: Embedder
) -> None:
    """The passages of a motion share its title; which of them ranks first is decided by
    their own text, so a question about what the motion asks finds the "verzoekt" clause."""
    settings = Settings(index_dir=small_index)
    index = load_index(small_index)
    retriever = Retriever(index, embedder, settings)
    for doc_id in ("kst-29754-673", "kst-36284-6", "kst-34682-141"):
        passages = index.store.document_passages(doc_id)
        operative = [p for p in passages if p.text.lower().startswith("verzoekt")]
        assert operative, doc_id
        # the clause's own words, as a question would put them
        query = "Welke motie " + operative[0].text.split(",")[0]
        hits = [h for h in retriever.search(query, 20, mode="dense").hits]
        first = next(h for h in hits if h.passage.doc_id == doc_id)
        assert first.passage.passage_id == operative[0].passage_id, (doc_id, query)
    index.close()


class _RecordingIndex:
    """The real index, recording the queries its keyword search is asked."""

    def __init__(self, index: LoadedIndex) -> None:
        self._index = index
        self.asked: list[list[str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)

    def keyword_search(
        self, queries: Sequence[str], k: int, filters: Filters | None
    ) -> tuple[list[list[int]], list[list[float]]]:
        self.asked.append(list(queries))
        return self._index.keyword_search(queries, k, filters)


def test_keyword_search_runs_only_where_its_ranking_counts(
    small_index: Path, embedder: Embedder
) -> None:
    """English questions have BM25 weight 0 by default: fusion leaves their BM25 ranking
    out, so it is not computed; their results are the dense ranking's, as before."""
    dutch, english = "Hoeveel extra geld krijgt Defensie?", "How much extra money does Defence get?"
    settings = Settings(index_dir=small_index)
    assert settings.bm25_weight_en == 0 < settings.bm25_weight_nl
    index = load_index(small_index)
    recording = _RecordingIndex(index)
    retriever = Retriever(recording, embedder, settings)  # type: ignore[arg-type]
    results = retriever.search_batch([dutch, english], 5)
    assert [r.language for r in results] == ["nl", "en"]
    assert recording.asked == [[dutch]]
    assert any(h.bm25_score > 0 for h in results[0].hits)
    assert all(h.bm25_score == 0 for h in results[1].hits)
    dense = retriever.search(english, 5, mode="dense").hits
    expected = weighted_rrf(
        [(settings.dense_weight, [(h.row, h.score) for h in dense])], settings.rrf_k
    )
    assert [(h.row, h.score) for h in results[1].hits] == expected[:5]
    assert results[0].hits == retriever.search(dutch, 5).hits  # the same alone as in a batch

    recording.asked.clear()
    retriever.search_batch([dutch, english], 5, mode="bm25")
    retriever.search_batch([dutch, english], 5, mode="dense")
    assert recording.asked == [[dutch, english]]
    weighted = Retriever(recording, embedder, Settings(index_dir=small_index, bm25_weight_en=0.5))  # type: ignore[arg-type]
    recording.asked.clear()
    english_hits = weighted.search(english, 5).hits
    assert recording.asked == [[english]] and any(h.bm25_score > 0 for h in english_hits)
    index.close()
