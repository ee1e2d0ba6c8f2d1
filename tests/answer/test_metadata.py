"""Questions about a document itself, on small fixtures (no index)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa_service.answer.metadata import (
    classify,
    dated_year,
    evidence_passage,
    from_text,
    of_year,
    referenced_doc_ids,
    statement,
)
from qa_service.answer.support import evidence_text, missing_specifics, specifics
from qa_service.documents import DocumentMeta, Passage

LETTER = DocumentMeta(
    doc_id="kst-28676-280",
    title="Brief van de Minister van Defensie",
    doc_type="brief",
    dossier="28676",
    ondernummer="280",
    vergaderjaar="2017-2018",
    authors=["A.Th.B. Bijleveld-Schouten"],
)
MOTION = DocumentMeta(
    doc_id="kst-36410-XVI-119",
    title="Motie van het lid Paulusma over regels voor transfers met Rusland",
    doc_type="motie",
    dossier="36410-XVI",
    ondernummer="119",
    vergaderjaar="2023-2024",
    date="2024-02-12",
    authors=["Paulusma"],
    dossier_title="Vaststelling van de begrotingsstaten van VWS voor het jaar 2024",
)


def passages(doc_id: str, *texts: str) -> list[Passage]:
    return [Passage(f"{doc_id}#p{i}", doc_id, t, position=i) for i, t in enumerate(texts)]


LETTER_PASSAGES = passages(
    "kst-28676-280",
    "Hierbij bied ik u het verslag aan.",
    "Ik heb toegezegd trainers beschikbaar te stellen.",
    "De Minister van Defensie, A.Th.B. Bijleveld-Schouten",
)
MOTION_PASSAGES = passages(
    "kst-36410-XVI-119",
    "constaterende dat veel voetbalclubs transferdeals maken met Rusland;",
    "verzoekt de regering om in Europees verband duidelijke regels op te stellen,",
    "Paulusma",
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who signed the letter about the NATO defence ministers meeting?", "signer"),
        ("Wie heeft de brief over de Navo-bijeenkomst ondertekend?", "signer"),
        ("Wie diende de motie over voetbalclubs in?", "signer"),
        ("Who submitted the motion on football clubs and Russia?", "signer"),
        ("Door wie is de motie over Rusland ingediend?", "signer"),
        ("Which minister wrote the report of the NATO meeting?", "signer"),
        ("Welke Kamerleden dienden de motie over voetbalclubs in?", "signer"),
        ("On what date was the motion on football transfers submitted?", "date"),
        ("Wanneer is de motie over voetbalclubs ingediend?", "date"),
        ("When did Minhas submit the motion on dangerous goods?", "date"),
        ("Wanneer diende Minhas de motie over gevaarlijke stoffen in?", "date"),
        ("In welk vergaderjaar is de motie over voetbalclubs ingediend?", "vergaderjaar"),
        ("In which parliamentary year was the letter sent?", "vergaderjaar"),
        ("Which dossier does the motion on football clubs belong to?", "dossier"),
        ("Bij welk dossier hoort de motie over voetbalclubs?", "dossier"),
        ("Tot welk Kamerdossier behoort de motie over rekenmachines?", "dossier"),
        ("Which parliamentary dossier is the motion on calculators part of?", "dossier"),
        ("What is the number of Piri's motion on the BRP backlog?", "dossier"),
        ("Wat is het nummer van de motie over klimaatimpact?", "dossier"),
        ("Wat vraagt motie 36410-XVI-119?", "asks"),
        ("Which minister answered Van der Hek's questions about Badger?", "answerer"),
        ("Who replied to the 1990 questions on football hooliganism?", "answerer"),
        ("Welke staatssecretaris beantwoordde de vraag van het lid Meijer?", "answerer"),
        ("Welke ministers beantwoordden de vragen van Drucker?", "answerer"),
        ("Which ministers replied to the questions on truck shops?", "answerer"),
        ("Welke staatssecretarissen ondertekenden de brief?", "signer"),
        ("Which MP asked the questions about Badger Belgium?", "asker"),
        ("Who put the questions about the Oesterdam?", "asker"),
        ("Welk Kamerlid stelde in 1972 vragen over de ambassades?", "asker"),
        ("Wie stelde de vragen over voetbalvandalisme?", "asker"),
        ("What does motion 36410-XVI, nr. 119 ask?", "asks"),
        ("Bij welk wetsvoorstel diende Hennekam zijn motie over Rijnmond in?", "dossier"),
        ("To which bill does Hennekam's motion on Rijnmond belong?", "dossier"),
    ],
)
def test_questions_about_the_document(question: str, kind: str) -> None:
    asked = classify(question)
    assert asked is not None and asked.kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "Wat heeft de minister toegezegd voor Afghanistan?",
        "Wanneer wordt het aangepaste voorstel ter goedkeuring voorgelegd?",
        "Who won the football World Cup in 2010?",
        "What did the motion by Van der Plas ask the cabinet to do?",  # no number: content
        "Hoeveel woningen wil het kabinet tot 2030 bouwen?",
        "Naar welk Kamerstuk verwijst de minister bij haar toezegging?",  # a cited document
        "Welk wetsvoorstel wil de motie intrekken?",  # a bill asked about, not the dossier
    ],
)
def test_content_questions_are_not_about_the_document(question: str) -> None:
    assert classify(question) is None


def test_document_numbers_in_questions() -> None:
    assert referenced_doc_ids("Wat vraagt motie 36410-XVI-119?")[0] == "kst-36410-XVI-119"
    assert referenced_doc_ids("motie 36 410 XVI, nr. 119")[0] == "kst-36410-XVI-119"
    assert referenced_doc_ids("kst-28676-280")[0] == "kst-28676-280"
    assert referenced_doc_ids("motion 21501-07 nr. 1926")[0] == "kst-21501-07-1926"
    assert referenced_doc_ids("Hoeveel woningen tot 2030?") == ()


def test_the_signer_cites_the_signature() -> None:
    p = evidence_passage("signer", LETTER, LETTER_PASSAGES)
    assert p is not None and p.passage_id == "kst-28676-280#p2"
    text = statement("signer", LETTER, "en")
    assert text is not None and "signed by A.Th.B. Bijleveld-Schouten" in text
    assert "Kamerstukken II 2017/18, 28676, nr. 280" in text
    p = evidence_passage("signer", MOTION, MOTION_PASSAGES)
    assert p is not None and p.text == "Paulusma"
    assert "ingediend door Paulusma" in (statement("signer", MOTION, "nl") or "")


def test_what_a_motion_asks_cites_its_dictum() -> None:
    p = evidence_passage("asks", MOTION, MOTION_PASSAGES)
    assert p is not None and p.text.startswith("verzoekt de regering")


def test_date_dossier_vergaderjaar_from_the_metadata() -> None:
    assert "12 februari 2024" in (statement("date", MOTION, "nl") or "")
    assert "12 February 2024" in (statement("date", MOTION, "en") or "")
    # undated: no date invented, but said so, with the parliamentary year
    undated = statement("date", LETTER, "nl") or ""
    assert "geen datum" in undated and "vergaderjaar 2017-2018" in undated
    assert "carries no date" in (statement("date", LETTER, "en") or "")
    assert statement("date", replace(LETTER, vergaderjaar=""), "en") is None
    assert "dossier 36410-XVI (Vaststelling" in (statement("dossier", MOTION, "en") or "")
    assert "vergaderjaar 2017-2018" in (statement("vergaderjaar", LETTER, "nl") or "")


def test_specifics_the_answer_must_hold() -> None:
    assert specifics("Wat besloten de NAVO-ministers over een missie in Venezuela?") == [
        "NAVO-ministers",
        "Venezuela",
    ]
    evidence = evidence_text(["De Navo-ministers stemden in met de commandostructuur."], [])
    rarity = {"venezuela": None, "navo-ministers": 5.0}

    def known(word: str) -> float | None:
        return rarity.get(word.lower(), 3.0)

    q = "Wat besloten de NAVO-ministers over een missie in Venezuela?"
    assert missing_specifics(q, "nl", evidence, known) == ["Venezuela"]
    # an English word the corpus does not know is held by a word spelled alike (a Dutch
    # spelling), and held against the answer without one
    q = "What did the minister say about the Mars rover?"
    assert missing_specifics(q, "en", evidence, lambda w: None) == ["Mars"]
    assert missing_specifics(q, "en", evidence + " marsrover", lambda w: None) == []
    # possessives, compounds with a part that is there, parliamentary vocabulary
    q = "What did NATO's Navo-organisatie tell the Kamerleden?"
    assert missing_specifics(q, "en", evidence, lambda w: 6.0) == []
    # a word too common to name anything specific is not held against the answer
    q = "Wat besloten de ministers over Nederland?"
    assert missing_specifics(q, "nl", evidence, lambda w: 2.0) == []
    # a long Dutch word the corpus lacks names a topic it does not cover
    q = "Hoeveel onderzeeboten wil Defensie aanschaffen?"
    assert "onderzeeboten" in missing_specifics(q, "nl", evidence, lambda w: None)
    # numbers must be there; English names of Dutch things are looked up in Dutch
    q = "Who won the World Cup in 2010?"
    wk = evidence_text(["toewijzing van het WK 2034 aan Saudi-Arabië"], [])
    assert "2010" in missing_specifics(q, "en", wk, lambda w: 6.0)
    # ... in the evidence given (the extractive answerer gives the answer's own document's)
    q = "Which motion said no delegation should go to the 2030 World Cup?"
    both = evidence_text(["het WK 2034", "de salderingsregeling tot in ieder geval 2030"], [])
    assert missing_specifics(q, "en", both, lambda w: None) == []  # World, Cup: English
    assert missing_specifics(q, "en", wk, lambda w: None) == ["2030"]
    q = "How many soldiers did the Netherlands send in 2018?"
    nl = evidence_text(["Nederland levert honderd militairen voor 2018."], [])
    assert missing_specifics(q, "en", nl, lambda w: 6.0) == []


WRITTEN_QUESTIONS = passages(
    "0000186467",
    "Vragen van het lid Van der Hek (P.v.d.A.) over het ontslag van 250 werknemers. "
    "(Ingezonden 17 mei 1977) 1 Is het waar, dat het bedrijf 250 werknemers heeft ontslagen?",
    "Toelichting Zie 'Het Financiële Dagblad'. Antwoord Aniwoord van Minister Lubbers "
    "(Economische Zaken), mede namens de Minister van Sociale Zaken. (Ontvangen 21 juni 1977)",
    "1 Badger-Belgium NV te Antwerpen is een dochterbedrijf.",
)


@pytest.mark.parametrize(
    ("kind", "language", "lead", "phrase"),
    [
        (
            "answerer",
            "en",
            "The questions were answered by Minister Lubbers (Economische Zaken), mede namens "
            "de Minister van Sociale Zaken.",
            "Minister Lubbers (Economische Zaken), mede namens de Minister van Sociale Zaken",
        ),
        (
            "asker",
            "nl",
            "De vragen zijn gesteld door het lid Van der Hek (P.v.d.A.).",
            "het lid Van der Hek (P.v.d.A.)",
        ),
    ],
)
def test_who_answered_or_asked_written_questions_from_their_heads(
    kind: str, language: str, lead: str, phrase: str
) -> None:
    found = from_text(kind, WRITTEN_QUESTIONS, language)  # type: ignore[arg-type]
    assert found is not None
    assert found[0] == lead and found[2] == phrase
    assert phrase.split(",")[0] in found[1].text


def test_answers_by_two_ministers_in_old_spelling_are_found() -> None:
    """1909: "ANTWOORD van de heeren Nelissen en Talma, Ministers van ...": "de heeren"."""
    old = passages(
        "0000347680",
        "7. VRAGEN van den heer Drucker, betreffende de gedwongen winkelnering.",
        "ANTWOORD van de heeren Nelissen en Talma, Ministers van Justitie en van Landbouw. "
        "(Ingezonden 23 November 1909.) Naar aanleiding van het schrijven ...",
    )
    found = from_text("answerer", old, "nl")
    assert found is not None
    assert found[2] == "de heeren Nelissen en Talma, Ministers van Justitie en van Landbouw"


def test_the_signature_of_a_letter_without_authors() -> None:
    letter = passages(
        "0000142774",
        "Ik stel vast dat er in de Oesterdam een conventionele sluis gebouwd zal worden.",
        "De Minister van Verkeer en Waterstaat, N. Smit-Kroes 1 Ter inzage gelegd.",
        "Tweede Kamer, zitting 1982-1983, 12 449, nr. 66",
    )
    found = from_text("signer", letter, "en")
    assert found is not None
    assert found[2] == "De Minister van Verkeer en Waterstaat, N. Smit-Kroes"
    assert found[1] is letter[1]


def test_the_dossier_of_a_document_from_its_printed_head() -> None:
    """An OCR'd Kamerstuk without a dossier in its metadata: its printed head names it."""
    annex = passages(
        "0000142996",
        "Tweede Kamer der Staten-Generaal 2 Zitting 1982-1983 16094 Wijziging van de "
        "Advocatenwet (Nieuwe regeling tuchtrechtspraak) Nr. 12 BIJLAGE BIJ DE NOTA",
        "De advocaten worden ingeschreven bij de rechtbank van het arrondissement.",
    )
    found = from_text("dossier", annex, "nl")
    assert found is not None
    assert found[2] == "16094 Wijziging van de Advocatenwet (Nieuwe regeling tuchtrechtspraak)"
    assert found[1] is annex[0]
    assert from_text("dossier", annex[1:], "en") is None


def test_a_page_footer_is_furniture() -> None:
    from qa_service.answer.metadata import is_page_footer

    for footer in (
        "Tweede Kamer, vergaderjaar 1984-1985, Aanhangsel 475",
        "Tweede Kamer, zitting 1982-1983, 12 449, nr. 66",
        "Tweede Kamer, vergaderjaar 2022–2023, 36 200 IX, nr. 27",
    ):
        assert is_page_footer(footer)
    said = "Tweede Kamer, vergaderjaar 1984-1985, heeft besloten dat de minister het plan intrekt."
    assert not is_page_footer(said)
    assert not is_page_footer("De Tweede Kamer besloot in vergaderjaar 1984-1985 tot een plan.")


def test_no_head_no_fact() -> None:
    """A letter has no written questions; a motion's text no answer head."""
    assert from_text("answerer", LETTER_PASSAGES[:2], "nl") is None
    assert from_text("asker", MOTION_PASSAGES, "en") is None
    assert statement("answerer", LETTER, "en") is None  # not in the metadata
    assert statement("asker", MOTION, "nl") is None


@pytest.mark.parametrize(
    ("question", "year"),
    [
        ("Wie diende in 2019 de motie in die vroeg om uiterlijk 1 juli 2020 een verbod?", 2019),
        ("Which MP asked in March 1989 whether the Constitution allows it?", 1989),
        ("Welke staatssecretaris beantwoordde in 1979 de vraag van het lid Meijer?", 1979),
        ("Who signed the 1983 letter announcing a lock?", 1983),
        ("Which minister answered Van der Hek's 1977 questions about Badger?", 1977),
        ("Welke motie uit 2023 vraagt om een verbod?", 2023),
        ("Which 2019 motion asked for a ban?", 2019),
        # a year in the question's content dates the content, not the document
        ("Who submitted the motion about the treaty of 2015?", None),
        ("Wie diende de motie in die vraagt om in 2030 klimaatneutraal te zijn?", None),
        ("Wie diende de motie in?", None),
        # a year to come dates a goal, not a document
        ("Met hoeveel procent kan de vraag naar sportaccommodaties in 2030 toenemen?", None),
        ("Hoeveel woningen moeten er in 2099 gebouwd zijn?", None),
    ],
)
def test_the_year_a_question_dates_its_document_by(question: str, year: int | None) -> None:
    assert dated_year(question) == year


def test_a_document_of_a_year() -> None:
    assert of_year(DocumentMeta(doc_id="a", date="2023-01-24", vergaderjaar="2022-2023"), 2022)
    assert not of_year(DocumentMeta(doc_id="a", date="2023-01-24", vergaderjaar="2022-2023"), 2019)
    assert of_year(DocumentMeta(doc_id="a", vergaderjaar="1977-1978"), 1979)  # answered later
    assert not of_year(DocumentMeta(doc_id="a", vergaderjaar="1977-1978"), 1983)
    assert of_year(DocumentMeta(doc_id="a"), 1983)  # undated: nothing contradicts it


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who signed the letter?", "brief"),
        ("Wie heeft de brief ondertekend?", "brief"),
        ("Which dossier does the letter belong to?", "brief"),
        ("Tot welk dossier behoort deze motie?", "motie"),
        # it says more about the document: one of many, found by what it says
        ("Who signed the letter about NATO?", None),
        ("Wie diende de motie over paasvuren in?", None),
        ("Who signed the letter that announced troops?", None),
        ("Who signed Bijleveld's letter?", None),
        ("Who signed the 2017 letter?", None),
        ("Who signed it?", None),  # no kind named
        ("WHO SIGNED THE LETTER", "brief"),  # shouted: no names in it
    ],
)
def test_a_document_named_only_by_its_kind(question: str, kind: str | None) -> None:
    from qa_service.answer.metadata import named_kind

    assert named_kind(question) == kind


@pytest.mark.parametrize(
    "question",
    [
        "What is the letter about?",
        "Waar gaat de brief over?",
        "What is motion 36410-XVI-125 about?",
        "Wat is het onderwerp van de motie?",
    ],
)
def test_what_a_document_is_about_is_a_question_about_it(question: str) -> None:
    asked = classify(question)
    assert asked is not None and asked.kind == "about"


def test_what_it_says_about_a_topic_is_a_question_about_its_content() -> None:
    assert classify("What does the letter say about Afghanistan?") is None
    assert classify("Wat staat er in de brief over Afghanistan?") is None
