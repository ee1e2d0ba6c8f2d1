"""The passages and documents of a build in Milvus: the
:class:`~qa_service.store.protocol.DocumentStore` of a
:class:`~qa_service.store.milvus.index.MilvusIndex` (the local store's is
:class:`~qa_service.store.sqlite.PassageStore`)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from qa_service.documents import DocumentMeta, Passage
from qa_service.filters import NO_FILTERS, Filters
from qa_service.store.milvus.schema import (
    build_collections,
    filter_expression,
    literal,
    literals,
    query_all,
)
from qa_service.store.sqlite import meta_from_json

PASSAGE_FIELDS = ["row", "passage_id", "doc_id", "text", "section", "page", "position"]
#: rows asked for in one ``row in [...]`` query
CHUNK = 1000


def _passage(entity: dict[str, Any]) -> Passage:
    page = int(entity["page"])
    return Passage(
        entity["passage_id"],
        entity["doc_id"],
        entity["text"],
        entity["section"],
        None if page < 0 else page,
        int(entity["position"]),
    )


def _and(*clauses: str) -> str:
    return " and ".join(f"({c})" for c in clauses if c)


class MilvusStore:
    """Passages and documents in Milvus: the :class:`~qa_service.store.protocol.DocumentStore`
    of a :class:`MilvusIndex`."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.passages, self.documents_collection, _ = build_collections(name)
        self._facets: dict[str, Any] | None = None

    # -- helpers -------------------------------------------------------------------------------
    def _query(self, collection: str, expr: str, fields: list[str]) -> list[dict[str, Any]]:
        """Every entity matching ``expr`` (paged, so any number)."""
        return query_all(self.client, collection, expr, fields)

    def _by_rows(self, rows: Sequence[int], fields: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        unique = sorted({int(r) for r in rows})
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            expr = f"row in [{', '.join(map(str, chunk))}]"
            out.extend(self.client.query(self.passages, filter=expr, output_fields=fields))
        return out

    # -- the DocumentStore protocol ------------------------------------------------------------
    def passages_by_rows(self, rows: Sequence[int]) -> dict[int, Passage]:
        return {int(e["row"]): _passage(e) for e in self._by_rows(rows, PASSAGE_FIELDS)}

    def sentence_blobs(self, rows: Sequence[int]) -> dict[int, bytes]:
        found = self._by_rows(rows, ["row", "sentences"])
        return {int(e["row"]): base64.b64decode(e["sentences"]) for e in found if e["sentences"]}

    def documents(self, doc_ids: Iterable[str]) -> dict[str, DocumentMeta]:
        ids = sorted(set(doc_ids))
        out: dict[str, DocumentMeta] = {}
        for start in range(0, len(ids), CHUNK):
            expr = f"doc_id in {literals(ids[start : start + CHUNK])}"
            for e in self.client.query(
                self.documents_collection, filter=expr, output_fields=["doc_id", "meta"]
            ):
                out[e["doc_id"]] = meta_from_json(e["meta"])
        return out

    def document(self, doc_id: str) -> DocumentMeta | None:
        return self.documents([doc_id]).get(doc_id)

    def list_documents(
        self, offset: int = 0, limit: int = 100, filters: Filters = NO_FILTERS
    ) -> list[tuple[DocumentMeta, int]]:
        ids = sorted(
            e["doc_id"]
            for e in self._query(self.documents_collection, filter_expression(filters), ["doc_id"])
        )[offset : offset + limit]
        if not ids:
            return []
        metas = self.documents(ids)
        counts: dict[str, int] = dict.fromkeys(ids, 0)
        for e in self._query(self.passages, f"doc_id in {literals(ids)}", ["doc_id"]):
            counts[e["doc_id"]] += 1
        return [(metas[d], counts[d]) for d in ids if d in metas]

    def count_documents(self, filters: Filters = NO_FILTERS) -> int:
        found = self.client.query(
            self.documents_collection,
            filter=filter_expression(filters),
            output_fields=["count(*)"],
        )
        return int(found[0]["count(*)"]) if found else 0

    def rows_matching(self, filters: Filters) -> np.ndarray:
        found = self._query(self.passages, filter_expression(filters), ["row"])
        return np.sort(np.fromiter((int(e["row"]) for e in found), dtype=np.int64))

    def facets(self) -> dict[str, Any]:
        """As :meth:`qa_service.store.sqlite.PassageStore.facets`, counted here (once per
        loaded version)."""
        if self._facets is not None:
            return self._facets
        metas = [
            meta_from_json(e["meta"]) for e in self._query(self.documents_collection, "", ["meta"])
        ]
        dossiers: dict[str, list[Any]] = {}
        kinds: dict[str, int] = {}
        years: dict[str, int] = {}
        dates = sorted(m.date for m in metas if m.date)
        for m in metas:
            if m.dossier:
                entry = dossiers.setdefault(m.dossier, ["", 0])
                entry[0] = max(entry[0], m.dossier_title or "")
                entry[1] += 1
            if m.doc_type:
                kinds[m.doc_type.lower()] = kinds.get(m.doc_type.lower(), 0) + 1
            if m.vergaderjaar:
                years[m.vergaderjaar] = years.get(m.vergaderjaar, 0) + 1
        self._facets = {
            "dossiers": [
                {"dossier": k, "dossier_title": t, "documents": n}
                for k, (t, n) in sorted(dossiers.items())
            ],
            "doc_types": [{"doc_type": k, "documents": n} for k, n in sorted(kinds.items())],
            "vergaderjaren": [
                {"vergaderjaar": k, "documents": n} for k, n in sorted(years.items())
            ],
            "date_from": dates[0] if dates else "",
            "date_to": dates[-1] if dates else "",
        }
        return self._facets

    def content_hashes(self) -> dict[str, str]:
        found = self._query(self.documents_collection, "", ["doc_id", "content_hash"])
        return {e["doc_id"]: e["content_hash"] for e in found}

    def sources(self) -> dict[str, str]:
        found = self._query(self.documents_collection, "", ["doc_id", "meta"])
        return {e["doc_id"]: json.loads(e["meta"]).get("source") or "" for e in found}

    def authors(self) -> dict[str, list[str]]:
        found = self._query(self.documents_collection, "", ["doc_id", "meta"])
        return {e["doc_id"]: list(json.loads(e["meta"]).get("authors") or []) for e in found}

    def document_passages(self, doc_id: str) -> list[Passage]:
        found = self._query(self.passages, f"doc_id == {literal(doc_id)}", PASSAGE_FIELDS)
        return [_passage(e) for e in sorted(found, key=lambda e: int(e["position"]))]

    def all_passages(self) -> list[tuple[int, Passage]]:
        found = self._query(self.passages, "", PASSAGE_FIELDS)
        return sorted(((int(e["row"]), _passage(e)) for e in found), key=lambda rp: rp[0])

    def close(self) -> None:
        pass
