"""Author-aware retrieval: the documents of the people a question names.

"What did the motion by Kat c.s. ask ...", "Jasper van Dijk's motion", "de motie-Kops": the
question names who wrote the document, which its passages (a motion's "verzoekt de regering
...") never say. :class:`AuthorIndex` maps each word of the indexed documents' authors to
their documents; the retriever runs one more dense search, restricted to the documents of
the authors a question names, and fuses its ranking with the hybrid one
(``author_weight``), so the named author's passage on the asked topic rises where the
similarity alone left it lower (a self-querying retriever, on the authors field only).
"""

from __future__ import annotations

import re
import threading

from qa_service.store.protocol import DocumentStore
from qa_service.text.lexical import fold
from qa_service.text.names import PARTICLES

_WORD = re.compile(r"\w+")


def name_words(text: str) -> list[str]:
    """The folded words of a name that identify someone (three letters or more, particles
    such as ``van der`` left out): ``Jasper van Dijk`` -> ``jasper``, ``dijk``."""
    return [w for w in _WORD.findall(fold(text)) if len(w) >= 3 and w not in PARTICLES]


class AuthorIndex:
    """Each author word of a store's documents -> those documents, built on first use."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self._by_word: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    def _build(self) -> dict[str, list[str]]:
        with self._lock:
            if self._by_word is None:
                by_word: dict[str, list[str]] = {}
                for doc_id, authors in sorted(self.store.authors().items()):
                    for word in {w for a in authors for w in name_words(a)}:
                        by_word.setdefault(word, []).append(doc_id)
                self._by_word = by_word
            return self._by_word

    def others(self, names: list[str]) -> list[str]:
        """The ``names`` none of whose words is an author word: names of things and places
        (``Wateringen``), or of people who wrote none of the documents (``Lilipaly``, whose
        questions' OCR text names him, not its metadata)."""
        if not names:
            return []
        by_word = self._build()
        return [n for n in names if not any(w in by_word for w in name_words(n))]

    def among(self, names: list[str]) -> list[str]:
        """The ``names`` one of whose words is an author word: the MPs a question names."""
        others = set(self.others(names))
        return [n for n in names if n not in others]

    def documents(self, names: list[str], most: int) -> list[str]:
        """The documents all of ``names`` that are author words wrote together ("the motion
        by Pouw-Verweij and Van der Plas", "Jasper" and "Dijk": Jasper van Dijk's, not Inge
        van Dijk's), else those any of them is an author word of; a word that heads more than
        ``most`` documents is skipped (too common to pick anyone out)."""
        each = self._each(names, most)
        out = {d: None for docs in each for d in docs}
        together = [d for d in out if all(d in docs for docs in each)]
        return together if len(each) > 1 and together else list(out)

    def together(self, names: list[str], most: int) -> set[str]:
        """The documents that two or more of ``names`` that are author words wrote together
        (all of them); empty for fewer such names (see :meth:`documents`)."""
        each = self._each(names, most)
        if len(each) < 2:
            return set()
        return set.intersection(*(set(docs) for docs in each))

    def _each(self, names: list[str], most: int) -> list[dict[str, None]]:
        """For each of ``names`` that is an author word, its documents (a word that heads
        more than ``most`` is skipped)."""
        if not names:
            return []  # no need to read the authors
        by_word = self._build()
        each: list[dict[str, None]] = []
        for name in names:
            docs: dict[str, None] = {}
            for word in name_words(name):
                found = by_word.get(word, [])
                if len(found) <= most:
                    docs.update(dict.fromkeys(found))
            if docs:
                each.append(docs)
        return each
