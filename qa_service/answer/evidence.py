"""What the index holds about a cited document, read once: its passage texts, its analysed
terms (with its title), and how rare a word is in the corpus.

The support check (does the answer's document hold what the question names?) reads the
cited documents whole for every answer; a build never changes, so each document is read and
analysed once (LRU).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from qa_service.answer.metadata import is_dictum
from qa_service.answer.sentence_choice import needs_previous
from qa_service.documents import DocumentMeta, Passage
from qa_service.filters import Filters
from qa_service.parsing.chunking import split_sentences
from qa_service.search.retriever import Hit
from qa_service.store.protocol import SearchIndex
from qa_service.store.vectors import center
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
        #: each document's passages with their index rows, in order
        self.rows = functools.lru_cache(maxsize=cache_size)(self._read_rows)

    def _read_texts(self, doc_id: str) -> tuple[str, ...]:
        return tuple(p.text for p in self.index.store.document_passages(doc_id))

    def _read_terms(self, doc_id: str, title: str) -> TextTerms:
        return TextTerms.of(self.text(doc_id, title))

    def _read_rows(self, doc_id: str) -> tuple[tuple[int, Passage], ...]:
        rows = self.index.store.rows_matching(Filters.create(doc_ids=[doc_id]))
        return tuple(sorted(self.index.store.passages_by_rows([int(r) for r in rows]).items()))

    def text(self, doc_id: str, title: str) -> str:
        """A document's title and passage texts, as one text."""
        return " ".join((title, *self.texts(doc_id)))

    def rarity(self, word: str) -> float | None:
        """The rarest of ``word``'s analysed terms' IDF; None when the corpus lacks one."""
        terms = analyze(word)
        if not terms:
            return 0.0
        unknown = math.log((self.index.size + 1) / 0.5)
        idf = self.index.idf(terms)
        return None if max(idf) >= unknown - 1e-6 else max(idf)

    def missing_antecedents(self, hits: list[Hit], query_vector: np.ndarray) -> list[Hit]:
        """The passage before each consideration of a motion among ``hits`` that points back
        to it ("overwegende dat het aandeel ... daarom ... moet worden teruggedrongen") when
        no hit is that passage, as hits (scored as :meth:`missing_dictums`): what the
        consideration points back to is the reason it gives."""
        have = {(h.passage.doc_id, h.passage.position) for h in hits}
        wanted = {
            (h.passage.doc_id, h.passage.position - 1): h.document
            for h in hits
            if h.document.doc_type == "motie"
            and h.passage.position > 0
            and (h.passage.doc_id, h.passage.position - 1) not in have
            and not is_dictum(h.passage.text)
            and needs_previous(split_sentences(h.passage.text)[0])
        }
        found = {
            (doc_id, position): next(
                (r for r in self.rows(doc_id) if r[1].position == position), None
            )
            for doc_id, position in wanted
        }
        return self._as_hits(
            [(*rp, wanted[key]) for key, rp in found.items() if rp is not None], query_vector
        )

    def missing_dictums(self, hits: list[Hit], query_vector: np.ndarray) -> list[Hit]:
        """The dictum passage ("verzoekt de regering ...") of each motion among ``hits`` of
        which no hit is the dictum, as hits (scored by their centred similarity to the
        question, no fused or BM25 score): a motion answers as a whole, and its dictum,
        what it asks, may rank below its considerations or not be retrieved at all."""
        have = {h.document.doc_id for h in hits if is_dictum(h.passage.text)}
        wanted = {
            h.document.doc_id: h.document
            for h in hits
            if h.document.doc_type == "motie" and h.document.doc_id not in have
        }
        found = {d: next((r for r in self.rows(d) if is_dictum(r[1].text)), None) for d in wanted}
        return self._as_hits(
            [(*rp, wanted[d]) for d, rp in found.items() if rp is not None], query_vector
        )

    def rest_of_motions(self, hits: list[Hit], query_vector: np.ndarray) -> list[Hit]:
        """The passages of the motions among ``hits`` that no hit is, as hits (scored as
        :meth:`missing_dictums`), nearest first: a motion answers as a whole, and the
        consideration that holds the figure asked for may not have been retrieved."""
        have = {(h.passage.doc_id, h.passage.position) for h in hits}
        motions = {h.document.doc_id: h.document for h in hits if h.document.doc_type == "motie"}
        found = [
            (row, passage, meta)
            for doc_id, meta in motions.items()
            for row, passage in self.rows(doc_id)
            if (doc_id, passage.position) not in have
        ]
        return sorted(self._as_hits(found, query_vector), key=lambda h: -h.dense_score)

    def _as_hits(
        self, found: list[tuple[int, Passage, DocumentMeta]], query_vector: np.ndarray
    ) -> list[Hit]:
        """Passages no search returned, as hits scored by their centred similarity to the
        question (no fused or BM25 score)."""
        if not found:
            return []
        stored = center(self.index.passage_vectors([r for r, _, _ in found]), self.index.centroid)
        return [
            Hit(row, passage, meta, 0.0, float(vector @ query_vector), 0.0)
            for (row, passage, meta), vector in zip(found, stored, strict=True)
        ]
