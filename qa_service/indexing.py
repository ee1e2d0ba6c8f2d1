"""Build an index from files: parse, chunk, embed, and write FAISS + BM25 + SQLite."""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa_service.chunking import chunk_document
from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage, contextual_text
from qa_service.embedding import Embedder
from qa_service.index import (
    BM25_DIR,
    CENTROID,
    MANIFEST,
    STORE,
    VECTORS,
    Manifest,
    center,
    checksum_files,
    mean_direction,
    new_build_dir,
    publish,
    write_store,
)
from qa_service.lexical import analyze
from qa_service.parsing import ParseError, iter_corpus_files, load_motion_subjects, parse_file

log = logging.getLogger(__name__)

MOTION_SUBJECTS = "moties.jsonl"


@dataclass
class BuildReport:
    build: Path
    documents: int
    passages: int
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    seconds: dict[str, float] = field(default_factory=dict)


def default_corpus_paths(settings: Settings) -> list[Path]:
    """The bundled Kamerbrief and motions (not the historical OCR file)."""
    return [settings.corpus_dir / "kamerstukken", settings.corpus_dir / "moties"]


def _find_subjects(paths: Sequence[Path]) -> dict:
    """Motion subjects from a ``moties.jsonl`` beside or above the given folders."""
    subjects: dict = {}
    for path in paths:
        for folder in (path, path.parent) if path.is_dir() else (path.parent, path.parent.parent):
            candidate = folder / MOTION_SUBJECTS
            if candidate.is_file():
                subjects.update(load_motion_subjects(candidate))
    return subjects


def collect_passages(
    paths: Sequence[Path], settings: Settings, embedder: Embedder, progress: bool = False
) -> tuple[list[tuple[DocumentMeta, str]], list[Passage], list[tuple[str, str]]]:
    """Parse and chunk every supported file under ``paths``.

    Returns the documents with their content hashes, the passages in order, and the files
    skipped with the reason. A document id seen twice keeps its first file.
    """
    from tqdm import tqdm

    files = iter_corpus_files(list(paths))
    subjects = _find_subjects(paths)
    max_tokens = min(settings.max_passage_tokens, embedder.max_tokens)
    documents: list[tuple[DocumentMeta, str]] = []
    passages: list[Passage] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for path in tqdm(files, desc="parsing", unit="file", disable=not progress):
        try:
            doc = parse_file(path, subjects)
        except ParseError as exc:
            skipped.append((str(path), str(exc)))
            log.warning("skipped %s: %s", path, exc)
            continue
        if doc.meta.doc_id in seen:
            skipped.append((str(path), f"duplicate document id {doc.meta.doc_id}"))
            continue
        chunks = chunk_document(doc, embedder.count_tokens, max_tokens)
        if not chunks:
            skipped.append((str(path), "no text"))
            continue
        seen.add(doc.meta.doc_id)
        digest = hashlib.sha256("\n\n".join(p.text for p in chunks).encode()).hexdigest()
        documents.append((doc.meta, digest))
        passages.extend(chunks)
    return documents, passages, skipped


def corpus_hash(documents: Sequence[tuple[DocumentMeta, str]]) -> str:
    h = hashlib.sha256()
    for meta, digest in sorted(documents, key=lambda d: d[0].doc_id):
        h.update(f"{meta.doc_id}\t{digest}\n".encode())
    return h.hexdigest()


def build_index(
    paths: Sequence[Path], settings: Settings, embedder: Embedder, progress: bool = False
) -> BuildReport:
    """Build a new index from ``paths`` and make it the live one in ``settings.index_dir``."""
    import bm25s
    import faiss

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    embedder.warm_up()
    timings["load_model"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    documents, passages, skipped = collect_passages(paths, settings, embedder, progress)
    timings["parse"] = time.perf_counter() - t0
    if not passages:
        raise ValueError("no passages to index: " + "; ".join(f"{f}: {r}" for f, r in skipped))

    metas = {m.doc_id: m for m, _ in documents}
    if settings.contextual_passages:
        texts = [contextual_text(metas[p.doc_id], p) for p in passages]
    else:
        texts = [p.text for p in passages]

    build = new_build_dir(settings.index_dir)
    try:
        t0 = time.perf_counter()
        vectors = embedder.encode_passages(texts, show_progress=progress)
        timings["embed"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        centroid = mean_direction(vectors)
        np.save(build / CENTROID, centroid, allow_pickle=False)
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(center(vectors, centroid)))
        faiss.write_index(index, str(build / VECTORS))
        timings["faiss"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        bm25 = bm25s.BM25()
        bm25.index([analyze(t) for t in texts], show_progress=False)
        bm25.save(str(build / BM25_DIR))
        timings["bm25"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        write_store(build / STORE, documents, passages)
        manifest = Manifest(
            model=embedder.model_name,
            dimension=int(vectors.shape[1]),
            passage_count=len(passages),
            document_count=len(documents),
            corpus_hash=corpus_hash(documents),
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            faiss_type=type(index).__name__,
            contextual_passages=settings.contextual_passages,
            max_passage_tokens=settings.max_passage_tokens,
            files=checksum_files(build),
        )
        (build / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        publish(settings.index_dir, build)
        timings["write"] = time.perf_counter() - t0
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return BuildReport(build, len(documents), len(passages), skipped, timings)
