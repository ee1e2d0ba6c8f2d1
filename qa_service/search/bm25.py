"""Keyword search: BM25 over the analysed passages (Dutch stems), restricted by filters.

The search itself belongs to the store that holds the index
(:meth:`~qa_service.store.protocol.SearchIndex.keyword_search`: bm25s in the local build, the
engine's BM25 function on Milvus); this module keeps the local build's entry points.

A filter restricts the search inside BM25 itself (only the allowed passages are ranked: the
candidates of the pruned search, :mod:`qa_service.store.bm25_topk`, or a weight mask over the
dense scores, :meth:`~qa_service.store.loaded.LoadedIndex.bm25_mask`), so a filtered search
returns a full top-k whenever enough passages match.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa_service.store import bm25 as _bm25
from qa_service.store.loaded import LoadedIndex

top_positive = _bm25.top_positive


def bm25_search(
    index: LoadedIndex, queries: Sequence[str], k: int, allowed: np.ndarray | None = None
) -> tuple[list[list[int]], list[list[float]]]:
    """The top ``k`` passage rows and their BM25 scores for each query (queries without a
    known term get nothing), restricted to the ``allowed`` rows when given."""
    return _bm25.bm25_search(index.bm25, index.bm25_rows, queries, k, allowed)
