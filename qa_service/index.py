"""The on-disk index: FAISS vectors, a BM25 keyword index, and passages in SQLite.

Layout of an index directory::

    index/
      CURRENT                  name of the live build (replaced atomically)
      builds/<name>/
        manifest.json          model, dimension, counts, corpus hash, file checksums
        vectors.faiss          FAISS inner-product index over each passage's vector plus
                               context_weight x its context's (title, section) vector,
                               keyed by passage row (IndexIDMap2 over a flat index, or IVF
                               past QA_ANN_THRESHOLD passages: qa_service/vector_index.py)
        centroid.npy           the direction removed from both sides when measuring a
                               question's similarity to a passage (see ``center``)
        bm25/                  bm25s index over the analysed passage text
        bm25_rows.npy          the passage row of each BM25 document (ascending)
        store.sqlite           documents and passages (row id = FAISS id), analysed terms,
                               int8 vectors of each passage's sentences (sentence_vectors.py)

A build is written to a fresh directory and published by rewriting ``CURRENT`` with
``os.replace``: an interrupted build leaves the previous index untouched and usable. Live
updates (:mod:`qa_service.updating`) write a new build the same way, under ``index_lock``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.filters import NO_FILTERS, Filters
from qa_service.sentence_vectors import unpack

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
VECTORS = "vectors.faiss"
CENTROID = "centroid.npy"
STORE = "store.sqlite"
BM25_DIR = "bm25"
BM25_ROWS = "bm25_rows.npy"
LOCK = ".update.lock"
CURRENT = "CURRENT"
BUILDS = "builds"


class IndexLoadError(RuntimeError):
    """Base class for index problems; messages are meant for the user."""


class IndexNotFoundError(IndexLoadError):
    pass


class IndexMismatchError(IndexLoadError):
    """The index was built with another embedding model (or format)."""


class IndexCorruptError(IndexLoadError):
    """A file of the index is missing, truncated or altered."""


@dataclass
class Manifest:
    model: str
    dimension: int
    passage_count: int
    document_count: int
    corpus_hash: str
    format_version: int = FORMAT_VERSION
    created: str = ""
    faiss_type: str = "IndexFlatIP"
    contextual_passages: bool = True
    context_weight: float = 0.0  # weight of the context vector in each passage's vector
    max_passage_tokens: int = 0
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_file(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorruptError(f"cannot read index manifest {path}: {exc}") from exc


# --------------------------------------------------------------------------------------------
# locating builds
# --------------------------------------------------------------------------------------------
def current_build(index_dir: Path) -> Path:
    """The directory of the live build, or an error saying how to create one."""
    pointer = Path(index_dir) / CURRENT
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexNotFoundError(
            f"no index in {index_dir}; build one with `qa-service index`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"cannot read {pointer}: {exc}") from exc
    build = Path(index_dir) / BUILDS / name
    if not name or "/" in name or "\\" in name or name.startswith(".") or not build.is_dir():
        raise IndexCorruptError(f"{pointer} points to a missing build {name!r}")
    return build


def index_exists(index_dir: Path) -> bool:
    try:
        current_build(index_dir)
    except IndexLoadError:
        return False
    return True


def new_build_dir(index_dir: Path) -> Path:
    """A fresh, empty directory for a build that is not yet live."""
    builds = Path(index_dir) / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    return Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=builds))


def publish(index_dir: Path, build: Path, keep: int = 1) -> None:
    """Make ``build`` the live index atomically, then remove older builds beyond ``keep``.

    The build's files and the pointer are flushed to disk (fsync) before this returns, so a
    published build survives a crash or power loss right after. Call it under
    :func:`index_lock`."""
    index_dir = Path(index_dir)
    fsync_tree(build)
    _fsync_dir(build.parent)
    pointer = index_dir / CURRENT
    tmp = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    tmp.write_text(build.name + "\n", encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, pointer)
    _fsync_dir(index_dir)
    _prune_builds(index_dir, live=build.name, keep=keep)


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive lock for writing builds of ``index_dir`` (between processes and threads), so
    that two updates never both start from the same build and one of them gets lost."""
    import fcntl

    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with _THREAD_LOCK, open(index_dir / LOCK, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


_THREAD_LOCK = threading.RLock()


def fsync_tree(root: Path) -> None:
    """Flush every file under ``root``, and the directories holding them, to disk."""
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        elif path.is_dir():
            _fsync_dir(path)
    _fsync_dir(root)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _prune_builds(index_dir: Path, live: str, keep: int) -> None:
    """Delete old builds, keeping the live one and the ``keep`` most recent complete others.
    Builds without a manifest were interrupted (a killed process): they are always deleted,
    and so are pointer files a killed process left behind (we hold the index lock)."""
    others = [p for p in (index_dir / BUILDS).iterdir() if p.is_dir() and p.name != live]
    complete = [p for p in others if (p / MANIFEST).is_file()]
    complete.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in others if p not in complete] + complete[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in index_dir.glob(f".{CURRENT}.*.tmp"):
        stale.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# centring
# --------------------------------------------------------------------------------------------
def mean_direction(vectors: np.ndarray) -> np.ndarray:
    """The unit mean of a set of embeddings (the direction they all share)."""
    mean = vectors.astype(np.float64).mean(axis=0)
    return (mean / max(np.linalg.norm(mean), 1e-12)).astype(np.float32)


def center(vectors: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Remove the shared direction from each row and re-normalise.

    Sentence embeddings all lean one way (anisotropy), which squeezes cosine similarities
    into a narrow band. Without that common component the cosine of a question and its
    answering passage stands out far more from unrelated passages: retrieval improves a
    little and the similarity becomes a usable abstention signal (see docs/evaluation.md).
    """
    v = vectors.astype(np.float32, copy=True)
    v -= np.outer(v @ direction, direction)
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    return v


# --------------------------------------------------------------------------------------------
# checksums
# --------------------------------------------------------------------------------------------
def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def checksum_files(build: Path) -> dict[str, str]:
    files = sorted(p for p in build.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {str(p.relative_to(build)): sha256_file(p) for p in files}


def verify_checksums(build: Path, manifest: Manifest) -> None:
    for rel, digest in manifest.files.items():
        path = build / rel
        if not path.is_file():
            raise IndexCorruptError(f"index file {path} is missing; rebuild the index")
        if sha256_file(path) != digest:
            raise IndexCorruptError(
                f"index file {path} is corrupted (checksum mismatch); rebuild the index"
            )


# --------------------------------------------------------------------------------------------
# the passage store (SQLite)
# --------------------------------------------------------------------------------------------
SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    meta TEXT NOT NULL,
    content_hash TEXT NOT NULL DEFAULT ''
);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY,
    passage_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    position INTEGER NOT NULL,
    section TEXT NOT NULL,
    page INTEGER,
    text TEXT NOT NULL,
    terms TEXT NOT NULL DEFAULT '',
    sentences BLOB
);
CREATE INDEX passages_doc ON passages(doc_id, position);
"""


def write_store(
    path: Path,
    documents: Iterable[tuple[DocumentMeta, str]],
    passages: Sequence[Passage],
    terms: Sequence[Sequence[str]] | None = None,
    sentences: Sequence[bytes | None] | None = None,
) -> None:
    """Write documents (with content hashes) and passages; passage ``i`` gets row ``i``.
    ``terms`` are the analysed BM25 terms of each passage (kept for cheap BM25 rebuilds),
    ``sentences`` its packed sentence vectors (:func:`qa_service.sentence_vectors.pack`)."""
    con = sqlite3.connect(path)
    try:
        con.executescript(SCHEMA)
        insert_documents(con, documents)
        insert_passages(con, range(len(passages)), passages, terms, sentences)
        con.commit()
    finally:
        con.close()


def insert_documents(
    con: sqlite3.Connection, documents: Iterable[tuple[DocumentMeta, str]]
) -> None:
    con.executemany(
        "INSERT INTO documents(doc_id, meta, content_hash) VALUES (?, ?, ?)",
        ((m.doc_id, json.dumps(asdict(m), ensure_ascii=False), h) for m, h in documents),
    )


def insert_passages(
    con: sqlite3.Connection,
    rows: Iterable[int],
    passages: Sequence[Passage],
    terms: Sequence[Sequence[str]] | None = None,
    sentences: Sequence[bytes | None] | None = None,
) -> None:
    con.executemany(
        "INSERT INTO passages(row, passage_id, doc_id, position, section, page, text, terms, "
        "sentences) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                int(row),
                p.passage_id,
                p.doc_id,
                p.position,
                p.section,
                p.page,
                p.text,
                " ".join(terms[i]) if terms is not None else "",
                sentences[i] if sentences is not None else None,
            )
            for i, (row, p) in enumerate(zip(rows, passages, strict=True))
        ),
    )


def meta_from_json(text: str) -> DocumentMeta:
    data = json.loads(text)
    known = DocumentMeta.__dataclass_fields__
    return DocumentMeta(**{k: v for k, v in data.items() if k in known})


class PassageStore:
    """Read access to passages and documents. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        uri = f"file:{path}?mode=ro&immutable=1"
        try:
            self._con = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self._con.execute("SELECT count(*) FROM passages").fetchone()
            columns = {r[1] for r in self._con.execute("PRAGMA table_info(passages)")}
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"cannot read passage store {path}: {exc}") from exc
        #: stores written before sentence vectors have no such column
        self.has_sentence_vectors = "sentences" in columns

    def close(self) -> None:
        self._con.close()

    def passages_by_rows(self, rows: Sequence[int]) -> dict[int, Passage]:
        if not rows:
            return {}
        marks = ",".join("?" * len(rows))
        cur = self._con.execute(
            f"SELECT row, passage_id, doc_id, text, section, page, position "
            f"FROM passages WHERE row IN ({marks})",
            [int(r) for r in rows],
        )
        return {r[0]: Passage(*r[1:]) for r in cur.fetchall()}

    def sentence_blobs(self, rows: Sequence[int]) -> dict[int, bytes]:
        """The packed sentence vectors of passage ``rows`` (those that have them)."""
        if not rows or not self.has_sentence_vectors:
            return {}
        marks = ",".join("?" * len(rows))
        cur = self._con.execute(
            f"SELECT row, sentences FROM passages WHERE row IN ({marks}) AND sentences IS NOT NULL",
            [int(r) for r in rows],
        )
        return {row: blob for row, blob in cur.fetchall() if isinstance(blob, bytes)}

    def documents(self, doc_ids: Iterable[str]) -> dict[str, DocumentMeta]:
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        cur = self._con.execute(
            f"SELECT doc_id, meta FROM documents WHERE doc_id IN ({marks})", ids
        )
        return {doc_id: meta_from_json(meta) for doc_id, meta in cur.fetchall()}

    def document(self, doc_id: str) -> DocumentMeta | None:
        return self.documents([doc_id]).get(doc_id)

    def list_documents(
        self, offset: int = 0, limit: int = 100, filters: Filters = NO_FILTERS
    ) -> list[tuple[DocumentMeta, int]]:
        where, params = filters.where("d")
        cur = self._con.execute(
            "SELECT d.meta, (SELECT count(*) FROM passages p WHERE p.doc_id = d.doc_id) "
            f"FROM documents d WHERE {where} ORDER BY d.doc_id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [(meta_from_json(meta), n) for meta, n in cur.fetchall()]

    def count_documents(self, filters: Filters = NO_FILTERS) -> int:
        where, params = filters.where("d")
        query = f"SELECT count(*) FROM documents d WHERE {where}"
        return int(self._con.execute(query, params).fetchone()[0])

    def rows_matching(self, filters: Filters) -> np.ndarray:
        """The passage rows of the documents that match ``filters``, ascending."""
        where, params = filters.where("d")
        cur = self._con.execute(
            f"SELECT p.row FROM passages p JOIN documents d ON d.doc_id = p.doc_id "
            f"WHERE {where} ORDER BY p.row",
            params,
        )
        return np.fromiter((r for (r,) in cur), dtype=np.int64)

    def facets(self) -> dict[str, Any]:
        """Dossiers (with title and document count), document types, vergaderjaren and the
        date range of the indexed documents: what a filter can choose from."""
        con = self._con
        dossiers = con.execute(
            "SELECT json_extract(meta, '$.dossier') AS k, "
            "max(json_extract(meta, '$.dossier_title')), count(*) FROM documents "
            "WHERE k != '' GROUP BY k ORDER BY k"
        ).fetchall()
        kinds = con.execute(
            "SELECT lower(json_extract(meta, '$.doc_type')) AS k, count(*) FROM documents "
            "WHERE k != '' GROUP BY k ORDER BY k"
        ).fetchall()
        years = con.execute(
            "SELECT json_extract(meta, '$.vergaderjaar') AS k, count(*) FROM documents "
            "WHERE k != '' GROUP BY k ORDER BY k"
        ).fetchall()
        first, last = con.execute(
            "SELECT min(json_extract(meta, '$.date')), max(json_extract(meta, '$.date')) "
            "FROM documents WHERE json_extract(meta, '$.date') != ''"
        ).fetchone()
        return {
            "dossiers": [
                {"dossier": k, "dossier_title": t or "", "documents": n} for k, t, n in dossiers
            ],
            "doc_types": [{"doc_type": k, "documents": n} for k, n in kinds],
            "vergaderjaren": [{"vergaderjaar": k, "documents": n} for k, n in years],
            "date_from": first or "",
            "date_to": last or "",
        }

    def content_hashes(self) -> dict[str, str]:
        cur = self._con.execute("SELECT doc_id, content_hash FROM documents")
        return dict(cur.fetchall())

    def sources(self) -> dict[str, str]:
        """The file each document was read from, by document id."""
        cur = self._con.execute("SELECT doc_id, json_extract(meta, '$.source') FROM documents")
        return {doc_id: source or "" for doc_id, source in cur.fetchall()}

    def document_passages(self, doc_id: str) -> list[Passage]:
        cur = self._con.execute(
            "SELECT passage_id, doc_id, text, section, page, position FROM passages "
            "WHERE doc_id = ? ORDER BY position",
            (doc_id,),
        )
        return [Passage(*r) for r in cur.fetchall()]

    def all_passages(self) -> list[tuple[int, Passage]]:
        cur = self._con.execute(
            "SELECT row, passage_id, doc_id, text, section, page, position FROM passages "
            "ORDER BY row"
        )
        return [(r[0], Passage(*r[1:])) for r in cur.fetchall()]


# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------
@dataclass
class LoadedIndex:
    """Everything needed to search one build."""

    build: Path
    manifest: Manifest
    vectors: Any  # faiss.Index
    centroid: np.ndarray
    bm25: Any  # bm25s.BM25
    store: PassageStore
    bm25_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _allowed: OrderedDict[Filters, np.ndarray] = field(default_factory=OrderedDict, repr=False)

    @property
    def size(self) -> int:
        return int(self.vectors.ntotal)

    def allowed_rows(self, filters: Filters) -> np.ndarray:
        """Passage rows that ``filters`` allow (cached: a build never changes)."""
        rows = self._allowed.get(filters)
        if rows is None:
            rows = self.store.rows_matching(filters)
            self._allowed[filters] = rows
            while len(self._allowed) > 128:
                self._allowed.popitem(last=False)
        return rows

    def bm25_mask(self, rows: np.ndarray) -> np.ndarray:
        """A BM25 weight mask (1.0 at the positions of ``rows``, else 0.0)."""
        mask = np.zeros(len(self.bm25_rows), dtype=np.float32)
        positions = np.searchsorted(self.bm25_rows, rows)
        inside = positions < len(self.bm25_rows)
        positions, rows = positions[inside], rows[inside]
        mask[positions[self.bm25_rows[positions] == rows]] = 1.0
        return mask

    def idf(self, terms: Sequence[str]) -> list[float]:
        """Inverse document frequency of analysed terms (unknown terms count as rarest)."""
        vocab = self.bm25.vocab_dict
        indptr = self.bm25.scores["indptr"]
        n = self.size
        out = []
        for term in terms:
            tid = vocab.get(term)
            df = int(indptr[tid + 1] - indptr[tid]) if tid is not None else 0
            out.append(float(np.log((n + 1) / (df + 0.5))))
        return out

    def sentence_vectors(self, rows: Sequence[int]) -> dict[int, np.ndarray]:
        """Each passage's stored sentence vectors (one row per sentence, not centred), for
        the ``rows`` that have them; a corrupt entry is left out (and logged)."""
        out = {}
        for row, blob in self.store.sentence_blobs(rows).items():
            try:
                out[row] = unpack(blob, self.manifest.dimension)
            except ValueError as exc:
                log.warning("passage row %d: %s", row, exc)
        return out

    def close(self) -> None:
        self.store.close()


def load_index(
    index_dir: Path,
    expected_model: str | None = None,
    verify: bool = True,
    settings: Settings | None = None,
) -> LoadedIndex:
    """Load the live build of ``index_dir``.

    Raises :class:`IndexMismatchError` when it was built with another model than
    ``expected_model`` and :class:`IndexCorruptError` when a file fails its checksum.
    ``settings`` set the search parameters of the vector index (IVF ``nprobe``).
    """
    import bm25s
    import faiss

    build = current_build(index_dir)
    manifest = Manifest.from_file(build / MANIFEST)
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index in {build} has format {manifest.format_version}, this version reads "
            f"{FORMAT_VERSION}; rebuild it with `qa-service index`"
        )
    if expected_model is not None and manifest.model != expected_model:
        raise IndexMismatchError(
            f"index in {build} was built with embedding model {manifest.model!r}, but the "
            f"service is configured with {expected_model!r}; rebuild the index "
            f"(`qa-service index`) or set QA_EMBEDDING_MODEL={manifest.model!r}"
        )
    if verify:
        verify_checksums(build, manifest)
    try:
        vectors = faiss.read_index(str(build / VECTORS))
    except RuntimeError as exc:
        raise IndexCorruptError(f"cannot read {build / VECTORS}: {exc}") from exc
    if settings is not None:
        from qa_service.vector_index import prepare_for_search

        prepare_for_search(vectors, settings)
    if vectors.d != manifest.dimension or vectors.ntotal != manifest.passage_count:
        raise IndexCorruptError(
            f"{build / VECTORS} holds {vectors.ntotal} vectors of dimension {vectors.d}; "
            f"the manifest says {manifest.passage_count} of dimension {manifest.dimension}"
        )
    try:
        centroid = np.load(build / CENTROID, allow_pickle=False).astype(np.float32)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {build / CENTROID}: {exc}") from exc
    if centroid.shape != (manifest.dimension,):
        raise IndexCorruptError(f"{build / CENTROID} has shape {centroid.shape}")
    try:
        bm25 = bm25s.BM25.load(str(build / BM25_DIR), mmap=False, show_progress=False)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {build / BM25_DIR}: {exc}") from exc
    n_bm25 = int(bm25.scores["num_docs"])
    if (build / BM25_ROWS).is_file():
        try:
            bm25_rows = np.load(build / BM25_ROWS, allow_pickle=False).astype(np.int64)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"cannot read {build / BM25_ROWS}: {exc}") from exc
    else:  # built before live updates: BM25 document i is passage row i
        bm25_rows = np.arange(n_bm25, dtype=np.int64)
    if bm25_rows.shape != (n_bm25,):
        raise IndexCorruptError(f"{build / BM25_ROWS} does not match the BM25 index")
    store = PassageStore(build / STORE)
    return LoadedIndex(
        build=build,
        manifest=manifest,
        vectors=vectors,
        centroid=centroid,
        bm25=bm25,
        store=store,
        bm25_rows=bm25_rows,
    )
