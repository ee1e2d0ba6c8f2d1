"""The public API of :mod:`qa_service.parsing`: files, the motion registry, dispatch."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.config import PROJECT_ROOT
from qa_service.parsing import (
    MotionInfo,
    ParseError,
    iter_corpus_files,
    load_motion_subjects,
    parse_file,
)

CORPUS = PROJECT_ROOT / "corpus"


def test_load_motion_subjects(subjects: dict[str, MotionInfo]) -> None:
    assert len(subjects) == 484
    info = subjects["kst-29984-1082.txt"]
    assert info.file == "kst-29984-1082.txt"
    assert info.dossier_title == "Spoor: vervoer- en beheerplan"
    assert info.subject.startswith("Motie van de leden Minhas en Van der Graaf over")
    assert info.tk_document_url.startswith("https://gegevensmagazijn.tweedekamer.nl/OData/")


def test_load_motion_subjects_tolerates_blank_lines_and_rejects_garbage(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text('\n{"file": "moties/a.txt", "subject": "Motie van het lid X"}\n\n')
    assert load_motion_subjects(good) == {
        "a.txt": MotionInfo(file="a.txt", subject="Motie van het lid X")
    }
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"file": "a.txt"}\nnot json\n')
    with pytest.raises(ParseError, match="bad.jsonl:2"):
        load_motion_subjects(bad)


def test_iter_corpus_files_expands_directories() -> None:
    files = iter_corpus_files([CORPUS])
    # 484 motions, one Kamerbrief and the historical collection; README and the motion
    # registry (moties.jsonl, a sidecar read by the motion parser) are skipped
    assert len(files) == 486
    assert files == sorted(files)
    assert CORPUS / "historical" / "sgd-ocr.jsonl.gz" in files
    assert CORPUS / "moties.jsonl" not in files
    assert sum(f.suffix == ".txt" for f in files) == 485
    assert CORPUS / "kamerstukken" / "kst-28676-280.txt" in files


def test_iter_corpus_files_mixes_files_and_directories(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b.txt", "sub/a.TXT", ".hidden/c.txt", "notes.md"):
        (tmp_path / name).write_text("tekst")
    extra = CORPUS / "kamerstukken" / "kst-28676-280.txt"
    files = iter_corpus_files([tmp_path, str(extra), tmp_path / "b.txt"])
    assert files == sorted([extra, tmp_path / "b.txt", tmp_path / "sub" / "a.TXT"])


def test_iter_corpus_files_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        iter_corpus_files([tmp_path / "nope"])


def test_parse_file_records_the_source() -> None:
    doc = parse_file(CORPUS / "moties" / "kst-29754-673.txt")
    assert doc.meta.source.endswith("corpus/moties/kst-29754-673.txt")


def test_plain_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notitie.txt"
    path.write_text("Onderwerp\n\nDe eerste alinea\nloopt over twee re-\ngels door.\n")
    doc = parse_file(path)
    assert doc.meta.doc_id == "notitie"
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        ("Onderwerp", "De eerste alinea loopt over twee regels door.")
    ]
