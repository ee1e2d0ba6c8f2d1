"""The FAISS index type chosen by size, the recall of the approximate (IVF) index, filtered
search, removal for live updates, and the serving thread setting. Synthetic vectors only."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.store.vectors import (
    FLAT,
    IVF,
    build_vector_index,
    configure_faiss_threads,
    describe,
    index_kind,
    is_exact,
    ivf_nlist,
    ivf_nprobe,
    prepare_for_search,
    recall_at_k,
    search,
)


def clustered(n: int, dim: int = 48, clusters: int = 100, seed: int = 0) -> np.ndarray:
    """Unit vectors in clusters, like sentence embeddings of documents on a few topics."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim))
    v = centres[rng.integers(clusters, size=n)] + 0.6 * rng.normal(size=(n, dim))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v.astype(np.float32)


def test_index_kind_by_size() -> None:
    s = Settings(ann_threshold=1000)
    assert index_kind(999, s) == FLAT
    assert index_kind(1000, s) == IVF
    assert index_kind(10, Settings(faiss_index="ivf")) == IVF
    assert index_kind(10**7, Settings(faiss_index="flat")) == FLAT


def test_nlist_grows_with_size_and_has_enough_training_vectors() -> None:
    s = Settings()
    assert ivf_nlist(300_000, s) == int(4 * 300_000**0.5)
    assert ivf_nlist(2000, s) == 2000 // 39
    assert ivf_nlist(300_000, Settings(ivf_nlist=1024)) == 1024


def test_nprobe_is_half_of_the_cells_unless_set() -> None:
    assert ivf_nprobe(2000, Settings()) == 1000
    assert ivf_nprobe(2000, Settings(ivf_nprobe=64)) == 64
    assert ivf_nprobe(10, Settings(ivf_nprobe=64)) == 10


def test_small_index_is_exact_and_keyed_by_row() -> None:
    v = clustered(500)
    rows = np.arange(500, dtype=np.int64) + 1000
    index = build_vector_index(v, rows, Settings())
    assert is_exact(index)
    assert describe(index) == "IndexIDMap2"
    _, found = index.search(v[:3], 1)
    assert found[:, 0].tolist() == [1000, 1001, 1002]


@pytest.fixture(scope="module")
def ivf_case() -> tuple[np.ndarray, np.ndarray, Settings, object]:
    v = clustered(20_000)
    rng = np.random.default_rng(1)
    queries = v[rng.choice(len(v), 200, replace=False)] + 0.05 * rng.normal(size=(200, 48))
    settings = Settings(ann_threshold=10_000)
    index = build_vector_index(v, np.arange(len(v), dtype=np.int64), settings)
    return v, queries.astype(np.float32), settings, index


def test_large_index_is_ivf_with_recall_at_10_of_at_least_098(ivf_case) -> None:  # type: ignore[no-untyped-def]
    v, queries, settings, index = ivf_case
    assert not is_exact(index)
    assert describe(index).startswith("IVF")
    assert recall_at_k(index, v, queries, k=10) >= 0.98


def test_nprobe_trades_recall(ivf_case) -> None:  # type: ignore[no-untyped-def]
    v, queries, settings, index = ivf_case
    prepare_for_search(index, Settings(ivf_nprobe=1))
    low = recall_at_k(index, v, queries, k=10)
    prepare_for_search(index, settings)
    assert low < recall_at_k(index, v, queries, k=10)


@pytest.mark.parametrize("allowed_count", [50, 5000])
def test_filtered_ivf_search_returns_a_full_top_k_of_allowed_rows(
    ivf_case, allowed_count: int
) -> None:  # type: ignore[no-untyped-def]
    v, queries, _, index = ivf_case
    settings = Settings(ivf_exact_filter_max=1000)  # 50: exact; 5000: more cells scanned
    allowed = np.sort(np.random.default_rng(2).choice(len(v), allowed_count, replace=False))
    scores, rows = search(index, queries[:20], 10, allowed, settings)
    assert (rows >= 0).all()
    assert set(rows.ravel().tolist()) <= set(allowed.tolist())
    # the exact answer over the allowed rows
    exact = faiss.IndexFlatIP(v.shape[1])
    exact.add(v[allowed])
    _, truth = exact.search(queries[:20], 10)
    found = sum(len(set(allowed[t]) & set(r)) for t, r in zip(truth, rows, strict=True))
    assert found / truth.size >= 0.95
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # best first


def test_ivf_survives_saving_and_live_update_removal(tmp_path: Path) -> None:
    v = clustered(3000)
    settings = Settings(faiss_index="ivf")
    index = build_vector_index(v, np.arange(3000, dtype=np.int64) + 7, settings)
    faiss.write_index(index, str(tmp_path / "v.faiss"))
    loaded = prepare_for_search(faiss.read_index(str(tmp_path / "v.faiss")), settings)
    assert np.allclose(loaded.reconstruct(7), v[0], atol=1e-3)  # fp16 codes
    loaded.remove_ids(faiss.IDSelectorArray(np.array([7, 8], dtype=np.int64)))
    loaded.add_with_ids(v[:1], np.array([5000], dtype=np.int64))
    assert loaded.ntotal == 2999
    _, found = loaded.search(v[:1], 1)
    assert found[0, 0] == 5000
    with pytest.raises(RuntimeError):
        loaded.reconstruct(7)


def test_faiss_threads_setting() -> None:
    before = faiss.omp_get_max_threads()
    try:
        configure_faiss_threads(1)
        assert faiss.omp_get_max_threads() == 1
        configure_faiss_threads(0)  # 0 leaves it alone
        assert faiss.omp_get_max_threads() == 1
    finally:
        faiss.omp_set_num_threads(before)
    assert Settings().faiss_threads == 1


def test_query_threads_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from qa_service.embedding.embedder import configure_torch_threads

    before = torch.get_num_threads()
    try:
        configure_torch_threads(1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    monkeypatch.setenv("QA_QUERY_TORCH_THREADS", "2")
    assert Settings().query_torch_threads == 2
    assert Settings(_env_file=None).torch_threads == 0
