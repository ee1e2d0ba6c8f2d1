"""The Milvus store against a real milvus-lite server: a local build copied into Milvus reads
back the same (passages, documents, vectors, IDF, facets), filters select the same passages as
SQLite does, dense search finds what FAISS finds, and the engine's hybrid search is the
weighted RRF of its own two rankings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.filters import Filters
from qa_service.search.fusion import weighted_rrf
from qa_service.search.retriever import Retriever
from qa_service.store.loaded import LoadedIndex, load_index
from qa_service.text.lexical import analyze
from tests.conftest import milvus_settings

pytest.importorskip("pymilvus", reason="the .[milvus] extra (pymilvus) is not installed")

from qa_service.ingest.milvus import import_local  # noqa: E402
from qa_service.store.milvus.index import MilvusIndex, load_milvus_index  # noqa: E402
from qa_service.store.milvus.schema import (  # noqa: E402
    GRPC_OPTIONS,
    connect,
    filter_expression,
    literal,
)


@pytest.fixture(scope="module")
def local(small_index: Path) -> Iterator[LoadedIndex]:
    index = load_index(small_index)
    yield index
    index.close()


@pytest.fixture(scope="module", params=["dutch", "client"])
def milvus(request: pytest.FixtureRequest, small_index: Path, milvus_uri: str) -> MilvusIndex:
    """The small index copied into Milvus, with each keyword analyzer."""
    settings = milvus_settings(milvus_uri, f"small_{request.param}", milvus_analyzer=request.param)
    import_local(settings, small_index)
    return load_milvus_index(settings, expected_model=Settings().embedding_model)


def test_copy_reads_back_the_same(local: LoadedIndex, milvus: MilvusIndex) -> None:
    assert milvus.size == local.size and milvus.manifest.model == local.manifest.model
    assert np.allclose(milvus.centroid, local.centroid)
    rows = [r for r, _ in local.store.all_passages()]
    assert milvus.store.all_passages() == local.store.all_passages()
    assert milvus.store.passages_by_rows(rows[:7]) == local.store.passages_by_rows(rows[:7])
    assert np.allclose(milvus.passage_vectors(rows[:5]), local.passage_vectors(rows[:5]))
    mine, theirs = milvus.sentence_vectors(rows), local.sentence_vectors(rows)
    assert mine.keys() == theirs.keys() and all(np.array_equal(mine[r], theirs[r]) for r in mine)
    ids = list(local.store.content_hashes())
    assert milvus.store.content_hashes() == local.store.content_hashes()
    assert milvus.store.documents(ids) == local.store.documents(ids)
    assert milvus.store.sources() == local.store.sources()
    assert milvus.store.authors() == local.store.authors()
    assert any(local.store.authors().values())
    assert milvus.store.document_passages(ids[0]) == local.store.document_passages(ids[0])
    assert milvus.store.document("kst-0-0") is None
    assert milvus.store.facets() == local.store.facets()
    assert milvus.store.list_documents(1, 2) == local.store.list_documents(1, 2)
    terms = analyze("Afghanistan militairen regering verzoekt onbekendwoord")
    assert milvus.idf(terms) == pytest.approx(local.idf(terms))
    assert milvus.is_current()


@pytest.mark.parametrize(
    "filters",
    [
        Filters.create(doc_ids=["kst-28676-280", "kst-36284-6"]),
        Filters.create(dossier="28676"),
        Filters.create(dossier=["29754", "34682-141"]),
        Filters.create(doc_type="Motie"),
        Filters.create(date_from="2023-02-01"),
        Filters.create(date_to="2023-02-10", doc_type="motie"),
        Filters.create(vergaderjaar="2022/23"),
        Filters.create(dossier="99999"),
    ],
)
def test_filters_select_what_sqlite_selects(
    local: LoadedIndex, milvus: MilvusIndex, filters: Filters
) -> None:
    expected = local.store.rows_matching(filters)
    assert np.array_equal(milvus.store.rows_matching(filters), expected)
    assert milvus.count(filters) == len(expected)
    assert milvus.store.count_documents(filters) == local.store.count_documents(filters)


def test_the_connection_keeps_alive_within_what_milvus_lite_accepts(milvus_uri: str) -> None:
    """pymilvus shares one connection per address, made with the first client's options: the
    service's keep-alive must be the one in use, or milvus-lite closes it (too many pings)."""
    client = connect(milvus_settings(milvus_uri, "probe"))
    options = client._handler._grpc_options  # the options its gRPC channel was made with
    assert {k: options.get(k) for k in GRPC_OPTIONS} == GRPC_OPTIONS
    assert client.list_collections() is not None


def test_filter_expressions_quote_their_values() -> None:
    assert literal('a"b\\c') == '"a\\"b\\\\c"'
    expr = filter_expression(Filters.create(doc_ids=['x" or row >= 0 or doc_id == "']))
    assert expr == 'doc_id in ["x\\" or row >= 0 or doc_id == \\""]'
    assert filter_expression(Filters()) == ""


def test_dense_search_finds_what_faiss_finds(local: LoadedIndex, milvus: MilvusIndex) -> None:
    rng = np.random.default_rng(0)
    queries = local.passage_vectors([0, 5, 9]) + 0.05 * rng.standard_normal((3, 384))
    queries = queries.astype(np.float32)
    scores, rows = milvus.dense_search(queries, 8, None)
    expected_scores, expected_rows = local.dense_search(queries, 8, None)
    assert np.array_equal(rows, expected_rows)
    assert np.allclose(scores, expected_scores, atol=1e-4)
    only = Filters.create(doc_type="motie")
    _, rows = milvus.dense_search(queries, 50, only)
    allowed = set(local.store.rows_matching(only).tolist())
    found = [r for r in rows[0].tolist() if r >= 0]
    assert len(found) == len(allowed) and set(found) == allowed


def test_hybrid_search_is_the_weighted_rrf_of_the_engine_rankings(
    local: LoadedIndex, milvus: MilvusIndex
) -> None:
    queries = ["Afghanistan militairen trainers", "verzoekt de regering slavernijverleden"]
    vectors = local.passage_vectors([3, 30]).astype(np.float32)
    fused = milvus.hybrid_search(vectors, queries, 10, 10, [(1.0, 1.0), (2.0, 2.0)], 60, None)
    scores, rows = milvus.dense_search(vectors, 10, None)
    kw_rows, kw_scores = milvus.keyword_search(queries, 10, None)
    for i, (weight, ranking) in enumerate(zip([1.0, 2.0], fused, strict=True)):
        dense = [(int(r), float(s)) for r, s in zip(rows[i], scores[i], strict=True) if r >= 0]
        keyword = list(zip(kw_rows[i], kw_scores[i], strict=True))
        assert keyword and all(s > 0 for _, s in keyword)  # the sign of a cluster's scores
        assert [s for _, s in keyword] == sorted((s for _, s in keyword), reverse=True)
        expected = weighted_rrf([(weight, dense), (weight, keyword)], 60)
        assert ranking is not None
        assert [r for r, _ in ranking] == [r for r, _ in expected]
        assert [s for _, s in ranking] == pytest.approx([s for _, s in expected], rel=1e-5)
    # a BM25 weight of 0 (English questions): the dense ranking alone; unequal weights: the
    # retriever fuses
    dense_only, unequal = milvus.hybrid_search(
        vectors, queries, 10, 10, [(1.0, 0.0), (1.0, 0.5)], 60, None
    )
    assert dense_only is not None and [r for r, _ in dense_only] == rows[0].tolist()
    assert unequal is None


def test_a_named_author_lifts_their_documents_on_milvus_too(
    local: LoadedIndex, milvus: MilvusIndex, embedder: Embedder
) -> None:
    """The author search (a dense search filtered to the named author's documents) runs on
    the engine's filter as it does on FAISS's: the same passages come first."""
    settings = Settings(index_dir=Path("unused"))
    question = "What did Leijten want?"
    there = Retriever(milvus, embedder, settings).search(question, 5).hits
    here = Retriever(local, embedder, settings).search(question, 5).hits
    assert [h.passage.doc_id for h in there].count("kst-36284-6") >= 3
    assert [h.passage.passage_id for h in there[:3]] == [h.passage.passage_id for h in here[:3]]
