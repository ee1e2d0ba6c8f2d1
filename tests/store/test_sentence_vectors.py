"""Sentence spans inside the embedded passage text, and the int8 storage of their vectors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from qa_service.parsing.chunking import split_sentences
from qa_service.store.sentence_vectors import pack, sentence_spans, unpack, unpack_both

PASSAGE = "Ik heb toegezegd honderd militairen te leveren. Dat gebeurt in 2018. Zie bijv. art. 5."
EMBEDDED = "Brief — Afghanistan\nDe minister van Defensie (ik): " + PASSAGE


def test_spans_are_the_sentences_of_the_passage_inside_the_embedded_text() -> None:
    spans = sentence_spans(EMBEDDED, PASSAGE)
    sentences = split_sentences(PASSAGE)
    assert len(spans) == len(sentences) == 3
    assert [EMBEDDED[a:b] for a, b in spans] == sentences
    assert spans[0][0] == len(EMBEDDED) - len(PASSAGE)  # not the title, not the speaker


def test_a_sentence_repeated_in_the_title_is_found_in_the_passage() -> None:
    embedded = "Dat gebeurt in 2018.\n" + PASSAGE
    spans = sentence_spans(embedded, PASSAGE)
    assert spans[1][0] > len("Dat gebeurt in 2018.\n")


def test_text_not_in_the_embedded_text_gets_empty_spans() -> None:
    assert sentence_spans("iets anders", PASSAGE) == [(0, 0)] * 3


def test_pack_round_trip_keeps_direction_and_zero_rows() -> None:
    rng = np.random.default_rng(1)
    v = rng.normal(size=(5, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    v[2] = 0.0
    blob = pack(v)
    assert len(blob) == 5 * (4 + 384)
    w = unpack(blob, 384)
    assert w.shape == v.shape and not w[2].any()
    keep = [0, 1, 3, 4]
    cos = (v[keep] * w[keep]).sum(1) / np.linalg.norm(w[keep], axis=1)
    assert cos.min() > 0.999
    assert unpack(pack(np.zeros((0, 384), np.float32)), 384).shape == (0, 384)


def test_sentences_embedded_alone_follow_the_in_context_rows() -> None:
    rng = np.random.default_rng(2)
    context, alone = (rng.normal(size=(3, 384)).astype(np.float32) for _ in range(2))
    context /= np.linalg.norm(context, axis=1, keepdims=True)
    alone /= np.linalg.norm(alone, axis=1, keepdims=True)
    alone[1] = 0.0
    blob = pack(context, alone)
    assert len(blob) == 7 * (4 + 384)  # a marker row between the two
    c, a = unpack_both(blob, 384)
    assert a is not None and c.shape == a.shape == (3, 384) and not a[1].any()
    assert ((c * context).sum(1) / np.linalg.norm(c, axis=1)).min() > 0.999
    assert abs(float(a[0] @ alone[0]) / float(np.linalg.norm(a[0])) - 1.0) < 1e-3
    assert np.array_equal(unpack(blob, 384), c)  # readers of the in-context rows only
    assert unpack_both(pack(context), 384)[1] is None  # an entry written before
    empty = pack(np.zeros((0, 384), np.float32), np.zeros((0, 384), np.float32))
    assert [x.shape for x in unpack_both(empty, 384) if x is not None] == [(0, 384)] * 2


def test_rows_embedded_alone_that_do_not_match_are_refused() -> None:
    one, two = np.ones((1, 384), np.float32), np.ones((2, 384), np.float32)
    with pytest.raises(ValueError, match="do not match"):
        unpack_both(pack(one, two), 384)


def test_unpack_refuses_a_blob_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="not rows of"):
        unpack(b"\0" * 390, 384)


def test_a_damaged_entry_in_the_store_is_left_out(tmp_path: Path) -> None:
    from qa_service.documents import DocumentMeta, Passage
    from qa_service.store.sqlite import PassageStore, write_store

    passages = [Passage(f"p{i}", "d", f"Zin {i}.", "", None, i) for i in range(3)]
    good = pack(np.ones((1, 384), np.float32) / np.sqrt(384))
    write_store(
        tmp_path / "store.sqlite",
        [(DocumentMeta(doc_id="d"), "h")],
        passages,
        sentences=[good, None, good],
    )
    con = sqlite3.connect(tmp_path / "store.sqlite")
    con.execute("UPDATE passages SET sentences = 'text, not bytes' WHERE row = 2")
    con.commit()
    con.close()
    store = PassageStore(tmp_path / "store.sqlite")
    assert store.has_sentence_vectors
    assert sorted(store.sentence_blobs([0, 1, 2])) == [0]  # none stored, and not bytes
    store.close()
