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
from qa_service.store.bm25 import load_bm25
from qa_service.store.layout import (
    CENTROID,
    FORMAT_VERSION,
    MANIFEST,
    READABLE_VERSIONS,
    STORE,
    VECTORS,
    IndexCorruptError,
    IndexMismatchError,
    Manifest,
    current_build,
    verify_checksums,
)
from qa_service.store.sentence_vectors import unpack_both
from qa_service.store.sqlite import PassageStore
from qa_service.store.vectors import prepare_for_search

log = logging.getLogger(__name__)


@dataclass
class LoadedIndex:
    """Everything needed to search one build."""

    build: Path
    manifest: Manifest
    vectors: Any  # faiss.Index
    centroid: np.ndarray
    bm25: Any  # bm25s.BM25
    store: PassageStore
    bm25_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
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
        mask = np.zeros(len(self.bm25_rows), dtype=np.float32)
        positions = np.searchsorted(self.bm25_rows, rows)
        inside = positions < len(self.bm25_rows)
        positions, rows = positions[inside], rows[inside]
        mask[positions[self.bm25_rows[positions] == rows]] = 1.0
        return mask

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
        out = {}
        for row, blob in self.store.sentence_blobs(rows).items():
            try:
                context, separate = unpack_both(blob, self.manifest.dimension)
            except ValueError as exc:
                log.warning("passage row %d: %s", row, exc)
                continue
            vectors = separate if alone else context
            if vectors is not None:
                out[row] = vectors
        return out

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
    )
