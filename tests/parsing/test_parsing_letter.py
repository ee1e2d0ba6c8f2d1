"""The Kamerbrief kst-28676-280: exact expectations on the real file."""

from __future__ import annotations

import pytest

from qa_service.documents import ParsedDocument


def texts(doc: ParsedDocument) -> list[str]:
    return [p.text for p in doc.paragraphs]


def full_text(doc: ParsedDocument) -> str:
    return "\n".join(texts(doc))


def paragraph_starting(doc: ParsedDocument, start: str):
    matches = [p for p in doc.paragraphs if p.text.startswith(start)]
    assert len(matches) == 1, f"{len(matches)} paragraphs start with {start!r}"
    return matches[0]


def test_metadata(letter: ParsedDocument) -> None:
    meta = letter.meta
    assert meta.doc_id == "kst-28676-280"
    assert (meta.dossier, meta.ondernummer, meta.vergaderjaar) == ("28676", "280", "2017-2018")
    assert meta.doc_type == "brief"
    assert meta.title == "Brief van de Minister van Defensie"
    assert meta.authors == ["A.Th.B. Bijleveld-Schouten"]
    assert meta.date == ""  # not in the text: never invented
    assert meta.dossier_title == "" and meta.subject == ""
    assert meta.source.endswith("corpus/kamerstukken/kst-28676-280.txt")
    assert meta.citation(3) == "Kamerstukken II 2017/18, 28676, nr. 280, p. 3"


def test_paragraph_count_and_sections(letter: ParsedDocument) -> None:
    sections = [p.section for p in letter.paragraphs]
    assert sections == (
        ["Inleiding"] * 2
        + ["Werksessie"] * 6
        + ["Werkdiner"] * 4
        + ["De Resolute Support missie (RSM) in Afghanistan"] * 4
        + [""]  # the signature
    )


def test_headings_are_not_paragraphs(letter: ParsedDocument) -> None:
    for heading in ("Inleiding", "Werksessie", "Werkdiner", "De Resolute Support missie"):
        assert not any(t.startswith(heading) and len(t) < 60 for t in texts(letter))


def test_first_paragraph_exact(letter: ParsedDocument) -> None:
    assert letter.paragraphs[0].text == (
        "Hierbij bied ik u het verslag aan van de bijeenkomst van de Navo-ministers van Defensie "
        "op 8 en 9 november jl. te Brussel. Tijdens de werksessies en het werkdiner stemden de "
        "Ministers in met het ontwerp van de aanpassing van de Navo-commandostructuur. Tevens "
        "stemden zij in met een eerste opzet voor het versterken van de samenhang van de "
        "Navo-inspanningen en voor het versterken van de maritime posture van de Navo. Tijdens "
        "het werkdiner kwamen Noord-Korea en andere uitdagingen en dreigingen uitgebreid aan de "
        "orde. Ministers legden de nadruk op het belang van diplomatie en dialoog naast militaire "
        "afschrikking."
    )
    assert letter.paragraphs[0].page == 3


@pytest.mark.parametrize(
    ("expected", "not_expected"),
    [
        ("andere uitdagingen en", "uitda-"),
        ("over de hoofdlijnen van", "hoofd-lijnen"),
        ("bondgenoten geïnformeerd over", "geïnfor-"),
        ("discussie over grensoverschrijdend militair", "grensover-"),
        ("veiligheidsvoorschriften en EU-regelgeving", "veiligheidsvoor-"),
        ("verslechterende internationale veiligheidsomgeving", "interna-"),
        ("blik op de ontwikkelingen in", "ontwikke-"),
        ("onder Duits voorzitterschap de", "voorzitter-schap"),
        ("tijdelijke trainingsprogramma voor", "trainingspro-"),
        # real hyphens at a line break stay
        ("pleitte de Secretaris-generaal voor", "Secretarisgeneraal"),
        ("versterking van gevechts- en cybercapaciteiten", "gevechtsen"),
        # real hyphens inside lines stay
        ("aanpassing van de Navo-commandostructuur", "Navocommandostructuur"),
        ("Noord-Korea", "NoordKorea"),
    ],
)
def test_hyphenation(letter: ParsedDocument, expected: str, not_expected: str) -> None:
    text = full_text(letter)
    assert expected in text
    assert not_expected not in text


def test_no_footer_left(letter: ParsedDocument) -> None:
    text = full_text(letter)
    assert "vergaderjaar" not in text
    assert "nr. 280" not in text


def test_paragraph_split_by_footer_is_rejoined(letter: ParsedDocument) -> None:
    paragraph = paragraph_starting(letter, "Voorafgaand aan de plenaire bijeenkomst")
    assert paragraph.text == (
        "Voorafgaand aan de plenaire bijeenkomst kwamen onder Duits voorzitterschap de Ministers "
        "van de landen met troepen in TAAC-North kort bijeen. Hierbij kwamen de complexe "
        "veiligheidssituatie in Noord-Afghanistan en de toenemende Russische invloed in de regio "
        "aan de orde."
    )
    assert paragraph.page == 3  # the page it starts on
    assert paragraph.section == "De Resolute Support missie (RSM) in Afghanistan"


def test_pages(letter: ParsedDocument) -> None:
    """Footer ``… nr. 280 3`` ends page 3: text before it is page 3, after it page 4."""
    pages = [p.page for p in letter.paragraphs]
    assert pages == [3] * 13 + [4] * 4
    assert paragraph_starting(letter, "De missie Resolute Support duurt").page == 4


def test_paragraph_break_without_blank_line(letter: ParsedDocument) -> None:
    """``…samenwerking tussen Navo en EU.`` is a short line (a paragraph end in the typeset
    page), and ``Met betrekking tot de «Iran-deal»`` starts a new paragraph."""
    before = paragraph_starting(letter, "Tijdens de discussie ging het niet alleen")
    after = paragraph_starting(letter, "Met betrekking tot de «Iran-deal»")
    assert before.text.endswith(
        "Diverse Ministers vroegen hierbij om speciale aandacht voor een "
        "goede samenwerking tussen Navo en EU."
    )
    assert after.text.endswith("Diverse Ministers spraken hun steun hiervoor uit.")
    assert texts(letter).index(after.text) == texts(letter).index(before.text) + 1


def test_whitespace_is_clean(letter: ParsedDocument) -> None:
    for text in texts(letter):
        assert text == text.strip()
        assert "  " not in text and "\n" not in text
    assert "regelgeving ter ondersteuning en vereenvoudiging" in full_text(letter)
    assert "jaren geleden zelf" in full_text(letter)


def test_signature_is_last_paragraph(letter: ParsedDocument) -> None:
    last = letter.paragraphs[-1]
    assert last.text == "De Minister van Defensie, A.Th.B. Bijleveld-Schouten"
    assert last.section == ""
    assert last.page == 4


def test_quotes_and_accents_kept(letter: ParsedDocument) -> None:
    text = full_text(letter)
    assert "«Der Spiegel»" in text
    assert "het Militair Comité" in text
    assert "financiële middelen" in text
    assert "Command Group – onderdeel van RSM" in text
