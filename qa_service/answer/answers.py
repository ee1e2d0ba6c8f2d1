"""What an answerer returns: the answer text and the passages its ``[n]`` cite."""

from __future__ import annotations

from dataclasses import dataclass, field

from qa_service.search.retriever import Hit
from qa_service.text.language import Language


@dataclass
class Citation:
    n: int
    hit: Hit
    quote: str  # the cited sentence(s), verbatim from the passage; "" when not quoted


@dataclass
class Answer:
    question: str
    answer: str
    answerable: bool
    language: Language
    citations: list[Citation] = field(default_factory=list)
    removed_sentences: int = 0  # generated sentences the citation guard removed
    backend: str = "extractive"  # what wrote the answer text
