"""The bounded sentence-vector cache used by answering."""

from __future__ import annotations

import numpy as np

from qa_service.embedding.cache import VectorCache


class Counting:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(texts)
        return np.array([[len(t), ord(t[0]) if t else 0] for t in texts], dtype=np.float32)


def test_only_missing_texts_are_computed_once_and_order_is_kept() -> None:
    cache, compute = VectorCache(10), Counting()
    first = cache.encode(["aa", "b", "aa"], compute)
    assert compute.calls == [["aa", "b"]]
    second = cache.encode(["c", "b", "aa"], compute)
    assert compute.calls[-1] == ["c"]
    assert np.array_equal(second[1:], first[[1, 0]])
    assert (cache.hits, cache.misses) == (3, 3)


def test_least_recently_used_is_evicted() -> None:
    cache, compute = VectorCache(2), Counting()
    cache.encode(["a", "b"], compute)
    cache.encode(["a"], compute)  # a is now more recent than b
    cache.encode(["c"], compute)
    assert len(cache) == 2
    cache.encode(["a"], compute)
    assert compute.calls[-1] == ["c"]  # a was still there
    cache.encode(["b"], compute)
    assert compute.calls[-1] == ["b"]  # b had been evicted


def test_size_zero_turns_it_off() -> None:
    cache, compute = VectorCache(0), Counting()
    cache.encode(["a"], compute)
    cache.encode(["a"], compute)
    assert len(compute.calls) == 2
    assert len(cache) == 0
