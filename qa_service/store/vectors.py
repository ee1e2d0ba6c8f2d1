"""The FAISS index of passage vectors: its type chosen by size, and its search settings.

* Up to ``QA_ANN_THRESHOLD`` passages: exact search, ``IndexFlatIP`` inside an
  ``IndexIDMap2`` keyed by passage row (4 bytes a dimension, about 1.5 KB a passage).
* Beyond it: an inverted-file index (``IndexIVFScalarQuantizer``, fp16 codes, keyed by row
  directly, with a hash-table direct map so that vectors can be reconstructed and removed).
  It scans ``QA_IVF_NPROBE`` of its ``nlist`` cells per query instead of every vector, and
  stores 2 bytes a dimension (about 0.8 KB a passage). IVF rather than HNSW because an HNSW
  graph cannot remove vectors, and live updates (:mod:`qa_service.ingest.update`) remove the
  passages of replaced documents. Recall@10 against exact search is measured by
  ``scripts/bench.py`` and in the tests.

FAISS runs each search with ``QA_FAISS_THREADS`` OpenMP threads (default 1): the server
answers concurrent requests from a thread pool, and on two cores one search with several
OpenMP threads is several times slower than with one (threads spin and contend).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from qa_service.config import Settings

log = logging.getLogger(__name__)

FLAT = "flat"
IVF = "ivf"


def configure_faiss_threads(threads: int) -> None:
    """OpenMP threads per FAISS call (0 = leave FAISS's default: one per core)."""
    import faiss

    if threads > 0:
        faiss.omp_set_num_threads(threads)


def index_kind(n: int, settings: Settings) -> str:
    """``flat`` (exact) below the threshold, else ``ivf``; ``QA_FAISS_INDEX`` forces one."""
    if settings.faiss_index != "auto":
        return settings.faiss_index
    return IVF if n >= settings.ann_threshold else FLAT


def ivf_nlist(n: int, settings: Settings) -> int:
    """Cells of the inverted file: ``QA_IVF_NLIST``, or about 4·√n (at least 39 training
    vectors per cell, as FAISS's k-means wants)."""
    nlist = settings.ivf_nlist if settings.ivf_nlist > 0 else int(4 * math.sqrt(max(n, 1)))
    return max(1, min(nlist, n // 39))


def build_vector_index(vectors: np.ndarray, rows: np.ndarray, settings: Settings) -> Any:
    """A FAISS inner-product index over ``vectors`` with ids ``rows``, of the kind that
    suits their number."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    rows = np.asarray(rows, dtype=np.int64)
    n, dim = vectors.shape
    if index_kind(n, settings) == FLAT or n < 39:
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        flat.add_with_ids(vectors, rows)
        return flat
    nlist = ivf_nlist(n, settings)
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, nlist, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
    )
    sample = vectors
    most = nlist * settings.ivf_train_per_cell
    if n > most:
        pick = np.random.default_rng(0).choice(n, size=most, replace=False)
        sample = vectors[np.sort(pick)]
    index.train(sample)
    index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
    index.add_with_ids(vectors, rows)
    prepare_for_search(index, settings)
    log.info("IVF index: %d vectors in %d cells (nprobe %d)", n, nlist, index.nprobe)
    return index


def prepare_for_search(index: Any, settings: Settings) -> Any:
    """Apply the search settings to a loaded index (``nprobe`` of an IVF index)."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = ivf_nprobe(ivf.nlist, settings)
    return index


def ivf_nprobe(nlist: int, settings: Settings) -> int:
    """Cells scanned per query: ``QA_IVF_NPROBE``, or half of the cells (recall@10 0.987 on
    the real 62k-passage index of the historical corpus, where a quarter gave 0.965)."""
    nprobe = settings.ivf_nprobe or max(1, nlist // 2)
    return min(nprobe, nlist)


def search(
    index: Any, queries: np.ndarray, k: int, allowed: np.ndarray | None, settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` ``(scores, rows)`` per query, restricted to the ``allowed`` rows when given.

    A filtered search on an IVF index scores a small allowed set exactly (its vectors
    reconstructed) and otherwise scans proportionally more cells, so that a selective filter
    still returns a full top-k whenever enough passages match.
    """
    import faiss

    queries = np.ascontiguousarray(queries, dtype=np.float32)
    if allowed is None:
        return index.search(queries, k)
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))  # type: ignore[call-arg]
        return index.search(queries, k, params=params)
    if len(allowed) <= settings.ivf_exact_filter_max:
        return _exact_subset(index, queries, k, allowed)
    share = len(allowed) / max(1, index.ntotal)
    nprobe = min(ivf.nlist, math.ceil(ivf.nprobe / max(share, 1e-9)))
    params = faiss.SearchParametersIVF(sel=faiss.IDSelectorBatch(allowed), nprobe=nprobe)  # type: ignore[call-arg]
    return index.search(queries, k, params=params)


def _exact_subset(
    index: Any, queries: np.ndarray, k: int, allowed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(allowed)
    scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    rows = np.full((len(queries), k), -1, dtype=np.int64)
    if n == 0:
        return scores, rows
    vectors = index.reconstruct_batch(np.ascontiguousarray(allowed, dtype=np.int64))
    sims = queries @ vectors.T
    take = min(k, n)
    for i, row in enumerate(sims):
        top = np.argpartition(-row, take - 1)[:take] if take < n else np.arange(n)
        top = top[np.argsort(-row[top], kind="stable")]
        scores[i, :take] = row[top]
        rows[i, :take] = allowed[top]
    return scores, rows


def is_exact(index: Any) -> bool:
    import faiss

    return faiss.try_extract_index_ivf(index) is None


def describe(index: Any) -> str:
    """A short name for the manifest and logs: ``IndexIDMap2`` (flat) or ``IVF4096,SQfp16``."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return type(index).__name__
    return f"IVF{ivf.nlist},SQfp16"


def recall_at_k(approx: Any, vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> float:
    """Share of the exact top-``k`` (inner product over ``vectors``, ids = positions) that
    ``approx`` (built on the same vectors with ids = positions) returns."""
    import faiss

    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(np.ascontiguousarray(vectors, dtype=np.float32))
    _, truth = exact.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    _, found = approx.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    hits = sum(len(set(t[t >= 0]) & set(f[f >= 0])) for t, f in zip(truth, found, strict=True))
    return hits / max(1, int((truth >= 0).sum()))


def mean_direction(vectors: np.ndarray) -> np.ndarray:
    """The unit mean of a set of embeddings (the direction they all share)."""
    mean = vectors.astype(np.float64).mean(axis=0)
    return (mean / max(np.linalg.norm(mean), 1e-12)).astype(np.float32)


def center(vectors: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Remove the shared direction from each row and re-normalise.

    Sentence embeddings all lean one way (anisotropy), which squeezes cosine similarities
    into a narrow band. Without that common component the cosine of a question and its
    answering passage stands out far more from unrelated passages: retrieval improves a
    little and the similarity becomes a usable abstention signal (see docs/evaluation.md).
    """
    v = vectors.astype(np.float32, copy=True)
    v -= np.outer(v @ direction, direction)
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    return v


def id_mapped(index: Any) -> Any:
    """An index keyed by passage row (``IndexIDMap2``, or IVF); an index from before live
    updates (a flat index where row = position) is converted."""
    import faiss

    if isinstance(index, faiss.IndexIDMap2) or faiss.try_extract_index_ivf(index) is not None:
        return index  # an IVF index is keyed by row itself
    flat = faiss.downcast_index(index)
    mapped = faiss.IndexIDMap2(faiss.IndexFlatIP(flat.d))
    n = flat.ntotal
    if n:
        mapped.add_with_ids(flat.reconstruct_n(0, n), np.arange(n, dtype=np.int64))
    return mapped
