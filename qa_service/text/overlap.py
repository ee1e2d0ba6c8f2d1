"""Term overlap: the IDF-weighted share of a set of terms that a text holds.

One scorer for the lexical part of answer-sentence choice (question terms in a sentence or
passage, :mod:`qa_service.answer.extractive`) and of the citation guard (a generated
sentence's terms in a passage, :mod:`qa_service.generation.guard`):

    overlap = sum of the weights of the terms the text holds / sum of all the terms' weights

A term is held when the text's analysed terms (:func:`~qa_service.text.lexical.analyze_text`: Dutch
stems) include it; a term the text lacks by stem still earns half its weight when its first
:data:`PREFIX` letters start a word of the text that is not a stop word (``Afghanistan`` /
``Afghaanse``): a cheap bridge between English words and Dutch cognates, and between the
forms of names and numbers.

The weights come from an IDF lookup passed in (the loaded index's, so that this module stays
below the store); without one every term weighs 1.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from qa_service.text.lexical import STOPWORDS, analyze_text, fold

#: Letters of a word prefix that match a term missing by stem.
PREFIX = 5
#: Share of its weight that a term matched only by its prefix earns.
PREFIX_CREDIT = 0.5

#: The inverse document frequency of each of a list of analysed terms.
IdfLookup = Callable[[Sequence[str]], list[float]]

_WORD = re.compile(r"\w+")


def word_prefixes(
    words: Iterable[str], size: int = PREFIX, skip: frozenset[str] = STOPWORDS
) -> set[str]:
    """The ``size``-letter prefixes of the ``words`` at least that long, except those in
    ``skip`` (stop words)."""
    return {w[:size] for w in words if len(w) >= size and w not in skip}


@dataclass(frozen=True)
class TextTerms:
    """What overlap looks up in a text: its analysed terms and its words' prefixes."""

    terms: frozenset[str]
    prefixes: frozenset[str]

    @classmethod
    def of(cls, text: str) -> TextTerms:
        return cls(
            frozenset(analyze_text(text)), frozenset(word_prefixes(_WORD.findall(fold(text))))
        )


class TermOverlap:
    """Scores how much of a list of terms texts hold, each term weighted by its IDF."""

    def __init__(self, idf: IdfLookup | None = None) -> None:
        self.idf = idf

    def weights(self, terms: Sequence[str]) -> list[float]:
        """The terms' weights: their IDF, or 1 each without a lookup."""
        return self.idf(terms) if self.idf is not None else [1.0] * len(terms)

    def score(
        self, terms: Sequence[str], texts: Sequence[str | TextTerms]
    ) -> tuple[list[float], list[set[str]]]:
        """For each text, the weighted share of ``terms`` it holds (prefix matches count
        :data:`PREFIX_CREDIT`) and which of the terms it holds (by stem or prefix).

        ``terms`` are analysed terms (repeated ones count once); a text is given as a string
        or, to score it against many term lists, analysed once as :class:`TextTerms`.
        """
        terms = list(dict.fromkeys(terms))
        if not terms:
            return [0.0] * len(texts), [set() for _ in texts]
        weights = self.weights(terms)
        total = sum(weights) or 1.0
        shares = []
        held = []
        for text in texts:
            analysed = TextTerms.of(text) if isinstance(text, str) else text
            got = 0.0
            found: set[str] = set()
            for term, weight in zip(terms, weights, strict=True):
                if term in analysed.terms:
                    got += weight
                    found.add(term)
                elif len(term) >= PREFIX and term[:PREFIX] in analysed.prefixes:
                    got += PREFIX_CREDIT * weight
                    found.add(term)
            shares.append(got / total)
            held.append(found)
        return shares, held
