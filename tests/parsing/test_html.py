"""HTML pages of the official publications: the text of div#broodtekst and the head's
metadata; other pages fall back to their main content."""

from __future__ import annotations

from pathlib import Path

from qa_service.parsing import parse_file
from tests.conftest import PROJECT_ROOT

KOOP = PROJECT_ROOT / "tests" / "fixtures" / "koop"


def test_official_page() -> None:
    doc = parse_file(KOOP / "kst-28676-280.html")
    meta = doc.meta
    assert meta.doc_id == "kst-28676-280"  # DC.identifier
    assert (meta.dossier, meta.ondernummer, meta.vergaderjaar) == ("28676", "280", "2017-2018")
    assert meta.authors == ["A.Th.B. Bijleveld-Schouten"]
    assert meta.date == "2017-11-27"
    assert meta.doc_type == "brief"
    assert meta.title == "Brief van de minister van defensie"  # from the h1 "Nr. 280 BRIEF ..."
    texts = [p.text for p in doc.paragraphs]
    joined = " ".join(texts)
    # only the publication: no navigation, scripts, styles, sidebar or footer
    for chrome in ("Uitgebreid zoeken", "analytics", "margin", "Gepubliceerd op", "Over deze"):
        assert chrome not in joined
    sections = {p.text: p.section for p in doc.paragraphs}
    afghanistan = next(t for t in texts if t.startswith("Voorts spraken"))
    assert sections[afghanistan] == "Inleiding"
    assert "in Afghanistan. Gelijktijdig" in afghanistan  # inline tags joined without gaps
    assert afghanistan.endswith("tijdige verkiezingen.")  # the footnote mark is dropped
    assert sections["een chirurgisch team aan TAAC-North."] == (
        "De Resolute Support missie (RSM) in Afghanistan"
    )
    assert "De Minister van Defensie, A.Th.B. Bijleveld-Schouten" in texts  # <br> is a space
    assert sections["1 Kamerstuk 28 676, nr. 279."] == "Noten"


def test_plain_html_page(tmp_path: Path) -> None:
    path = tmp_path / "Notitie Stikstof.htm"
    path.write_text(
        "<html><head><title>Notitie</title></head><body><nav>Menu</nav><main>"
        "<h1>Notitie stikstof</h1><p>Eerste alinea.</p><h2>Maatregelen</h2>"
        "<p>Tweede <b>alinea</b>.</p><table><tr><td>Cel</td></tr></table></main>"
        "<footer>voet</footer></body></html>",
        encoding="cp1252",
    )
    doc = parse_file(path)
    assert doc.meta.doc_id == "Notitie Stikstof"
    assert doc.meta.title == "Notitie stikstof"
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        ("", "Eerste alinea."),
        ("Maatregelen", "Tweede alinea."),
        ("Maatregelen", "Cel"),
    ]
