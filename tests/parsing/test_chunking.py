"""Chunking paragraphs into passages, and the Dutch sentence splitter."""

from __future__ import annotations

import time

import pytest

from qa_service.config import PROJECT_ROOT
from qa_service.documents import DocumentMeta, Paragraph, ParsedDocument
from qa_service.parsing import iter_corpus_files, load_motion_subjects, parse_file
from qa_service.parsing.chunking import chunk_document, split_sentences, split_to_fit

CORPUS = PROJECT_ROOT / "corpus"


def words(text: str) -> int:
    return len(text.split())


@pytest.fixture(scope="module")
def letter() -> ParsedDocument:
    return parse_file(CORPUS / "kamerstukken" / "kst-28676-280.txt")


def doc_of(*paragraphs: Paragraph) -> ParsedDocument:
    return ParsedDocument(DocumentMeta(doc_id="kst-1-2"), list(paragraphs))


# --- split_sentences ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "De bijeenkomst van 8 en 9 november jl. te Brussel. Tijdens de werksessies waren zij.",
            [
                "De bijeenkomst van 8 en 9 november jl. te Brussel.",
                "Tijdens de werksessies waren zij.",
            ],
        ),
        (
            "Zie Kamerstuk 28 676, nr. 279. Dat is o.a. bijv. belangrijk.",
            ["Zie Kamerstuk 28 676, nr. 279.", "Dat is o.a. bijv. belangrijk."],
        ),
        (
            "Dhr. Jansen en Mr. De Vries kwamen. Volgens Art. 3 en p. 4 is dat zo.",
            ["Dhr. Jansen en Mr. De Vries kwamen.", "Volgens Art. 3 en p. 4 is dat zo."],
        ),
        (  # amounts and estimates of older documents: "plm." (plusminus), "ongev.", "fl."
            "Een vermindering van plm. 1 % van het budget. Kosten ongev. fl. 3 mln. Dat is veel.",
            [
                "Een vermindering van plm. 1 % van het budget.",
                "Kosten ongev. fl. 3 mln. Dat is veel.",
            ],
        ),
        (
            "De Minister van Defensie, A.Th.B. Bijleveld-Schouten. K. Putters is informateur.",
            ["De Minister van Defensie, A.Th.B. Bijleveld-Schouten.", "K. Putters is informateur."],
        ),
        (
            "De groei was 3.5 procent in 2014. Daarna 2,5. En nu?",
            ["De groei was 3.5 procent in 2014.", "Daarna 2,5.", "En nu?"],
        ),
        (
            "Wat nu? Niemand weet het! «Goed.» Zei hij… Klaar",
            ["Wat nu?", "Niemand weet het!", "«Goed.»", "Zei hij…", "Klaar"],
        ),
        ("de «Iran deal» (JCPOA). Over ISIS werd", ["de «Iran deal» (JCPOA).", "Over ISIS werd"]),
        ("Dit is in Ede. Dat is ver.", ["Dit is in Ede.", "Dat is ver."]),
        ("kleine letter. na een punt", ["kleine letter. na een punt"]),
        ("Eerste alinea.\n\nnieuwe alinea", ["Eerste alinea.", "nieuwe alinea"]),
        ("", []),
        ("   \n ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_split_sentences_on_the_letter(letter: ParsedDocument) -> None:
    first = split_sentences(letter.paragraphs[0].text)
    assert first[0] == (
        "Hierbij bied ik u het verslag aan van de bijeenkomst van de Navo-ministers van Defensie "
        "op 8 en 9 november jl. te Brussel."
    )
    assert len(first) == 5
    for paragraph in letter.paragraphs:
        assert " ".join(split_sentences(paragraph.text)) == paragraph.text


def test_split_sentences_is_linear() -> None:
    pathological = "a. " * 100_000 + "A.B.C. " * 100_000 + "Zin. " * 100_000
    start = time.perf_counter()
    sentences = split_sentences(pathological)
    assert time.perf_counter() - start < 2.0
    assert sentences[-1] == "Zin."


# --- chunk_document ------------------------------------------------------------------------


def test_one_passage_per_paragraph(letter: ParsedDocument) -> None:
    passages = chunk_document(letter, words, max_tokens=500)
    assert len(passages) == len(letter.paragraphs) == 17
    for position, (passage, paragraph) in enumerate(zip(passages, letter.paragraphs, strict=True)):
        assert passage.passage_id == f"kst-28676-280#p{position}"
        assert passage.position == position
        assert passage.doc_id == "kst-28676-280"
        assert (passage.text, passage.section, passage.page) == (
            paragraph.text,
            paragraph.section,
            paragraph.page,
        )


def test_long_paragraphs_split_at_sentences(letter: ParsedDocument) -> None:
    passages = chunk_document(letter, words, max_tokens=60)
    assert len(passages) > len(letter.paragraphs)
    assert [p.position for p in passages] == list(range(len(passages)))
    assert [p.passage_id for p in passages] == [f"kst-28676-280#p{i}" for i in range(len(passages))]
    assert all(words(p.text) <= 60 for p in passages)
    # pieces are whole sentences: each ends a sentence and they rebuild the paragraphs
    assert all(p.text.endswith((".", "Schouten")) for p in passages)
    rebuilt: dict[tuple[str, int | None], list[str]] = {}
    for passage in passages:
        key = (passage.section, passage.page)
        rebuilt.setdefault(key, []).append(passage.text)
    originals: dict[tuple[str, int | None], list[str]] = {}
    for paragraph in letter.paragraphs:
        originals.setdefault((paragraph.section, paragraph.page), []).append(paragraph.text)
    assert {k: " ".join(v) for k, v in rebuilt.items()} == {
        k: " ".join(v) for k, v in originals.items()
    }


def test_greedy_packing() -> None:
    text = "Een twee drie. Vier vijf zes. Zeven acht. Negen."
    assert split_to_fit(text, words, 6) == ["Een twee drie. Vier vijf zes.", "Zeven acht. Negen."]
    assert split_to_fit(text, words, 100) == [text]


def test_over_long_sentence_splits_at_clauses_then_words() -> None:
    clause = "constaterende dat " + " ".join(["woord"] * 8) + ";"
    text = " ".join([clause] * 3)  # one sentence of 30 words, three clauses of 10
    assert split_to_fit(text, words, 10) == [clause] * 3
    sentence = " ".join(f"w{i}" for i in range(25)) + "."
    pieces = split_to_fit(sentence, words, 10)
    assert [words(p) for p in pieces] == [10, 10, 5]
    assert " ".join(pieces) == sentence


def test_over_long_word_splits_at_characters() -> None:
    pieces = split_to_fit("x" * 95, len, 10)
    assert all(len(p) <= 10 for p in pieces)
    assert "".join(pieces) == "x" * 95


def test_section_and_page_are_kept_on_every_piece() -> None:
    long_text = " ".join(f"Zin nummer {i} staat hier." for i in range(40))
    doc = doc_of(Paragraph("Kort.", "Inleiding", 1), Paragraph(long_text, "Werkdiner", 3))
    passages = chunk_document(doc, words, max_tokens=20)
    assert passages[0].text == "Kort." and passages[0].section == "Inleiding"
    assert len(passages) == 1 + 40 * 5 // 20
    assert all((p.section, p.page) == ("Werkdiner", 3) for p in passages[1:])


def test_invalid_max_tokens() -> None:
    with pytest.raises(ValueError):
        chunk_document(doc_of(Paragraph("Tekst.")), words, max_tokens=0)


def test_whole_corpus_fits() -> None:
    subjects = load_motion_subjects(CORPUS / "moties.jsonl")
    files = iter_corpus_files([CORPUS / "kamerstukken", CORPUS / "moties"])
    docs = [parse_file(path, subjects) for path in files]
    passages = [p for doc in docs for p in chunk_document(doc, words, max_tokens=200)]
    assert len(docs) == 485
    assert len(passages) >= sum(len(doc.paragraphs) for doc in docs)
    assert all(0 < words(p.text) <= 200 for p in passages)
    assert len({p.passage_id for p in passages}) == len(passages)
