"""Build an index from files: parse, chunk, embed, and write FAISS + BM25 + SQLite.

Live updates of an existing index (add, replace, remove documents) are in
:mod:`qa_service.ingest.update`; both share the helpers here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa_service.config import Settings
from qa_service.documents import (
    DocumentMeta,
    ParsedDocument,
    Passage,
    attributed,
    attributed_to,
    context_of,
    contextual_text,
    speaker,
)
from qa_service.embedding import Embedder
from qa_service.parsing import (
    FileResult,
    Limits,
    ParseError,
    iter_corpus_files,
    load_motion_subjects,
    parse_files,
)
from qa_service.parsing.chunking import chunk_document, split_sentences
from qa_service.store.layout import index_lock
from qa_service.store.sentence_vectors import pack, sentence_spans
from qa_service.store.vectors import build_vector_index, describe, mean_direction
from qa_service.store.writer import BuildWriter
from qa_service.text.lexical import analyze_text

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


def parse_limits(settings: Settings) -> Limits:
    return Limits.from_mb(settings.max_file_mb, settings.max_uncompressed_mb)


def _find_subjects(paths: Sequence[Path]) -> dict:
    """Motion subjects from a ``moties.jsonl`` beside or above the given folders."""
    subjects: dict = {}
    for path in paths:
        for folder in (path, path.parent) if path.is_dir() else (path.parent, path.parent.parent):
            candidate = folder / MOTION_SUBJECTS
            if candidate.is_file():
                subjects.update(load_motion_subjects(candidate))
    return subjects


def document_hash(doc: ParsedDocument) -> str:
    """What identifies a document's indexed content: its metadata (not the file it came from)
    and its paragraphs. Re-adding a document with the same hash changes nothing."""
    meta = asdict(doc.meta)
    meta.pop("source", None)
    h = hashlib.sha256(json.dumps(meta, sort_keys=True, ensure_ascii=False).encode())
    for p in doc.paragraphs:
        h.update(f"\n\x1e{p.section}\x1f{p.page}\x1f{p.text}".encode())
    return h.hexdigest()


def collect_documents(
    paths: Sequence[Path], settings: Settings, progress: bool = False
) -> tuple[list[tuple[ParsedDocument, str]], list[tuple[str, str]]]:
    """Parse every supported file under ``paths`` (in parallel processes where that pays).

    Returns the documents with their content hashes, and what was skipped with the reason
    (files, and records inside collections). A document id seen twice keeps its first file.
    """
    from tqdm import tqdm

    files = iter_corpus_files(list(paths))
    subjects = _find_subjects(paths)
    documents: list[tuple[ParsedDocument, str]] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    results = parse_files(files, subjects, parse_limits(settings), settings.parse_workers)
    for result in tqdm(
        results, total=len(files), desc="parsing", unit="file", disable=not progress
    ):
        if isinstance(result, ParseError):
            path, _, reason = str(result).partition(": ")
            skipped.append((path, reason))
            log.warning("skipped %s", result)
            continue
        assert isinstance(result, FileResult)
        skipped.extend((str(result.path), reason) for reason in result.skipped)
        for doc in result.documents:
            if doc.meta.doc_id in seen:
                skipped.append((str(result.path), f"duplicate document id {doc.meta.doc_id}"))
                continue
            seen.add(doc.meta.doc_id)
            documents.append((doc, document_hash(doc)))
    return documents, skipped


def chunk_documents(
    documents: Sequence[tuple[ParsedDocument, str]], settings: Settings, embedder: Embedder
) -> tuple[list[tuple[DocumentMeta, str]], list[Passage], list[tuple[str, str]]]:
    """Passages of each document; documents without any are returned as skipped."""
    max_tokens = min(settings.max_passage_tokens, embedder.max_tokens)
    metas: list[tuple[DocumentMeta, str]] = []
    passages: list[Passage] = []
    skipped: list[tuple[str, str]] = []
    for doc, digest in documents:
        chunks = chunk_document(doc, embedder.count_tokens, max_tokens)
        if not chunks:
            skipped.append((doc.meta.source or doc.meta.doc_id, "no text"))
            continue
        metas.append((doc.meta, digest))
        passages.extend(chunks)
    return metas, passages, skipped


def collect_passages(
    paths: Sequence[Path], settings: Settings, embedder: Embedder, progress: bool = False
) -> tuple[list[tuple[DocumentMeta, str]], list[Passage], list[tuple[str, str]]]:
    """Parse and chunk every supported file under ``paths``.

    Returns the documents with their content hashes, the passages in order, and the files
    skipped with the reason. A document id seen twice keeps its first file.
    """
    documents, skipped = collect_documents(paths, settings, progress)
    metas, passages, empty = chunk_documents(documents, settings, embedder)
    return metas, passages, skipped + empty


def passage_texts(
    metas: dict[str, DocumentMeta], passages: Sequence[Passage], settings: Settings
) -> list[str]:
    """What is keyword-indexed for each passage."""
    if settings.contextual_passages:
        return [contextual_text(metas[p.doc_id], p) for p in passages]
    return [p.text for p in passages]


#: a context of at most this many words is a document type, not a topic
TYPE_TITLE_WORDS = 3
#: a title opening with a kind of document names that kind and who wrote it ("Brief van de
#: Minister van Defensie", "ANTWOORD van de heer Schmelzer", "Koninklijke boodschap,
#: ingekomen ..."), not what the document is about, unless a topic follows ("Brief ... over
#: Y", "Verslag: Y"). Not motions and amendments: a motion's title names its submitters and
#: users ask for it by that title ("Motie van de leden Alkaya en Van Kent"); as context it
#: ranks that motion first for it (motion subjects in the top 5: 0.998 with it, 0.967 without)
_KIND_TITLE = re.compile(
    r"^\W*(?:gewijzigd\s+)?(?:brief|nota|memorie|verslag|eindverslag|voorlopig verslag|"
    r"antwoord|koninklijke boodschap|wetsvoorstel|mededeling)\b"
)


def title_is_context(title: str) -> bool:
    """Whether a document's ``title`` is a context for its passages without a section
    heading: not when it has at most :data:`TYPE_TITLE_WORDS` words or names only the kind
    of document and who wrote it (:data:`_KIND_TITLE`)."""
    low = " ".join(title.lower().split())
    if len(low.split()) <= TYPE_TITLE_WORDS:
        return False
    return " over " in f" {low} " or ":" in low or not _KIND_TITLE.match(low)


def passage_context(meta: DocumentMeta, passage: Passage) -> str:
    """The context a passage is embedded with (see :func:`embed_texts`): its title and
    section heading; "" when neither names a topic (a title that only names a kind of
    document, :func:`title_is_context`, without a heading; or a context of at most
    :data:`TYPE_TITLE_WORDS` words), which would pull every passage of the document towards
    "a letter from a minister" rather than towards its topic."""
    if not (passage.section or title_is_context(meta.title)):
        return ""
    context = context_of(meta, passage)
    return context if len(context.split()) > TYPE_TITLE_WORDS else ""


def embedded_texts(
    metas: dict[str, DocumentMeta], passages: Sequence[Passage], settings: Settings
) -> tuple[list[str], list[str]]:
    """What is embedded for each passage (its text, with the speaker named when
    ``contextual_passages``), and each passage's context ("" when none or not used)."""
    if not settings.contextual_passages:
        return [p.text for p in passages], [""] * len(passages)
    texts = [attributed(metas[p.doc_id], p.text) for p in passages]
    if settings.context_weight <= 0:
        return texts, [""] * len(passages)
    return texts, [passage_context(metas[p.doc_id], p) for p in passages]


def passage_speakers(metas: dict[str, DocumentMeta], passages: Sequence[Passage]) -> list[str]:
    """Who says "ik" in each passage ("" for none): the answerer names them before such
    sentences, so their vectors embedded alone do too."""
    return [speaker(metas[p.doc_id]) for p in passages]


def embed_passages(
    metas: dict[str, DocumentMeta],
    passages: Sequence[Passage],
    settings: Settings,
    embedder: Embedder,
    progress: bool = False,
) -> tuple[np.ndarray, list[bytes] | None]:
    """The vector each passage is searched by and, with ``settings.sentence_vectors``, its
    sentences' packed vectors (pooled from the same forward pass: no extra model time).

    With ``contextual_passages`` a passage's vector is the embedding of its own text (with the
    speaker named before first-person text) plus ``context_weight`` times the embedding of its
    context (title and section heading, each distinct context embedded once; a passage
    without either is its own context), not normalised:
    its inner product with a question is the passage's similarity plus the weighted
    similarity of its context. The passages of one document share the context term, so among
    them the one whose own text answers ranks first; embedded with the title in front of each,
    they came out nearly alike (docs/evaluation.md). Without ``contextual_passages``: the
    plain text's embedding.
    """
    texts, contexts = embedded_texts(metas, passages, settings)
    return embed_texts(
        texts,
        [p.text for p in passages],
        contexts,
        settings,
        embedder,
        progress,
        speakers=passage_speakers(metas, passages),
    )


def embed_texts(
    texts: Sequence[str],
    raw: Sequence[str],
    contexts: Sequence[str],
    settings: Settings,
    embedder: Embedder,
    progress: bool = False,
    speakers: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[bytes] | None]:
    """:func:`embed_passages` from what :func:`embedded_texts` gives (``texts``, ``contexts``)
    and each passage's own text (``raw``, whose sentences get vectors) and speaker
    (:func:`passage_speakers`; named before its first-person sentences embedded alone): the
    model's part of a build, also run by the workers of a distributed one
    (:mod:`.distributed`)."""
    if not settings.sentence_vectors:
        vectors, sentences = embedder.encode_passages(list(texts), show_progress=progress), None
    else:
        spans = [sentence_spans(t, r) for t, r in zip(texts, raw, strict=True)]
        vectors, pooled = embedder.encode_passages_with_sentences(list(texts), spans, progress)
        if settings.sentence_vectors_alone:
            known = dict(zip(texts, vectors, strict=True))
            alone = embed_sentences_alone(raw, speakers or [""] * len(raw), embedder, known)
            sentences = [pack(s, a) for s, a in zip(pooled, alone, strict=True)]
        else:
            sentences = [pack(s) for s in pooled]
    if settings.contextual_passages and settings.context_weight > 0 and len(vectors):
        distinct = sorted({c for c in contexts if c})
        encoded = dict(zip(distinct, embedder.encode_passages(distinct), strict=True))
        # a passage without context (a document without title or section: an OCR'd one,
        # an upload) stands in as its own, in every batch (a batch of only such passages,
        # too): its inner product with a question is then on the scale of the others'
        # (similarity plus weighted similarity), not about 0.6 below every passage with one
        context = np.stack([encoded[c] if c else v for c, v in zip(contexts, vectors, strict=True)])
        vectors = vectors + np.float32(settings.context_weight) * context
    return np.ascontiguousarray(vectors, dtype=np.float32), sentences


class EmbedStep(Protocol):
    """The embedding pass of a build: each passage's vector and packed sentence vectors, as
    :func:`embed_passages` returns them. :func:`local_embed` runs it in this process;
    :class:`qa_service.ingest.distributed.RayEmbedding` on a Ray cluster."""

    def __call__(
        self,
        documents: Sequence[tuple[DocumentMeta, str]],
        passages: Sequence[Passage],
        settings: Settings,
        embedder: Embedder,
        progress: bool = False,
    ) -> tuple[np.ndarray, list[bytes] | None]: ...


def local_embed(
    documents: Sequence[tuple[DocumentMeta, str]],
    passages: Sequence[Passage],
    settings: Settings,
    embedder: Embedder,
    progress: bool = False,
) -> tuple[np.ndarray, list[bytes] | None]:
    """:func:`embed_passages` as an :class:`EmbedStep` (the documents with content hashes)."""
    metas = {m.doc_id: m for m, _ in documents}
    return embed_passages(metas, passages, settings, embedder, progress)


def embed_sentences_alone(
    raw: Sequence[str],
    speakers: Sequence[str],
    embedder: Embedder,
    known: dict[str, np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Each passage's sentences (of its own text, ``raw``) embedded one by one, with the
    passage's speaker named as the answerer reads them (``speakers``, "" for none),
    batch-invariantly: the vectors the answerer would otherwise compute at question time for
    ``answer_sentences_nl/en=query``. A sentence whose text was embedded already (``known``:
    a passage of one sentence is that sentence) is not embedded again: its vector differs
    from a batch-invariant one only by padding (about 1e-3), under the int8 storage's own
    error."""
    known = known or {}
    texts = [
        [attributed_to(who, sentence) for sentence in split_sentences(text)]
        for text, who in zip(raw, speakers, strict=True)
    ]
    todo = list(dict.fromkeys(t for group in texts for t in group if t not in known))
    if todo:
        encoded = embedder.encode_passages(todo, batch_invariant=True)
        known = {**known, **dict(zip(todo, encoded, strict=True))}
    dim = embedder.dimension
    return [
        np.stack([known[t] for t in group]) if group else np.zeros((0, dim), np.float32)
        for group in texts
    ]


def centroid_of(vectors: np.ndarray) -> np.ndarray:
    """The mean direction of the passages' vectors (each normalised first), removed from
    both sides when the service measures a question's similarity to a passage."""
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return mean_direction(vectors / norms)


def corpus_hash(documents: Sequence[tuple[DocumentMeta, str]]) -> str:
    h = hashlib.sha256()
    for meta, digest in sorted(documents, key=lambda d: d[0].doc_id):
        h.update(f"{meta.doc_id}\t{digest}\n".encode())
    return h.hexdigest()


def manifest_fields(settings: Settings, embedder: Embedder) -> dict[str, Any]:
    """What a build's manifest records about how its passages were made."""
    return {
        "model": embedder.model_name,
        "contextual_passages": settings.contextual_passages,
        "context_weight": settings.context_weight if settings.contextual_passages else 0.0,
        "max_passage_tokens": settings.max_passage_tokens,
    }


def build_index(
    paths: Sequence[Path],
    settings: Settings,
    embedder: Embedder,
    progress: bool = False,
    embed: EmbedStep = local_embed,
) -> BuildReport:
    """Build a new index from ``paths`` and make it the live one in ``settings.index_dir``.

    ``embed`` runs the embedding pass (here by default; on a Ray cluster with
    :class:`~qa_service.ingest.distributed.RayEmbedding`); the rest is the same either way."""

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
    if settings.store == "milvus":
        return _build_milvus(
            settings, embedder, documents, passages, skipped, timings, progress, embed
        )
    texts = passage_texts(metas, passages, settings)
    with index_lock(settings.index_dir), BuildWriter(settings.index_dir) as writer:
        t0 = time.perf_counter()
        vectors, sentences = embed(documents, passages, settings, embedder, progress)
        timings["embed"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        rows = np.arange(len(passages), dtype=np.int64)
        # searched as they are (not centred): see search.retriever.Retriever.search_batch
        writer.write_centroid(centroid_of(vectors))
        index = build_vector_index(vectors, rows, settings)
        writer.write_vectors(index)
        timings["faiss"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        terms = [analyze_text(t) for t in texts]
        writer.write_bm25(rows, terms)
        timings["bm25"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        writer.write_store(documents, passages, terms, sentences)
        writer.finish(
            **manifest_fields(settings, embedder),
            dimension=int(vectors.shape[1]),
            passage_count=len(passages),
            document_count=len(documents),
            corpus_hash=corpus_hash(documents),
            faiss_type=describe(index),
        )
        build = writer.publish()
        timings["write"] = time.perf_counter() - t0
    return BuildReport(build, len(documents), len(passages), skipped, timings)


def _build_milvus(
    settings: Settings,
    embedder: Embedder,
    documents: list[tuple[DocumentMeta, str]],
    passages: list[Passage],
    skipped: list[tuple[str, str]],
    timings: dict[str, float],
    progress: bool,
    embed: EmbedStep = local_embed,
) -> BuildReport:
    """A full build into Milvus (``QA_STORE=milvus``): new collections, filled, then the alias
    moves to them (:class:`~qa_service.store.milvus.writer.MilvusWriter`); ``embed`` as for
    a local build (a Ray job writes into Milvus too)."""
    from qa_service.store.milvus.writer import MilvusWriter

    metas = {m.doc_id: m for m, _ in documents}
    with index_lock(settings.index_dir):
        t0 = time.perf_counter()
        vectors, sentences = embed(documents, passages, settings, embedder, progress)
        timings["embed"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with MilvusWriter.new(settings, int(vectors.shape[1])) as writer:
            writer.write_documents(documents)
            rows = list(range(len(passages)))
            texts = passage_texts(metas, passages, settings)
            terms = [analyze_text(t) for t in texts]
            writer.write_passages(rows, passages, metas, vectors, texts, terms, sentences)
            writer.finish(
                centroid_of(vectors),
                **manifest_fields(settings, embedder),
                corpus_hash=corpus_hash(documents),
                dimension=int(vectors.shape[1]),
                passage_count=len(passages),
                document_count=len(documents),
            )
            name = writer.publish()
        timings["milvus"] = time.perf_counter() - t0
    return BuildReport(Path(name), len(documents), len(passages), skipped, timings)
