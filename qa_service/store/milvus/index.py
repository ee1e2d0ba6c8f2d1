"""An index held by Milvus (``QA_STORE=milvus``): the :class:`~qa_service.store.protocol.
SearchIndex` the retriever and answerer read, searched by the engine.

* Dense search: the ``vector`` field by inner product, as the local FAISS index.
* Keyword search: the ``sparse`` field, made by Milvus's BM25 function over ``keyword_text``.
  milvus-lite reports BM25 scores negated (more negative is better, still best first); a
  Milvus cluster reports them positive. Scores are taken as their absolute value, so both
  give the local store's sign.
* Hybrid search: one ``hybrid_search`` with an RRF ranker when the question's dense and
  keyword weights are equal (weighted RRF with equal weights is plain RRF times the weight);
  a weight of 0 searches one field alone; other weights fall back to the retriever's fusion
  of the two engine searches. Ties are broken by row, as locally.
* Filters: boolean expressions over the passages' document fields, inside every search.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter, OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.config import Settings
from qa_service.filters import Filters
from qa_service.store.layout import (
    IndexMismatchError,
    IndexNotFoundError,
    Manifest,
)
from qa_service.store.milvus.passages import MilvusStore
from qa_service.store.milvus.schema import (
    META_KEY,
    build_collections,
    connect,
    filter_expression,
    literal,
)
from qa_service.store.protocol import Ranking
from qa_service.store.sentence_vectors import read_entries
from qa_service.text.lexical import analyze_query, without_question_words

log = logging.getLogger(__name__)


def live_build(client: Any, alias: str) -> str | None:
    """The passages collection the alias names (None: no published build)."""
    if alias not in client.list_aliases().get("aliases", []):
        return None
    return str(client.describe_alias(alias)["collection_name"])


def read_meta(client: Any, name: str) -> tuple[dict[str, Any], int, np.ndarray]:
    """The meta record of build ``name``: its fields (manifest, analyzer), version and
    centroid."""
    _, _, meta = build_collections(name)
    found = client.query(
        meta,
        filter=f"key == {literal(META_KEY)}",
        output_fields=["value", "version", "centroid"],
    )
    if not found:
        raise IndexNotFoundError(f"Milvus build {name} has no manifest; rebuild the index")
    record = found[0]
    return (
        json.loads(record["value"]),
        int(record["version"]),
        np.asarray(record["centroid"], dtype=np.float32),
    )


class MilvusIndex:
    """One version of a build in Milvus, searched by the engine (see the module doc)."""

    def __init__(
        self,
        client: Any,
        settings: Settings,
        name: str,
        manifest: Manifest,
        centroid: np.ndarray,
        version: int,
        analyzer: str,
    ) -> None:
        self.client = client
        self.settings = settings
        self.name = name
        self.build = Path(name)
        self.manifest = manifest
        self.centroid = centroid
        self.version = version
        self.analyzer = analyzer
        self._store = MilvusStore(client, name)
        self._count: OrderedDict[str, int] = OrderedDict()
        self._df = lru_cache(maxsize=65_536)(self._document_frequency)

    @property
    def store(self) -> MilvusStore:
        return self._store

    @property
    def size(self) -> int:
        return self.manifest.passage_count

    # -- searching -----------------------------------------------------------------------------
    def count(self, filters: Filters | None) -> int:
        expr = filter_expression(filters)
        if not expr:
            return self.size
        n = self._count.get(expr)
        if n is None:
            found = self.client.query(self._store.passages, filter=expr, output_fields=["count(*)"])
            n = int(found[0]["count(*)"]) if found else 0
            self._count[expr] = n
            while len(self._count) > 128:
                self._count.popitem(last=False)
        return n

    def _search(
        self, data: list[Any], field: str, metric: str, k: int, filters: Filters | None
    ) -> list[Ranking]:
        if k <= 0 or not data:
            return [[] for _ in data]
        found = self.client.search(
            self._store.passages,
            data=data,
            anns_field=field,
            limit=k,
            filter=filter_expression(filters),
            search_params={"metric_type": metric},
            output_fields=["row"],
        )
        return [[(int(h.id), float(h["distance"])) for h in hits] for hits in found]

    def dense_search(
        self, vectors: np.ndarray, k: int, filters: Filters | None
    ) -> tuple[np.ndarray, np.ndarray]:
        rankings = self._search([list(map(float, v)) for v in vectors], "vector", "IP", k, filters)
        width = max(k, 0)
        scores = np.zeros((len(vectors), width), dtype=np.float32)
        rows = np.full((len(vectors), width), -1, dtype=np.int64)
        for i, ranking in enumerate(rankings):
            for j, (row, score) in enumerate(ranking[:width]):
                rows[i, j], scores[i, j] = row, score
        return scores, rows

    def _keyword_query(self, query: str) -> str:
        """What is sent to the BM25 function: the question without its interrogatives (the
        engine analyses it), or with ``analyzer=client`` its terms as this service analyses
        them (:func:`~qa_service.text.lexical.analyze_query`)."""
        terms = analyze_query(query)
        if not terms:
            return ""
        return without_question_words(query) if self.analyzer == "dutch" else " ".join(terms)

    def keyword_search(
        self, queries: Sequence[str], k: int, filters: Filters | None
    ) -> tuple[list[list[int]], list[list[float]]]:
        rows: list[list[int]] = [[] for _ in queries]
        scores: list[list[float]] = [[] for _ in queries]
        texts = [self._keyword_query(q) for q in queries]
        asked = [i for i, t in enumerate(texts) if t]
        found = self._search([texts[i] for i in asked], "sparse", "BM25", k, filters)
        for i, ranking in zip(asked, found, strict=True):
            # milvus-lite negates BM25 scores; a cluster does not: the order is the engine's
            rows[i] = [r for r, _ in ranking]
            scores[i] = [abs(s) for _, s in ranking]
        return rows, scores

    def hybrid_search(
        self,
        vectors: np.ndarray,
        queries: Sequence[str],
        dense_k: int,
        keyword_k: int,
        weights: Sequence[tuple[float, float]],
        rrf_k: int,
        filters: Filters | None,
    ) -> list[Ranking | None]:
        """Fused in the engine where it can (see the module doc); None elsewhere."""
        from pymilvus import AnnSearchRequest, RRFRanker

        out: list[Ranking | None] = [None] * len(queries)
        texts = [self._keyword_query(q) for q in queries]
        expr = filter_expression(filters)
        both = [
            i
            for i, (wd, wb) in enumerate(weights)
            if wd > 0 and math.isclose(wd, wb) and texts[i] and dense_k > 0 and keyword_k > 0
        ]
        dense_only = [
            i for i, (wd, wb) in enumerate(weights) if wd > 0 and (wb <= 0 or not texts[i])
        ]
        if both:
            requests = [
                AnnSearchRequest(
                    data=[list(map(float, vectors[i])) for i in both],
                    anns_field="vector",
                    param={"metric_type": "IP"},
                    limit=dense_k,
                    expr=expr or None,
                ),
                AnnSearchRequest(
                    data=[texts[i] for i in both],
                    anns_field="sparse",
                    param={"metric_type": "BM25"},
                    limit=keyword_k,
                    expr=expr or None,
                ),
            ]
            found = self.client.hybrid_search(
                self._store.passages,
                requests,
                ranker=RRFRanker(rrf_k),
                limit=dense_k + keyword_k,
                output_fields=["row"],
            )
            for i, hits in zip(both, found, strict=True):
                scored = [(int(h.id), weights[i][0] * float(h["distance"])) for h in hits]
                out[i] = self._break_ties(scored, vectors[i])
        if dense_only:
            found = self._search(
                [list(map(float, vectors[i])) for i in dense_only], "vector", "IP", dense_k, filters
            )
            for i, ranking in zip(dense_only, found, strict=True):
                wd = weights[i][0]
                out[i] = [(row, wd / (rrf_k + rank + 1)) for rank, (row, _) in enumerate(ranking)]
        return out

    def _break_ties(self, scored: list[tuple[int, float]], vector: np.ndarray) -> Ranking:
        """``scored`` (row, fused score) in order, ties broken as ``weighted_rrf`` breaks
        them: by the dense ranking (the query vector's inner product with the stored one,
        what the dense request ranked by), then by row. Only tied rows' vectors are read."""
        key = {row: round(score, 12) for row, score in scored}
        counts = Counter(key.values())
        tied = [row for row, k in key.items() if counts[k] > 1]
        inner: dict[int, float] = {}
        if tied:
            inner = dict(zip(tied, (self.passage_vectors(tied) @ vector).tolist(), strict=True))
        return sorted(scored, key=lambda rs: (-key[rs[0]], -inner.get(rs[0], 0.0), rs[0]))

    def passage_vectors(self, rows: Sequence[int]) -> np.ndarray:
        found = {int(e["row"]): e["vector"] for e in self._store._by_rows(rows, ["row", "vector"])}
        zero = np.zeros(self.manifest.dimension, dtype=np.float32)
        return np.vstack([np.asarray(found.get(int(r), zero), dtype=np.float32) for r in rows])

    # -- what the answerer reads ---------------------------------------------------------------
    def _document_frequency(self, term: str) -> int:
        found = self.client.query(
            self._store.passages,
            filter=f"TEXT_MATCH(terms, {literal(term)})",
            output_fields=["count(*)"],
        )
        return int(found[0]["count(*)"]) if found else 0

    def idf(self, terms: Sequence[str]) -> list[float]:
        """As :meth:`qa_service.store.loaded.LoadedIndex.idf`: document frequencies counted
        by the engine (``TEXT_MATCH`` over the stored terms), cached per term."""
        n = self.size
        out = []
        for term in terms:
            df = self._df(term) if term and " " not in term else 0
            out.append(float(np.log((n + 1) / (df + 0.5))))
        return out

    def sentence_vectors(self, rows: Sequence[int], alone: bool = False) -> dict[int, np.ndarray]:
        return read_entries(self._store.sentence_blobs(rows), self.manifest.dimension, alone)

    def is_current(self) -> bool:
        name = live_build(self.client, self.settings.milvus_collection)
        if name != self.name:
            return False
        try:
            _, version, _ = read_meta(self.client, name)
        except IndexNotFoundError:
            return False
        return version == self.version

    def close(self) -> None:
        """Close the connection (shared with the versions loaded after this one: see
        :func:`load_milvus_index`), when the service stops."""
        self.client.close()


def milvus_index_exists(settings: Settings) -> bool:
    client = connect(settings)
    try:
        return live_build(client, settings.milvus_collection) is not None
    finally:
        client.close()


def load_milvus_index(
    settings: Settings, expected_model: str | None = None, client: Any = None
) -> MilvusIndex:
    """The live build of ``QA_MILVUS_COLLECTION``, read through ``client`` (a new
    connection when None; a service reloading passes the one it has).

    Raises :class:`IndexNotFoundError` when there is none and :class:`IndexMismatchError`
    when it was built with another model than ``expected_model``."""
    client = client if client is not None else connect(settings)
    alias = settings.milvus_collection
    name = live_build(client, alias)
    if name is None:
        raise IndexNotFoundError(
            f"no index in Milvus collection {alias!r} at {settings.milvus_uri}; build one "
            "with `QA_STORE=milvus qa-service index`"
        )
    fields, version, centroid = read_meta(client, name)
    manifest = Manifest.from_dict(fields["manifest"])
    if expected_model is not None and manifest.model != expected_model:
        raise IndexMismatchError(
            f"Milvus index {alias!r} was built with embedding model {manifest.model!r}, but "
            f"the service is configured with {expected_model!r}; rebuild the index or set "
            f"QA_EMBEDDING_MODEL={manifest.model!r}"
        )
    return MilvusIndex(
        client, settings, name, manifest, centroid, version, fields.get("analyzer", "dutch")
    )
