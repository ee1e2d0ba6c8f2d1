"""Retrieval over the compressed vector indexes (``ivf_sq8``, ``hnsw_fp16``) of a synthetic
build made from the small real index: hybrid and filtered search answer, and the dense score
of a hit, read back from the decoded codes, is within 0.02 of the exact one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.devtools.synthetic import ResidualTransfer, synthesise
from qa_service.embedding import Embedder
from qa_service.filters import Filters
from qa_service.search.retriever import Retriever
from qa_service.store.loaded import load_index
from qa_service.store.vectors import center, describe

QUERY = "Welke steun geeft Nederland aan Afghanistan?"


@pytest.fixture(scope="module", params=["ivf_sq8", "hnsw_fp16"])
def compressed(
    request: pytest.FixtureRequest, small_index: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Settings]:
    target = tmp_path_factory.mktemp(request.param) / "index"
    synthesise(small_index, 1500, target, vectors_like=ResidualTransfer, faiss_index=request.param)
    return target, Settings(index_dir=target, faiss_index=request.param)


def test_search_and_filtered_search_on_a_compressed_index(
    compressed: tuple[Path, Settings], embedder: Embedder
) -> None:
    target, settings = compressed
    index = load_index(target, settings=settings)
    assert describe(index.vectors) in ("IVF38,SQ8", "HNSW48,SQfp16") and index.size == 1500
    exact = np.load(target / "vectors.npy")
    retriever = Retriever(index, embedder, settings)
    result = retriever.search(QUERY, 10, mode="hybrid")
    assert len(result.hits) == 10
    for hit in result.hits:
        stored = center(exact[hit.row][None, :], index.centroid)[0]
        assert abs(hit.dense_score - float(stored @ result.query_vector)) < 0.02
    some = sorted({h.passage.doc_id for h in result.hits})[-1:]
    copies = [f"{some[0]}~{c}" for c in range(1, 4)]  # the synthetic copies of one document
    filters = Filters.create(doc_ids=[*some, *copies])
    allowed = index.allowed_rows(filters)
    for mode in ("dense", "bm25", "hybrid"):
        hits = retriever.search(QUERY, 5, mode=mode, filters=filters).hits  # type: ignore[arg-type]
        assert hits and {h.passage.doc_id for h in hits} <= set(filters.doc_ids)
        assert len(hits) == min(5, len(allowed)) or mode == "bm25"
    index.close()
