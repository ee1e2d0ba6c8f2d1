"""Fusion: weighted reciprocal-rank fusion with the BM25 weight set by the question's language,
on a tiny fixture."""

from __future__ import annotations

import pytest

from qa_service.config import Settings
from qa_service.search.fusion import bm25_weight, fuse, weighted_rrf

DENSE = [(10, 0.9), (20, 0.8), (30, 0.7)]
KEYWORD = [(30, 12.0), (40, 9.0)]
SETTINGS = Settings(rrf_k=60, dense_weight=1.0, bm25_weight_nl=1.0, bm25_weight_en=0.0)


def test_weighted_rrf_sums_weight_over_k_plus_rank() -> None:
    fused = weighted_rrf([(1.0, DENSE), (0.5, KEYWORD)], k=60)
    assert fused == [
        (30, 1 / 63 + 0.5 / 61),  # third by dense, first by BM25
        (10, 1 / 61),
        (20, 1 / 62),
        (40, 0.5 / 62),
    ]


def test_ties_by_the_first_ranking_then_by_row_and_a_weight_of_zero_leaves_a_ranking_out() -> None:
    # first in dense and second in BM25 beats second in dense and first in BM25
    assert weighted_rrf([(1.0, [(7, 1.0), (3, 0.9)]), (1.0, [(3, 5.0), (7, 4.0)])], k=60) == [
        (7, 1 / 61 + 1 / 62),
        (3, 1 / 62 + 1 / 61),
    ]
    # rows only one of the later rankings holds: by row
    assert weighted_rrf([(1.0, [(7, 1.0)]), (1.0, [(3, 5.0), (1, 4.0)])], k=60)[1:] == [
        (3, 1 / 61),
        (1, 1 / 62),
    ]
    assert weighted_rrf([(1.0, []), (1.0, [(7, 1.0)]), (1.0, [(3, 5.0)])], k=60) == [
        (3, 1 / 61),
        (7, 1 / 61),
    ]
    assert weighted_rrf([(1.0, DENSE), (0.0, KEYWORD)], k=60) == [
        (10, 1 / 61),
        (20, 1 / 62),
        (30, 1 / 63),
    ]
    assert weighted_rrf([], k=60) == []


def test_the_bm25_weight_depends_on_the_language() -> None:
    assert bm25_weight(SETTINGS, "nl") == 1.0
    assert bm25_weight(SETTINGS, "en") == 0.0
    nl = fuse(DENSE, KEYWORD, "nl", "hybrid", SETTINGS)
    assert [row for row, _ in nl] == [30, 10, 20, 40]
    assert nl[0][1] == pytest.approx(1 / 63 + 1 / 61)
    # English questions over Dutch documents: the dense ranking alone, as fused scores
    assert fuse(DENSE, KEYWORD, "en", "hybrid", SETTINGS) == [
        (10, 1 / 61),
        (20, 1 / 62),
        (30, 1 / 63),
    ]


def test_a_single_mode_returns_its_ranking_unfused() -> None:
    assert fuse(DENSE, KEYWORD, "nl", "dense", SETTINGS) is DENSE
    assert fuse(DENSE, KEYWORD, "nl", "bm25", SETTINGS) is KEYWORD
