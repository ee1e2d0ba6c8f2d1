"""The compressed FAISS index for large collections (``ivf_sq8``: IVF with 8-bit codes):
chosen by size or setting, searched with recall@10 >= 0.95, filtered, reconstructed
(approximately), saved, updated. Synthetic vectors only."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.store.vectors import (
    FLAT,
    IVF,
    IVF_SQ8,
    build_vector_index,
    describe,
    index_kind,
    is_exact,
    pq_subquantizers,
    prepare_for_search,
    recall_at_k,
    search,
)

from .test_vectors import clustered

N = 5000


def test_auto_picks_8_bit_codes_from_the_compressed_threshold() -> None:
    s = Settings(ann_threshold=1000, compressed_threshold=5000)
    assert index_kind(999, s) == FLAT
    assert index_kind(4999, s) == IVF
    assert index_kind(5000, s) == IVF_SQ8
    assert index_kind(10, Settings(faiss_index="ivf_sq8")) == IVF_SQ8
    assert index_kind(10**8, Settings(faiss_index="ivf")) == IVF


def test_pq_bytes_divide_the_dimension() -> None:
    assert pq_subquantizers(384, 48) == 48
    assert pq_subquantizers(48, 32) == 24
    assert pq_subquantizers(20, 64) == 20


@pytest.fixture(scope="module")
def case() -> tuple[np.ndarray, np.ndarray]:
    v = clustered(N)
    rng = np.random.default_rng(1)
    queries = v[rng.choice(len(v), 100, replace=False)] + 0.05 * rng.normal(size=(100, 48))
    return v, queries.astype(np.float32)


@pytest.fixture(scope="module")
def indexes(case: tuple[np.ndarray, np.ndarray]) -> dict[str, object]:
    v, _ = case
    rows = np.arange(N, dtype=np.int64)
    return {
        kind: build_vector_index(v, rows, Settings(faiss_index=kind))  # type: ignore[arg-type]
        for kind in (IVF, IVF_SQ8)
    }


def test_kinds_describe_their_codes_and_size(indexes: dict[str, object]) -> None:
    names = {kind: describe(index) for kind, index in indexes.items()}
    assert names[IVF].endswith(",SQfp16")
    assert names[IVF_SQ8].endswith(",SQ8")
    size = {kind: len(faiss.serialize_index(index)) for kind, index in indexes.items()}
    assert size[IVF_SQ8] < 0.65 * size[IVF]  # 1 byte a dimension instead of 2 (+ ids)
    assert not any(is_exact(index) for index in indexes.values())


def test_recall_at_10_of_8_bit_codes_is_at_least_095(
    case: tuple[np.ndarray, np.ndarray], indexes: dict[str, object]
) -> None:
    v, queries = case
    assert recall_at_k(indexes[IVF_SQ8], v, queries, k=10) >= 0.95


def test_reconstructed_vectors_are_close(
    case: tuple[np.ndarray, np.ndarray], indexes: dict[str, object]
) -> None:
    """The retriever scores hits with reconstructed vectors: decoded codes, near the real."""
    v, _ = case
    rows = np.array([0, 17, 2500, N - 1], dtype=np.int64)
    rec = indexes[IVF_SQ8].reconstruct_batch(rows)  # type: ignore[attr-defined]
    assert np.abs(rec - v[rows]).max() < 0.02
    cos = (rec * v[rows]).sum(1) / np.linalg.norm(rec, axis=1)
    assert cos.min() > 0.999


@pytest.mark.parametrize("kind", [IVF, IVF_SQ8])
@pytest.mark.parametrize("allowed_count", [50, 2000])
def test_filtered_search_returns_only_allowed_rows(
    case: tuple[np.ndarray, np.ndarray], indexes: dict[str, object], kind: str, allowed_count: int
) -> None:
    v, queries = case
    settings = Settings(ivf_exact_filter_max=1000)  # 50: exact on decoded codes; 2000: IVF
    allowed = np.sort(np.random.default_rng(2).choice(N, allowed_count, replace=False))
    scores, rows = search(indexes[kind], queries[:20], 10, allowed, settings)
    assert (rows >= 0).all()
    assert set(rows.ravel().tolist()) <= set(allowed.tolist())
    assert np.all(np.diff(scores, axis=1) <= 1e-5)  # best first
    exact = faiss.IndexFlatIP(v.shape[1])
    exact.add(v[allowed])
    _, truth = exact.search(queries[:20], 10)
    found = sum(len(set(allowed[t]) & set(r)) for t, r in zip(truth, rows, strict=True))
    assert found / truth.size >= 0.95


@pytest.mark.parametrize("kind", [IVF_SQ8])
def test_compressed_index_survives_saving_and_live_update(
    tmp_path: Path, case: tuple[np.ndarray, np.ndarray], indexes: dict[str, object], kind: str
) -> None:
    v, _ = case
    faiss.write_index(indexes[kind], str(tmp_path / "v.faiss"))
    loaded = prepare_for_search(faiss.read_index(str(tmp_path / "v.faiss")), Settings())
    assert describe(loaded) == describe(indexes[kind])
    loaded.remove_ids(faiss.IDSelectorArray(np.array([7, 8], dtype=np.int64)))
    loaded.add_with_ids(v[:1], np.array([50_000], dtype=np.int64))
    assert loaded.ntotal == N - 1
    _, found = loaded.search(v[:1], 5)
    assert 50_000 in found[0].tolist()
    with pytest.raises(RuntimeError):
        loaded.reconstruct(7)


def test_benchmark_only_pq_codes_are_described() -> None:
    from qa_service.store.vectors import empty_ivf

    index = empty_ivf("ivf_pq", 48, 4, pq_bytes=16)
    assert describe(index) == "IVF4,PQ16"
    with pytest.raises(ValueError):
        empty_ivf("hnsw", 48, 4)


@pytest.fixture(scope="module", params=["hnsw_sq8", "hnsw_fp16"])
def hnsw(request: pytest.FixtureRequest, case: tuple[np.ndarray, np.ndarray]) -> object:
    v, _ = case
    settings = Settings(faiss_index=request.param)
    return build_vector_index(v, np.arange(N, dtype=np.int64) + 3, settings)


def test_hnsw_over_codes_is_keyed_by_row_with_recall_at_10_of_at_least_095(
    case: tuple[np.ndarray, np.ndarray], hnsw: object
) -> None:
    v, queries = case
    assert describe(hnsw) in ("HNSW48,SQ8", "HNSW48,SQfp16")  # QA_HNSW_M
    assert not is_exact(hnsw)
    _, found = hnsw.search(queries, 10)  # type: ignore[attr-defined]
    exact = faiss.IndexFlatIP(v.shape[1])
    exact.add(v)
    _, truth = exact.search(queries, 10)
    hits = sum(len(set(t + 3) & set(f)) for t, f in zip(truth, found, strict=True))
    assert hits / truth.size >= 0.95
    rec = hnsw.reconstruct(3 + 17)  # type: ignore[attr-defined]
    assert np.abs(rec - v[17]).max() < 0.02


@pytest.mark.parametrize("allowed_count", [50, 2000])
def test_filtered_hnsw_search_returns_a_full_top_k_of_allowed_rows(
    case: tuple[np.ndarray, np.ndarray], hnsw: object, allowed_count: int
) -> None:
    v, queries = case
    settings = Settings(ivf_exact_filter_max=1000)  # 50: exact; 2000: a wider beam
    positions = np.sort(np.random.default_rng(4).choice(N, allowed_count, replace=False))
    allowed = positions + 3
    scores, rows = search(hnsw, queries[:20], 10, allowed, settings)
    assert (rows >= 0).all()
    assert set(rows.ravel().tolist()) <= set(allowed.tolist())
    exact = faiss.IndexFlatIP(v.shape[1])
    exact.add(v[positions])
    _, truth = exact.search(queries[:20], 10)
    found = sum(len(set(allowed[t]) & set(r)) for t, r in zip(truth, rows, strict=True))
    assert found / truth.size >= 0.95


def test_hnsw_removal_rebuilds_the_graph_without_the_rows(
    tmp_path: Path, case: tuple[np.ndarray, np.ndarray], hnsw: object
) -> None:
    from qa_service.store.vectors import remove_rows

    v, _ = case
    faiss.write_index(hnsw, str(tmp_path / "v.faiss"))
    loaded = prepare_for_search(faiss.read_index(str(tmp_path / "v.faiss")), Settings())
    assert describe(loaded) == describe(hnsw)
    smaller = remove_rows(loaded, np.array([3, 4], dtype=np.int64), Settings())
    assert describe(smaller) == describe(hnsw)  # rebuilt with the same codes
    smaller.add_with_ids(v[:1], np.array([90_000], dtype=np.int64))
    assert smaller.ntotal == N - 1
    _, found = smaller.search(v[:1], 5)
    assert 90_000 in found[0].tolist() and 3 not in found[0].tolist()
    with pytest.raises(RuntimeError):
        smaller.reconstruct(3)


def test_the_hnsw_search_beam_grows_with_the_collection_unless_set() -> None:
    from qa_service.store.vectors import HNSW_WIDE_FROM, hnsw_ef_search

    auto = Settings()
    assert hnsw_ef_search(1_000_000, auto) == 2048
    assert hnsw_ef_search(HNSW_WIDE_FROM, auto) == 4096
    assert hnsw_ef_search(HNSW_WIDE_FROM, Settings(hnsw_ef_search=1024)) == 1024
