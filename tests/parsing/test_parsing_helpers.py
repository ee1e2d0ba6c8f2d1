"""The small building blocks of the text parser."""

from __future__ import annotations

import pytest

from qa_service.kamerstukken import normalise_dossier, parse_dutch_date, vergaderjaar_for_date
from qa_service.parsing.cleaning import assign_pages, document_vocabulary, join_lines, name_case
from qa_service.parsing.text import parse_text

EMPTY: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["andere uitda-", "gingen en"], "andere uitdagingen en"),
        (["de Secretaris-", "generaal"], "de Secretaris-generaal"),  # capitalised before
        (["versterking van gevechts- ", "en cyber"], "versterking van gevechts- en cyber"),
        (["versterking van gevechts-", "en cyber"], "versterking van gevechts- en cyber"),
        (["in EU-", "regelgeving"], "in EU-regelgeving"),  # acronym
        (["de Navo-", "landen"], "de Navo-landen"),
        (["het COVID-", "19-virus"], "het COVID-19-virus"),  # digit
        (["de 2017-", "2018 cijfers"], "de 2017-2018 cijfers"),
        (["anti-", "Amerikaans"], "anti-Amerikaans"),  # capital after
        (["een zee-", "egel"], "een zee-egel"),  # klinkerbotsing
        (["de auto-", "onderdelen"], "de auto-onderdelen"),
        (["Hier-", "bij kwamen"], "Hierbij kwamen"),  # capitalised only because it starts a text
        (["zo. Hier-", "bij kwamen"], "zo. Hierbij kwamen"),
        (["een streep -", "los"], "een streep - los"),  # a dash, not a hyphen
        (["  twee   spaties ", " ondersteuning "], "twee spaties ondersteuning"),
        (["", "alleen", "", "dit"], "alleen dit"),
    ],
)
def test_join_lines(lines: list[str], expected: str) -> None:
    assert join_lines(lines, EMPTY) == expected


def test_join_lines_uses_document_evidence() -> None:
    seen_joined = document_vocabulary("het grensoverschrijdend verkeer")
    assert join_lines(["grensover-", "schrijdend"], seen_joined) == "grensoverschrijdend"
    seen_hyphenated = document_vocabulary("de top-down aanpak")
    assert join_lines(["een top-", "down aanpak"], seen_hyphenated) == "een top-down aanpak"
    assert join_lines(["een top-", "down aanpak"], EMPTY) == "een topdown aanpak"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("28 676", "28676"),
        ("36 410 XVI", "36410-XVI"),
        ("21 501-20", "21501-20"),
        ("36 200 IX", "36200-IX"),
        ("36200-V", "36200-V"),
    ],
)
def test_normalise_dossier(raw: str, expected: str) -> None:
    assert normalise_dossier(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Voorgesteld 9 februari 2023", "2023-02-09"),
        ("Voorgesteld tijdens het Wetgevingsoverleg van 12 februari 2024", "2024-02-12"),
        ("15 Februari 2023", "2023-02-15"),
        ("31 februari 2023", ""),
        ("geen datum", ""),
    ],
)
def test_parse_dutch_date(text: str, expected: str) -> None:
    assert parse_dutch_date(text) == expected


@pytest.mark.parametrize(
    ("iso", "expected"),
    [
        ("2024-02-14", "2023-2024"),
        ("2023-09-18", "2022-2023"),  # the day before Prinsjesdag 2023 (19 September)
        ("2023-09-19", "2023-2024"),
        ("2017-11-09", "2017-2018"),
        ("", ""),
    ],
)
def test_vergaderjaar_for_date(iso: str, expected: str) -> None:
    assert vergaderjaar_for_date(iso) == expected


@pytest.mark.parametrize(
    ("upper", "expected"),
    [
        ("VAN DER PLAS", "Van der Plas"),
        ("LEON DE JONG", "Leon de Jong"),
        ("DE ROON", "De Roon"),
        ("POUW-VERWEIJ", "Pouw-Verweij"),
    ],
)
def test_name_case(upper: str, expected: str) -> None:
    assert name_case(upper) == expected


def test_assign_pages() -> None:
    assert assign_pages([3], 2) == [3, 4]
    assert assign_pages([1, 2], 3) == [1, 2, 3]
    assert assign_pages([None], 2) == [None, None]
    assert assign_pages([], 1) == [None]


def test_letter_without_footer_has_no_pages() -> None:
    doc = parse_text("Kop\n\nEen alinea van tekst.\n\nNog een alinea.\n", "brief.txt")
    assert [(p.section, p.page) for p in doc.paragraphs] == [("Kop", None), ("Kop", None)]
    assert doc.meta.doc_id == "brief"
    assert doc.meta.doc_type == "" and doc.meta.title == ""  # not a signed Kamerbrief


def test_two_signers() -> None:
    text = (
        "Tekst van de brief.\n\n"
        "De Minister van Buitenlandse Zaken,\nS.A. Blok\n\n"
        "De Minister van Defensie,\nA.Th.B. Bijleveld-Schouten\n"
    )
    doc = parse_text(text, "kst-1-2.txt")
    assert doc.meta.authors == ["S.A. Blok", "A.Th.B. Bijleveld-Schouten"]
    assert doc.meta.title == (
        "Brief van de Minister van Buitenlandse Zaken en de Minister van Defensie"
    )
    assert doc.meta.doc_type == "brief"
    assert len(doc.paragraphs) == 3


def test_signature_with_blank_line_and_trailing_line() -> None:
    doc = parse_text(
        "Tekst van de brief.\n\nDe Staatssecretaris van Financiën,\n\nM. Jansen\n", "x.txt"
    )
    assert doc.meta.authors == ["M. Jansen"]
    assert doc.meta.title == "Brief van de Staatssecretaris van Financiën"
    assert doc.paragraphs[-1].text == "De Staatssecretaris van Financiën, M. Jansen"
    doc = parse_text("Tekst van de brief.\n\nMet vriendelijke groet\n", "x.txt")
    assert [p.text for p in doc.paragraphs] == ["Tekst van de brief.", "Met vriendelijke groet"]
