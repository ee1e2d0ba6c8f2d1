"""Format detection by content and name, size limits, and a broken file among good ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa_service.devtools.pdfs import kamerbrief_pdf
from qa_service.parsing import (
    FileResult,
    Limits,
    ParseError,
    iter_corpus_files,
    parse_documents,
    parse_files,
)
from qa_service.parsing.formats import detect_format
from tests.conftest import CORPUS, KAMERBRIEF, PROJECT_ROOT

KOOP = PROJECT_ROOT / "tests" / "fixtures" / "koop"


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.pdf", b"%PDF-1.7\n...", "pdf"),
        ("a.txt", b"%PDF-1.4\n...", "pdf"),  # content wins over the name
        ("a", b'<?xml version="1.0"?><officiele-publicatie>', "xml"),
        ("a.txt", b"\xef\xbb\xbf  <officiele-publicatie>", "xml"),
        ("a.xml", b"<!DOCTYPE html><html>", "html"),
        ("a.html", b"<div>fragment</div>", "html"),
        ("a.jsonl", b'{"id": 1, "text": "x"}\n', "jsonl"),
        ("a.dat", b'{"id": 1}\n{"id": 2}\n', "jsonl"),
        ("a.jsonl.gz", b"\x1f\x8b\x08\x00", "jsonl"),
        ("a.txt", b"Tweede Kamer der Staten-Generaal", "text"),
        ("a", b"{ niet echt json, gewoon tekst }", "text"),
    ],
)
def test_detect_format(name: str, head: bytes, expected: str) -> None:
    assert detect_format(name, head) == expected


@pytest.mark.parametrize(
    ("name", "head", "reason"),
    [
        ("a.pdf", b"<html>error page</html>", "not a PDF"),
        ("a.gz", b"plain text", "not gzip"),
        ("a.tar.gz", b"\x1f\x8b\x08\x00", "only .jsonl.gz"),
    ],
)
def test_names_that_lie_are_errors(name: str, head: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        detect_format(name, head)


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "groot.txt"
    path.write_bytes(b"tekst " * 50_000)
    with pytest.raises(ParseError, match="over the limit of"):
        parse_documents(path, limits=Limits(max_file_bytes=100_000))


def test_binary_and_empty_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "leeg.txt").write_bytes(b"")
    (tmp_path / "binair.txt").write_bytes(bytes(range(256)) * 10)
    for name in ("leeg.txt", "binair.txt"):
        with pytest.raises(ParseError, match=name):
            parse_documents(tmp_path / name)


@pytest.fixture()
def mixed_folder(tmp_path: Path) -> Path:
    """Good files of every format with broken ones among them."""
    root = tmp_path / "stukken"
    root.mkdir()
    shutil.copy(KAMERBRIEF, root / "a-brief.txt")
    (root / "b-brief.pdf").write_bytes(kamerbrief_pdf().replace(b"28 676", b"28 677"))
    (root / "c-kapot.pdf").write_bytes(b"%PDF-1.4\n garbage")
    shutil.copy(KOOP / "kst-36410-XVI-119.xml", root / "d-motie.xml")
    shutil.copy(KOOP / "kst-36410-XVI-119.metadata.xml", root / "d-motie.metadata.xml")
    (root / "e-kapot.xml").write_text("<officiele-publicatie><al>open")
    shutil.copy(CORPUS / "moties" / "kst-29754-673.txt", root / "f-motie.txt")
    (root / "g-leeg.html").write_text("<html><body><nav>alleen menu</nav></body></html>")
    (root / "h-collectie.jsonl").write_text('{"id": "j1", "text": "Een document."}\nkapot\n')
    (root / "notities.md").write_text("niet geïndexeerd")
    return root


def test_a_broken_file_among_good_ones(mixed_folder: Path) -> None:
    files = iter_corpus_files([mixed_folder])
    assert [f.name for f in files] == [
        "a-brief.txt",
        "b-brief.pdf",
        "c-kapot.pdf",
        "d-motie.xml",
        "e-kapot.xml",
        "f-motie.txt",
        "g-leeg.html",
        "h-collectie.jsonl",
    ]
    results = list(parse_files(files, workers=1))
    errors = {
        Path(str(r).split(": ")[0]).name: str(r) for r in results if isinstance(r, ParseError)
    }
    assert set(errors) == {"c-kapot.pdf", "e-kapot.xml", "g-leeg.html"}
    assert "malformed XML" in errors["e-kapot.xml"]
    docs = [d.meta.doc_id for r in results if isinstance(r, FileResult) for d in r.documents]
    assert docs == ["kst-28676-280", "kst-28677-280", "kst-36410-XVI-119", "kst-29754-673", "j1"]
    collection = next(r for r in results if isinstance(r, FileResult) and r.path.suffix == ".jsonl")
    assert collection.skipped == ["line 2: not JSON (Expecting value: line 1 column 1 (char 0))"]


def test_parallel_parsing_gives_the_same_results(
    mixed_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qa_service.parsing as parsing

    files = iter_corpus_files([mixed_folder])
    serial = [
        str(r) if isinstance(r, ParseError) else r.documents for r in parse_files(files, workers=1)
    ]
    monkeypatch.setattr(parsing, "PARALLEL_MIN_HEAVY_BYTES", 1)  # force the process pool
    parallel = [
        str(r) if isinstance(r, ParseError) else r.documents for r in parse_files(files, workers=2)
    ]
    assert parallel == serial
