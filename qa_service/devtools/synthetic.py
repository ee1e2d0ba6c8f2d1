"""Synthetic indexes for benchmarks at sizes beyond a real corpus: a real build's passages
and vectors copied under new ids, nothing embedded again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.config import Settings

#: makes the vectors of one copied document from the source rows it copies
VectorMaker = Callable[[np.ndarray, np.random.Generator], np.ndarray]


class ResidualTransfer:
    """New vectors shaped like a real set: a real vector plus a random share of the difference
    of two real vectors of its own cluster (k-means over the real set), scaled back to the
    real vector's norm.

    The differences span the directions in which real passages of one topic actually differ,
    so the new vectors stay on the real data's manifold (unlike isotropic noise, which makes
    every dimension vary alike) and are no near-duplicates of their source: on the bundled
    corpus's 2,144 real vectors, a synthetic set of the same size has a mean nearest-neighbour
    cosine of 0.956 (real: 0.970) and 10th-neighbour cosine 0.919 (real: 0.940), i.e. it is a
    little more spread out than the real set, so approximate search is a little harder on it.
    """

    def __init__(
        self, real: np.ndarray, clusters: int = 32, share: tuple[float, float] = (0.3, 0.7)
    ) -> None:
        import faiss

        self.real = np.ascontiguousarray(real, dtype=np.float32)
        self.share = share
        k = max(1, min(clusters, len(real) // 39))
        kmeans = faiss.Kmeans(self.real.shape[1], k, niter=20, seed=1)
        kmeans.train(self.real)
        _, labels = kmeans.index.search(self.real, 1)
        self.labels = labels[:, 0]
        self.by_cluster = np.argsort(self.labels, kind="stable")  # rows, cluster by cluster
        sizes = np.bincount(self.labels, minlength=k)
        self.start, self.size = np.cumsum(sizes) - sizes, sizes

    def __call__(self, rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        base = self.real[rows]
        cluster = self.labels[rows]
        start, size = self.start[cluster], self.size[cluster]
        j = self.by_cluster[start + (rng.random(len(rows)) * size).astype(np.int64)]
        k = self.by_cluster[start + (rng.random(len(rows)) * size).astype(np.int64)]
        other = self.real[j] - self.real[k]
        share = rng.uniform(*self.share, size=(len(rows), 1)).astype(np.float32)
        out = base + share * other
        out *= (np.linalg.norm(base, axis=1) / np.linalg.norm(out, axis=1))[:, None]
        return out.astype(np.float32)


def settings_for(index_dir: Path, **overrides: Any) -> Settings:
    """Settings of a benchmark index (no reloading while it is measured)."""
    return Settings(index_dir=index_dir, reload_interval=0, **overrides)


def synthesise(
    source: Path,
    size: int,
    target: Path,
    noise: float = 0.02,
    vectors_like: Callable[[np.ndarray], VectorMaker] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """An index of about ``size`` passages made from the built index in ``source``.

    Up to the source's size: its first documents (real passages, real vectors). Beyond it:
    copies of every document under new ids (``<doc_id>~<copy>``); each copy's vectors are the
    source vectors plus Gaussian noise (``noise`` per dimension, re-normalised: cosine about
    0.9 to the original), or made by ``vectors_like(real vectors)`` (e.g.
    :class:`ResidualTransfer`); its text, BM25 terms and stored sentence vectors are the same.
    Nothing is embedded. The FAISS index type follows the settings (``overrides``), as in a
    real build.
    """
    import dataclasses

    from qa_service.documents import Passage
    from qa_service.ingest.build import corpus_hash
    from qa_service.store.layout import MANIFEST, Manifest, current_build, index_exists
    from qa_service.store.loaded import load_index
    from qa_service.store.vectors import build_vector_index, describe
    from qa_service.store.writer import BuildWriter

    if index_exists(target):
        manifest = Manifest.from_file(current_build(target) / MANIFEST)
        return {"passages": manifest.passage_count, "faiss": manifest.faiss_type}
    t0 = time.perf_counter()
    src = load_index(source, verify=False)
    rows_passages = src.store.all_passages()
    terms_by_row = src.store.terms_by_row()
    sentences_by_row = src.store.all_sentence_blobs()
    metas = src.store.documents({p.doc_id for _, p in rows_passages})
    hashes = src.store.content_hashes()
    vectors = np.vstack([src.vectors.reconstruct(int(r)) for r, _ in rows_passages])
    centroid = src.centroid
    src.close()

    by_doc: dict[str, list[int]] = {}
    for i, (_, p) in enumerate(rows_passages):
        by_doc.setdefault(p.doc_id, []).append(i)
    doc_order = list(by_doc)
    rng = np.random.default_rng(0)
    maker = vectors_like(vectors) if vectors_like is not None else None
    documents: list[tuple[Any, str]] = []
    passages: list[Passage] = []
    terms: list[list[str]] = []
    sentences: list[bytes | None] = []
    chunks: list[np.ndarray] = []
    copy = 0
    while len(passages) < size:
        for doc_id in doc_order:
            if len(passages) >= size:
                break
            new_id = doc_id if copy == 0 else f"{doc_id}~{copy}"
            documents.append((dataclasses.replace(metas[doc_id], doc_id=new_id), hashes[doc_id]))
            idx = by_doc[doc_id]
            for i in idx:
                p = rows_passages[i][1]
                pid = p.passage_id if copy == 0 else f"{p.passage_id}~{copy}"
                passages.append(dataclasses.replace(p, passage_id=pid, doc_id=new_id))
                terms.append(terms_by_row[rows_passages[i][0]])
                sentences.append(sentences_by_row.get(rows_passages[i][0]))
            v = vectors[idx]
            if copy and maker is not None:
                v = maker(np.asarray(idx), rng)
            elif copy:
                v = v + rng.normal(scale=noise, size=v.shape).astype(np.float32)
                v /= np.linalg.norm(v, axis=1, keepdims=True)
            chunks.append(v)
        copy += 1
    all_vectors = np.vstack(chunks).astype(np.float32)
    del chunks
    rows = np.arange(len(passages), dtype=np.int64)
    settings = settings_for(target, **overrides)
    with BuildWriter(target) as writer:
        writer.write_centroid(centroid)
        t1 = time.perf_counter()
        index = build_vector_index(all_vectors, rows, settings)
        writer.write_vectors(index)
        t_faiss = time.perf_counter() - t1
        t1 = time.perf_counter()
        writer.write_bm25(rows, terms)
        t_bm25 = time.perf_counter() - t1
        t1 = time.perf_counter()
        writer.write_store(documents, passages, terms, sentences)
        t_store = time.perf_counter() - t1
        writer.finish(
            model=settings.embedding_model,
            dimension=int(all_vectors.shape[1]),
            passage_count=len(passages),
            document_count=len(documents),
            corpus_hash=corpus_hash(documents),
            faiss_type=describe(index),
            contextual_passages=settings.contextual_passages,
            max_passage_tokens=settings.max_passage_tokens,
        )
        writer.publish()
    np.save(target / "vectors.npy", all_vectors)  # for the recall measurement
    return {
        "passages": len(passages),
        "documents": len(documents),
        "copies": copy,
        "faiss": describe(index),
        "seconds": round(time.perf_counter() - t0, 1),
        "seconds_faiss": round(t_faiss, 1),
        "seconds_bm25": round(t_bm25, 1),
        "seconds_store": round(t_store, 1),
    }
