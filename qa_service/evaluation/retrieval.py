"""Retrieval quality: each retriever's ranking of the labelled questions, scored per set and
language, the plain dense baseline, and what limits the questions the hybrid ranking misses.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from qa_service.documents import DocumentMeta
from qa_service.embedding import Embedder
from qa_service.evaluation.data import MOTIONS_SET, LabelledQuestion, all_documents
from qa_service.evaluation.metrics import (
    count_relevant,
    first_rank,
    hit_at_k,
    ndcg_at_k,
    ranked_relevance,
    reciprocal_rank,
)
from qa_service.search.retriever import Hit, Mode, RetrievalResult, Retriever
from qa_service.store.protocol import DocumentStore
from qa_service.text.language import Language, detect_language

#: Retrievers compared. Hybrid + reranking joins this list once the pipeline has a reranker.
RETRIEVERS: tuple[Mode, ...] = ("bm25", "dense", "hybrid")

#: The baseline the service's ranking is measured against (:class:`PlainDenseRetriever`).
PLAIN_DENSE = "plain dense"

#: Deepest k of the hit@k curves; passages retrieved per question (documents for motions).
CURVE_DEPTH = 20

#: Passages retrieved for a document-level query, before merging passages of one document.
DOC_LEVEL_PASSAGES = 60


@dataclass
class Ranking:
    """Where one question's relevant items landed for one retriever."""

    id: str
    set: str
    lang: Language
    relevance: list[bool]
    n_relevant: int

    @property
    def rank(self) -> int | None:
        return first_rank(self.relevance)


@dataclass
class RetrievalScores:
    n: int
    hit1: float
    hit5: float
    hit10: float
    mrr10: float
    ndcg10: float
    curve: list[float] = field(default_factory=list)  # hit@1 .. hit@CURVE_DEPTH
    mrr5: float = math.nan


class Searcher(Protocol):
    """What :func:`rank_questions` searches: the service's :class:`Retriever`, or the
    :class:`PlainDenseRetriever` baseline."""

    @property
    def store(self) -> DocumentStore: ...

    def search_batch(
        self, queries: Sequence[str], top_k: int, mode: Mode = "hybrid"
    ) -> list[RetrievalResult]: ...


class PlainDenseRetriever:
    """The simplest dense baseline, as txtai or Haystack index by default: each passage's
    plain text (no title, section or speaker in front, no centring) embedded with the same
    model through the Embedder's passage encoding, searched in a flat inner-product FAISS
    index by the question's vector (embedded as the service embeds it).

    Built from the passages of an index's store, so it needs no second pass over the corpus;
    embedding them takes as long as indexing's embedding step.
    """

    def __init__(self, store: DocumentStore, embedder: Embedder) -> None:
        import faiss

        self.store = store
        self.embedder = embedder
        rows_passages = store.all_passages()
        self.passages = dict(rows_passages)
        self.documents = {meta.doc_id: meta for meta in all_documents(store)}
        vectors = embedder.encode_passages([p.text for _, p in rows_passages])
        self.vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(embedder.dimension))
        if len(rows_passages):
            rows = np.array([r for r, _ in rows_passages], dtype=np.int64)
            self.vectors.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), rows)

    def search_batch(
        self, queries: Sequence[str], top_k: int, mode: Mode = "dense"
    ) -> list[RetrievalResult]:
        """The ``top_k`` passages of each query by inner product (``mode`` is ignored)."""
        if not queries:
            return []
        vectors = self.embedder.encode_queries(list(queries))
        k = min(top_k, int(self.vectors.ntotal))
        scores: Any = np.zeros((len(queries), 0), dtype=np.float32)
        rows: Any = np.zeros((len(queries), 0), dtype=np.int64)
        if k > 0:
            scores, rows = self.vectors.search(np.ascontiguousarray(vectors), k)
        results = []
        for query, vector, row_list, score_list in zip(queries, vectors, rows, scores, strict=True):
            hits = []
            for row, score in zip(row_list, score_list, strict=True):
                passage = self.passages.get(int(row))
                if passage is None:
                    continue
                meta = self.documents.get(passage.doc_id) or DocumentMeta(doc_id=passage.doc_id)
                hits.append(Hit(int(row), passage, meta, float(score), float(score), 0.0))
            results.append(RetrievalResult(query, detect_language(query), hits, vector))
        return results


def rank_questions(
    retriever: Searcher,
    questions: Sequence[LabelledQuestion],
    mode: Mode,
    depth: int = CURVE_DEPTH,
    batch_size: int = 64,
) -> list[Ranking]:
    """Search every answerable question with one retriever and judge the results."""
    store = retriever.store
    todo = [q for q in questions if q.answerable]
    out: list[Ranking | None] = [None] * len(todo)
    for doc_level in (False, True):
        group = [i for i, q in enumerate(todo) if q.doc_level == doc_level]
        k = DOC_LEVEL_PASSAGES if doc_level else depth
        for start in range(0, len(group), batch_size):
            chunk = group[start : start + batch_size]
            results = retriever.search_batch([todo[i].question for i in chunk], k, mode)
            for i, result in zip(chunk, results, strict=True):
                q = todo[i]
                relevance = ranked_relevance(q, result)[:depth]
                out[i] = Ranking(q.id, q.set, q.lang, relevance, count_relevant(q, store))
    return [r for r in out if r is not None]


def score_rankings(rankings: Sequence[Ranking], depth: int = CURVE_DEPTH) -> RetrievalScores:
    n = len(rankings)
    if n == 0:
        return RetrievalScores(0, math.nan, math.nan, math.nan, math.nan, math.nan, [], math.nan)

    def mean(values: Iterable[float]) -> float:
        return float(sum(values) / n)

    return RetrievalScores(
        n=n,
        hit1=mean(hit_at_k(r.relevance, 1) for r in rankings),
        hit5=mean(hit_at_k(r.relevance, 5) for r in rankings),
        hit10=mean(hit_at_k(r.relevance, 10) for r in rankings),
        mrr10=mean(reciprocal_rank(r.relevance, 10) for r in rankings),
        ndcg10=mean(ndcg_at_k(r.relevance, 10, r.n_relevant) for r in rankings),
        curve=[mean(hit_at_k(r.relevance, k) for r in rankings) for k in range(1, depth + 1)],
        mrr5=mean(reciprocal_rank(r.relevance, 5) for r in rankings),
    )


def group_key(set_name: str, lang: str) -> str:
    return set_name if set_name == MOTIONS_SET else f"{set_name}/{lang}"


#: The three pools whose mean is the aggregate that calibration optimises.
AGGREGATE_POOLS = ("questions/nl", "questions/en", MOTIONS_SET)


def groups_of(items: Sequence[Any]) -> dict[str, list[Any]]:
    """Items (anything with ``set`` and ``lang``) per set/language, plus the pools.

    ``questions/nl`` and ``questions/en`` pool every labelled set (all but the motions) by
    language; ``all`` pools everything.
    """
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(group_key(item.set, item.lang), []).append(item)
    for item in items:
        if item.set != MOTIONS_SET:
            groups.setdefault(f"questions/{item.lang}", []).append(item)
    groups["all"] = list(items)
    return groups


def aggregate(scores: dict[str, RetrievalScores], metric: str) -> float:
    """Mean of ``metric`` over the pools present (Dutch questions, English questions, motions).

    Each pool weighs the same, so the 484 motion subjects do not drown the labelled questions.
    """
    values = [getattr(scores[p], metric) for p in AGGREGATE_POOLS if p in scores]
    return float(np.mean(values)) if values else math.nan


def evaluate_retrieval(
    retriever: Retriever,
    questions: Sequence[LabelledQuestion],
    modes: Sequence[Mode] = RETRIEVERS,
    baseline: Searcher | None = None,
) -> tuple[dict[str, dict[str, RetrievalScores]], dict[str, list[Ranking]]]:
    """Scores per retriever and group, and the per-question rankings behind them; with a
    ``baseline`` (:class:`PlainDenseRetriever`), its scores too, as :data:`PLAIN_DENSE`."""
    scores: dict[str, dict[str, RetrievalScores]] = {}
    rankings: dict[str, list[Ranking]] = {}
    searches: list[tuple[str, Searcher, Mode]] = [(m, retriever, m) for m in modes]
    if baseline is not None:
        searches.append((PLAIN_DENSE, baseline, "dense"))
    for name, searcher, mode in searches:
        ranked = rank_questions(searcher, questions, mode)
        rankings[name] = ranked
        scores[name] = {group: score_rankings(rs) for group, rs in groups_of(ranked).items()}
    return scores, rankings


@dataclass
class Miss:
    """An answerable question whose relevant passage the hybrid retriever left out of the top 5."""

    id: str
    set: str
    lang: str
    question: str
    ranks: dict[str, int | None]  # first relevant rank per retriever (None: below the depth)
    cause: str


def diagnose_misses(
    questions: Sequence[LabelledQuestion], rankings: dict[str, list[Ranking]], k: int = 5
) -> list[Miss]:
    """Say which part limits each hybrid miss.

    ``chunking``: no indexed passage holds the answer; ``fusion``: BM25 or dense search alone
    has it in the top ``k`` but the fused ranking does not; ``retrievers``: neither has it.
    The baseline's rank (when measured) is reported beside them.
    """
    if "hybrid" not in rankings:
        return []
    by_id = {q.id: q for q in questions}
    per_mode = {m: {r.id: r for r in rs} for m, rs in rankings.items()}
    misses = []
    for r in rankings["hybrid"]:
        if hit_at_k(r.relevance, k):
            continue
        ranks = {m: per_mode[m][r.id].rank for m in per_mode}
        parts = [rank for m, rank in ranks.items() if m in ("bm25", "dense")]
        if r.n_relevant == 0:
            cause = "chunking"
        elif any(rank is not None and rank <= k for rank in parts):
            cause = "fusion"
        else:
            cause = "retrievers"
        q = by_id[r.id]
        misses.append(Miss(q.id, q.set, q.lang, q.question, ranks, cause))
    return misses
