"""Answers are the same with the sentence-vector cache as without it.

The cache serves sentences embedded at question time: those of an index without the vectors
of sentences embedded alone (built with ``sentence_vectors_alone`` off, or before it)."""

from __future__ import annotations

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.service import QAService

QUESTIONS = [
    "Wat heeft de minister toegezegd voor Afghanistan?",
    "What did the NATO defence ministers decide about deterrence?",
]


def without_sentences_alone(service: QAService, monkeypatch: pytest.MonkeyPatch) -> None:
    index = service.answerer.index
    real = index.sentence_vectors

    def in_context_only(rows: list[int], alone: bool = False) -> dict[int, np.ndarray]:
        return {} if alone else real(rows)

    monkeypatch.setattr(index, "sentence_vectors", in_context_only)


def test_cached_sentence_vectors_give_the_same_answers(
    corpus_index: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = QAService(corpus_index, embedder)
    uncached = QAService(corpus_index.model_copy(update={"answer_sentence_cache": 0}), embedder)
    cached.warm_up()
    uncached.warm_up()
    without_sentences_alone(cached, monkeypatch)
    without_sentences_alone(uncached, monkeypatch)
    try:
        for _ in range(2):  # the second round is answered from the cache
            for q in QUESTIONS:
                a, b = cached.ask(q, 5).answer, uncached.ask(q, 5).answer
                assert a.answer == b.answer
                assert [c.quote for c in a.citations] == [c.quote for c in b.citations]
        cache = cached.answerer.sentence_cache
        assert cache.hits >= cache.misses > 0
        assert len(uncached.answerer.sentence_cache) == 0
    finally:
        cached.close()
        uncached.close()
