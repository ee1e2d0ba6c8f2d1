"""BM25 search: the top-k of the positive scores, as bm25s ranks them."""

from __future__ import annotations

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.search.bm25 import bm25_search, top_positive
from qa_service.store.loaded import load_index
from qa_service.text.lexical import analyze


def test_top_positive_ranks_only_positive_scores() -> None:
    scores = np.zeros(1000, dtype=np.float32)
    scores[[7, 500, 3, 999, 42]] = [2.0, 5.0, 2.0, 0.5, 9.0]
    positions, values = top_positive(scores, 3)
    assert positions.tolist() == [42, 500, 3]  # ties (3 and 7 at 2.0) by position
    assert values.tolist() == [9.0, 5.0, 2.0]
    positions, values = top_positive(scores, 10)  # fewer positive scores than k
    assert positions.tolist() == [42, 500, 3, 7, 999]
    assert top_positive(np.zeros(5, dtype=np.float32), 3)[0].size == 0
    assert top_positive(np.array([-1.0, 1.0]), 2)[0].tolist() == [1]


@pytest.mark.parametrize(
    "query",
    [
        "Wat heeft de minister toegezegd voor Afghanistan?",
        "verzoekt de regering",  # in nearly every motion: more matches than k
        "Moldavië financiële steun",
        "xyzzy onbekend",  # no known term
    ],
)
def test_bm25_equals_bm25s_retrieve(corpus_index: Settings, query: str) -> None:
    index = load_index(corpus_index.index_dir)
    k = 20
    rows, scores = bm25_search(index, [query], k)
    terms = [t for t in analyze(query) if t in index.bm25.vocab_dict]
    if not terms:
        assert rows == [[]]
        return
    ids, vals = index.bm25.retrieve([terms], k=k, show_progress=False, return_as="tuple")
    # the same scores, best first (which of several tied passages comes last may differ)
    assert scores[0] == pytest.approx(sorted((float(v) for v in vals[0] if v > 0), reverse=True))
    full = index.bm25.get_scores(terms)
    position = {int(row): p for p, row in enumerate(index.bm25_rows)}
    assert scores[0] == pytest.approx([float(full[position[r]]) for r in rows[0]])
