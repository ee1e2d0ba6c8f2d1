"""Sentence candidates for the chooser's tests, on small fixtures."""

from __future__ import annotations

from qa_service.answer.sentence_choice import Candidate


def c(
    passage: int,
    order: int,
    score: float,
    *terms: str,
    unit: str = "",
    document: str = "",
    text: str = "",
) -> Candidate:
    """A candidate sentence (``text``, else ``p<passage>s<order>``) of ``document`` holding
    ``terms``."""
    said = text or f"p{passage}s{order}"
    return Candidate(passage, order, said, score, set(terms), unit, document)
