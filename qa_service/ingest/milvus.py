"""Live updates in Milvus (``QA_STORE=milvus``), and moving a local build into Milvus: the
same chunking and embedding as the local store (:mod:`qa_service.ingest.build`, which also
writes full builds into Milvus), written through
:class:`~qa_service.store.milvus.writer.MilvusWriter`.

* A full build fills a new build's collections and moves the alias to it.
* A live update changes the live build in place: the passages of removed and replaced
  documents are deleted, new passages get new rows, and the version is bumped (a running
  service reloads). Milvus indexes every change itself (vectors and BM25), so nothing is
  rebuilt; the centroid stays at the full build's value, as locally.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.embedding import Embedder
from qa_service.ingest.build import corpus_hash, embed_passages, passage_texts
from qa_service.store.layout import IndexMismatchError, Manifest
from qa_service.store.milvus.writer import MilvusWriter
from qa_service.text.lexical import analyze_text


def write_passages(
    writer: MilvusWriter,
    settings: Settings,
    embedder: Embedder,
    metas: dict[str, DocumentMeta],
    rows: Sequence[int],
    passages: Sequence[Passage],
    vectors: np.ndarray | None = None,
    sentences: Sequence[bytes | None] | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Embed ``passages`` (unless ``vectors`` are given) and write them with ``rows``;
    returns their vectors."""
    if vectors is None:
        vectors, sentences = embed_passages(metas, passages, settings, embedder, progress)
    texts = passage_texts(metas, passages, settings)
    terms = [analyze_text(t) for t in texts]
    writer.write_passages(rows, passages, metas, vectors, texts, terms, sentences)
    return vectors


def live_hashes(settings: Settings, embedder: Embedder) -> tuple[MilvusWriter, Manifest]:
    """The writer of the live build and its manifest (checked against the model)."""
    writer = MilvusWriter.live(settings)
    manifest, _, _ = writer.current_manifest()
    if manifest.model != embedder.model_name:
        writer.client.close()
        raise IndexMismatchError(
            f"Milvus index {settings.milvus_collection!r} was built with embedding model "
            f"{manifest.model!r}, not {embedder.model_name!r}; rebuild it with "
            "`qa-service index`"
        )
    return writer, manifest


def update_milvus(
    writer: MilvusWriter,
    manifest: Manifest,
    settings: Settings,
    embedder: Embedder,
    metas: list[tuple[DocumentMeta, str]],
    passages: list[Passage],
    drop: set[str],
    timings: dict[str, float],
) -> tuple[int, int]:
    """Apply an update to the live build in place; the documents and passages after it."""
    t0 = time.perf_counter()
    # new versions first, then the old rows: a query meanwhile finds a replaced document
    # (in its old or new version) rather than none
    old_rows = writer.rows_of(drop)
    start = writer.next_row()
    rows = list(range(start, start + len(passages)))
    by_id = {m.doc_id: m for m, _ in metas}
    writer.write_documents(metas)
    if passages:
        write_passages(writer, settings, embedder, by_id, rows, passages)
    writer.delete_rows(old_rows)
    writer.delete_documents(drop - set(by_id))
    documents, passage_count = writer.counts()
    if passage_count == 0:
        raise ValueError("the update left the index empty; build it anew")
    _, centroid, _ = writer.current_manifest()
    fields = {
        k: v
        for k, v in vars(manifest).items()
        if k
        not in {
            "format_version",
            "created",
            "files",
            "passage_count",
            "document_count",
            "corpus_hash",
        }
    }
    writer.finish(
        centroid,
        **fields,
        passage_count=passage_count,
        document_count=documents,
        corpus_hash=corpus_hash(writer.documents_with_hashes()),
    )
    timings["milvus"] = time.perf_counter() - t0
    return documents, passage_count


def import_local(settings: Settings, index_dir: Path) -> tuple[str, int, int]:
    """Copy the live local build in ``index_dir`` into a new Milvus build and publish it,
    without embedding anything again: its vectors, centroid, terms and sentence vectors are
    carried over (moving an index from one machine to Milvus). Returns the build's name and
    its documents and passages."""
    from qa_service.store.loaded import load_index

    local = load_index(index_dir)
    try:
        hashes = local.store.content_hashes()
        metas = local.store.documents(hashes)
        documents = [(metas[d], h) for d, h in sorted(hashes.items()) if d in metas]
        rows_passages = local.store.all_passages()
        terms = local.store.terms_by_row()
        blobs = local.store.all_sentence_blobs()
        m = local.manifest
        contextual = settings.model_copy(update={"contextual_passages": m.contextual_passages})
        with MilvusWriter.new(settings, m.dimension) as writer:
            writer.write_documents(documents)
            for start in range(0, len(rows_passages), 2048):
                chunk = rows_passages[start : start + 2048]
                rows = [r for r, _ in chunk]
                passages = [p for _, p in chunk]
                vectors = local.passage_vectors(rows)
                texts = passage_texts(metas, passages, contextual)
                writer.write_passages(
                    rows,
                    passages,
                    metas,
                    vectors,
                    texts,
                    [terms.get(r) or analyze_text(t) for r, t in zip(rows, texts, strict=True)],
                    [blobs.get(r) for r in rows],
                )
            fields = {
                k: v
                for k, v in vars(m).items()
                if k not in {"format_version", "created", "files", "faiss_type"}
            }
            writer.finish(local.centroid, **fields)
            return writer.publish(), len(documents), len(rows_passages)
    finally:
        local.close()
