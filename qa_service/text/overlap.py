"""Term overlap: the IDF-weighted share of a set of terms that a text holds.

One scorer for the lexical part of answer-sentence choice (question terms in a sentence or
passage, :mod:`qa_service.answer.extractive`) and of the citation guard (a generated
sentence's terms in a passage, :mod:`qa_service.generation.guard`):

    overlap = sum of the weights of the terms the text holds / sum of all the terms' weights

A term is held when the text's analysed terms (:func:`~qa_service.text.lexical.analyze_text`: Dutch
stems) include it; a term the text lacks by stem still earns half its weight when its first
:data:`PREFIX` letters start a word of the text that is not a stop word (``Afghanistan`` /
``Afghaanse``; a participle also after its ``ge``: ``productie`` / ``geproduceerd``): a
cheap bridge between English words and Dutch cognates, and between the forms of names and
numbers. So does a separable verb split in the question ("kondigden ... aan" /
``aangekondigd``) and a term that ends a Dutch compound of the text (``beleid`` /
``vestigingsbeleid``).

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
#: Letters of a term that a compound of the text may end with (``beleid``).
HEAD = 5
#: Share of its weight that a term matched only by its prefix earns.
PREFIX_CREDIT = 0.5

#: The inverse document frequency of each of a list of analysed terms.
IdfLookup = Callable[[Sequence[str]], list[float]]

#: A term, or alternatives of which any one counts as the term (a question's word with the
#: documents' words for it: ``beloofd`` / ``toegezegd`` / ``toezegging``).
Term = str | tuple[str, ...]


def alternatives(term: Term) -> tuple[str, ...]:
    """The analysed terms a :data:`Term` stands for: itself alone, or its alternatives."""
    return term if isinstance(term, tuple) else (term,)


_WORD = re.compile(r"\w+")
#: a Dutch past participle: ``ge`` + a stem of four letters or more + ``d``/``t``/``en``
_PARTICIPLE = re.compile(r"ge\w{4,}(?:d|t|en)")


def word_prefixes(
    words: Iterable[str], size: int = PREFIX, skip: frozenset[str] = STOPWORDS
) -> set[str]:
    """The ``size``-letter prefixes of the ``words`` at least that long, except those in
    ``skip`` (stop words); of a Dutch past participle also the prefix after its ``ge``
    (``geproduceerd``: ``produ``, as "productie" and "production" start)."""
    out = {w[:size] for w in words if len(w) >= size and w not in skip}
    out.update(w[2 : size + 2] for w in words if _PARTICIPLE.fullmatch(w) and w not in skip)
    return out


#: Particles of Dutch separable verbs: "kondigden ... aan" is analysed ``kond``, the
#: documents' "aangekondigd" ``aankond``.
SEPARABLE = ("aan", "af", "bij", "door", "mee", "na", "op", "terug", "toe", "uit", "vast", "weg")


def unparticled(terms: Iterable[str]) -> set[str]:
    """The ``terms`` that start with a separable verb's particle, without it (``aankond``:
    ``kond``; three letters must remain)."""
    return {
        t[len(p) :] for t in terms for p in SEPARABLE if t.startswith(p) and len(t) > len(p) + 2
    }


def heads(terms: Iterable[str]) -> set[str]:
    """The possible heads of the ``terms`` that are Dutch compounds: each ending of
    :data:`HEAD` letters or more after three or more (``vestigingsbeleid``: ``beleid``,
    ...)."""
    return {t[i:] for t in terms for i in range(3, len(t) - HEAD + 1)}


@dataclass(frozen=True)
class TextTerms:
    """What overlap looks up in a text: its analysed terms, its words' prefixes, its
    terms without a separable verb's particle and the endings of its compounds."""

    terms: frozenset[str]
    prefixes: frozenset[str]
    verbs: frozenset[str] = frozenset()
    heads: frozenset[str] = frozenset()

    @classmethod
    def of(cls, text: str) -> TextTerms:
        terms = frozenset(analyze_text(text))
        prefixes = frozenset(word_prefixes(_WORD.findall(fold(text))))
        return cls(terms, prefixes, frozenset(unparticled(terms)), frozenset(heads(terms)))


class TermOverlap:
    """Scores how much of a list of terms texts hold, each term weighted by its IDF."""

    def __init__(self, idf: IdfLookup | None = None) -> None:
        self.idf = idf

    def weights(self, terms: Sequence[str]) -> list[float]:
        """The terms' weights: their IDF, or 1 each without a lookup."""
        return self.idf(terms) if self.idf is not None else [1.0] * len(terms)

    def score(
        self, terms: Sequence[Term], texts: Sequence[str | TextTerms]
    ) -> tuple[list[float], list[set[str]]]:
        """For each text, the weighted share of ``terms`` it holds (prefix matches count
        :data:`PREFIX_CREDIT`) and which of the terms it holds (by stem or prefix).

        ``terms`` are analysed terms (repeated ones count once); a tuple of alternatives
        counts once, held when any of them is, weighted as the rarest of them, and is named
        by its first in the terms held. A text is given as a string or, to score it against
        many term lists, analysed once as :class:`TextTerms`.
        """
        groups = list(dict.fromkeys(alternatives(t) for t in terms))
        if not groups:
            return [0.0] * len(texts), [set() for _ in texts]
        flat = list(dict.fromkeys(a for g in groups for a in g))
        idf = dict(zip(flat, self.weights(flat), strict=True))
        weights = [max(idf[a] for a in g) for g in groups]
        total = sum(weights) or 1.0
        shares = []
        held = []
        for text in texts:
            analysed = TextTerms.of(text) if isinstance(text, str) else text
            got = 0.0
            found: set[str] = set()
            for group, weight in zip(groups, weights, strict=True):
                if any(a in analysed.terms for a in group):
                    got += weight
                    found.add(group[0])
                elif any(_partly(a, analysed) for a in group):
                    got += PREFIX_CREDIT * weight
                    found.add(group[0])
            shares.append(got / total)
            held.append(found)
        return shares, held


def _partly(term: str, analysed: TextTerms) -> bool:
    """Whether ``analysed`` holds ``term`` by its word prefix (``Afghaanse`` for
    ``afghanistan``), as a separable verb ("kondigden ... aan": ``aangekondigd``) or as the
    end of a compound (``beleid`` in ``vestigingsbeleid``)."""
    if len(term) >= PREFIX and term[:PREFIX] in analysed.prefixes:
        return True
    return term in analysed.verbs or term in analysed.heads
