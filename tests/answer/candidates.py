"""Sentence candidates for the chooser's tests, on small fixtures."""

from __future__ import annotations

from qa_service.answer.sentence_choice import Candidate


def c(
    passage: int, order: int, score: float, *terms: str, unit: str = "", document: str = ""
) -> Candidate:
    """A candidate sentence (text ``p<passage>s<order>``) of ``document`` holding ``terms``."""
    return Candidate(passage, order, f"p{passage}s{order}", score, set(terms), unit, document)
