"""scripts/bench_bm25.py makes the BM25 index of many copies of a corpus directly: it must
be the index bm25s itself makes of those copies (same postings, same scores), and the pruned
search over it must equal the dense one. (The benchmark is run by hand: docs/scale-out.md.)"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import bm25s
import numpy as np
import pytest

from qa_service.config import PROJECT_ROOT
from qa_service.store.bm25 import bm25_search, bm25_search_dense


@pytest.fixture(scope="module")
def bench_bm25() -> ModuleType:
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    try:
        path = PROJECT_ROOT / "scripts" / "bench_bm25.py"
        spec = importlib.util.spec_from_file_location("bench_bm25", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(PROJECT_ROOT / "scripts"))
    return module


def test_replicated_index_is_bm25s_index_of_the_copies(bench_bm25: ModuleType) -> None:
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(40)]
    docs = [list(rng.choice(words, size=rng.integers(1, 12))) for _ in range(50)]
    source = bm25s.BM25()
    source.index(docs, show_progress=False)
    made = bench_bm25.replicated(source, 7)
    real = bm25s.BM25()
    real.index(docs * 7, show_progress=False)
    a, b = real.scores, made.scores
    assert int(b["num_docs"]) == 350
    for term, i in real.vocab_dict.items():
        if term == "":
            continue
        j = source.vocab_dict[term]
        ra = slice(a["indptr"][i], a["indptr"][i + 1])
        rb = slice(b["indptr"][j], b["indptr"][j + 1])
        assert np.array_equal(a["indices"][ra], b["indices"][rb])
        assert np.allclose(a["data"][ra], b["data"][rb], rtol=1e-6)
    rows = np.arange(350)
    queries = ["w1 w2 w3", "w7", "w5 w5 w30 w31 w32"]
    pruned = bm25_search(made, rows, queries, 20, prune_from=0)
    assert all(len(found) == 20 for found in pruned[0])
    assert pruned == bm25_search_dense(made, rows, queries, 20)
