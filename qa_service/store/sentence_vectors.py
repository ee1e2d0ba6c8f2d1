"""Answer-sentence vectors stored with each passage (int8, one row per sentence).

At index time every passage's forward pass also yields a vector for each of its sentences
(:meth:`~qa_service.embedding.Embedder.encode_passages_with_sentences`): the mean of the
passage's token embeddings over the sentence. The answerer can then score the sentences of
the retrieved passages without running the model again (``answer_sentences_nl/en=index``).

A passage's sentences are those of :func:`~qa_service.parsing.chunking.split_sentences` on its text,
in order; a stored row is ``float32 scale`` then ``dimension`` int8 codes.

With ``sentence_vectors_alone`` the entry also holds each sentence embedded on its own (what
``answer_sentences_nl/en=query`` scores with), after a marker row (scale -1, which no real row
has): the answerer then reads them instead of running the model at question time. Entries
without the marker (written before) hold the in-context rows only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np

from qa_service.parsing.chunking import split_sentences

log = logging.getLogger(__name__)

#: the scale of the row that separates in-context rows from rows embedded alone
_MARKER = -1.0


def sentence_spans(embedded: str, passage_text: str) -> list[tuple[int, int]]:
    """The character spans in ``embedded`` (what the model reads for the passage: title,
    section, speaker, then the passage text) of each sentence of ``passage_text``."""
    base = embedded.rfind(passage_text)
    sentences = split_sentences(passage_text)
    if base < 0:
        return [(0, 0)] * len(sentences)  # not found: no token is inside an empty span
    spans = []
    cursor = base
    for sentence in sentences:
        start = embedded.find(sentence, cursor)
        if start < 0:  # cannot happen: split_sentences returns stripped slices of the text
            spans.append((0, 0))
            continue
        cursor = start + len(sentence)
        spans.append((start, cursor))
    return spans


def pack(vectors: np.ndarray, alone: np.ndarray | None = None) -> bytes:
    """Rows of unit vectors as int8 codes with one float32 scale per row (zero rows stay
    zero); ``alone`` (the same sentences embedded on their own) follows a marker row."""
    if alone is not None:
        marker = np.zeros((1, 4 + np.shape(vectors)[1]), dtype=np.uint8)
        marker[0, :4] = np.array([_MARKER], dtype="<f4").view(np.uint8)
        return pack(vectors) + marker.tobytes() + pack(alone)
    v = np.asarray(vectors, dtype=np.float32)
    scales = np.abs(v).max(axis=1, initial=0.0) / 127.0
    codes = np.zeros(v.shape, dtype=np.int8)
    nonzero = scales > 0
    codes[nonzero] = np.rint(v[nonzero] / scales[nonzero, None]).astype(np.int8)
    rows = np.empty((len(v), 4 + v.shape[1]), dtype=np.uint8)
    rows[:, :4] = scales.astype("<f4").view(np.uint8).reshape(len(v), 4)
    rows[:, 4:] = codes.view(np.uint8)
    return rows.tobytes()


def unpack(blob: bytes, dimension: int) -> np.ndarray:
    """The in-context float32 rows of :func:`pack` (approximately: int8 precision)."""
    return unpack_both(blob, dimension)[0]


def unpack_both(blob: bytes, dimension: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The in-context rows of :func:`pack`, and the rows of the sentences embedded alone
    (None when the entry has none)."""
    width = 4 + dimension
    if len(blob) % width:
        raise ValueError(f"sentence vectors of {len(blob)} bytes are not rows of {width}")
    rows = np.frombuffer(blob, dtype=np.uint8).reshape(-1, width)
    scales = rows[:, :4].copy().view("<f4").reshape(-1)
    codes = rows[:, 4:].view(np.int8).astype(np.float32)
    vectors = codes * scales[:, None]
    marks = np.flatnonzero(scales == _MARKER)
    if not len(marks):
        return vectors, None
    at = int(marks[0])
    context, alone = vectors[:at], vectors[at + 1 :]
    if len(marks) > 1 or len(alone) != len(context):
        raise ValueError("sentence vectors: the rows embedded alone do not match the others")
    return context, alone


def read_entries(
    blobs: Mapping[int, bytes], dimension: int, alone: bool = False
) -> dict[int, np.ndarray]:
    """The stored entries of passage rows (``blobs``) as their sentences' rows: read in the
    passage's context, or with ``alone`` embedded on their own (rows without those are left
    out); a corrupt entry is left out (and logged)."""
    out = {}
    for row, blob in blobs.items():
        try:
            context, separate = unpack_both(blob, dimension)
        except ValueError as exc:
            log.warning("passage row %d: %s", row, exc)
            continue
        vectors = separate if alone else context
        if vectors is not None:
            out[row] = vectors
    return out
