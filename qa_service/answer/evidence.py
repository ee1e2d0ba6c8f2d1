"""What the index holds about a cited document, read once: its passage texts, its analysed
terms (with its title), and how rare a word is in the corpus.

The support check (does the answer's document hold what the question names?) reads the
cited documents whole for every answer; a build never changes, so each document is read and
analysed once (LRU).
"""

from __future__ import annotations

import functools
import math

from qa_service.store.protocol import SearchIndex
from qa_service.text.lexical import analyze
from qa_service.text.overlap import TextTerms


class DocumentEvidence:
    """A document's texts and terms, and word rarity, from one loaded index."""

    def __init__(self, index: SearchIndex, cache_size: int = 256) -> None:
        self.index = index
        #: each document's passage texts, in order
        self.texts = functools.lru_cache(maxsize=cache_size)(self._read_texts)
        #: each document's analysed terms with its title's
        self.terms = functools.lru_cache(maxsize=cache_size)(self._read_terms)

    def _read_texts(self, doc_id: str) -> tuple[str, ...]:
        return tuple(p.text for p in self.index.store.document_passages(doc_id))

    def _read_terms(self, doc_id: str, title: str) -> TextTerms:
        return TextTerms.of(" ".join((title, *self.texts(doc_id))))

    def rarity(self, word: str) -> float | None:
        """The rarest of ``word``'s analysed terms' IDF; None when the corpus lacks one."""
        terms = analyze(word)
        if not terms:
            return 0.0
        unknown = math.log((self.index.size + 1) / 0.5)
        idf = self.index.idf(terms)
        return None if max(idf) >= unknown - 1e-6 else max(idf)
