"""Fusing rankings: weighted reciprocal-rank fusion (RRF), the BM25 weight set by language.

Each ranking is a list of ``(row, score)``, best first. A row's fused score is the sum over
the rankings that hold it of ``weight / (k + rank)`` (rank 1 for the best); only the ranks
count, not the scores, so dense similarities and BM25 scores need no common scale.

BM25 with a Dutch stemmer is as good as dense search on Dutch questions but poor on English
ones (the documents are Dutch), so its weight depends on the question's detected language
(``bm25_weight_nl/en``; ``qa-service eval`` compares them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from qa_service.config import Settings
from qa_service.text.language import Language

Mode = Literal["hybrid", "dense", "bm25"]
#: ``(row, score)`` best first
Ranking = list[tuple[int, float]]


def weighted_rrf(rankings: Sequence[tuple[float, Ranking]], k: int) -> Ranking:
    """The ``(weight, ranking)`` pairs fused: ``(row, fused score)`` best first. A ranking
    of weight 0 or less is left out. Ties go to the row the first fused ranking (the dense
    one) ranks higher, then by row: first in dense and second in BM25 beats the reverse
    (by row, the earlier passage won: the question of written questions over its answer)."""
    scores: dict[int, float] = {}
    first: dict[int, int] | None = None
    for weight, ranked in rankings:
        if weight <= 0:
            continue
        for rank, (row, _) in enumerate(ranked):
            scores[row] = scores.get(row, 0.0) + weight / (k + rank + 1)
        if first is None:
            first = {row: rank for rank, (row, _) in enumerate(ranked)}
    first = first or {}
    unranked = len(first)
    return sorted(scores.items(), key=lambda kv: (-kv[1], first.get(kv[0], unranked), kv[0]))


def bm25_weight(settings: Settings, language: Language) -> float:
    """The weight of the BM25 ranking for a question in ``language``."""
    return settings.bm25_weight_en if language == "en" else settings.bm25_weight_nl


def fuse(
    dense: Ranking, keyword: Ranking, language: Language, mode: Mode, settings: Settings
) -> Ranking:
    """The ranking a search ``mode`` returns: the dense or the BM25 ranking alone, or
    (``hybrid``) both fused by :func:`weighted_rrf` with the question language's weights."""
    if mode == "dense":
        return dense
    if mode == "bm25":
        return keyword
    rankings = [(settings.dense_weight, dense), (bm25_weight(settings, language), keyword)]
    return weighted_rrf(rankings, settings.rrf_k)
