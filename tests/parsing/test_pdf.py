"""PDFs with a text layer: real page numbers, Kamerstuk footers, hyphenation, headings;
PDFs without text are reported as such."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from qa_service.devtools.pdfs import FOOTER, kamerbrief_pdf, scanned_pdf, text_pdf
from qa_service.parsing import ParseError, parse_documents, parse_file
from qa_service.parsing.pdf import strip_running_lines


@pytest.fixture()
def brief(tmp_path: Path):
    path = tmp_path / "kst-28676-280.pdf"
    path.write_bytes(kamerbrief_pdf())
    return parse_file(path)


def test_metadata_from_the_footer_and_signature(brief) -> None:
    meta = brief.meta
    assert meta.doc_id == "kst-28676-280"
    assert (meta.dossier, meta.ondernummer, meta.vergaderjaar) == ("28676", "280", "2017-2018")
    assert meta.doc_type == "brief"
    assert meta.title == "Brief van de Minister van Defensie"
    assert meta.authors == ["A.Th.B. Bijleveld-Schouten"]
    assert meta.date == "2017-11-24"  # "Den Haag, 24 november 2017"
    assert meta.citation(2) == "Kamerstukken II 2017/18, 28676, nr. 280, p. 2"


def test_pages_are_the_pdf_pages(brief) -> None:
    by_section = {p.section: p for p in brief.paragraphs}
    assert by_section["Afghanistan"].page == 1
    assert by_section["Navo-commandostructuur"].page == 2
    assert by_section["Cyber"].page == 3
    assert brief.paragraphs[-1].page == 3  # the signature


def test_footers_hyphenation_and_page_breaks(brief) -> None:
    text = "\n".join(p.text for p in brief.paragraphs)
    assert "Tweede Kamer, vergaderjaar" not in text  # footers removed
    assert "uitdagingen waar zij voor staan" in text  # "uitda-" + "gingen" re-joined
    assert "gevechts- en cybercapaciteiten" in text  # a suspended hyphen kept
    assert "Navo-commandostructuur" in text  # a real hyphen kept
    # the paragraph that runs from page 1 onto page 2 is one paragraph, cited at page 1
    afghanistan = next(p for p in brief.paragraphs if p.section == "Afghanistan")
    assert afghanistan.text.endswith(
        "verwelkomden deze toezegging en riepen de Afghaanse regering op de verkiezingen van "
        "2018 goed voor te bereiden."
    )
    assert afghanistan.page == 1


def test_running_headers_and_page_numbers_are_dropped(tmp_path: Path) -> None:
    full = "Deze alinea vult een hele regel met tekst over het stikstofbeleid van het kabinet"
    body = ["Eerste alinea.", "Tweede alinea.", "Derde alinea."]
    pages = [
        ["Ministerie van Defensie", "", f"Notitie stikstof | {n + 1}", "", full, end, "", f"{n}"]
        for n, end in enumerate(body, start=1)
    ]
    path = tmp_path / "notitie.pdf"
    path.write_bytes(text_pdf(pages, footer=None))
    doc = parse_file(path)
    assert [p.text for p in doc.paragraphs] == [f"{full} {end}" for end in body]
    assert [p.page for p in doc.paragraphs] == [1, 2, 3]
    assert doc.meta.doc_id == "notitie"


def test_strip_running_lines_keeps_kamerstuk_footers_and_body() -> None:
    pages = [f"Kop\n\n{text}\n\n{FOOTER} {n}" for n, text in enumerate(["Een.", "Twee."], 1)]
    lines = strip_running_lines(pages)
    assert lines[0][-1].startswith("Tweede Kamer, vergaderjaar")  # left for the text parser
    assert "Kop" not in lines[0] and "Een." in lines[0] and "Twee." in lines[1]


def test_scanned_pdf_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf())
    with pytest.raises(ParseError, match="scanned PDF without a text layer.*OCR"):
        parse_documents(path)


def test_pdf_without_anything_is_reported(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.showPage()
    pdf.save()
    path = tmp_path / "leeg.pdf"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ParseError, match="PDF without text"):
        parse_documents(path)


def test_truncated_pdf_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kapot.pdf"
    path.write_bytes(kamerbrief_pdf()[:400])
    with pytest.raises(ParseError, match="kapot.pdf"):
        parse_documents(path)


def test_encrypted_pdf_is_reported(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, encrypt="geheim")
    pdf.drawString(72, 720, "Vertrouwelijke tekst die alleen met wachtwoord leesbaar is.")
    pdf.showPage()
    pdf.save()
    path = tmp_path / "versleuteld.pdf"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ParseError, match="encrypted PDF"):
        parse_documents(path)


def test_pdf_is_recognised_by_content(tmp_path: Path) -> None:
    path = tmp_path / "kst-28676-280.txt"  # a PDF saved under the wrong name
    path.write_bytes(kamerbrief_pdf())
    assert parse_file(path).meta.doc_id == "kst-28676-280"
