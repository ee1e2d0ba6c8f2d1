"""Official publication XML (KOOP) with its metadata.xml; hostile XML is refused.

The fixtures in tests/fixtures/koop follow the structure of the files served at
zoek.officielebekendmakingen.nl (see tests/fixtures/koop/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa_service.parsing import ParseError, iter_corpus_files, parse_documents, parse_file
from qa_service.parsing.koop_xml import parse_koop_xml
from tests.conftest import PROJECT_ROOT

KOOP = PROJECT_ROOT / "tests" / "fixtures" / "koop"


@pytest.fixture()
def letter():
    return parse_file(KOOP / "kst-28676-280.xml")


def test_metadata_from_metadata_xml(letter) -> None:
    meta = letter.meta
    assert meta.doc_id == "kst-28676-280"
    assert (meta.dossier, meta.ondernummer, meta.vergaderjaar) == ("28676", "280", "2017-2018")
    assert meta.dossier_title == "NAVO"
    assert meta.date == "2017-11-24"  # OVERHEIDop.datumBrief before DCTERMS.issued
    assert meta.authors == ["A.Th.B. Bijleveld-Schouten"]  # OVERHEIDop.indiener
    assert meta.doc_type == "brief"
    assert meta.title == "Brief van de Minister van Defensie"  # from the signature
    assert meta.url == "https://zoek.officielebekendmakingen.nl/kst-28676-280.html"


def test_sections_lists_notes_and_signature(letter) -> None:
    by_text = {p.text: p.section for p in letter.paragraphs}
    first = next(t for t in by_text if t.startswith("Hierbij bied ik u"))
    assert by_text[first] == "Inleiding"
    stoltenberg = next(t for t in by_text if t.startswith("Secretaris-generaal Stoltenberg"))
    assert by_text[stoltenberg] == "1. Werksessie"  # kop/nr + kop/titel
    assert "Cross Border Military Mobility" in stoltenberg  # inline <nadruk> kept
    assert "Wales in 2014 heeft gezet. Hij vroeg" in stoltenberg  # the footnote taken out
    # a processing instruction inside a word does not split it; nested divisie is its section
    assert by_text[next(t for t in by_text if "Navo-commandostructuur verwelkomd" in t)] == (
        "1.1 Commandostructuur"
    )
    # list items, with their number; nested lists flattened in order
    assert "de aanpassing van de Navo-commandostructuur;" in by_text
    assert "2. de versterking van gevechts- en cybercapaciteiten;" in by_text
    assert "a. de modernisering van de strijdkrachten." in by_text
    # tussenkop starts a section
    honderd = next(t for t in by_text if "honderd militairen" in t)
    assert by_text[honderd] == "De Resolute Support missie (RSM) in Afghanistan"
    # signature and footnotes
    assert "De Minister van Defensie, A.Th.B. Bijleveld-Schouten" in by_text
    assert by_text["1 Kamerstuk 28 676, nr. 279."] == "Noten"
    assert all(p.page is None for p in letter.paragraphs)


def test_motion_with_metadata_beside_it() -> None:
    doc = parse_file(KOOP / "kst-36410-XVI-119.xml")
    meta = doc.meta
    assert meta.doc_id == "kst-36410-XVI-119"
    assert meta.dossier == "36410-XVI" and meta.ondernummer == "119"
    assert meta.doc_type == "motie"
    assert meta.date == "2024-02-12"
    assert meta.title.startswith("Motie van het lid Paulusma over")
    texts = [p.text for p in doc.paragraphs]
    assert texts[0].startswith("constaterende dat")  # "De Kamer," and the formula dropped
    assert not any("orde van de dag" in t for t in texts)


def test_without_metadata_the_document_itself_is_read(tmp_path: Path) -> None:
    shutil.copy(KOOP / "kst-36410-XVI-119.xml", tmp_path / "motie.xml")
    meta = parse_file(tmp_path / "motie.xml").meta
    assert meta.doc_id == "kst-36410-XVI-119"  # from dossier and ondernummer
    assert meta.vergaderjaar == "2023-2024"  # from kamerstukkop
    assert meta.title == "Motie van het lid Paulusma"
    assert meta.dossier_title.startswith("Vaststelling van de begrotingsstaten")
    assert meta.date == "2024-02-12"  # datumtekst/datum/@isodatum


@pytest.mark.parametrize(
    "layout", ["{stem}.metadata.xml", "{stem}_metadata.xml", "{stem}/metadata.xml", "metadata.xml"]
)
def test_metadata_file_layouts(tmp_path: Path, layout: str) -> None:
    shutil.copy(KOOP / "kst-36410-XVI-119.xml", tmp_path / "stuk.xml")
    target = tmp_path / layout.format(stem="stuk")
    target.parent.mkdir(exist_ok=True)
    metadata = (KOOP / "kst-36410-XVI-119.metadata.xml").read_text()
    target.write_text(metadata.replace('content="kst-36410-XVI-119"', 'content="stuk"'))
    assert parse_file(tmp_path / "stuk.xml").meta.authors == ["S.G.C. Paulusma"]
    # the metadata file is not a document of its own
    assert iter_corpus_files([tmp_path]) == [tmp_path / "stuk.xml"]


def test_shared_metadata_xml_of_another_document_is_ignored(tmp_path: Path) -> None:
    shutil.copy(KOOP / "kst-36410-XVI-119.xml", tmp_path / "a.xml")
    shutil.copy(KOOP / "kst-28676-280.xml", tmp_path / "b.xml")
    shutil.copy(KOOP / "kst-28676-280" / "metadata.xml", tmp_path / "metadata.xml")
    assert parse_file(tmp_path / "a.xml").meta.authors == ["Paulusma"]  # from the signature


def test_a_metadata_file_alone_is_not_a_document(tmp_path: Path) -> None:
    path = tmp_path / "kst-1-2.xml"
    shutil.copy(KOOP / "kst-28676-280" / "metadata.xml", path)
    with pytest.raises(ParseError, match="metadata"):
        parse_documents(path)


def test_external_entities_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "geheim.txt"
    secret.write_text("TOPGEHEIM")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
        "<officiele-publicatie><kamerstuk><stuk><algemeen><al>&e; tekst</al></algemeen></stuk>"
        "</kamerstuk></officiele-publicatie>"
    ).encode()
    with pytest.raises(ParseError, match="refused XML"):
        parse_koop_xml(xml, "x.xml")


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    path = tmp_path / "bom.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE lol [{entities}]><officiele-publicatie><al>&a9;</al>'
        "</officiele-publicatie>"
    )
    with pytest.raises(ParseError, match="bom.xml: refused XML"):
        parse_documents(path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<officiele-publicatie><kamerstuk><stuk>", "malformed XML"),
        (b"<officiele-publicatie><kamerstuk/></officiele-publicatie>", "no text"),
        (b"<a>" * 5000 + b"<al>x</al>" + b"</a>" * 5000, "nested too deeply|no text|too deeply"),
    ],
)
def test_broken_xml_is_reported(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "stuk.xml"
    path.write_bytes(content)
    with pytest.raises(ParseError, match=reason):
        parse_documents(path)
