"""The passage store: documents and passages in SQLite. Every SQL statement of the index is
here.

``passages.row`` is the id of the passage's vector in FAISS and of its BM25 document; the
store also keeps each passage's analysed BM25 terms (so BM25 can be rebuilt without
re-analysing) and the packed vectors of its sentences (:mod:`qa_service.store.sentence_vectors`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.documents import DocumentMeta, Passage
from qa_service.filters import NO_FILTERS, Filters
from qa_service.store.layout import IndexCorruptError

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
PRAGMA user_version = 2;
"""

#: Expression indexes on the filterable metadata (the very expressions of
#: :func:`filter_sql`), so a filter's documents are found without reading every document's
#: JSON. Made after a build's rows are written, and by :meth:`StoreEditor.migrate` for a store
#: written before them (such a store is read as before, by a scan).
FILTER_INDEXES = (
    "CREATE INDEX IF NOT EXISTS documents_dossier "
    "ON documents(upper(json_extract(meta, '$.dossier')))",
    "CREATE INDEX IF NOT EXISTS documents_doc_type "
    "ON documents(lower(json_extract(meta, '$.doc_type')))",
    "CREATE INDEX IF NOT EXISTS documents_date ON documents(json_extract(meta, '$.date'))",
    "CREATE INDEX IF NOT EXISTS documents_vergaderjaar "
    "ON documents(json_extract(meta, '$.vergaderjaar'))",
)


def create_filter_indexes(con: sqlite3.Connection) -> None:
    for statement in FILTER_INDEXES:
        con.execute(statement)


def write_store(
    path: Path,
    documents: Iterable[tuple[DocumentMeta, str]],
    passages: Sequence[Passage],
    terms: Sequence[Sequence[str]] | None = None,
    sentences: Sequence[bytes | None] | None = None,
) -> None:
    """Write documents (with content hashes) and passages; passage ``i`` gets row ``i``.
    ``terms`` are the analysed BM25 terms of each passage (kept for cheap BM25 rebuilds),
    ``sentences`` its packed sentence vectors (:func:`qa_service.store.sentence_vectors.pack`)."""
    con = sqlite3.connect(path)
    try:
        con.executescript(SCHEMA)
        insert_documents(con, documents)
        insert_passages(con, range(len(passages)), passages, terms, sentences)
        create_filter_indexes(con)
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
            #: stores written before sentence vectors have no such column (format 1)
            self.has_sentence_vectors = "sentences" in passage_columns(self._con)
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"cannot read passage store {path}: {exc}") from exc

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
        where, params = filter_sql(filters, "d")
        cur = self._con.execute(
            "SELECT d.meta, (SELECT count(*) FROM passages p WHERE p.doc_id = d.doc_id) "
            f"FROM documents d WHERE {where} ORDER BY d.doc_id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [(meta_from_json(meta), n) for meta, n in cur.fetchall()]

    def count_documents(self, filters: Filters = NO_FILTERS) -> int:
        where, params = filter_sql(filters, "d")
        query = f"SELECT count(*) FROM documents d WHERE {where}"
        return int(self._con.execute(query, params).fetchone()[0])

    def rows_matching(self, filters: Filters) -> np.ndarray:
        """The passage rows of the documents that match ``filters``, ascending."""
        cur = self._con.execute(*rows_matching_sql(filters))
        rows = np.fromiter((r for (r,) in cur), dtype=np.int64)
        rows.sort()
        return rows

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

    def authors(self) -> dict[str, list[str]]:
        """Each document's authors (signers, indieners), by document id; one read of the
        documents table, without decoding the rest of their metadata."""
        cur = self._con.execute("SELECT doc_id, json_extract(meta, '$.authors') FROM documents")
        return {doc_id: json.loads(names) if names else [] for doc_id, names in cur.fetchall()}

    def document_passages(self, doc_id: str) -> list[Passage]:
        cur = self._con.execute(
            "SELECT passage_id, doc_id, text, section, page, position FROM passages "
            "WHERE doc_id = ? ORDER BY position",
            (doc_id,),
        )
        return [Passage(*r) for r in cur.fetchall()]

    def terms_by_row(self) -> dict[int, list[str]]:
        """The analysed BM25 terms of every passage, by row."""
        cur = self._con.execute("SELECT row, terms FROM passages")
        return {row: text.split() for row, text in cur}

    def all_sentence_blobs(self) -> dict[int, bytes]:
        """The packed sentence vectors of every passage that has them, by row."""
        if not self.has_sentence_vectors:
            return {}
        cur = self._con.execute("SELECT row, sentences FROM passages WHERE sentences IS NOT NULL")
        return {row: blob for row, blob in cur if isinstance(blob, bytes)}

    def column_bytes(self, column: str) -> int:
        """Bytes held by one column of the passages (0 when the store lacks it)."""
        if column not in passage_columns(self._con):
            return 0
        query = f"SELECT sum(length(CAST({column} AS BLOB))) FROM passages"  # a known column
        return int(self._con.execute(query).fetchone()[0] or 0)

    def all_passages(self) -> list[tuple[int, Passage]]:
        cur = self._con.execute(
            "SELECT row, passage_id, doc_id, text, section, page, position FROM passages "
            "ORDER BY row"
        )
        return [(r[0], Passage(*r[1:])) for r in cur.fetchall()]


def passage_columns(con: sqlite3.Connection) -> set[str]:
    return {r[1] for r in con.execute("PRAGMA table_info(passages)")}


def read_content_hashes(path: Path) -> dict[str, str]:
    """Each document's content hash, read from the store at ``path``."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT doc_id, content_hash FROM documents").fetchall())
    finally:
        con.close()


# --------------------------------------------------------------------------------------------
# changing a copy of a store (live updates)
# --------------------------------------------------------------------------------------------
class StoreEditor:
    """Changes to the store of a new build (a copy of the live one), in one transaction."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path)

    def migrate(
        self, analyse: Callable[[DocumentMeta, Passage], list[str]], every: bool = False
    ) -> None:
        """Bring an older store up to date: the filter indexes, and for format 1 the
        sentence-vector column, the analysed terms of every passage (``analyse`` makes them)
        and the schema version; with ``every``, every passage's terms anew (a store of an
        older :data:`~qa_service.store.layout.TERMS_RULE`)."""
        con = self.con
        create_filter_indexes(con)
        columns = passage_columns(con)
        if "sentences" not in columns:
            con.execute("ALTER TABLE passages ADD COLUMN sentences BLOB")
        if "terms" not in columns:
            con.execute("ALTER TABLE passages ADD COLUMN terms TEXT NOT NULL DEFAULT ''")
        metas = {d: meta_from_json(m) for d, m in con.execute("SELECT doc_id, meta FROM documents")}
        cur = con.execute(
            "SELECT row, passage_id, doc_id, text, section, page, position FROM passages"
            + ("" if every else " WHERE terms = ''")
        )
        updates = []
        for row, *fields in cur.fetchall():
            passage = Passage(*fields)
            meta = metas.get(passage.doc_id) or DocumentMeta(doc_id=passage.doc_id)
            updates.append((" ".join(analyse(meta, passage)), row))
        con.executemany("UPDATE passages SET terms = ? WHERE row = ?", updates)
        con.execute("PRAGMA user_version = 2")

    def remove_documents(self, doc_ids: Iterable[str]) -> np.ndarray:
        """Delete documents and their passages; returns the passage rows deleted."""
        ids = sorted(doc_ids)
        marks = ",".join("?" * len(ids))
        cur = self.con.execute(f"SELECT row FROM passages WHERE doc_id IN ({marks})", ids)
        rows = np.fromiter((r for (r,) in cur), dtype=np.int64)
        self.con.execute(f"DELETE FROM passages WHERE doc_id IN ({marks})", ids)
        self.con.execute(f"DELETE FROM documents WHERE doc_id IN ({marks})", ids)
        return rows

    def next_row(self, at_least: int = 0) -> int:
        """The first passage row after every row in use (and not below ``at_least``)."""
        query = "SELECT coalesce(max(row), -1) + 1 FROM passages"
        return max(int(self.con.execute(query).fetchone()[0]), at_least)

    def add(
        self,
        documents: Iterable[tuple[DocumentMeta, str]],
        rows: Iterable[int],
        passages: Sequence[Passage],
        terms: Sequence[Sequence[str]],
        sentences: Sequence[bytes | None] | None,
    ) -> None:
        insert_documents(self.con, documents)
        insert_passages(self.con, rows, passages, terms, sentences)

    def commit(self) -> None:
        self.con.commit()

    def all_terms(self) -> tuple[list[int], list[list[str]]]:
        """Every passage row in order with its analysed terms."""
        rows, terms = [], []
        for row, text in self.con.execute("SELECT row, terms FROM passages ORDER BY row"):
            rows.append(row)
            terms.append(text.split())
        return rows, terms

    def all_passages(self) -> list[tuple[int, Passage]]:
        """Every passage with its row, in row order."""
        cur = self.con.execute(
            "SELECT row, passage_id, doc_id, text, section, page, position FROM passages "
            "ORDER BY row"
        )
        return [(r[0], Passage(*r[1:])) for r in cur.fetchall()]

    def set_sentences(self, rows: np.ndarray, blobs: Sequence[bytes | None] | None) -> None:
        """Replace the packed sentence vectors of passage ``rows``."""
        values = blobs if blobs is not None else [None] * len(rows)
        self.con.executemany(
            "UPDATE passages SET sentences = ? WHERE row = ?",
            [(blob, int(row)) for row, blob in zip(rows, values, strict=True)],
        )

    def documents(self) -> list[tuple[DocumentMeta, str]]:
        cur = self.con.execute("SELECT meta, content_hash FROM documents")
        return [(meta_from_json(meta), digest) for meta, digest in cur]

    def close(self) -> None:
        self.con.close()


def rows_matching_sql(filters: Filters) -> tuple[str, list[Any]]:
    """The query of the passage rows of the documents that match ``filters``: documents
    first (``CROSS JOIN`` keeps SQLite from scanning the passages in row order instead,
    reading a document's JSON per passage), found by the filter indexes where a clause has
    one, then their passages by ``passages_doc``."""
    where, params = filter_sql(filters, "d")
    return (
        f"SELECT p.row FROM documents d CROSS JOIN passages p ON p.doc_id = d.doc_id WHERE {where}",
        params,
    )


def filter_sql(filters: Filters, alias: str = "d") -> tuple[str, list[Any]]:
    """An SQL condition over the ``documents`` table (as ``alias``) and its parameters."""
    meta = f"{alias}.meta"
    clauses: list[str] = []
    params: list[Any] = []
    if filters.doc_ids:
        clauses.append(f"{alias}.doc_id IN ({','.join('?' * len(filters.doc_ids))})")
        params.extend(filters.doc_ids)
    if filters.dossier:
        field = f"upper(json_extract({meta}, '$.dossier'))"
        parts = []
        for dossier in filters.dossier:
            if "-" in dossier:
                parts.append(f"{field} = ?")
                params.append(dossier)
            else:  # the dossier and its sub-dossiers (36410 -> 36410-XVI); the range
                # (which holds both, "-" < ".") lets the dossier index find them
                parts.append(
                    f"({field} >= ? AND {field} < ? AND ({field} = ? OR substr({field}, 1, ?) = ?))"
                )
                params.extend([dossier, dossier + ".", dossier, len(dossier) + 1, dossier + "-"])
        clauses.append("(" + " OR ".join(parts) + ")")
    if filters.doc_type:
        marks = ",".join("?" * len(filters.doc_type))
        clauses.append(f"lower(json_extract({meta}, '$.doc_type')) IN ({marks})")
        params.extend(filters.doc_type)
    if filters.date_from:
        clauses.append(f"json_extract({meta}, '$.date') >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append(f"(json_extract({meta}, '$.date') BETWEEN '0001' AND ?)")
        params.append(filters.date_to)
    if filters.vergaderjaar:
        marks = ",".join("?" * len(filters.vergaderjaar))
        clauses.append(f"json_extract({meta}, '$.vergaderjaar') IN ({marks})")
        params.extend(filters.vergaderjaar)
    return (" AND ".join(clauses) or "1"), params
