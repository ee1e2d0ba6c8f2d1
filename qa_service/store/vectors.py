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
* From ``QA_COMPRESSED_THRESHOLD`` passages (or ``QA_FAISS_INDEX=ivf_sq8``): the same inverted
  file with 8-bit codes (1 byte a dimension, 384 B a passage: 10 million passages in 3.8 GB).
  Every IVF kind reconstructs (approximately: decoded codes), removes and filters alike.
* ``QA_FAISS_INDEX=hnsw_fp16`` / ``hnsw_sq8`` (never chosen by ``auto``): an HNSW graph over
  fp16 / 8-bit codes in an ``IndexIDMap2``. Search time grows with log n where IVF's grows
  with n (e5 questions need 20-50 % of the IVF cells for recall@10 >= 0.95), so this is the
  index for ten million passages on one box; but a removal rebuilds the graph
  (:func:`remove_rows`). 8-bit codes lose recall as the collection grows (0.952 at 300k).
  Product-quantised codes (``ivf_pq``, built only by ``scripts/bench_scale.py``) were measured
  and rejected: recall@10 about 0.5 against exact search at 48 bytes a passage, whatever the
  cells probed (docs/scale-out.md).

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
IVF_SQ8 = "ivf_sq8"
HNSW_SQ8 = "hnsw_sq8"
HNSW_FP16 = "hnsw_fp16"
HNSW_KINDS = (HNSW_SQ8, HNSW_FP16)
IVF_PQ = "ivf_pq"  # measured by scripts/bench_scale.py only
IVF_KINDS = (IVF, IVF_SQ8, IVF_PQ)


def configure_faiss_threads(threads: int) -> None:
    """OpenMP threads per FAISS call (0 = leave FAISS's default: one per core)."""
    import faiss

    if threads > 0:
        faiss.omp_set_num_threads(threads)


def index_kind(n: int, settings: Settings) -> str:
    """``flat`` (exact) below ``ann_threshold``, ``ivf`` (fp16 codes) from there, ``ivf_sq8``
    from ``compressed_threshold``; ``QA_FAISS_INDEX`` forces one."""
    if settings.faiss_index != "auto":
        return settings.faiss_index
    if n >= settings.compressed_threshold:
        return IVF_SQ8
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
    kind = index_kind(n, settings)
    if kind == FLAT or n < 39:
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        flat.add_with_ids(vectors, rows)
        return flat
    if kind in HNSW_KINDS:
        return build_hnsw(vectors, rows, settings, kind)
    nlist = ivf_nlist(n, settings)
    index = empty_ivf(kind, dim, nlist)
    sample = vectors
    most = nlist * settings.ivf_train_per_cell
    if n > most:
        pick = np.random.default_rng(0).choice(n, size=most, replace=False)
        sample = vectors[np.sort(pick)]
    index.train(sample)
    index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
    for start in range(0, n, 1 << 18):  # in slices: FAISS's add holds a copy of its input
        index.add_with_ids(vectors[start : start + (1 << 18)], rows[start : start + (1 << 18)])
    prepare_for_search(index, settings)
    log.info("%s index: %d vectors (nprobe %d)", describe(index), n, index.nprobe)
    return index


def empty_ivf(kind: str, dim: int, nlist: int, pq_bytes: int = 48) -> Any:
    """An untrained inverted-file index of ``kind`` (``ivf``, ``ivf_sq8``; ``ivf_pq`` with
    ``pq_bytes`` a vector, for the benchmark)."""
    import faiss

    quantizer = faiss.IndexFlatIP(dim)
    ip = faiss.METRIC_INNER_PRODUCT
    if kind == IVF_PQ:
        return faiss.IndexIVFPQ(quantizer, dim, nlist, pq_subquantizers(dim, pq_bytes), 8, ip)
    if kind not in IVF_KINDS:
        raise ValueError(f"unknown FAISS index kind {kind!r}")
    qtype = faiss.ScalarQuantizer.QT_8bit if kind == IVF_SQ8 else faiss.ScalarQuantizer.QT_fp16
    return faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, qtype, ip)


def build_hnsw(
    vectors: np.ndarray, rows: np.ndarray, settings: Settings, kind: str = HNSW_SQ8
) -> Any:
    """An HNSW graph (``QA_HNSW_M`` links a vector) over 8-bit (``hnsw_sq8``) or fp16
    (``hnsw_fp16``) codes, keyed by row through an ``IndexIDMap2``: logarithmic search time,
    but no removal (see :func:`remove_rows`)."""
    import faiss

    n, dim = vectors.shape
    sq = faiss.ScalarQuantizer
    qtype = sq.QT_fp16 if kind == HNSW_FP16 else sq.QT_8bit
    hnsw = faiss.IndexHNSWSQ(dim, qtype, settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)  # type: ignore[arg-type]
    hnsw.hnsw.efConstruction = settings.hnsw_ef_construction
    most = 64 * 1024
    sample = vectors
    if n > most:
        sample = vectors[np.sort(np.random.default_rng(0).choice(n, size=most, replace=False))]
    hnsw.train(sample)  # the 8-bit ranges of each dimension
    index = faiss.IndexIDMap2(hnsw)
    for start in range(0, n, 1 << 18):
        index.add_with_ids(vectors[start : start + (1 << 18)], rows[start : start + (1 << 18)])
    prepare_for_search(index, settings)
    log.info("%s index: %d vectors (efSearch %d)", describe(index), n, hnsw.hnsw.efSearch)
    return index


def hnsw_of(index: Any) -> Any:
    """The HNSW index inside ``index`` (an ``IndexIDMap2``), or None."""
    import faiss

    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else index
    return inner if isinstance(inner, faiss.IndexHNSW) else None


def remove_rows(index: Any, rows: np.ndarray, settings: Settings) -> Any:
    """``index`` without the vectors of ``rows`` (a live update). An IVF or flat index
    removes them in place; an HNSW graph cannot, so it is built anew from the (decoded)
    vectors it keeps: time proportional to its size."""
    import faiss

    rows = np.ascontiguousarray(rows, dtype=np.int64)
    if hnsw_of(index) is None:
        index.remove_ids(faiss.IDSelectorArray(rows))  # IVF: an array only
        return index
    keep = np.setdiff1d(faiss.vector_to_array(index.id_map), rows)
    log.warning("HNSW cannot remove vectors: rebuilding its graph over %d vectors", len(keep))
    vectors = index.reconstruct_batch(keep) if len(keep) else np.zeros((0, index.d), "float32")
    fp16 = _hnsw_qtype(hnsw_of(index)) == faiss.ScalarQuantizer.QT_fp16
    kind = HNSW_FP16 if fp16 else HNSW_SQ8
    rebuilt = build_hnsw(vectors, keep, settings, kind) if len(keep) >= 39 else None
    if rebuilt is None:
        rebuilt = faiss.IndexIDMap2(faiss.IndexFlatIP(index.d))
        rebuilt.add_with_ids(vectors, keep)
    return rebuilt


def _hnsw_qtype(hnsw: Any) -> int:
    """The scalar-quantiser type of an HNSW index's stored codes."""
    import faiss

    storage: Any = faiss.downcast_index(hnsw.storage)
    return int(storage.sq.qtype)


def pq_subquantizers(dim: int, nbytes: int) -> int:
    """PQ sub-quantisers (one byte each): ``nbytes``, or the largest divisor of ``dim``
    below it."""
    m = min(nbytes, dim)
    while dim % m:
        m -= 1
    return m


def prepare_for_search(index: Any, settings: Settings) -> Any:
    """Apply the search settings to a loaded index (``nprobe`` of an IVF index,
    ``efSearch`` of an HNSW graph)."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = ivf_nprobe(ivf.nlist, settings)
    hnsw = hnsw_of(index)
    if hnsw is not None:
        hnsw.hnsw.efSearch = hnsw_ef_search(int(index.ntotal), settings)
    return index


#: From this many vectors the default HNSW beam doubles (docs/scale-out.md: with 48 links and
#: build beam 200, recall@10 at efSearch 2048 is 0.976 at 10^6 and 0.958 at 3·10^6 and falls
#: about 0.02 a tripling; 4096 gives 0.968 at 3·10^6, ≈ 0.957 at 10^7 by the curve).
HNSW_WIDE_FROM = 5_000_000


def hnsw_ef_search(n: int, settings: Settings) -> int:
    """The HNSW search beam: ``QA_HNSW_EF_SEARCH``, or by size (0): 2048, 4096 from
    :data:`HNSW_WIDE_FROM` vectors on."""
    if settings.hnsw_ef_search > 0:
        return settings.hnsw_ef_search
    return 4096 if n >= HNSW_WIDE_FROM else 2048


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
    hnsw = hnsw_of(index)
    if ivf is None and hnsw is None:
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))  # type: ignore[call-arg]
        return index.search(queries, k, params=params)
    if len(allowed) <= settings.ivf_exact_filter_max:
        return _exact_subset(index, queries, k, allowed)
    share = len(allowed) / max(1, index.ntotal)
    if hnsw is not None:  # a wider beam, so that enough allowed vectors are met
        ef = min(settings.hnsw_ef_search_max, math.ceil(hnsw.hnsw.efSearch / max(share, 1e-9)))
        selector = faiss.IDSelectorBatch(allowed)
        hnsw_params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(ef, k))  # type: ignore[attr-defined]
        scores, rows = index.search(queries, k, params=hnsw_params)
        if (rows < 0).any():  # too selective for the graph: score the allowed set exactly
            return _exact_subset(index, queries, k, allowed)
        return scores, rows
    assert ivf is not None
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

    return faiss.try_extract_index_ivf(index) is None and hnsw_of(index) is None


def describe(index: Any) -> str:
    """A short name for the manifest and logs: ``IndexIDMap2`` (flat), ``IVF4096,SQfp16``,
    ``IVF4096,SQ8`` or ``IVF4096,PQ48``."""
    import faiss

    names = {faiss.ScalarQuantizer.QT_8bit: "SQ8", faiss.ScalarQuantizer.QT_fp16: "SQfp16"}
    hnsw = hnsw_of(index)
    if hnsw is not None:
        codes = names.get(_hnsw_qtype(hnsw), "SQ")
        return f"HNSW{hnsw.hnsw.nb_neighbors(1)},{codes}"
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return type(index).__name__
    sub: Any = faiss.downcast_index(ivf)
    if isinstance(sub, faiss.IndexIVFPQ):
        return f"IVF{sub.nlist},PQ{sub.pq.M}"
    if isinstance(sub, faiss.IndexIVFScalarQuantizer):
        return f"IVF{sub.nlist},{names.get(sub.sq.qtype, 'SQ')}"
    return f"IVF{sub.nlist}"


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
