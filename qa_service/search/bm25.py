"""Keyword search: BM25 over the analysed passages (Dutch stems), restricted by filters.

A filter restricts the search inside BM25 itself (a weight mask over the index's passages,
:meth:`~qa_service.store.loaded.LoadedIndex.bm25_mask`), so a filtered search returns a full
top-k whenever enough passages match.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa_service.store.loaded import LoadedIndex
from qa_service.text.lexical import analyze


def top_positive(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and values of the ``k`` highest positive ``scores``, best first (ties by
    position).

    Only the positive scores are ranked: a query's BM25 terms occur in a small part of a large
    index, and ``np.argpartition`` over an array of mostly equal zeros (bm25s's top-k) took
    45 ms at 300k passages where this takes 1 ms.
    """
    positions = np.flatnonzero(scores > 0)
    values = scores[positions]
    if len(positions) > k:  # the k-th best score, and every score tied with it
        keep = values >= np.partition(values, -k)[-k]
        positions, values = positions[keep], values[keep]
    order = np.lexsort((positions, -values))[:k]
    return positions[order], values[order]


def bm25_search(
    index: LoadedIndex, queries: Sequence[str], k: int, allowed: np.ndarray | None = None
) -> tuple[list[list[int]], list[list[float]]]:
    """The top ``k`` passage rows and their BM25 scores for each query (queries without a
    known term get nothing), restricted to the ``allowed`` rows when given."""
    vocab = index.bm25.vocab_dict
    known = [[t for t in analyze(q) if t in vocab] for q in queries]
    rows: list[list[int]] = [[] for _ in queries]
    scores: list[list[float]] = [[] for _ in queries]
    asked = [i for i, terms in enumerate(known) if terms]
    if not asked:
        return rows, scores
    mask = index.bm25_mask(allowed) if allowed is not None else None
    to_row = index.bm25_rows
    bm25 = index.bm25
    for i in asked:
        positions, values = top_positive(
            bm25.get_scores_from_ids(bm25.get_tokens_ids(known[i]), weight_mask=mask), k
        )
        rows[i] = [int(r) for r in to_row[positions]]
        scores[i] = [float(v) for v in values]
    return rows, scores
