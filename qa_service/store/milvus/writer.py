"""Writing an index into Milvus: the role :class:`~qa_service.store.writer.BuildWriter` has for
the local store.

A full build fills the collections of a new build and then moves the alias to it::

    with index_lock(index_dir), MilvusWriter.new(settings, dimension) as writer:
        writer.write_documents(documents)                   # (meta, content hash) pairs
        writer.write_passages(rows, passages, metas, vectors, keyword_texts, terms, sentences)
        ...                                                 # in as many batches as wanted
        writer.finish(centroid, model=..., ...)             # the manifest
        writer.publish()                                    # the alias names this build

Leaving the ``with`` block without :meth:`MilvusWriter.publish` drops the new collections; the
live build is never touched. Older builds beyond ``keep`` are dropped on publishing (the
previous one is kept, so that queries still running on it finish).

A live update changes the live build in place (:meth:`MilvusWriter.live`): documents are
deleted and inserted, then :meth:`finish` bumps the build's version, which a running service
sees (:meth:`~qa_service.store.milvus.index.MilvusIndex.is_current`) and reloads.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from types import TracebackType
from typing import Any

import numpy as np

from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.store.layout import FORMAT_VERSION, IndexNotFoundError, Manifest
from qa_service.store.milvus.index import live_build, read_meta
from qa_service.store.milvus.schema import (
    MAX_VARCHAR,
    META_KEY,
    PLACEHOLDER_DIM,
    build_collections,
    builds_of,
    clip,
    connect,
    create_build,
    drop_build,
    filter_fields,
    literals,
    new_build_name,
    query_all,
)

#: entities sent in one insert
BATCH = 256


class MilvusWriter:
    """A build in Milvus, filled and then published (see the module doc)."""

    def __init__(self, settings: Settings, name: str, fresh: bool, analyzer: str) -> None:
        self.settings = settings
        self.client = connect(settings)
        self.name = name
        self.fresh = fresh
        self.analyzer = analyzer
        self.passages, self.documents, self.meta = build_collections(name)
        self.manifest: Manifest | None = None
        self._published = False

    @classmethod
    def new(cls, settings: Settings, dimension: int) -> MilvusWriter:
        """Empty collections for a new build of ``QA_MILVUS_COLLECTION``."""
        writer = cls(
            settings, new_build_name(settings.milvus_collection), True, settings.milvus_analyzer
        )
        create_build(writer.client, writer.name, dimension, writer.analyzer)
        return writer

    @classmethod
    def live(cls, settings: Settings) -> MilvusWriter:
        """The live build, to change in place (a live update; use it in a ``with`` block,
        which closes the connection)."""
        client = connect(settings)
        name = live_build(client, settings.milvus_collection)
        if name is None:
            raise IndexNotFoundError(
                f"no index in Milvus collection {settings.milvus_collection!r}; build one "
                "with `qa-service index`"
            )
        fields, _, _ = read_meta(client, name)
        client.close()
        return cls(settings, name, False, fields.get("analyzer", "dutch"))

    def __enter__(self) -> MilvusWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self.fresh and not self._published:
                drop_build(self.client, self.name)
        finally:
            self.client.close()

    # -- reading the live build (updates) ------------------------------------------------------
    def current_manifest(self) -> tuple[Manifest, np.ndarray, int]:
        fields, version, centroid = read_meta(self.client, self.name)
        return Manifest.from_dict(fields["manifest"]), centroid, version

    def _all(self, collection: str, expr: str, fields: list[str]) -> list[dict[str, Any]]:
        return query_all(self.client, collection, expr, fields)

    def content_hashes(self) -> dict[str, str]:
        found = self._all(self.documents, "", ["doc_id", "content_hash"])
        return {e["doc_id"]: e["content_hash"] for e in found}

    def next_row(self) -> int:
        """The first passage row after every row in use."""
        rows = [int(e["row"]) for e in self._all(self.passages, "", ["row"])]
        return max(rows, default=-1) + 1

    def counts(self) -> tuple[int, int]:
        """Documents and passages in the build."""
        docs = self.client.query(self.documents, filter="", output_fields=["count(*)"])
        passages = self.client.query(self.passages, filter="", output_fields=["count(*)"])
        return int(docs[0]["count(*)"]), int(passages[0]["count(*)"])

    def documents_with_hashes(self) -> list[tuple[DocumentMeta, str]]:
        from qa_service.store.sqlite import meta_from_json

        found = self._all(self.documents, "", ["meta", "content_hash"])
        return [(meta_from_json(e["meta"]), e["content_hash"]) for e in found]

    # -- writing -------------------------------------------------------------------------------
    def rows_of(self, doc_ids: Iterable[str]) -> np.ndarray:
        """The passage rows of documents ``doc_ids``, ascending."""
        ids = sorted(set(doc_ids))
        if not ids:
            return np.zeros(0, dtype=np.int64)
        found = self._all(self.passages, f"doc_id in {literals(ids)}", ["row"])
        return np.sort(np.fromiter((int(e["row"]) for e in found), dtype=np.int64))

    def delete_rows(self, rows: np.ndarray) -> None:
        for start in range(0, len(rows), 1000):
            chunk = ", ".join(str(int(r)) for r in rows[start : start + 1000])
            self.client.delete(self.passages, filter=f"row in [{chunk}]")

    def delete_documents(self, doc_ids: Iterable[str]) -> None:
        """Delete documents (not their passages: :meth:`delete_rows`)."""
        ids = sorted(set(doc_ids))
        if ids:
            self.client.delete(self.documents, filter=f"doc_id in {literals(ids)}")

    def write_documents(self, documents: Iterable[tuple[DocumentMeta, str]]) -> None:
        """Documents with their content hashes (an existing id is replaced)."""
        entities = []
        for meta, digest in documents:
            entities.append(
                {
                    "doc_id": meta.doc_id,
                    "meta": clip(json.dumps(asdict(meta), ensure_ascii=False)),
                    "content_hash": digest,
                    **filter_fields(meta.dossier, meta.doc_type, meta.date, meta.vergaderjaar),
                    "placeholder": [0.0] * PLACEHOLDER_DIM,
                }
            )
        for start in range(0, len(entities), BATCH):
            self.client.upsert(self.documents, entities[start : start + BATCH])

    def write_passages(
        self,
        rows: Sequence[int],
        passages: Sequence[Passage],
        metas: Mapping[str, DocumentMeta],
        vectors: np.ndarray,
        keyword_texts: Sequence[str],
        terms: Sequence[Sequence[str]],
        sentences: Sequence[bytes | None] | None = None,
    ) -> None:
        """Passages with their rows, search vectors, the text BM25 indexes (the engine
        analyses it; with ``analyzer=client`` the terms are indexed instead), their analysed
        terms and packed sentence vectors. ``metas`` gives each passage's document."""
        entities = []
        for i, (row, p) in enumerate(zip(rows, passages, strict=True)):
            meta = metas[p.doc_id]
            packed = sentences[i] if sentences is not None else None
            encoded = base64.b64encode(packed).decode("ascii") if packed else ""
            joined = " ".join(terms[i])
            entities.append(
                {
                    "row": int(row),
                    "passage_id": clip(p.passage_id, 1024),
                    "doc_id": clip(p.doc_id, 512),
                    "position": int(p.position),
                    "page": -1 if p.page is None else int(p.page),
                    "section": clip(p.section),
                    "text": clip(p.text),
                    **filter_fields(meta.dossier, meta.doc_type, meta.date, meta.vergaderjaar),
                    "keyword_text": clip(keyword_texts[i] if self.analyzer == "dutch" else joined),
                    "terms": clip(joined),
                    # too many sentences to store: the answerer embeds them when needed
                    "sentences": encoded if len(encoded) <= MAX_VARCHAR else "",
                    "vector": [float(x) for x in vectors[i]],
                }
            )
        for start in range(0, len(entities), BATCH):
            self.client.upsert(self.passages, entities[start : start + BATCH])

    # -- finishing -----------------------------------------------------------------------------
    def finish(self, centroid: np.ndarray, **fields: Any) -> Manifest:
        """Write the manifest (``fields``: model, dimension, counts, corpus hash, ...) and the
        centroid; bump the version."""
        version = 0
        if not self.fresh:
            _, _, version = self.current_manifest()
            version += 1
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **{"faiss_type": "milvus", **fields},
        )
        record = {"manifest": asdict(manifest), "analyzer": self.analyzer}
        self.client.upsert(
            self.meta,
            [
                {
                    "key": META_KEY,
                    "value": json.dumps(record),
                    "version": version,
                    "centroid": [float(x) for x in np.asarray(centroid, dtype=np.float32)],
                }
            ],
        )
        self.manifest = manifest
        return manifest

    def publish(self, keep: int = 1) -> str:
        """Make this build the live one (the alias moves to it) and drop builds older than
        the ``keep`` most recent others. Returns the build's name."""
        if self.manifest is None:
            raise RuntimeError("finish() the build before publishing it")
        self._published = True
        if not self.fresh:
            return self.name
        alias = self.settings.milvus_collection
        if live_build(self.client, alias) is None:
            self.client.create_alias(self.passages, alias)
        else:
            self.client.alter_alias(self.passages, alias)
        others = [b for b in builds_of(self.client, alias) if b != self.name]
        for old in others[: max(0, len(others) - keep)]:
            drop_build(self.client, old)
        return self.name


def drop_index(settings: Settings) -> None:
    """Remove every build of ``QA_MILVUS_COLLECTION`` and its alias (tests, clean-up)."""
    client = connect(settings)
    try:
        alias = settings.milvus_collection
        if live_build(client, alias) is not None:
            client.drop_alias(alias)
        for name in builds_of(client, alias):
            drop_build(client, name)
    finally:
        client.close()
