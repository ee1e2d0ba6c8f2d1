"""What the search, answer and service layers need from a loaded index, whichever store holds
it: the local build (:class:`~qa_service.store.loaded.LoadedIndex`: FAISS, bm25s, SQLite) or
Milvus (:class:`~qa_service.store.milvus.index.MilvusIndex`). ``QA_STORE`` chooses
(:func:`qa_service.store.open.open_index`).

Passages are addressed by their *row*: an integer id that stays the same for the passage's
life in the index (live updates give new passages new rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa_service.documents import DocumentMeta, Passage
from qa_service.filters import NO_FILTERS, Filters
from qa_service.store.layout import Manifest

#: ``(row, score)`` best first
Ranking = list[tuple[int, float]]


class DocumentStore(Protocol):
    """Read access to the passages and documents of an index."""

    def passages_by_rows(self, rows: Sequence[int]) -> dict[int, Passage]: ...

    def documents(self, doc_ids: Iterable[str]) -> dict[str, DocumentMeta]: ...

    def document(self, doc_id: str) -> DocumentMeta | None: ...

    def list_documents(
        self, offset: int = 0, limit: int = 100, filters: Filters = NO_FILTERS
    ) -> list[tuple[DocumentMeta, int]]: ...

    def count_documents(self, filters: Filters = NO_FILTERS) -> int: ...

    def rows_matching(self, filters: Filters) -> np.ndarray: ...

    def facets(self) -> dict[str, Any]: ...

    def content_hashes(self) -> dict[str, str]: ...

    def sources(self) -> dict[str, str]: ...

    def authors(self) -> dict[str, list[str]]: ...

    def document_passages(self, doc_id: str) -> list[Passage]: ...

    def all_passages(self) -> list[tuple[int, Passage]]: ...


class SearchIndex(Protocol):
    """One loaded index: what the retriever searches and the answerer reads."""

    manifest: Manifest
    #: which build is loaded: locally its directory, on Milvus its collection's name
    build: Path
    #: the direction removed from question and passage vectors when measuring similarity
    centroid: np.ndarray

    @property
    def store(self) -> DocumentStore: ...

    @property
    def size(self) -> int:
        """Passages in the index."""
        ...

    def count(self, filters: Filters | None) -> int:
        """Passages that ``filters`` allow (all with None or inactive filters)."""
        ...

    def dense_search(
        self, vectors: np.ndarray, k: int, filters: Filters | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` ``(scores, rows)`` by inner product per query vector (rows -1 where
        fewer passages match), restricted by ``filters`` inside the search."""
        ...

    def keyword_search(
        self, queries: Sequence[str], k: int, filters: Filters | None
    ) -> tuple[list[list[int]], list[list[float]]]:
        """Top-``k`` BM25 rows and scores per query text, restricted by ``filters``."""
        ...

    def hybrid_search(
        self,
        vectors: np.ndarray,
        queries: Sequence[str],
        dense_k: int,
        keyword_k: int,
        weights: Sequence[tuple[float, float]],
        rrf_k: int,
        filters: Filters | None,
    ) -> list[Ranking | None]:
        """Dense and keyword rankings fused in the engine by reciprocal-rank fusion with the
        ``(dense, keyword)`` weights of each query, best first, ties by row; None for a query
        whose weights the engine cannot fuse (the caller then fuses the two rankings)."""
        ...

    def passage_vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The stored search vectors of passage ``rows`` (one row each, in order)."""
        ...

    def idf(self, terms: Sequence[str]) -> list[float]:
        """Inverse document frequency of analysed terms (unknown terms count as rarest)."""
        ...

    def sentence_vectors(self, rows: Sequence[int], alone: bool = False) -> dict[int, np.ndarray]:
        """Each passage's stored sentence vectors, for the ``rows`` that have them: read in
        the passage's context, or with ``alone`` each sentence embedded on its own."""
        ...

    def is_current(self) -> bool:
        """Whether this is still the live version of the index (a live update or a rebuild
        published another: the service then reloads)."""
        ...

    def close(self) -> None: ...
