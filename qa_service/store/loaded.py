"""Loading one build of the index: everything a search needs, read once and shared."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.config import Settings
from qa_service.filters import Filters
from qa_service.store import bm25 as keyword
from qa_service.store.bm25 import load_bm25
from qa_service.store.layout import (
    CENTROID,
    FORMAT_VERSION,
    MANIFEST,
    READABLE_VERSIONS,
    STORE,
    TERMS_RULE,
    VECTORS,
    IndexCorruptError,
    IndexMismatchError,
    Manifest,
    current_build,
    verify_checksums,
)
from qa_service.store.protocol import Ranking
from qa_service.store.sentence_vectors import read_entries
from qa_service.store.sqlite import PassageStore
from qa_service.store.vectors import prepare_for_search
from qa_service.store.vectors import search as vector_search

log = logging.getLogger(__name__)


@dataclass
class LoadedIndex:
    """Everything needed to search one build (a :class:`~qa_service.store.protocol.SearchIndex`
    over the local files: FAISS, bm25s, SQLite)."""

    build: Path
    manifest: Manifest
    vectors: Any  # faiss.Index
    centroid: np.ndarray
    bm25: Any  # bm25s.BM25
    store: PassageStore
    bm25_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: the search parameters of the vector index (IVF ``nprobe``, exact filtered search)
    settings: Settings = field(default_factory=Settings, repr=False)
    _allowed: OrderedDict[Filters, np.ndarray] = field(default_factory=OrderedDict, repr=False)

    @property
    def size(self) -> int:
        return int(self.vectors.ntotal)

    def allowed_rows(self, filters: Filters) -> np.ndarray:
        """Passage rows that ``filters`` allow (cached: a build never changes)."""
        rows = self._allowed.get(filters)
        if rows is None:
            rows = self.store.rows_matching(filters)
            self._allowed[filters] = rows
            while len(self._allowed) > 128:
                self._allowed.popitem(last=False)
        return rows

    def bm25_mask(self, rows: np.ndarray) -> np.ndarray:
        """A BM25 weight mask (1.0 at the positions of ``rows``, else 0.0)."""
        return keyword.weight_mask(self.bm25_rows, rows)

    # -- searching (the SearchIndex protocol) --------------------------------------------------
    def _allowed_or_none(self, filters: Filters | None) -> np.ndarray | None:
        return self.allowed_rows(filters) if filters is not None and filters.active else None

    def count(self, filters: Filters | None) -> int:
        allowed = self._allowed_or_none(filters)
        return self.size if allowed is None else len(allowed)

    def dense_search(
        self, vectors: np.ndarray, k: int, filters: Filters | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """FAISS search, restricted to the allowed rows (an IDSelector) with filters."""
        if k <= 0:
            empty = np.zeros((len(vectors), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        allowed = self._allowed_or_none(filters)
        return vector_search(self.vectors, vectors, k, allowed, self.settings)

    def keyword_search(
        self, queries: Sequence[str], k: int, filters: Filters | None
    ) -> tuple[list[list[int]], list[list[float]]]:
        """bm25s's index of the analysed passages, only the allowed rows with filters."""
        allowed = self._allowed_or_none(filters)
        return keyword.bm25_search(self.bm25, self.bm25_rows, queries, k, allowed)

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
        """The local build has no engine to fuse in: the retriever fuses."""
        return [None] * len(queries)

    def passage_vectors(self, rows: Sequence[int]) -> np.ndarray:
        return np.vstack([self.vectors.reconstruct(int(r)) for r in rows])

    def is_current(self) -> bool:
        """Whether ``CURRENT`` of the index directory still names this build."""
        return current_build(self.build.parent.parent) == self.build

    def idf(self, terms: Sequence[str]) -> list[float]:
        """Inverse document frequency of analysed terms (unknown terms count as rarest)."""
        vocab = self.bm25.vocab_dict
        indptr = self.bm25.scores["indptr"]
        n = self.size
        out = []
        for term in terms:
            tid = vocab.get(term)
            df = int(indptr[tid + 1] - indptr[tid]) if tid is not None else 0
            out.append(float(np.log((n + 1) / (df + 0.5))))
        return out

    def sentence_vectors(self, rows: Sequence[int], alone: bool = False) -> dict[int, np.ndarray]:
        """Each passage's stored sentence vectors (one row per sentence, not centred), for
        the ``rows`` that have them: read in the passage's context, or with ``alone`` each
        sentence embedded on its own. A corrupt entry is left out (and logged)."""
        return read_entries(self.store.sentence_blobs(rows), self.manifest.dimension, alone)

    def close(self) -> None:
        self.store.close()


def load_index(
    index_dir: Path,
    expected_model: str | None = None,
    verify: bool = True,
    settings: Settings | None = None,
) -> LoadedIndex:
    """Load the live build of ``index_dir``.

    Raises :class:`IndexMismatchError` when it was built with another model than
    ``expected_model`` and :class:`IndexCorruptError` when a file fails its checksum.
    ``settings`` set the search parameters of the vector index (IVF ``nprobe``).
    """
    import faiss

    build = current_build(index_dir)
    manifest = Manifest.from_file(build / MANIFEST)
    if manifest.format_version not in READABLE_VERSIONS:
        raise IndexMismatchError(
            f"index in {build} has format {manifest.format_version}, this version reads "
            f"{', '.join(map(str, READABLE_VERSIONS))}; rebuild it with `qa-service index`"
        )
    if manifest.format_version < FORMAT_VERSION:
        log.warning(
            "index in %s has format %d: it answers as before, but `qa-service index` rebuilds "
            "it with the better ranking of format %d",
            build,
            manifest.format_version,
            FORMAT_VERSION,
        )
    if manifest.terms_rule < TERMS_RULE:
        log.warning(
            "index in %s analysed its passages' terms by rule %d: keyword matching of some "
            "word forms (bedragen/bedrag) is off until `qa-service index` or an update "
            "analyses them by rule %d",
            build,
            manifest.terms_rule,
            TERMS_RULE,
        )
    if expected_model is not None and manifest.model != expected_model:
        raise IndexMismatchError(
            f"index in {build} was built with embedding model {manifest.model!r}, but the "
            f"service is configured with {expected_model!r}; rebuild the index "
            f"(`qa-service index`) or set QA_EMBEDDING_MODEL={manifest.model!r}"
        )
    if verify:
        verify_checksums(build, manifest)
    try:
        vectors = faiss.read_index(str(build / VECTORS))
    except RuntimeError as exc:
        raise IndexCorruptError(f"cannot read {build / VECTORS}: {exc}") from exc
    if settings is not None:
        prepare_for_search(vectors, settings)
    if vectors.d != manifest.dimension or vectors.ntotal != manifest.passage_count:
        raise IndexCorruptError(
            f"{build / VECTORS} holds {vectors.ntotal} vectors of dimension {vectors.d}; "
            f"the manifest says {manifest.passage_count} of dimension {manifest.dimension}"
        )
    try:
        centroid = np.load(build / CENTROID, allow_pickle=False).astype(np.float32)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {build / CENTROID}: {exc}") from exc
    if centroid.shape != (manifest.dimension,):
        raise IndexCorruptError(f"{build / CENTROID} has shape {centroid.shape}")
    bm25, bm25_rows = load_bm25(build)
    store = PassageStore(build / STORE)
    return LoadedIndex(
        build=build,
        manifest=manifest,
        vectors=vectors,
        centroid=centroid,
        bm25=bm25,
        store=store,
        bm25_rows=bm25_rows,
        settings=settings if settings is not None else Settings(),
    )
