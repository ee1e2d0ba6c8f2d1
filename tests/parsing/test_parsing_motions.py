"""Motions: all 484 real files parse; exact expectations on typeset and OCR'd examples."""

from __future__ import annotations

import re

import pytest

from qa_service.config import PROJECT_ROOT
from qa_service.documents import ParsedDocument
from qa_service.parsing import MotionInfo, parse_file

MOTIONS = PROJECT_ROOT / "corpus" / "moties"


def typeset(all_motions: dict[str, ParsedDocument]) -> dict[str, ParsedDocument]:
    return {name: doc for name, doc in all_motions.items() if name.startswith("kst-")}


def ocr(all_motions: dict[str, ParsedDocument]) -> dict[str, ParsedDocument]:
    return {name: doc for name, doc in all_motions.items() if name.startswith("tk-")}


# --- the whole corpus ---------------------------------------------------------------------


def test_all_motions_parse(all_motions: dict[str, ParsedDocument]) -> None:
    assert len(all_motions) == 484
    assert len(typeset(all_motions)) == 415 and len(ocr(all_motions)) == 69
    assert len({doc.meta.doc_id for doc in all_motions.values()}) == 484
    for doc in all_motions.values():
        assert doc.meta.doc_type == "motie"
        assert doc.paragraphs
        assert all(
            p.text and p.text == p.text.strip() and "  " not in p.text for p in doc.paragraphs
        )
        assert all(p.section == "" for p in doc.paragraphs)


def test_every_typeset_motion_has_its_identifiers(all_motions: dict[str, ParsedDocument]) -> None:
    for name, doc in typeset(all_motions).items():
        meta = doc.meta
        assert meta.doc_id == name.removesuffix(".txt")
        assert meta.doc_id == f"kst-{meta.dossier}-{meta.ondernummer}"
        assert meta.vergaderjaar in ("2022-2023", "2023-2024")
        assert re.fullmatch(r"202[34]-\d\d-\d\d", meta.date)
        assert meta.authors and meta.dossier_title and meta.title.startswith("Motie van ")
        assert meta.citation().startswith("Kamerstukken II 202")


def test_every_ocr_motion_gets_its_id_from_the_text(all_motions: dict[str, ParsedDocument]) -> None:
    for doc in ocr(all_motions).values():
        meta = doc.meta
        assert meta.doc_id == f"kst-{meta.dossier}-{meta.ondernummer}"
        assert re.fullmatch(r"\d{5}(-[A-Z]+|-\d\d)?", meta.dossier)
        assert re.fullmatch(r"2024-02-1[45]|2023-02-15", meta.date)
        assert meta.vergaderjaar == {"2023": "2022-2023", "2024": "2023-2024"}[meta.date[:4]]
        assert meta.authors and meta.dossier_title
        assert all(p.page is None for p in doc.paragraphs)  # no page numbers on a scan


def test_header_and_footer_never_become_paragraphs(all_motions: dict[str, ParsedDocument]) -> None:
    boilerplate = re.compile(
        r"Kamer der Staten-Generaal|Vergaderjaar \d|ISSN|Gravenhage \d|kst-\d|Plenair debat"
        r"|Voorgesteld (?:\d|tijdens)"
        r"|MOTIE VAN|orde van de dag|gehoord de beraadslaging|^De Kamer",
        re.IGNORECASE,
    )
    for name, doc in all_motions.items():
        for paragraph in doc.paragraphs:
            assert not boilerplate.search(paragraph.text), (name, paragraph.text)


def test_subjects_become_titles(
    all_motions: dict[str, ParsedDocument], subjects: dict[str, MotionInfo]
) -> None:
    for name, doc in all_motions.items():
        assert doc.meta.subject == subjects[name].subject
        assert doc.meta.title == subjects[name].subject
        assert doc.meta.dossier_title == subjects[name].dossier_title


def test_pages_of_typeset_motions(all_motions: dict[str, ParsedDocument]) -> None:
    pages = {name: {p.page for p in doc.paragraphs} for name, doc in typeset(all_motions).items()}
    assert all(pages[name] <= {1, 2} for name in pages)
    assert pages["kst-29754-673.txt"] == {1}  # one page, its footer without a number
    assert pages["kst-34682-125.txt"] == {1, 2}
    assert pages["kst-21501-20-1910.txt"] == {2}  # its only footer says page 2


# --- a typeset motion, exactly --------------------------------------------------------------


OMTZIGT = [
    "constaterende dat het Europees Parlement, de Parlementaire Assemblee van de Raad van "
    "Europa, de Tweede Kamer en vele andere gremia de genocide van ISIS als zodanig erkend "
    "hebben;",
    "constaterende dat Duitsland al actief een vrouw veroordeeld heeft voor die genocide;",
    "verzoekt de Nederlandse regering te bevorderen dat in ieder geval leidinggevenden van ISIS "
    "die in Nederland worden opgepakt, vervolgd worden voor genocide, en over hoe en hoe vaak dat "
    "gebeurt de Kamer over een halfjaar te informeren,",
    "Omtzigt",
]


def test_typeset_motion_exact(subjects: dict[str, MotionInfo]) -> None:
    doc = parse_file(MOTIONS / "kst-29754-673.txt", subjects)
    meta = doc.meta
    assert meta.doc_id == "kst-29754-673"
    assert (meta.dossier, meta.ondernummer, meta.vergaderjaar) == ("29754", "673", "2022-2023")
    assert meta.date == "2023-02-09"
    assert meta.authors == ["Omtzigt"]
    assert meta.dossier_title == "Terrorismebestrijding"
    assert (
        meta.title
        == meta.subject
        == (
            "Motie van het lid Omtzigt over bevorderen dat in ieder geval leidinggevenden van ISIS "
            "die in Nederland worden opgepakt, worden vervolgd voor genocide"
        )
    )
    assert meta.citation(1) == "Kamerstukken II 2022/23, 29754, nr. 673, p. 1"
    assert [p.text for p in doc.paragraphs] == OMTZIGT
    assert [p.page for p in doc.paragraphs] == [1, 1, 1, 1]


def test_typeset_motion_without_registry() -> None:
    doc = parse_file(MOTIONS / "kst-29754-673.txt")
    assert doc.meta.title == "Motie van het lid Omtzigt"
    assert doc.meta.subject == ""
    assert doc.meta.dossier_title == "Terrorismebestrijding"  # from the header
    assert [p.text for p in doc.paragraphs] == OMTZIGT


def test_two_page_motion_with_many_signers(subjects: dict[str, MotionInfo]) -> None:
    doc = parse_file(MOTIONS / "kst-34682-125.txt", subjects)
    signers = [
        "Ouwehand", "Van der Plas", "Grinwis", "Thijssen", "Bromet", "Bisschop", "Beckerman",
        "Van Baarle", "Sylvana Simons", "Omtzigt", "Van Haga", "Eppink", "Gündoğan", "Dekker",
        "Den Haan", "Van Weerdenburg", "Koekkoek",
    ]  # fmt: skip
    assert doc.meta.authors == signers
    last_clause, signature = doc.paragraphs[-2], doc.paragraphs[-1]
    assert last_clause.text == (
        "verzoekt het kabinet tevens voor deze positie actief steun te vergaren bij de andere "
        "lidstaten en binnen een maand verslag te doen aan de Kamer,"
    )
    assert last_clause.page == 1
    assert signature.text == ", ".join(signers)
    assert signature.page == 2
    assert len(doc.paragraphs) == 6


def test_multi_line_dossier_title_and_list(subjects: dict[str, MotionInfo]) -> None:
    doc = parse_file(MOTIONS / "kst-36410-XVI-115.txt")  # header only, no registry
    meta = doc.meta
    assert (meta.dossier, meta.ondernummer) == ("36410-XVI", "115")
    assert meta.date == "2024-02-12"  # "Voorgesteld tijdens het Wetgevingsoverleg van 12 …"
    assert meta.dossier_title == (
        "Vaststelling van de begrotingsstaten van het Ministerie van Volksgezondheid, Welzijn en "
        "Sport (XVI) voor het jaar 2024"
    )
    assert meta.title == "Motie van het lid Mohandis c.s."
    assert meta.authors == ["Mohandis", "Inge van Dijk", "Van Nispen", "Paulusma"]
    listed = doc.paragraphs[-2].text  # the bullets stay with the clause that introduces them
    assert listed.startswith("verzoekt de regering tevens in deze verenigingenstrategie")
    assert "zoals: – landelijke regie en sturing op verduurzaming; – de noodzakelijke" in listed
    assert listed.endswith("– het verruimen van het sport- en cultuurfonds,")


@pytest.mark.parametrize(
    ("name", "dossier"),
    [
        ("kst-21501-20-1910.txt", "21501-20"),
        ("kst-36200-IX-25.txt", "36200-IX"),
        ("kst-31288-1006.txt", "31288"),
    ],
)
def test_dossier_numbers(name: str, dossier: str) -> None:
    assert parse_file(MOTIONS / name).meta.dossier == dossier


def test_motion_line_names_are_matched_to_signatures() -> None:
    """``MOTIE VAN HET LID BOULKAJAR`` (a typo in the document) is the signer Boulakjar."""
    doc = parse_file(MOTIONS / "kst-32847-1009.txt")
    assert doc.meta.authors[0] == "Boulakjar"
    assert len(doc.meta.authors) == len(set(doc.meta.authors))


@pytest.mark.parametrize(
    ("name", "signers"),
    [
        ("kst-36284-3", ["Kuzu", "Sylvana Simons", "Teunissen", "Gündoğan", "Koekkoek"]),
        ("kst-36169-36", ["Stoffer", "Van der Plas", "Eerdmans"]),
    ],
)
def test_signature_lines_joined_by_a_comma_or_en(name: str, signers: list[str]) -> None:
    """ "Teunissen," and "Van der Plas en" sign the motion like the lines around them."""
    doc = parse_file(MOTIONS / f"{name}.txt")
    assert doc.meta.authors == signers
    assert doc.paragraphs[-1].text == ", ".join(signers)


# --- OCR'd motions ----------------------------------------------------------------------------


def test_ocr_motion_exact(subjects: dict[str, MotionInfo]) -> None:
    doc = parse_file(MOTIONS / "tk-92591e61-dff4-48aa-a46d-fe4574604568.txt", subjects)
    meta = doc.meta
    assert meta.doc_id == "kst-36410-V-65"
    assert (meta.dossier, meta.ondernummer) == ("36410-V", "65")
    assert meta.date == "2024-02-14"
    assert meta.vergaderjaar == "2023-2024"  # derived from the date (Prinsjesdag rule)
    assert meta.authors == ["Dobbe"]
    assert meta.title.startswith("Motie van het lid Dobbe c.s. over de bevroren Russische")
    assert [p.text for p in doc.paragraphs] == [
        "constaterende dat ongeveer 400 miljard dollar aan Russische tegoeden die op Westerse "
        "banken staan, zijn bevroren als onderdeel van de sancties tegen Rusland,",
        "overwegende dat deze middelen kunnen helpen bij het onder druk zetten van Rusland om de "
        "agressie te staken en tot vrede te komen,",
        "verzoekt de regering om, mede in internationaal verband, mogelijkheden te onderzoeken om "
        "de bevroren Russische tegoeden in te zetten voor de wederopbouw van Oekraine en het onder "
        "druk zetten van Rusland om de agressie te staken,",
    ]
    assert [p.page for p in doc.paragraphs] == [None, None, None]


def test_ocr_motion_without_registry() -> None:
    doc = parse_file(MOTIONS / "tk-0a24c346-5c39-444e-8353-7c3b021beb15.txt")
    meta = doc.meta
    assert meta.doc_id == "kst-31016-367"
    assert meta.title == "Motie van de leden Diederik van Dijk en Bikker"
    assert meta.authors == ["Diederik van Dijk", "Bikker"]
    assert meta.dossier_title == "Ziekenhuiszorg"
    assert meta.date == "2024-02-15"
    # a blank line inside a clause (OCR) does not split it
    assert doc.paragraphs[1].text == (
        "overwegende dat voor toelating in het Register het Zorginstituut Nederland de instemming "
        "op de nieuwe kwaliteitsstandaard nodig heeft van de zorgverzekeraars:"
    )


def test_ocr_names_take_the_registry_spelling(subjects: dict[str, MotionInfo]) -> None:
    path = MOTIONS / "tk-98937258-c6c5-42ba-b7df-8a91e09ffb32.txt"
    assert parse_file(path).meta.authors == ["Leon de Jong", "Kops"]
    assert parse_file(path, subjects).meta.authors == ["Léon de Jong", "Kops"]


def test_ocr_id_with_toevoeging_number() -> None:
    meta = parse_file(MOTIONS / "tk-28b4d675-0a14-48e3-ba27-5d7f08ed0a85.txt").meta
    assert (meta.doc_id, meta.dossier, meta.ondernummer) == (
        "kst-21501-02-2832",
        "21501-02",
        "2832",
    )


def test_ocr_date_at_the_bottom() -> None:
    meta = parse_file(MOTIONS / "tk-4595c612-aec2-4e33-99db-bfa7cd762e01.txt").meta
    assert meta.doc_id == "kst-36410-V-49"
    assert meta.date == "2024-02-14"


def test_ocr_capitalised_clauses_and_unbulleted_list() -> None:
    doc = parse_file(MOTIONS / "tk-c5b589ac-69a3-4914-aed6-c8e1969aea34.txt")
    texts = [p.text for p in doc.paragraphs]
    assert [t.split()[0] for t in texts] == ["Constaterende", "Van", "Verzoekt"]
    assert texts[2].endswith("En aangevuld wordt door twee partijen: het Rijk en bedrijven;")
    assert doc.meta.authors == ["Beckerman"]


def test_ocr_signatures_without_the_closing_formula_are_not_dictum(
    all_motions: dict[str, ParsedDocument],
) -> None:
    """A motion printed without "en gaat over tot de orde van de dag" ends on its signers'
    names; they are not part of what it asks (an answer would quote them)."""
    doc = parse_file(MOTIONS / "tk-4f737530-de20-43ce-8583-305facd794be.txt")
    assert doc.paragraphs[-1].text.endswith("door gemeentes kan worden uitgekeerd,")
    assert doc.meta.authors == ["Leon de Jong", "Kops"]
    for parsed in all_motions.values():  # no paragraph ends on its own motion's signers
        last = parsed.paragraphs[-1].text
        if len(parsed.paragraphs) > 1 and not last.startswith(parsed.meta.authors[0]):
            assert not last.endswith(" " + parsed.meta.authors[-1]), parsed.meta.doc_id


def test_a_name_line_that_signs_nothing_stays() -> None:
    from qa_service.parsing.motions import peel_signatures

    body = [("verzoekt de regering in gesprek te gaan met", 1), ("Nederland Zuid", 1)]
    assert peel_signatures(body, ["Kops"]) == (body, [])
    signed = [*body[:1], ("Kops", 1)]
    assert peel_signatures(signed, ["KOPS"]) == (body[:1], [("Kops", 1)])
