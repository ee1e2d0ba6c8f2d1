"""Property-based tests (hypothesis) of the parsers and the chunker: text in any shape either
parses into non-empty paragraphs with consistent pages, or raises ParseError; nothing else.

Examples per property: 100 in the suite, the same in every run; run
``HYPOTHESIS_PROFILE=thorough pytest tests/parsing/test_parsing_properties.py`` for 3,000 new
random ones.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qa_service.documents import DocumentMeta, Paragraph, ParsedDocument
from qa_service.parsing import FileResult, ParseError, parse_documents
from qa_service.parsing.chunking import chunk_document, split_sentences
from qa_service.parsing.cleaning import decode_bytes, normalise_text
from qa_service.parsing.html import parse_html
from qa_service.parsing.jsonl import parse_record
from qa_service.parsing.koop_xml import parse_koop_xml
from qa_service.parsing.metadata import safe_doc_id
from qa_service.parsing.pdf import parse_pdf
from qa_service.parsing.text import parse_text

# -- strategies --------------------------------------------------------------------------------
#: Any character a decoded file can hold (surrogates cannot come out of decoding).
CHARS = st.characters(exclude_categories=("Cs",))
ANY_TEXT = st.text(CHARS, max_size=400)
WORDS = st.sampled_from(
    "de het een minister Kamer regering verzoekt motie Afghanistan NAVO steun militairen "
    "Defensie brief 2017 28 676 nr. 280 p. bijv. o.a. Navo-commandostructuur gevechts- en "
    "ANDSF Afghaanse veiligheids- troepen é ë ĳ – « » • ’ 1. 2. a) ; : ? !".split()
)
LINE_PIECES = st.sampled_from(
    [
        "Tweede Kamer der Staten-Generaal",
        "Vergaderjaar 2023–2024",
        "28 676 NAVO",
        "Nr. 280 BRIEF VAN DE MINISTER VAN DEFENSIE",
        "MOTIE VAN HET LID VAN DER PLAS",
        "Voorgesteld 1 februari 2024",
        "De Kamer,",
        "gehoord de beraadslaging,",
        "constaterende dat de regering",
        "verzoekt de regering om",
        "en gaat over tot de orde van de dag.",
        "De Minister van Defensie,",
        "A.Th.B. Bijleveld-Schouten",
        "Afghanistan",
        "Navo-",
        "commandostructuur",
        "\x0c",
        "",
        "",
        "   ",
        "• opsomming",
        "1. Inleiding",
    ]
)


@st.composite
def kamerstuk_text(draw: st.DrawFn) -> tuple[str, int]:
    """Text shaped like a Kamerstuk: header lines, paragraphs of words, hyphenated breaks,
    blank lines, and page footers numbered 1, 2, 3, ... Returns the text and its pages;
    :data:`PROSE` marks the texts that hold a line of prose (which must come out as text)."""
    pages = draw(st.integers(1, 5))
    out: list[str] = []
    for page in range(1, pages + 1):
        for _ in range(draw(st.integers(0, 8))):
            if draw(st.booleans()):
                out.append(draw(LINE_PIECES))
            else:
                line = " ".join(draw(st.lists(WORDS, min_size=1, max_size=14)))
                out.append(line)
                if sum(bool(WORD.fullmatch(w)) for w in line.split()) >= 3:
                    out.append(PROSE)
        if draw(st.booleans()):
            out.append(draw(ANY_TEXT.map(lambda t: t.replace("\n", " "))))
        out.append("")
        out.append(f"Tweede Kamer, vergaderjaar 2017–2018, 28 676, nr. 280 {page}")
        out.append("")
    return "\n".join(out), pages


#: a line of prose that ``kamerstuk_text`` adds after a generated line of three words or more
PROSE = "De minister heeft de Kamer hierover uitgebreid geïnformeerd."


#: a word: what makes an input "carry text" (a parser must then give a document, not refuse)
WORD = re.compile(r"[^\W\d_]{3,}")


def refused(exc: ParseError, must_parse: bool) -> None:
    """A parser refused the input: fine for input without text, a failure for valid input."""
    assert not must_parse, f"valid input was refused: {exc}"


def check_document(doc: ParsedDocument, pages: int | None = None) -> None:
    assert doc.meta.doc_id.strip()
    assert doc.paragraphs, "a parsed document has paragraphs"
    previous = 0
    for p in doc.paragraphs:
        assert p.text.strip(), "paragraphs are never empty"
        assert p.text == p.text.strip()
        assert p.page is None or (isinstance(p.page, int) and p.page >= 0)
        if pages is not None and p.page is not None:
            assert 1 <= p.page <= pages + 1, (p.page, pages)
            assert p.page >= previous, "pages never go back"
            previous = p.page


# -- text -----------------------------------------------------------------------------------
@given(st.binary(max_size=2000))
def test_decoding_any_bytes_gives_text_or_parse_error(data: bytes) -> None:
    try:
        text = decode_bytes(data)
    except ParseError:
        return
    assert isinstance(text, str)


@given(ANY_TEXT)
def test_any_text_parses_or_raises_parse_error(text: str) -> None:
    try:
        doc = parse_text(text, "doc.txt")
    except ParseError as exc:
        return refused(exc, must_parse=bool(WORD.search(text)))
    check_document(doc)


@given(kamerstuk_text())
def test_kamerstuk_shaped_text_has_consistent_pages(case: tuple[str, int]) -> None:
    text, pages = case
    try:
        doc = parse_text(text, "kst-28676-280.txt")
    except ParseError as exc:
        # a line of prose in a letter is text; in a motion it may stand in the header
        return refused(exc, must_parse=PROSE in text and "MOTIE VAN" not in text)
    check_document(doc, pages)
    # nothing invented: every letter and digit of the output comes from the (normalised) input
    out = re.sub(r"\W", "", "".join(p.text for p in doc.paragraphs))
    assert set(out.casefold()) <= set(normalise_text(text).casefold())


@given(kamerstuk_text(), st.sampled_from(["\r\n", "\r"]))
def test_line_endings_do_not_change_the_result(case: tuple[str, int], newline: str) -> None:
    text, _ = case
    try:
        expected = parse_text(text, "doc.txt")
    except ParseError:
        return
    other = parse_text(text.replace("\n", newline), "doc.txt")
    assert other.paragraphs == expected.paragraphs


# -- HTML, KOOP XML, JSONL, PDF ---------------------------------------------------------------
@st.composite
def html_page(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """An HTML page with blocks of text, some inside tags whose text must be dropped."""
    blocks, hidden = [], []
    for _ in range(draw(st.integers(0, 8))):
        raw = draw(ANY_TEXT)
        text = escape(raw)
        tag = draw(st.sampled_from(["p", "h2", "li", "td", "div", "span", "script", "nav"]))
        if tag in ("script", "nav"):
            marker = f"VERBORGEN{len(hidden)}X"
            hidden.append(marker)
            text = marker
        elif WORD.search(raw) and not any(c in raw for c in "<>&"):
            hidden.append("")  # visible text: the page must parse (see the test)
        blocks.append(f"<{tag}>{text}</{tag}>")
    body = "".join(blocks)
    if draw(st.booleans()):
        body = f'<div id="broodtekst">{body}</div>'
    title = draw(ANY_TEXT)
    page = f"<html><head><title>{escape(title)}</title></head><body>{body}</body></html>"
    if any(ch < " " and ch not in "\t\n\r\f" for ch in page):  # control characters: binary
        hidden = [marker for marker in hidden if marker]
    return page.encode(draw(st.sampled_from(["utf-8", "utf-16"]))), hidden


@given(html_page())
def test_html_parses_or_raises_parse_error(case: tuple[bytes, list[str]]) -> None:
    data, hidden = case
    try:
        doc = parse_html(data, "pagina.html")
    except ParseError as exc:
        return refused(exc, must_parse="" in hidden)
    check_document(doc)
    text = " ".join(p.text for p in doc.paragraphs)
    assert not any(marker and marker in text for marker in hidden)  # scripts, navigation dropped


@given(st.binary(max_size=1000))
def test_any_bytes_as_html(data: bytes) -> None:
    try:
        doc = parse_html(data, "pagina.html")
    except ParseError:
        return
    check_document(doc)


XML_TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn"), exclude_characters="\ufffe\uffff"),
    max_size=200,
)


@st.composite
def koop_xml(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """A KOOP publication with paragraphs (al), sections (divisie/kop), lists and notes."""
    items, texts = [], []
    for _ in range(draw(st.integers(0, 6))):
        text = draw(XML_TEXT)
        texts.append(text)
        kind = draw(st.sampled_from(["al", "divisie", "lijst", "noot", "onbekend"]))
        if kind in ("noot", "onbekend"):  # footnotes and unknown elements are not body text
            texts.pop()
        if kind == "divisie":
            items.append(
                f"<divisie><kop><titel>{escape(draw(XML_TEXT))}</titel></kop>"
                f"<al>{escape(text)}</al></divisie>"
            )
        elif kind == "lijst":
            items.append(f"<lijst><li><al>{escape(text)}</al></li></lijst>")
        else:
            items.append(f"<{kind}>{escape(text)}</{kind}>")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><officiele-publicatie><kamerstuk>'
        "<dossier><dossiernummer>28676</dossiernummer><titel>NAVO</titel></dossier>"
        f"<stuk><stuknr><ondernummer>280</ondernummer></stuknr><titel>BRIEF</titel>"
        f"{''.join(items)}</stuk></kamerstuk></officiele-publicatie>"
    )
    return xml.encode("utf-8"), texts


@given(koop_xml())
def test_koop_xml_parses_or_raises_parse_error(case: tuple[bytes, list[str]]) -> None:
    data, texts = case
    try:
        doc = parse_koop_xml(data, "kst-28676-280.xml")
    except ParseError as exc:
        return refused(exc, must_parse=any(WORD.search(t) for t in texts))
    check_document(doc)
    assert doc.meta.doc_id == "kst-28676-280"


@given(st.binary(max_size=600).map(lambda b: b"<?xml version='1.0'?><a>" + b))
def test_broken_xml_raises_parse_error(data: bytes) -> None:
    try:
        doc = parse_koop_xml(data, "x.xml")
    except ParseError:
        return
    check_document(doc)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["x", "id", "title", "date", "dossier"]), children)
    ),
    max_leaves=10,
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(ANY_TEXT, st.integers(), st.none()),
        "text": st.one_of(ANY_TEXT, st.lists(ANY_TEXT, max_size=3), JSON_VALUES),
        "content": ANY_TEXT,
        "title": JSON_VALUES,
        "date": JSON_VALUES,
        "dossier": JSON_VALUES,
        "vergaderjaar": JSON_VALUES,
        "authors": JSON_VALUES,
        "doc_type": JSON_VALUES,
        "url": st.one_of(ANY_TEXT, st.just("https://zoek.officielebekendmakingen.nl/kst-1-2.html")),
        "DC.identifier": JSON_VALUES,
    },
)


@given(st.one_of(RECORDS, JSON_VALUES))
@example({"text": ["0"], "DC.identifier": "0 0"})  # found by CI: the KOOP field kept the space
def test_any_jsonl_record_parses_or_raises_parse_error(record: object) -> None:
    text = record.get("text") if isinstance(record, dict) else None
    try:
        doc = parse_record(record, "collectie-1")
    except ParseError as exc:
        return refused(exc, must_parse=isinstance(text, str) and bool(WORD.search(text)))
    check_document(doc)
    assert re.fullmatch(r"[^\s/\\]+", doc.meta.doc_id), doc.meta.doc_id  # no paths in ids
    assert ".." not in doc.meta.doc_id.split("/")


_PDF: dict[str, bytes] = {}  # the generated Kamerbrief PDF, made once


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_pdfs_raise_parse_error(data: st.DataObject) -> None:
    from qa_service.devtools.pdfs import kamerbrief_pdf

    pdf = bytearray(_PDF.setdefault("bytes", kamerbrief_pdf()))
    for _ in range(data.draw(st.integers(1, 20))):
        at = data.draw(st.integers(0, len(pdf) - 1))
        pdf[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(8, len(pdf)))
    try:
        doc = parse_pdf(bytes(pdf[:cut]), "brief.pdf")
    except ParseError:
        return
    check_document(doc)


# -- the public entry point ------------------------------------------------------------------
@settings(deadline=None)
@given(
    st.binary(max_size=1500),
    st.sampled_from(["doc.txt", "doc.xml", "doc.html", "doc.jsonl", "doc.pdf", "doc.jsonl.gz"]),
    st.sampled_from(
        [b"", b"%PDF-1.7\n", b"<?xml version='1.0'?>", b"<html>", b'{"text": "', b"\x1f\x8b"]
    ),
)
def test_any_file_gives_documents_or_parse_error(data: bytes, name: str, head: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(head + data)
        try:
            result = parse_documents(path)
        except ParseError as exc:
            assert str(path) in str(exc)
            assert "cannot parse (" not in str(exc), f"a parser crashed: {exc}"
            return
    assert isinstance(result, FileResult)
    for doc in result.documents:
        check_document(doc)
        assert safe_doc_id(doc.meta.doc_id) == doc.meta.doc_id  # addressable over the API


@given(st.text(CHARS, max_size=60))
def test_document_ids_are_one_path_segment(raw: str) -> None:
    doc_id = safe_doc_id(raw)
    assert "/" not in doc_id and "\\" not in doc_id and doc_id not in (".", "..")
    assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in doc_id)
    assert safe_doc_id(doc_id) == doc_id


def test_ids_from_metadata_cannot_hold_paths() -> None:
    record = {"text": "Een tekst.", "DC.identifier": "../../etc/passwd"}
    assert parse_record(record, "x-1").meta.doc_id == "..-..-etc-passwd"
    assert parse_record({"text": "Een tekst.", "id": "///"}, "x-1").meta.doc_id == "x-1"


# -- chunking and sentences -------------------------------------------------------------------
def _words(text: str) -> int:
    return len(text.split())


PARAGRAPHS = st.lists(
    st.builds(
        Paragraph,
        st.one_of(ANY_TEXT, st.lists(WORDS, max_size=80).map(" ".join)),
        st.sampled_from(["", "Afghanistan", "1. Inleiding"]),
        st.one_of(st.none(), st.integers(1, 50)),
    ),
    max_size=8,
)


@given(PARAGRAPHS, st.integers(1, 30), st.sampled_from(["words", "chars"]))
def test_chunking_keeps_all_text_in_order_within_the_limit(
    paragraphs: list[Paragraph], max_tokens: int, unit: str
) -> None:
    count = _words if unit == "words" else len
    doc = ParsedDocument(DocumentMeta(doc_id="kst-1-2"), paragraphs)
    passages = chunk_document(doc, count, max_tokens)
    assert [p.position for p in passages] == list(range(len(passages)))
    assert all(p.passage_id == f"kst-1-2#p{p.position}" for p in passages)
    for p in passages:
        assert p.text.strip(), "passages are never empty"
        assert count(p.text) <= max_tokens or len(p.text) == 1
    # nothing lost, nothing invented, order kept (whitespace aside)
    flat = "".join("".join(p.text.split()) for p in passages)
    assert flat == "".join("".join(p.text.split()) for p in paragraphs)
    # each passage keeps the section and page of the paragraph it comes from, in order
    origin = [(p.section, p.page) for p in paragraphs if p.text.split()]
    kept = [(p.section, p.page) for p in passages]
    assert [k for i, k in enumerate(kept) if i == 0 or k != kept[i - 1]] == [
        o for i, o in enumerate(origin) if i == 0 or o != origin[i - 1]
    ]


@given(st.one_of(ANY_TEXT, st.lists(WORDS, max_size=60).map(" ".join)))
def test_sentences_cover_the_text(text: str) -> None:
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())
