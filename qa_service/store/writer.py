"""Writing a build: the one place that puts the files of an index on disk.

A full build (:mod:`qa_service.ingest.build`), a live update (:mod:`qa_service.ingest.update`)
and the benchmarks' synthetic indexes all write through :class:`BuildWriter`::

    with index_lock(index_dir), BuildWriter(index_dir) as writer:
        writer.write_centroid(centroid)
        writer.write_vectors(faiss_index)
        writer.write_bm25(rows, terms)
        writer.write_store(documents, passages, terms, sentences)
        writer.finish(model=..., dimension=..., ...)   # manifest with checksums
        writer.publish()                               # the build becomes the live one

Leaving the ``with`` block without :meth:`BuildWriter.publish` (an error, a kill) deletes the
unfinished build; the live one is never touched.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from qa_service.documents import DocumentMeta, Passage
from qa_service.store import bm25
from qa_service.store.layout import (
    CENTROID,
    FORMAT_VERSION,
    MANIFEST,
    STORE,
    VECTORS,
    Manifest,
    checksum_files,
    new_build_dir,
    publish,
)
from qa_service.store.sqlite import StoreEditor, write_store


class BuildWriter:
    """A new build directory of ``index_dir``, filled file by file, then published.

    Callers hold :func:`~qa_service.store.layout.index_lock` while writing."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self.build = new_build_dir(self.index_dir)
        self.manifest: Manifest | None = None
        self._published = False

    def __enter__(self) -> BuildWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._published:
            shutil.rmtree(self.build, ignore_errors=True)

    # -- files --------------------------------------------------------------------------------
    def write_centroid(self, centroid: np.ndarray) -> None:
        np.save(self.build / CENTROID, np.asarray(centroid, dtype=np.float32), allow_pickle=False)

    def write_vectors(self, index: Any) -> None:
        """The FAISS index (keyed by passage row)."""
        import faiss

        faiss.write_index(index, str(self.build / VECTORS))

    def write_bm25(self, rows: np.ndarray, terms: Sequence[Sequence[str]]) -> None:
        bm25.write_bm25(self.build, rows, terms)

    def write_store(
        self,
        documents: Iterable[tuple[DocumentMeta, str]],
        passages: Sequence[Passage],
        terms: Sequence[Sequence[str]],
        sentences: Sequence[bytes | None] | None = None,
    ) -> None:
        """A new store: the documents (with content hashes) and passages; passage ``i`` gets
        row ``i``. ``terms`` are each passage's analysed BM25 terms, ``sentences`` its packed
        sentence vectors."""
        write_store(self.build / STORE, documents, passages, terms, sentences)

    def copy_from(self, old_build: Path, *names: str) -> None:
        """Start from files of another build (a live update copies the store and centroid)."""
        for name in names:
            shutil.copy2(old_build / name, self.build / name)

    def edit_store(self) -> StoreEditor:
        """Change the store copied into this build (see :meth:`copy_from`)."""
        return StoreEditor(self.build / STORE)

    # -- finishing ----------------------------------------------------------------------------
    def finish(self, **fields: Any) -> Manifest:
        """Write the manifest: ``fields`` (model, dimension, counts, corpus hash, FAISS type,
        passage settings) plus the format version, the time and every file's checksum."""
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            files=checksum_files(self.build),
            **fields,
        )
        (self.build / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        self.manifest = manifest
        return manifest

    def publish(self, keep: int = 1) -> Path:
        """Make this build the live one (atomically, flushed to disk) and prune old ones."""
        if self.manifest is None:
            raise RuntimeError("finish() the build before publishing it")
        publish(self.index_dir, self.build, keep=keep)
        self._published = True
        return self.build
