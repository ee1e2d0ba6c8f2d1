"""Live updates: add, replace and remove documents without rebuilding the index.

An update starts from the live build and writes a new one beside it (never touching the live
build), then publishes it through ``CURRENT`` (:func:`~qa_service.store.layout.publish`). A running
service keeps answering from the build it loaded and switches when it reloads; an interrupted
update leaves the previous build live and intact.

* Only new and changed passages are embedded. FAISS is an ``IndexIDMap2`` keyed by passage row:
  rows of removed documents are deleted, new passages get new rows.
* A document's content hash (:func:`~qa_service.ingest.build.document_hash`) decides: same id and
  same hash is unchanged (skipped), same id and another hash is replaced.
* BM25 is rebuilt from the analysed terms kept in SQLite (no re-analysis, no re-embedding):
  bm25s has no incremental update, and a rebuild from stored terms takes well under a second
  for tens of thousands of passages (see docs/ingestion.md).
* The corpus centroid stays at the first build's value, so similarities to existing passages
  stay as they were.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa_service.config import Settings
from qa_service.documents import DocumentMeta, ParsedDocument
from qa_service.embedding import Embedder
from qa_service.ingest.build import (
    centroid_of,
    chunk_documents,
    collect_documents,
    corpus_hash,
    embed_passages,
    manifest_fields,
    passage_texts,
)
from qa_service.store.layout import (
    CENTROID,
    CONTEXT_RULE,
    FORMAT_VERSION,
    MANIFEST,
    STORE,
    TERMS_RULE,
    VECTORS,
    IndexMismatchError,
    Manifest,
    current_build,
    index_lock,
)
from qa_service.store.sqlite import read_content_hashes
from qa_service.store.vectors import build_vector_index, describe, id_mapped, remove_rows
from qa_service.store.writer import BuildWriter
from qa_service.text.lexical import analyze_text

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
        milvus = None
        if settings.store == "milvus":
            from qa_service.ingest.milvus import live_hashes

            milvus, manifest = live_hashes(settings, embedder)
            hashes = milvus.content_hashes()
        else:
            old = current_build(settings.index_dir)
            manifest = Manifest.from_file(old / MANIFEST)
            if manifest.model != embedder.model_name:
                raise IndexMismatchError(
                    f"index in {old} was built with embedding model {manifest.model!r}, not "
                    f"{embedder.model_name!r}; rebuild it with `qa-service index`"
                )
            hashes = read_content_hashes(old / STORE)
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
        if milvus is not None:  # changed in place (qa_service.ingest.milvus)
            with milvus:
                if metas or drop:
                    from qa_service.ingest.milvus import update_milvus

                    report.documents, report.passages = update_milvus(
                        milvus, manifest, settings, embedder, metas, passages, drop, timings
                    )
                    report.build = Path(milvus.name)
                else:
                    report.documents, report.passages = len(hashes), manifest.passage_count
            report.seconds = timings
            return report
        reembed = _vectors_outdated(manifest, settings)
        reterm = manifest.terms_rule < TERMS_RULE  # every passage's terms analysed anew
        if not metas and not drop and not reembed and not reterm:
            report.documents = len(hashes)
            report.passages = manifest.passage_count
            report.seconds = timings
            return report

        with BuildWriter(settings.index_dir) as writer:
            _write_update(
                old, writer, settings, embedder, metas, passages, drop, timings, reembed, reterm
            )
            build = writer.publish()
            new_manifest = Manifest.from_file(build / MANIFEST)
    report.build = build
    report.documents = new_manifest.document_count
    report.passages = new_manifest.passage_count
    report.seconds = timings
    return report


def _write_update(
    old: Path,
    writer: BuildWriter,
    settings: Settings,
    embedder: Embedder,
    metas: list[tuple[DocumentMeta, str]],
    passages: list,
    drop: set[str],
    timings: dict[str, float],
    reembed: bool = False,
    reterm: bool = False,
) -> None:
    """Write the new build: the old one with ``drop`` removed and ``passages`` added; with
    ``reembed`` every passage's vectors are made anew (a build from an older format), with
    ``reterm`` every passage's terms (a build of an older terms rule)."""
    import faiss

    # the new passages' vectors (and their sentences' vectors, stored with them); with
    # ``reembed`` they are embedded below, with every other passage
    t0 = time.perf_counter()
    by_id = {m.doc_id: m for m, _ in metas}
    texts = passage_texts(by_id, passages, settings)
    vectors, sentences = (
        embed_passages(by_id, passages, settings, embedder)
        if passages and not reembed
        else (None, None)
    )
    timings["embed"] = time.perf_counter() - t0

    # the store: a copy of the old one, changed in one transaction
    t0 = time.perf_counter()
    writer.copy_from(old, STORE, CENTROID)
    store = writer.edit_store()
    try:
        store.migrate(
            lambda meta, p: analyze_text(passage_texts({p.doc_id: meta}, [p], settings)[0]),
            every=reterm,
        )
        dropped_rows = store.remove_documents(drop)
        start = store.next_row(int(dropped_rows.max()) + 1 if len(dropped_rows) else 0)
        rows = np.arange(start, start + len(passages), dtype=np.int64)
        store.add(metas, rows, passages, [analyze_text(t) for t in texts], sentences)
        store.commit()
        all_rows, all_terms = store.all_terms()
        documents = store.documents()
        if reembed:  # every passage, in row order, as a full build embeds them
            t1 = time.perf_counter()
            every = store.all_passages()
            by_doc = {m.doc_id: m for m, _ in documents}
            every_vectors, every_sentences = embed_passages(
                by_doc, [p for _, p in every], settings, embedder
            )
            every_rows = np.asarray([r for r, _ in every], dtype=np.int64)
            store.set_sentences(every_rows, every_sentences)
            store.commit()
            timings["embed"] += time.perf_counter() - t1
    finally:
        store.close()
    timings["store"] = time.perf_counter() - t0

    # vectors: drop the old rows, add the new passages' (as a full build stores them)
    t0 = time.perf_counter()
    if reembed:  # the new passages are among every passage
        writer.write_centroid(centroid_of(every_vectors))
        index = build_vector_index(every_vectors, every_rows, settings)
    else:
        index = id_mapped(faiss.read_index(str(old / VECTORS)))
        if len(dropped_rows):
            index = remove_rows(index, dropped_rows, settings)
        if vectors is not None:
            index.add_with_ids(np.ascontiguousarray(vectors), rows)
    timings["faiss"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    writer.write_vectors(index)
    timings["faiss_write"] = time.perf_counter() - t0

    # BM25: rebuilt from the stored terms
    t0 = time.perf_counter()
    if not all_rows:
        raise ValueError("the update would leave the index empty; remove the index instead")
    writer.write_bm25(np.asarray(all_rows, dtype=np.int64), all_terms)
    timings["bm25"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if index.ntotal != len(all_rows):
        raise RuntimeError(f"index has {index.ntotal} vectors for {len(all_rows)} passages")
    writer.finish(
        **manifest_fields(settings, embedder),
        dimension=int(index.d),
        passage_count=int(index.ntotal),
        document_count=len(documents),
        corpus_hash=corpus_hash(documents),
        faiss_type=describe(index),
    )
    timings["write"] = time.perf_counter() - t0


def _vectors_outdated(manifest: Manifest, settings: Settings) -> bool:
    """Whether the live build's passage vectors were made otherwise than this configuration
    makes them (an older format or context rule, or another context weight): an update then
    embeds every passage anew, so that old and new passages are searched alike."""
    weight = settings.context_weight if settings.contextual_passages else 0.0
    return (
        manifest.format_version < FORMAT_VERSION
        or manifest.context_rule < CONTEXT_RULE
        or manifest.contextual_passages != settings.contextual_passages
        or abs(manifest.context_weight - weight) > 1e-9
    )
