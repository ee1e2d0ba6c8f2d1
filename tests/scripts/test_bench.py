"""Smoke test of scripts/bench.py: the synthetic index it measures latency on is a valid
index of the asked size, and its helpers summarise correctly. (The benchmark itself is run
by hand: see docs/performance.md.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from qa_service.config import PROJECT_ROOT, Settings
from qa_service.devtools.latency import percentiles
from qa_service.embedding import Embedder
from qa_service.service import QAService
from qa_service.store.loaded import load_index


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", PROJECT_ROOT / "scripts" / "bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_percentiles_and_table(bench: ModuleType) -> None:
    p = percentiles([float(x) for x in range(1, 101)])
    assert p["p50"] == pytest.approx(50.5)
    assert p["p95"] == pytest.approx(95.05, abs=0.1)
    assert 99 <= p["p99"] <= 100
    text = bench.table([{"a": 1, "bb": "x"}], ["a", "bb"])
    assert text.splitlines()[0].split() == ["a", "bb"]


def test_synthetic_index_reuses_passages_under_new_ids(
    bench: ModuleType, corpus_index: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    source = load_index(corpus_index.index_dir)
    n = source.size
    source.close()
    made = bench.synthesise(corpus_index.index_dir, n + 500, tmp_path / "synthetic")
    assert n + 500 <= made["passages"] < n + 1000  # whole documents are copied
    assert made["copies"] == 2
    index = load_index(tmp_path / "synthetic")  # checksums, counts and model all valid
    try:
        assert index.size == made["passages"]
        rows = [r for r, _ in index.store.all_passages()]
        assert sorted(index.sentence_vectors(rows)) == rows  # copied with the passages
        ids = [p.passage_id for _, p in index.store.all_passages()]
        assert len(set(ids)) == len(ids)
        assert any(i.endswith("~1") for i in ids)
    finally:
        index.close()
    service = QAService(Settings(index_dir=tmp_path / "synthetic"), embedder)
    service.warm_up()
    try:
        hits = service.search("Afghanistan verkiezingen", 10).hits
        assert len(hits) == 10
        assert bench.questions(tmp_path / "synthetic", 30)
        english = bench.english_questions(100)
        assert english and all(q.isascii() for q in english)
    finally:
        service.close()
