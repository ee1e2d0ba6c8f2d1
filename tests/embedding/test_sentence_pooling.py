"""Sentence vectors pooled from a passage's own forward pass (late chunking)."""

from __future__ import annotations

import numpy as np
import pytest

from qa_service.embedding import Embedder
from qa_service.store.sentence_vectors import sentence_spans

PASSAGE = (
    "De minister heeft honderd militairen toegezegd voor de missie in Afghanistan. "
    "De melkprijs voor boeren is dit jaar sterk gedaald. "
    "Het kabinet investeert in nieuwe spoorlijnen naar het noorden."
)
OTHER = "Een korte tweede passage over belastingen."


def test_passage_vectors_match_and_sentences_follow_their_own_text(embedder: Embedder) -> None:
    texts = ["Brief — Kamerstuk\n" + PASSAGE, OTHER]
    spans = [sentence_spans(texts[0], PASSAGE), sentence_spans(OTHER, OTHER)]
    passages, sentences = embedder.encode_passages_with_sentences(texts, spans)
    plain = embedder.encode_passages(texts)
    assert passages.shape == plain.shape
    assert (passages * plain).sum(1).min() > 0.99  # the same, up to bfloat16 padding noise
    assert [s.shape for s in sentences] == [(3, embedder.dimension), (1, embedder.dimension)]
    # each question finds the sentence that answers it, although every sentence vector
    # carries its passage's context (which makes them alike: cosines 0.83 to 0.88)
    questions = embedder.encode_queries(
        [
            "Hoeveel militairen gaan naar Afghanistan?",
            "Wat is er met de melkprijs gebeurd?",
            "Waar investeert het kabinet in?",
        ]
    )
    assert list((questions @ sentences[0].T).argmax(axis=1)) == [0, 1, 2]


def test_a_sentence_beyond_the_window_gets_a_zero_row(embedder: Embedder) -> None:
    filler = "Dit is een zin die de passage langer maakt dan het venster van het model. " * 60
    text = filler + "De laatste zin valt buiten het venster."
    spans = [(0, 20), (len(filler), len(text))]
    _, sentences = embedder.encode_passages_with_sentences([text], [spans])
    assert np.linalg.norm(sentences[0][0]) == pytest.approx(1.0, abs=1e-3)
    assert not sentences[0][1].any()


def test_one_list_of_spans_per_text(embedder: Embedder) -> None:
    with pytest.raises(ValueError, match="one list of spans"):
        embedder.encode_passages_with_sentences(["a", "b"], [[(0, 1)]])
