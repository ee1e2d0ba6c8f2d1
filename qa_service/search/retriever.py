"""Hybrid retrieval: dense and keyword (BM25) search fused by weighted RRF.

:class:`Retriever` orchestrates: it embeds the questions, has the index's store run the dense
and the keyword search (:class:`~qa_service.store.protocol.SearchIndex`: FAISS and bm25s in
the local build, the engine on Milvus), fuses the two rankings
(:mod:`qa_service.search.fusion`: reciprocal-rank fusion whose BM25 weight depends on the
question's detected language; every weight is a setting, ``qa-service eval`` compares them)
and hydrates the fused rows: each a :class:`Hit` with its passage, document and scores. A
store that fuses in its engine (Milvus ``hybrid_search``) returns the fused ranking itself,
with the same weights.

Filters (:class:`~qa_service.filters.Filters`) restrict both searches to the passages of the
matching documents inside the search itself (locally a FAISS ``IDSelector`` and BM25 ranking
only the allowed passages, on Milvus a boolean expression), so a filtered search returns a
full top-k whenever enough passages match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.embedding import Embedder
from qa_service.filters import NO_FILTERS, Filters
from qa_service.search.authors import AuthorIndex
from qa_service.search.fusion import Mode, bm25_weight, fuse, weighted_rrf
from qa_service.store.protocol import DocumentStore, Ranking, SearchIndex
from qa_service.store.vectors import center
from qa_service.text.language import Language, detect_language
from qa_service.text.lexical import analyze, fold
from qa_service.text.names import names, names_only, written

#: A name's word whose terms are this common in the index (IDF under it) picks out nothing
#: in a keyword search for the name: "Plan" of "Tax Plan" finds every plan, "EU" every EU.
COMMON_NAME_IDF = 3.5


@dataclass
class Hit:
    """One retrieved passage with its document and scores."""

    row: int
    passage: Passage
    document: DocumentMeta
    score: float  # the fused score that orders the results
    dense_score: float  # centred cosine similarity of question and passage vector
    bm25_score: float  # 0.0 when BM25 did not return it (or did not run: weight 0)


@dataclass
class RetrievalResult:
    query: str
    language: Language
    hits: list[Hit]
    query_vector: np.ndarray
    filters: Filters = NO_FILTERS  # what the search was restricted to


class Retriever:
    """Searches one loaded index. Thread-safe: holds no per-query state."""

    def __init__(
        self,
        index: SearchIndex,
        embedder: Embedder,
        settings: Settings,
        authors: AuthorIndex | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        #: the documents of each author word, built at the first question that names someone
        self.authors = authors if authors is not None else AuthorIndex(index.store)

    @property
    def store(self) -> DocumentStore:
        """The passages and documents searched."""
        return self.index.store

    def search(
        self, query: str, top_k: int, mode: Mode = "hybrid", filters: Filters | None = None
    ) -> RetrievalResult:
        return self.search_batch([query], top_k, mode, filters)[0]

    def search_batch(
        self,
        queries: Sequence[str],
        top_k: int,
        mode: Mode = "hybrid",
        filters: Filters | None = None,
    ) -> list[RetrievalResult]:
        """Search many queries at once: one embedding batch, one dense and one keyword search
        call (the keyword search only for the queries whose BM25 ranking counts: not in
        ``dense`` mode, nor for a hybrid query whose language's BM25 weight is 0).
        ``filters`` restrict all of them to the passages of the matching documents."""
        if not queries:
            return []
        s = self.settings
        # The passages are ranked by inner product with the question's own vector (a
        # passage's vector holds its context's, see indexing.embed_passages); the centred
        # vector (centred row by row: the same in any batch) measures the similarity that
        # abstention and sentence choice use.
        raw = np.ascontiguousarray(self.embedder.encode_queries(list(queries)))
        vectors = np.vstack([center(row[None, :], self.index.centroid) for row in raw])
        languages = [detect_language(q) for q in queries]
        active = filters if filters is not None and filters.active else None
        n = self.index.count(active)
        dense_k = min(n, max(top_k, s.dense_candidates))
        keyword_k = min(n, max(top_k, s.bm25_candidates))

        engine: list[Ranking | None] = [None] * len(queries)
        if mode == "hybrid" and n > 0:
            weights = [(s.dense_weight, bm25_weight(s, lang)) for lang in languages]
            engine = self.index.hybrid_search(
                raw, queries, dense_k, keyword_k, weights, s.rrf_k, active
            )
        todo = [i for i, fused in enumerate(engine) if fused is None]
        dense_rows = np.zeros((len(queries), 0), dtype=np.int64)
        dense_scores = np.zeros((len(queries), 0), dtype=np.float32)
        bm25_rows: list[list[int]] = [[] for _ in queries]
        bm25_scores: list[list[float]] = [[] for _ in queries]
        if todo:
            everything = len(todo) == len(queries)
            scores, rows = self.index.dense_search(
                raw if everything else raw[todo], dense_k, active
            )
            if everything:
                dense_scores, dense_rows = scores, rows
            else:
                dense_scores = np.zeros((len(queries), scores.shape[1]), dtype=np.float32)
                dense_rows = np.full((len(queries), rows.shape[1]), -1, dtype=np.int64)
                dense_scores[todo], dense_rows[todo] = scores, rows
            # fusion leaves out a ranking of weight 0 (hybrid questions in a language whose
            # BM25 weight is 0, English by default): their keyword search is not run
            by_bm25 = [
                i
                for i in todo
                if mode == "bm25" or (mode == "hybrid" and bm25_weight(s, languages[i]) > 0)
            ]
            if by_bm25 and n > 0:
                asked = [queries[i] for i in by_bm25]
                found_rows, found_scores = self.index.keyword_search(asked, keyword_k, active)
                for i, r, sc in zip(by_bm25, found_rows, found_scores, strict=True):
                    bm25_rows[i], bm25_scores[i] = r, sc

        results = []
        for i, query in enumerate(queries):
            keyword = list(zip(bm25_rows[i], bm25_scores[i], strict=True))
            fused = engine[i]
            if fused is None:
                dense = [
                    (int(r), float(sc))
                    for r, sc in zip(dense_rows[i], dense_scores[i], strict=True)
                    if r >= 0
                ]
                fused = fuse(dense, keyword, languages[i], mode, s)
            named = names(query) if mode == "hybrid" else []
            if named and s.author_weight > 0:
                fused = self._with_authors(named, raw[i], fused, dense_k, active)
            if named and languages[i] == "en" and s.name_weight_en > 0:
                fused = self._with_names(named, fused, top_k, keyword_k, active)
            if named and s.author_weight > 0:
                fused = self._together_first(named, fused, top_k)
            by_row = dict(keyword)
            hits = self._hits(fused[:top_k], vectors[i], by_row)
            start = top_k
            while len(hits) < top_k and start < len(fused):
                # a store changed in place (Milvus) may have dropped a passage since it was
                # found: the next ones take its place, so the answer still gets top_k
                more = fused[start : start + top_k - len(hits)]
                hits += self._hits(more, vectors[i], by_row)
                start += len(more)
            results.append(
                RetrievalResult(query, languages[i], hits, vectors[i], active or NO_FILTERS)
            )
        return results

    # -- parts ---------------------------------------------------------------------------
    def _with_authors(
        self,
        named: list[str],
        vector: np.ndarray,
        fused: Ranking,
        k: int,
        active: Filters | None,
    ) -> Ranking:
        """``fused`` fused once more with a dense search over the documents of the authors
        among the question's names (:mod:`qa_service.search.authors`); unchanged when none
        is an author."""
        s = self.settings
        docs = self.authors.documents(named, s.author_max_documents)
        if active is not None and active.doc_ids:
            allowed = set(active.doc_ids)
            docs = [d for d in docs if d in allowed]
        if not docs:
            return fused
        only = replace(active or NO_FILTERS, doc_ids=tuple(docs))
        scores, rows = self.index.dense_search(vector[None, :], k, only)
        found = [(int(r), float(sc)) for r, sc in zip(rows[0], scores[0], strict=True) if r >= 0]
        # their signatures ("Kops") match the name, not the question: they would fill the top
        texts = self.index.store.passages_by_rows([r for r, _ in found])
        authored = [(r, sc) for r, sc in found if r in texts and not names_only(texts[r].text)]
        return weighted_rrf([(1.0, fused), (s.author_weight, authored)], s.rrf_k)

    def _together_first(self, named: list[str], fused: Ranking, top_k: int) -> Ranking:
        """``fused`` with the passages of the documents that the people the question names
        wrote together first, among its first ``4 * top_k``: "... according to Jasper van
        Dijk and Omtzigt" asks about their motion, not about one Omtzigt wrote with another
        MP. Unchanged when they wrote none together (or it names fewer than two)."""
        together = self.authors.together(named, self.settings.author_max_documents)
        if not together:
            return fused
        head, tail = fused[: 4 * top_k], fused[4 * top_k :]
        passages = self.index.store.passages_by_rows([r for r, _ in head])
        theirs = [
            x
            for x in head
            if x[0] in passages
            and passages[x[0]].doc_id in together
            and not names_only(passages[x[0]].text)  # a signature says nothing
        ]
        if not theirs or len(theirs) == len(head):
            return fused
        order = theirs + [x for x in head if x not in theirs]
        scores = sorted((sc for _, sc in head), reverse=True)  # still falling, in the new order
        return [(row, sc) for (row, _), sc in zip(order, scores, strict=True)] + tail

    def _with_names(
        self, named: list[str], fused: Ranking, top_k: int, k: int, active: Filters | None
    ) -> Ranking:
        """``fused`` fused once more with a BM25 search for the names an English question
        asks about (``named``), when its top ``top_k`` passages do not hold them all: the
        question shares no words with the Dutch documents but their names (``Lilipaly``,
        ``Wateringen``), and its dense search can miss the one passage that names them.
        Unchanged when only authors are named (see :meth:`_with_authors`) or the top holds
        every name (as asked or by its Dutch name: ``North Korea`` as ``Noord-Korea``)."""
        asked = self.authors.others(named)
        if not asked:
            return fused
        top = self.index.store.passages_by_rows([r for r, _ in fused[:top_k]])
        held = fold(" ".join(p.text for p in top.values()))
        if all(any(f in held for f in written(n, "en")) for n in asked):
            return fused
        words = self._distinctive(asked)
        if not words:
            return fused
        rows, scores = self.index.keyword_search([" ".join(words)], k, active)
        ranking = list(zip(rows[0], scores[0], strict=True))
        if not ranking:
            return fused
        weights = [(1.0, fused), (self.settings.name_weight_en, ranking)]
        return weighted_rrf(weights, self.settings.rrf_k)

    def _distinctive(self, asked: list[str]) -> list[str]:
        """The words of the names ``asked``, as asked and by their Dutch names (``Civil
        Code``: also ``burgerlijk wetboek``), that pick something out in a keyword search:
        none of whose terms is common in the index (:data:`COMMON_NAME_IDF`)."""
        words = [f for name in asked for w in name.split() for f in written(w, "en")]
        terms = [analyze(w) for w in words]
        idf = dict(zip(flat := [t for ts in terms for t in ts], self.index.idf(flat), strict=True))
        return [
            w
            for w, ts in zip(words, terms, strict=True)
            if ts and min(idf[t] for t in ts) >= COMMON_NAME_IDF
        ]

    def _hits(
        self, fused: list[tuple[int, float]], query_vector: np.ndarray, bm25: dict[int, float]
    ) -> list[Hit]:
        rows = [r for r, _ in fused]
        passages = self.index.store.passages_by_rows(rows)
        docs = self.index.store.documents(p.doc_id for p in passages.values())
        dense = self._dense_scores(rows, query_vector)
        hits = []
        for (row, score), cos in zip(fused, dense, strict=True):
            passage = passages.get(row)
            if passage is None:
                continue
            hits.append(
                Hit(
                    row=row,
                    passage=passage,
                    document=docs.get(passage.doc_id) or DocumentMeta(doc_id=passage.doc_id),
                    score=float(score),
                    dense_score=float(cos),
                    bm25_score=float(bm25.get(row, 0.0)),
                )
            )
        return hits

    def _dense_scores(self, rows: list[int], query_vector: np.ndarray) -> list[float]:
        """Centred cosine similarity of the (centred) question and each passage's vector."""
        if not rows:
            return []
        stored = self.index.passage_vectors(rows)
        return (center(stored, self.index.centroid) @ query_vector).astype(float).tolist()
