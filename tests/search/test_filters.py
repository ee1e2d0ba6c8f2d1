"""Filters: normalisation, errors, and which documents they select in the passage store."""

from __future__ import annotations

import pytest

from qa_service.documents import DocumentMeta, Passage
from qa_service.filters import Filters
from qa_service.store.sqlite import PassageStore, write_store

DOCS = [
    DocumentMeta("kst-28676-280", doc_type="brief", dossier="28676", date="2017-11-24",
                 vergaderjaar="2017-2018"),
    DocumentMeta("kst-36410-XVI-119", doc_type="motie", dossier="36410-XVI", date="2024-02-12",
                 vergaderjaar="2023-2024"),
    DocumentMeta("kst-36410-VI-73", doc_type="motie", dossier="36410-VI", date="2024-01-30",
                 vergaderjaar="2023-2024"),
    DocumentMeta("kst-364100-1", doc_type="Motie", dossier="364100", date="2023-06-01",
                 vergaderjaar="2022-2023"),
    DocumentMeta("notitie", doc_type="", dossier="", date="", vergaderjaar=""),
]  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> PassageStore:
    path = tmp_path_factory.mktemp("store") / "store.sqlite"
    passages = [
        Passage(f"{d.doc_id}#p{i}", d.doc_id, f"tekst {i}", position=i)
        for d in DOCS
        for i in range(2)
    ]
    write_store(path, [(d, "hash") for d in DOCS], passages)
    return PassageStore(path)


def ids(store: PassageStore, filters: Filters) -> list[str]:
    return [meta.doc_id for meta, _ in store.list_documents(0, 100, filters)]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, [d.doc_id for d in sorted(DOCS, key=lambda d: d.doc_id)]),
        ({"doc_ids": ["notitie", "kst-28676-280"]}, ["kst-28676-280", "notitie"]),
        ({"dossier": "28676"}, ["kst-28676-280"]),
        ({"dossier": "36410-XVI"}, ["kst-36410-XVI-119"]),
        ({"dossier": "36 410 xvi"}, ["kst-36410-XVI-119"]),
        ({"dossier": "36410"}, ["kst-36410-VI-73", "kst-36410-XVI-119"]),  # not 364100
        ({"dossier": ["28676", "36410-VI"]}, ["kst-28676-280", "kst-36410-VI-73"]),
        ({"doc_type": "motie"}, ["kst-36410-VI-73", "kst-36410-XVI-119", "kst-364100-1"]),
        ({"doc_type": "BRIEF"}, ["kst-28676-280"]),
        ({"date_from": "2024-01-30"}, ["kst-36410-VI-73", "kst-36410-XVI-119"]),
        ({"date_to": "2023-06-01"}, ["kst-28676-280", "kst-364100-1"]),  # undated excluded
        ({"date_from": "2024-01-01", "date_to": "2024-01-31"}, ["kst-36410-VI-73"]),
        ({"vergaderjaar": "2023/24"}, ["kst-36410-VI-73", "kst-36410-XVI-119"]),
        ({"doc_type": "motie", "vergaderjaar": "2022-2023"}, ["kst-364100-1"]),
        ({"dossier": "99999"}, []),
    ],
)
def test_filters_select_documents(store: PassageStore, kwargs: dict, expected: list[str]) -> None:
    filters = Filters.create(**kwargs)
    assert ids(store, filters) == expected
    assert store.count_documents(filters) == len(expected)
    rows = store.rows_matching(filters)
    assert len(rows) == 2 * len(expected) and list(rows) == sorted(rows)


def test_normalisation() -> None:
    f = Filters.create(
        doc_ids=["a", "a", " "],
        dossier=["36 410 XVI", "36410-XVI"],
        doc_type="Motie",
        date_from="12 februari 2024",
        date_to="2024-02-12",
        vergaderjaar=["2023/24", "2023-2024"],
    )
    assert f == Filters(("a",), ("36410-XVI",), ("motie",), "2024-02-12", "2024-02-12",
                        ("2023-2024",))  # fmt: skip
    assert f.active and not Filters.create().active
    assert hash(f) == hash(Filters.create(doc_ids="a", dossier="36410-xvi", doc_type="motie",
                                          date_from="2024-02-12", date_to="2024-02-12",
                                          vergaderjaar="2023-2024"))  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"date_from": "gisteren"}, "date_from"),
        ({"date_to": "2024-02-30"}, "date_to"),
        ({"date_from": "2024-03-01", "date_to": "2024-02-01"}, "after"),
        ({"vergaderjaar": "2023"}, "vergaderjaar"),
        ({"vergaderjaar": "2023-2025"}, "vergaderjaar"),
    ],
)
def test_unreadable_filters_are_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Filters.create(**kwargs)


def test_facets(store: PassageStore) -> None:
    facets = store.facets()
    assert [d["dossier"] for d in facets["dossiers"]] == [
        "28676",
        "36410-VI",
        "36410-XVI",
        "364100",
    ]
    assert {t["doc_type"]: t["documents"] for t in facets["doc_types"]} == {"brief": 1, "motie": 3}
    assert (facets["date_from"], facets["date_to"]) == ("2017-11-24", "2024-02-12")
