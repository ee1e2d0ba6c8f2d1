"""A filter's documents are found by expression indexes on their metadata, not by reading
every document's JSON; a store written before the indexes answers the same (by a scan), and a
live update's migration adds them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qa_service.documents import DocumentMeta, Passage
from qa_service.filters import Filters
from qa_service.store.sqlite import (
    FILTER_INDEXES,
    PassageStore,
    StoreEditor,
    rows_matching_sql,
    write_store,
)

DOSSIERS = ["36410", "36410-XVI", "36410-V", "364101", "36410 A", "3641", "21501-20", ""]
TYPES = ["Motie", "brief", "motie", ""]
DATES = ["2023-02-01", "2023-02-28", "2024-01-15", "", "2022-12-31"]
YEARS = ["2022-2023", "2023-2024", ""]

FILTERS = {
    "dossier": Filters.create(dossier="36410-XVI"),
    "dossier and sub-dossiers": Filters.create(dossier="36410"),
    "two dossiers": Filters.create(dossier=["3641", "21501"]),
    "doc_type": Filters.create(doc_type="motie"),
    "date_from": Filters.create(date_from="2023-02-01"),
    "date range": Filters.create(date_from="2023-02-01", date_to="2023-02-28"),
    "date_to": Filters.create(date_to="2023-01-31"),
    "vergaderjaar": Filters.create(vergaderjaar="2022/23"),
    "doc_ids": Filters.create(doc_ids=["d3", "d7"]),
    "combined": Filters.create(dossier="36410", doc_type="motie", date_from="2023-01-01"),
}
INDEX_OF = {
    "dossier": "documents_dossier",
    "dossier and sub-dossiers": "documents_dossier",
    "doc_type": "documents_doc_type",
    "date_from": "documents_date",
    "date range": "documents_date",
    "vergaderjaar": "documents_vergaderjaar",
}


def _documents() -> list[DocumentMeta]:
    return [
        DocumentMeta(
            doc_id=f"d{i}",
            dossier=DOSSIERS[i % len(DOSSIERS)],
            doc_type=TYPES[i % len(TYPES)],
            date=DATES[i % len(DATES)],
            vergaderjaar=YEARS[i % len(YEARS)],
        )
        for i in range(60)
    ]


def _matches(meta: DocumentMeta, f: Filters) -> bool:
    dossier = meta.dossier.upper()
    return (
        (not f.doc_ids or meta.doc_id in f.doc_ids)
        and (
            not f.dossier
            or any(
                dossier == d or ("-" not in d and dossier.startswith(d + "-")) for d in f.dossier
            )
        )
        and (not f.doc_type or meta.doc_type.lower() in f.doc_type)
        and (not f.date_from or meta.date >= f.date_from)
        and (not f.date_to or "0001" <= meta.date <= f.date_to)
        and (not f.vergaderjaar or meta.vergaderjaar in f.vergaderjaar)
    )


def _write(path: Path, indexes: bool) -> None:
    metas = _documents()
    passages = [
        Passage(f"{m.doc_id}-p{j}", m.doc_id, f"tekst {j}", "", None, j)
        for m in metas
        for j in range(3)
    ]
    write_store(path, [(m, "") for m in metas], passages)
    if not indexes:  # as written before the filter indexes
        con = sqlite3.connect(path)
        for statement in FILTER_INDEXES:
            con.execute("DROP INDEX " + statement.split()[5])
        con.close()


def _indexes(path: Path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        rows = con.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
        return {name for (name,) in rows if name.startswith("documents_")}
    finally:
        con.close()


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("stores")
    _write(folder / "new.sqlite", indexes=True)
    _write(folder / "old.sqlite", indexes=False)
    return folder / "new.sqlite", folder / "old.sqlite"


@pytest.mark.parametrize("name", list(FILTERS))
def test_filters_match_the_same_rows_with_and_without_indexes(
    stores: tuple[Path, Path], name: str
) -> None:
    new, old = stores
    assert len(_indexes(new)) == len(FILTER_INDEXES) and not _indexes(old)
    f = FILTERS[name]
    matching = {m.doc_id for m in _documents() if _matches(m, f)}
    expected = sorted(3 * int(d[1:]) + j for d in matching for j in range(3))
    assert expected  # every filter matches something here
    for path in stores:
        store = PassageStore(path)
        assert store.rows_matching(f).tolist() == expected
        assert store.count_documents(f) == len(matching)
        store.close()


@pytest.mark.parametrize("name", list(INDEX_OF))
def test_a_filter_uses_its_index(stores: tuple[Path, Path], name: str) -> None:
    con = sqlite3.connect(stores[0])
    sql, params = rows_matching_sql(FILTERS[name])
    plan = " | ".join(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql, params))
    con.close()
    assert f"SEARCH d USING INDEX {INDEX_OF[name]}" in plan, plan
    assert "SCAN" not in plan, plan


def test_migrate_adds_the_indexes(tmp_path: Path) -> None:
    _write(tmp_path / "store.sqlite", indexes=False)
    editor = StoreEditor(tmp_path / "store.sqlite")
    editor.migrate(lambda meta, passage: passage.text.split())
    editor.commit()
    editor.close()
    assert len(_indexes(tmp_path / "store.sqlite")) == len(FILTER_INDEXES)
