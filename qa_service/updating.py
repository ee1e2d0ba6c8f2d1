"""Live updates: add, replace and remove documents without rebuilding the index.

An update starts from the live build and writes a new one beside it (never touching the live
build), then publishes it through ``CURRENT`` (:func:`~qa_service.index.publish`). A running
service keeps answering from the build it loaded and switches when it reloads; an interrupted
update leaves the previous build live and intact.

* Only new and changed passages are embedded. FAISS is an ``IndexIDMap2`` keyed by passage row:
  rows of removed documents are deleted, new passages get new rows.
* A document's content hash (:func:`~qa_service.indexing.document_hash`) decides: same id and
  same hash is unchanged (skipped), same id and another hash is replaced.
* BM25 is rebuilt from the analysed terms kept in SQLite (no re-analysis, no re-embedding):
  bm25s has no incremental update, and a rebuild from stored terms takes well under a second
  for tens of thousands of passages (see docs/ingestion.md).
* The corpus centroid stays at the first build's value, so similarities to existing passages
  stay as they were.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.config import Settings
from qa_service.documents import DocumentMeta, ParsedDocument
from qa_service.embedding import Embedder
from qa_service.index import (
    CENTROID,
    MANIFEST,
    STORE,
    VECTORS,
    IndexMismatchError,
    Manifest,
    current_build,
    index_lock,
    insert_documents,
    insert_passages,
    meta_from_json,
    new_build_dir,
    publish,
)
from qa_service.indexing import (
    chunk_documents,
    collect_documents,
    corpus_hash,
    embed_passages,
    passage_texts,
    write_bm25,
    write_manifest,
)
from qa_service.lexical import analyze
from qa_service.vector_index import describe

log = logging.getLogger(__name__)


@dataclass
class UpdateReport:
    """What an update did. ``build`` is None when nothing changed (no new build written)."""

    build: Path | None
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)  # ids asked to remove that are unknown
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    documents: int = 0  # in the index afterwards
    passages: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.build is not None


def update_index(
    settings: Settings,
    embedder: Embedder,
    add: Sequence[Path] = (),
    remove: Sequence[str] = (),
    progress: bool = False,
    documents: Sequence[tuple[ParsedDocument, str]] | None = None,
) -> UpdateReport:
    """Add (or replace) the documents in the files ``add`` and remove the documents ``remove``
    from the live index of ``settings.index_dir``; publish the result as a new build.

    ``documents`` (already parsed, with hashes) may be given instead of ``add``.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    skipped: list[tuple[str, str]] = []
    if documents is None:
        parsed, skipped = collect_documents(list(add), settings, progress) if add else ([], [])
    else:
        parsed = list(documents)
    timings["parse"] = time.perf_counter() - t0

    with index_lock(settings.index_dir):
        old = current_build(settings.index_dir)
        manifest = Manifest.from_file(old / MANIFEST)
        if manifest.model != embedder.model_name:
            raise IndexMismatchError(
                f"index in {old} was built with embedding model {manifest.model!r}, not "
                f"{embedder.model_name!r}; rebuild it with `qa-service index`"
            )
        hashes = _content_hashes(old / STORE)
        report = UpdateReport(build=None, skipped=skipped)
        to_add: list[tuple[ParsedDocument, str]] = []
        for doc, digest in parsed:
            doc_id = doc.meta.doc_id
            if hashes.get(doc_id) == digest and doc_id not in remove:
                report.unchanged.append(doc_id)
            else:
                (report.replaced if doc_id in hashes else report.added).append(doc_id)
                to_add.append((doc, digest))
        adding = {doc.meta.doc_id for doc, _ in to_add}
        for doc_id in dict.fromkeys(remove):
            if doc_id in adding:
                continue
            (report.removed if doc_id in hashes else report.not_found).append(doc_id)

        t0 = time.perf_counter()
        metas, passages, empty = chunk_documents(to_add, settings, embedder)
        report.skipped.extend(empty)
        for source, _ in empty:  # a replacement without text: the old version stays
            log.warning("no passages in %s; not added", source)
        kept = {m.doc_id for m, _ in metas}
        report.added = [d for d in report.added if d in kept]
        report.replaced = [d for d in report.replaced if d in kept]
        timings["chunk"] = time.perf_counter() - t0
        drop = set(report.removed) | set(report.replaced)
        if not metas and not drop:
            report.documents = len(hashes)
            report.passages = manifest.passage_count
            report.seconds = timings
            return report

        build = new_build_dir(settings.index_dir)
        try:
            _write_update(old, build, settings, embedder, metas, passages, drop, timings)
            new_manifest = Manifest.from_file(build / MANIFEST)
            publish(settings.index_dir, build)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
    report.build = build
    report.documents = new_manifest.document_count
    report.passages = new_manifest.passage_count
    report.seconds = timings
    return report


def _content_hashes(store: Path) -> dict[str, str]:
    con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT doc_id, content_hash FROM documents").fetchall())
    finally:
        con.close()


def _write_update(
    old: Path,
    build: Path,
    settings: Settings,
    embedder: Embedder,
    metas: list[tuple[DocumentMeta, str]],
    passages: list,
    drop: set[str],
    timings: dict[str, float],
) -> None:
    import faiss

    # the new passages' vectors (and their sentences' vectors, stored with them)
    t0 = time.perf_counter()
    by_id = {m.doc_id: m for m, _ in metas}
    texts = passage_texts(by_id, passages, settings)
    vectors, sentences = (
        embed_passages(by_id, passages, settings, embedder) if passages else (None, None)
    )
    timings["embed"] = time.perf_counter() - t0

    # the store: a copy of the old one, changed in one transaction
    t0 = time.perf_counter()
    shutil.copy2(old / STORE, build / STORE)
    shutil.copy2(old / CENTROID, build / CENTROID)
    con = sqlite3.connect(build / STORE)
    try:
        _ensure_terms(con, settings)
        marks = ",".join("?" * len(drop))
        ids = sorted(drop)
        dropped_rows = np.fromiter(
            (r for (r,) in con.execute(f"SELECT row FROM passages WHERE doc_id IN ({marks})", ids)),
            dtype=np.int64,
        )
        con.execute(f"DELETE FROM passages WHERE doc_id IN ({marks})", ids)
        con.execute(f"DELETE FROM documents WHERE doc_id IN ({marks})", ids)
        start = int(con.execute("SELECT coalesce(max(row), -1) + 1 FROM passages").fetchone()[0])
        start = max(start, int(dropped_rows.max()) + 1 if len(dropped_rows) else 0)
        rows = np.arange(start, start + len(passages), dtype=np.int64)
        terms = [analyze(t) for t in texts]
        insert_documents(con, metas)
        insert_passages(con, rows, passages, terms, sentences)
        con.commit()
        all_rows, all_terms = [], []
        for row, text in con.execute("SELECT row, terms FROM passages ORDER BY row"):
            all_rows.append(row)
            all_terms.append(text.split())
        cur = con.execute("SELECT meta, content_hash FROM documents")
        documents = [(meta_from_json(meta), digest) for meta, digest in cur]
    finally:
        con.close()
    timings["store"] = time.perf_counter() - t0

    # vectors: drop the old rows, add the new passages' (as a full build stores them)
    t0 = time.perf_counter()
    index = _id_mapped(faiss.read_index(str(old / VECTORS)))
    if len(dropped_rows):
        index.remove_ids(faiss.IDSelectorArray(dropped_rows))  # IVF: an array only
    if vectors is not None:
        index.add_with_ids(np.ascontiguousarray(vectors), rows)
    timings["faiss"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    faiss.write_index(index, str(build / VECTORS))
    timings["faiss_write"] = time.perf_counter() - t0

    # BM25: rebuilt from the stored terms
    t0 = time.perf_counter()
    if not all_rows:
        raise ValueError("the update would leave the index empty; remove the index instead")
    write_bm25(build, np.asarray(all_rows, dtype=np.int64), all_terms)
    timings["bm25"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    write_manifest(
        build,
        settings,
        embedder,
        dimension=int(index.d),
        passage_count=int(index.ntotal),
        document_count=len(documents),
        corpus_hash=corpus_hash(documents),
        faiss_type=describe(index),
    )
    if index.ntotal != len(all_rows):
        raise RuntimeError(f"index has {index.ntotal} vectors for {len(all_rows)} passages")
    timings["write"] = time.perf_counter() - t0


def _id_mapped(index: Any) -> Any:
    """An index keyed by passage row (``IndexIDMap2``, or IVF); an index from before live
    updates (a flat index where row = position) is converted."""
    import faiss

    if isinstance(index, faiss.IndexIDMap2) or faiss.try_extract_index_ivf(index) is not None:
        return index  # an IVF index is keyed by row itself
    flat = faiss.downcast_index(index)
    mapped = faiss.IndexIDMap2(faiss.IndexFlatIP(flat.d))
    n = flat.ntotal
    if n:
        mapped.add_with_ids(flat.reconstruct_n(0, n), np.arange(n, dtype=np.int64))
    return mapped


def _ensure_terms(con: sqlite3.Connection, settings: Settings) -> None:
    """Stores written before live updates lack the analysed terms: add and fill them (and
    the column of sentence vectors, which older passages go without)."""
    columns = {row[1] for row in con.execute("PRAGMA table_info(passages)")}
    if "sentences" not in columns:
        con.execute("ALTER TABLE passages ADD COLUMN sentences BLOB")
    if "terms" in columns:
        missing = con.execute("SELECT count(*) FROM passages WHERE terms = ''").fetchone()[0]
        if not missing:
            return
    else:
        con.execute("ALTER TABLE passages ADD COLUMN terms TEXT NOT NULL DEFAULT ''")
    from qa_service.documents import Passage

    metas = {d: meta_from_json(m) for d, m in con.execute("SELECT doc_id, meta FROM documents")}
    cur = con.execute(
        "SELECT row, passage_id, doc_id, text, section, page, position FROM passages "
        "WHERE terms = ''"
    )
    updates = []
    for row, *fields in cur.fetchall():
        passage = Passage(*fields)
        meta = metas.get(passage.doc_id) or DocumentMeta(doc_id=passage.doc_id)
        text = passage_texts({passage.doc_id: meta}, [passage], settings)[0]
        updates.append((" ".join(analyze(text)), row))
    con.executemany("UPDATE passages SET terms = ? WHERE row = ?", updates)
