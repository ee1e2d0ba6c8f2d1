"""A bounded, thread-safe cache of text embeddings (least recently used out first).

Answering embeds the sentences of the top passages at query time; the same passages come
back for related questions, so their sentence vectors are kept here (keyed by the exact text
embedded) instead of being computed again. A hit returns the very vector the model gave, so
answers are the same with and without the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np


class VectorCache:
    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def encode(
        self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        """The vectors of ``texts`` in order; only the texts not cached go to ``compute``
        (in one batch)."""
        if self.maxsize <= 0:
            return compute(list(texts))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._data.get(text)
                if vector is not None:
                    self._data.move_to_end(text)
                    found[text] = vector
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            computed = compute(missing)
            with self._lock:
                for text, vector in zip(missing, computed, strict=True):
                    found[text] = vector
                    self._data[text] = vector
                    self._data.move_to_end(text)
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
        with self._lock:
            self.hits += len(texts) - len(missing)
            self.misses += len(missing)
        if not texts:
            return compute([])
        return np.vstack([found[t] for t in texts])
