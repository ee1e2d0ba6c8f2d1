"""Ranking metrics (hit@k, reciprocal rank, nDCG) and which passages answer a question."""

from __future__ import annotations

import math
from collections.abc import Sequence

from qa_service.documents import Passage
from qa_service.evaluation.data import LabelledQuestion, normalize
from qa_service.search.retriever import RetrievalResult
from qa_service.store.protocol import DocumentStore


def hit_at_k(relevance: Sequence[bool], k: int) -> float:
    """1.0 when a relevant item is among the first ``k``, else 0.0."""
    return 1.0 if any(relevance[:k]) else 0.0


def reciprocal_rank(relevance: Sequence[bool], k: int = 10) -> float:
    """1 / rank of the first relevant item within the first ``k`` (0.0 when none)."""
    for rank, relevant in enumerate(relevance[:k], 1):
        if relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(relevance: Sequence[bool], k: int, n_relevant: int) -> float:
    """Binary-relevance nDCG@k; the ideal ranking puts ``n_relevant`` items first."""
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, n_relevant) + 1))
    if ideal == 0.0:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, rel in enumerate(relevance[:k], 1) if rel)
    return dcg / ideal


def first_rank(relevance: Sequence[bool]) -> int | None:
    return next((rank for rank, rel in enumerate(relevance, 1) if rel), None)


def absent_gold(questions: Sequence[LabelledQuestion], store: DocumentStore) -> list[str]:
    """The questions naming a gold document the index lacks, as ``"id (doc)"``: a label by
    a file name the parser does not keep as the id (an OCR'd motion's ``tk-...`` file is
    ``kst-36197-14``) can never count as found or cited."""
    return [f"{q.id} ({d})" for q in questions for d in q.gold_docs if store.document(d) is None]


def passage_is_relevant(question: LabelledQuestion, passage: Passage) -> bool:
    if question.gold_docs and passage.doc_id not in question.gold_docs:
        return False
    if question.doc_level:
        return bool(question.gold_docs)
    text = normalize(passage.text)
    return any(normalize(gold) in text for gold in question.gold_passage)


def count_relevant(question: LabelledQuestion, store: DocumentStore) -> int:
    """Relevant items in the index: passages, or documents for a document-level question."""
    if question.doc_level:
        return sum(store.document(d) is not None for d in question.gold_docs)
    return sum(
        passage_is_relevant(question, p)
        for d in question.gold_docs
        for p in store.document_passages(d)
    )


def ranked_relevance(question: LabelledQuestion, result: RetrievalResult) -> list[bool]:
    """Relevance down the ranking; for a document-level question, one entry per document."""
    if not question.doc_level:
        return [passage_is_relevant(question, h.passage) for h in result.hits]
    seen: set[str] = set()
    out: list[bool] = []
    for hit in result.hits:
        if hit.passage.doc_id not in seen:
            seen.add(hit.passage.doc_id)
            out.append(hit.passage.doc_id in question.gold_docs)
    return out
