"""Where a build lives on disk and how it becomes the live one.

Layout of an index directory::

    index/
      CURRENT                  name of the live build (replaced atomically)
      builds/<name>/
        manifest.json          format version, model, dimension, counts, corpus hash, checksums
        vectors.faiss          FAISS inner-product index over each passage's vector plus
                               context_weight x its context's (title, section) vector,
                               keyed by passage row (:mod:`qa_service.store.vectors`)
        centroid.npy           the direction removed from both sides when measuring a
                               question's similarity to a passage
        bm25/                  bm25s index over the analysed passage text
        bm25_rows.npy          the passage row of each BM25 document (ascending)
        store.sqlite           documents and passages (row id = FAISS id), analysed terms,
                               int8 vectors of each passage's sentences
                               (:mod:`qa_service.store.sqlite`)

A build is written to a fresh directory (:class:`qa_service.store.writer.BuildWriter`) and
published by rewriting ``CURRENT`` atomically: an interrupted build leaves the previous index
untouched and usable. Writers hold :func:`index_lock`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qa_service.files import atomic_write_text, fsync_dir

#: 2: each passage's vector is its own text's embedding plus ``context_weight`` times its
#: context's (title, section), not centred (format 1: the text with the title in front,
#: centred); the store records its schema version (``PRAGMA user_version``), every passage has
#: its analysed terms and a sentence-vector column, every build has ``bm25_rows.npy``. A
#: format-1 index still loads and answers as before (its missing parts have defaults:
#: :class:`~qa_service.store.sqlite.PassageStore`, :func:`~qa_service.store.bm25.load_bm25`);
#: rebuild it for the better ranking. A live update keeps a format-1 build's vectors and
#: writes its store as format 2 (:meth:`~qa_service.store.sqlite.StoreEditor.migrate`).
FORMAT_VERSION = 2
#: How a passage without a topical context is embedded. 1: its own text's embedding alone,
#: so that its inner product with a question lay a weighted similarity below every passage
#: with a context. 2: it is its own context (its embedding counts 1 + ``context_weight``
#: times), and a title of at most three words ("Antwoord", "Memorie van toelichting") is no
#: context. 3: so is a longer title that names only a kind of document and who wrote it
#: ("Brief van de Minister van Defensie", "ANTWOORD van de heer Schmelzer") for a passage
#: without a section heading (``ingest.build.title_is_context``). An update of a build made
#: by an earlier rule embeds every passage anew.
CONTEXT_RULE = 3
#: How the store's and BM25's passage terms are analysed (:mod:`qa_service.text.lexical`).
#: 1: the Snowball Dutch stems as given. 2: a long vowel before a stem's last consonant
#: undoubled ("bedragen" and "bedrag" both ``bedrag``) and a separable verb split by "te"
#: also joined ("terug te koppelen"). A build of an earlier rule still answers, but its
#: terms miss the questions' for such words: a rebuild or update analyses every passage anew.
TERMS_RULE = 2
READABLE_VERSIONS = (1, 2)
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
    context_rule: int = CONTEXT_RULE  # see CONTEXT_RULE; 1 for a manifest without it
    terms_rule: int = TERMS_RULE  # see TERMS_RULE; 1 for a manifest without it
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        """The manifest ``data`` describes; written before ``context_rule`` or
        ``terms_rule`` existed: rule 1."""
        return cls(**{"context_rule": 1, "terms_rule": 1, **data})

    @classmethod
    def from_file(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls.from_dict(data)
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
    fsync_dir(build.parent)
    atomic_write_text(index_dir / CURRENT, build.name + "\n")
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
            fsync_dir(path)
    fsync_dir(root)


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
