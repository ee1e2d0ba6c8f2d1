"""JSONL collections (.jsonl and .jsonl.gz): one document a line, bad lines skipped with their
reason, bounded decompression."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from qa_service.parsing import Limits, ParseError, parse_documents
from qa_service.parsing.jsonl import header_metadata, id_from_url
from tests.conftest import CORPUS


def _write(path: Path, rows: list[object], compress: bool = False) -> Path:
    data = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows).encode()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


RECORDS = [
    {
        "id": "notitie-1",
        "text": "Inleiding\n\nDe minister heeft toe-\ngezegd de Kamer te informeren.",
        "title": "Notitie over toezeggingen",
        "dossier": "36 410 XVI",
        "date": "2024-02-12",
        "type": "Brief",
        "authors": ["E.J. Kuipers"],
        "url": "https://example.org/notitie-1",
    },
    {"text": "Een tweede document zonder id.", "vergaderjaar": "2023/24"},
]


@pytest.mark.parametrize("compress", [False, True])
def test_collection(tmp_path: Path, compress: bool) -> None:
    name = "stukken.jsonl.gz" if compress else "stukken.jsonl"
    result = parse_documents(_write(tmp_path / name, RECORDS, compress))
    first, second = result.documents
    assert first.meta.doc_id == "notitie-1"
    assert first.meta.title == "Notitie over toezeggingen"
    assert (first.meta.dossier, first.meta.date, first.meta.doc_type) == (
        "36410-XVI",
        "2024-02-12",
        "brief",
    )
    assert first.meta.authors == ["E.J. Kuipers"]
    assert first.meta.url == "https://example.org/notitie-1"
    assert [(p.section, p.text) for p in first.paragraphs] == [
        ("Inleiding", "De minister heeft toegezegd de Kamer te informeren.")
    ]
    assert second.meta.doc_id == "stukken-2"  # file stem and line number
    assert second.meta.vergaderjaar == "2023-2024"
    assert all(d.meta.source.endswith(name) for d in result.documents)


def test_bad_lines_are_skipped_with_their_reason(tmp_path: Path) -> None:
    rows = [
        RECORDS[0],
        "{not json",
        ["a", "list"],
        {"id": "x", "title": "geen tekst"},
        "",
        RECORDS[1],
    ]
    result = parse_documents(_write(tmp_path / "c.jsonl", rows))
    assert [d.meta.doc_id for d in result.documents] == ["notitie-1", "c-6"]
    assert len(result.skipped) == 3
    assert result.skipped[0].startswith("line 2: not JSON")
    assert result.skipped[1] == "line 3: not a JSON object but list"
    assert result.skipped[2].startswith("line 4: no text")


def test_collection_without_documents_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="no documents"):
        parse_documents(_write(tmp_path / "c.jsonl", ["{}", '{"id": 1}']))


def test_historical_corpus_records(tmp_path: Path) -> None:
    with gzip.open(CORPUS / "historical" / "sgd-ocr.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(20)]
    path = tmp_path / "sgd.jsonl.gz"
    path.write_bytes(gzip.compress("".join(lines).encode()))
    result = parse_documents(path)
    assert len(result.documents) == 20 and not result.skipped
    doc = result.documents[0]
    url = json.loads(lines[0])["URL"]
    assert doc.meta.doc_id == id_from_url(url) and doc.meta.url == url
    assert len(doc.paragraphs) > 1  # long OCR lines are paragraphs of their own
    # the printed head: "Tweede Kamer ... Zitting 1982-1983 / 12449 / ... / Nr 66 / BRIEF VAN ..."
    assert doc.meta.citation() == "Kamerstukken II 1982/83, 12449, nr. 66"
    assert (doc.meta.doc_type, doc.meta.title) == (
        "brief",
        "Brief van de minister van verkeer en waterstaat",
    )
    assert all(len(p.text) < len(json.loads(lines[0])["Content"]) for p in doc.paragraphs)


def test_a_long_line_cut_mid_sentence_is_joined_to_its_continuation(tmp_path: Path) -> None:
    """A page break of the scan cuts a paragraph mid-sentence ("... ruim twee iaar" /
    "geleden vrijwel gelijktijdig ..."): one paragraph, the sentence whole; a line ending in
    punctuation, or followed by a capital, stays a paragraph of its own."""
    before = "De feitelijke situatie is sedert 1991 anders. " * 5 + "De achtergrond was dat ruim"
    after = "twee jaar geleden vier van de vijf kantonrechters uitvielen. " + "Zo is het. " * 20
    separate = "Constaterende dat het zo is; " * 10
    content = "\n".join([before, after, separate, "overwegende dat het anders kan. " * 8])
    path = tmp_path / "ocr.jsonl"
    path.write_text(json.dumps({"id": "doc1", "Content": content}), encoding="utf-8")
    (doc,) = parse_documents(path).documents
    texts = [p.text for p in doc.paragraphs]
    assert any("De achtergrond was dat ruim twee jaar geleden vier van de vijf" in t for t in texts)
    assert not any(separate.strip() in t and "overwegende" in t for t in texts)
    # a hyphen at the break is undone as in any paragraph: joined where the document has the
    # whole word ("werknemers")
    hyphenated = "De werknemers van het bedrijf kregen ontslag. " * 5 + "Alle werk-"
    path.write_text(
        json.dumps({"id": "doc2", "Content": hyphenated + "\nnemers gingen naar huis."}),
        encoding="utf-8",
    )
    (doc,) = parse_documents(path).documents
    assert any("Alle werknemers gingen naar huis." in p.text for p in doc.paragraphs)


def test_zip_bomb_stops_at_the_limit(tmp_path: Path) -> None:
    line = json.dumps({"id": "a", "text": "x" * 1000}) + "\n"
    path = tmp_path / "bom.jsonl.gz"
    path.write_bytes(gzip.compress(line.encode() * 20_000))  # 20 MB unpacked, 60 kB packed
    with pytest.raises(ParseError, match="after decompression"):
        parse_documents(path, limits=Limits(max_uncompressed_bytes=1024 * 1024))


def test_overlong_line_is_skipped(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": "y" * 5000}, RECORDS[1]]
    path = _write(tmp_path / "c.jsonl", rows)
    result = parse_documents(path, limits=Limits(max_record_bytes=1000))
    assert [d.meta.doc_id for d in result.documents] == ["c-2"]
    assert result.skipped == ["line 1: longer than 1000 bytes"]


def test_corrupt_gzip_is_reported(tmp_path: Path) -> None:
    data = gzip.compress(json.dumps(RECORDS[0]).encode() * 50)
    path = tmp_path / "kapot.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match="kapot.jsonl.gz"):
        parse_documents(path)


def test_id_from_url() -> None:
    assert id_from_url("https://zoek.officielebekendmakingen.nl/kst-28676-280.html") == (
        "kst-28676-280"
    )
    assert id_from_url("https://zoek.officielebekendmakingen.nl/0000142774/ocr") == "0000142774"
    assert id_from_url("https://example.org/") == ""


def test_header_metadata_only_when_unambiguous() -> None:
    two_dossiers = "Tweede Kamer der Staten-Generaal\nZitting 1982-1983\n17 860\n17 868\nNr. 2\n"
    assert header_metadata(two_dossiers) == {"vergaderjaar": "1982-1983"}
    eerste_kamer = "Eerste Kamer der Staten-Generaal\nZitting 1982-1983\n17 860\nNr. 2\n"
    assert "dossier" not in header_metadata(eerste_kamer)  # the citation would say "II"
    motion = "Tweede Kamer\nVergaderjaar 1990-1991\n21 800 V\nNr. 12\nMOTIE VAN HET LID DE VRIES"
    assert header_metadata(motion) == {
        "vergaderjaar": "1990-1991",
        "dossier": "21800-V",
        "ondernummer": "12",
        "doc_type": "motie",
        "title": "Motie van het lid De Vries",
    }
