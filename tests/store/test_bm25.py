"""Local BM25 search with MaxScore pruning equals bm25s's dense scoring ranked by
``top_positive``: the same rows, the same float32 scores, ties in the same order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa_service.store.bm25 import bm25_search, bm25_search_dense, load_bm25, write_bm25
from qa_service.store.bm25_topk import bm25_top, essential_terms, term_bounds
from qa_service.text.lexical import analyze

WORDS = "minister regering defensie steun begroting motie kabinet geld Kamer".split()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, np.ndarray]:
    """600 passages at passage rows with gaps (as after live updates): random ones over nine
    common words, many identical ones (tied scores), and a few with rare words."""
    rng = np.random.default_rng(7)
    texts = [" ".join(rng.choice(WORDS, size=rng.integers(1, 8))) for _ in range(300)]
    texts += texts[:100] + ["begroting"] * 50 + ["minister minister geld"] * 50
    texts += [f"Afghanistan {t}" for t in texts[:30]] + ["Moldavië steun"] * 20
    texts += [f"Moldavië {t}" for t in texts[30:80]]
    rows = np.sort(rng.choice(10_000, size=len(texts), replace=False))
    build = tmp_path_factory.mktemp("bm25")
    write_bm25(build, rows, [analyze(t) for t in texts])
    return load_bm25(Path(build))


QUERIES = [
    "begroting",  # one term: 50 identical passages tie
    "minister geld",
    "minister minister geld",  # a term twice counts twice, as in bm25s
    "Kamer motie steun regering defensie Afghanistan kabinet",
    "Afghanistan regering",  # a rare term: the common one's documents are pruned
    "Moldavië steun geld minister",
    "onbekend begroting xyzzy",
    "xyzzy",  # no known term
]


@pytest.mark.parametrize("k", [1, 5, 60, 1000])
@pytest.mark.parametrize("dense_share", [0.0, 0.05, 1.0])
def test_pruned_search_equals_dense_search(
    index: tuple[Any, np.ndarray], k: int, dense_share: float
) -> None:
    bm25, rows = index
    rng = np.random.default_rng(k)
    allowed_sets = [None, np.sort(rng.choice(rows, size=200, replace=False)), rows[:0]]
    allowed_sets.append(np.concatenate([[20_000, 3], rows[::3], [10_001]]))  # unsorted, strays
    for allowed in allowed_sets:
        new = bm25_search(bm25, rows, QUERIES, k, allowed, dense_share, prune_from=0)
        old = bm25_search_dense(bm25, rows, QUERIES, k, allowed)
        assert new == old  # rows and float32 scores exactly, ties by position
    found, scores = bm25_search(bm25, rows, QUERIES, k, None, dense_share, prune_from=0)
    assert len(set(found[0])) == len(found[0]) >= min(k, 50)
    if k >= 5:  # ties in the top k, ordered by row
        assert len(set(scores[0])) < len(scores[0])
    assert found[-1] == [] and scores[-1] == []


def _terms(bm25: Any, query: str) -> tuple[np.ndarray, np.ndarray]:
    ids, repeats = np.unique(bm25.get_tokens_ids(analyze(query)), return_counts=True)
    df = bm25.scores["indptr"][ids + 1] - bm25.scores["indptr"][ids]
    rarest = np.lexsort((ids, df))
    return ids[rarest], repeats[rarest]


def test_a_rare_term_prunes_the_common_ones(index: tuple[Any, np.ndarray]) -> None:
    bm25, _ = index
    terms, repeats = _terms(bm25, "Afghanistan regering")
    found = essential_terms(bm25, terms, repeats, 10, None, 1e9)
    assert found is not None and found[0] == 1 and found[2] > 0
    terms, repeats = _terms(bm25, "minister geld regering")
    found = essential_terms(bm25, terms, repeats, 1000, None, 1e9)  # k > matches
    assert found is not None and found[0] == 3
    assert essential_terms(bm25, terms, repeats, 10, None, 10) is None  # too many postings
    ids = bm25.get_tokens_ids(analyze("Afghanistan regering regering"))
    positions, values = bm25_top(bm25, ids, 10, dense_share=1.0)  # type: ignore[misc]
    dense = bm25.get_scores_from_ids(ids)
    assert np.array_equal(values, dense[positions])
    assert np.array_equal(positions, np.lexsort((np.arange(len(dense)), -dense))[:10])


def test_term_bounds_are_each_terms_highest_score(index: tuple[Any, np.ndarray]) -> None:
    bm25, _ = index
    data, indptr = bm25.scores["data"], bm25.scores["indptr"]
    bounds = term_bounds(bm25)
    assert term_bounds(bm25) is bounds  # computed once
    for t in range(len(indptr) - 1):
        column = data[indptr[t] : indptr[t + 1]]
        assert bounds[t] == (column.max() if len(column) else 0.0)


def test_a_questions_interrogatives_are_not_searched(index: tuple[Any, np.ndarray]) -> None:
    # "waarom" or "welke" in a passage says nothing about whether it answers the question
    bm25, rows = index
    for search in (bm25_search, bm25_search_dense):
        asked = search(bm25, rows, ["Waarom Moldavië?", "Welke begroting?", "waarom"], 10)
        plain = search(bm25, rows, ["Moldavië", "begroting", ""], 10)
        assert asked == plain
