"""HTML pages of the official publications (and other HTML documents).

On zoek.officielebekendmakingen.nl the publication's text is in ``div#broodtekst``; the rest of
the page is navigation. The head carries the same metadata as ``metadata.xml`` as
``<meta name="DC.identifier" content="kst-...">`` tags. Other pages fall back to ``<main>``,
``<article>`` or ``<body>`` without scripts, styles and navigation.

Headings (``h2``–``h6``, and ``h1`` after the first) become the section of the paragraphs below
them; the first ``h1`` is the document's title. ``p``, ``li``, table cells and similar blocks
become paragraphs. Footnotes (elements whose class names a ``noot``/``footnote``) go to a "Noten"
section at the end.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from qa_service.documents import DocumentMeta, Paragraph, ParsedDocument
from qa_service.parsing.cleaning import collapse_spaces, decode_bytes
from qa_service.parsing.errors import ParseError
from qa_service.parsing.koop_xml import FOOTNOTES, title_case
from qa_service.parsing.metadata import apply_koop_metadata, doc_type_from_title

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLOCKS = frozenset(
    {"p", "li", "td", "th", "dd", "dt", "pre", "blockquote", "caption", "figcaption", "address"}
)
_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "form", "button")
_NOTE_CLASS = re.compile(r"noot|noten|footnote|endnote", re.IGNORECASE)
_STUK_TITLE = re.compile(r"\bNr\.\s*\d+\s+(.+)$")


def _decode(data: bytes) -> str:
    head = data[:2048].lower()
    m = re.search(rb'charset=["\']?([a-z0-9_-]+)', head)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data)


def _is_note(tag: object) -> bool:
    classes = getattr(tag, "get", lambda *_: None)("class") or []
    return any(_NOTE_CLASS.search(c) for c in classes)


def parse_html(data: bytes, name: str) -> ParsedDocument:
    """Parse an HTML page; the publication body is ``div#broodtekst`` where there is one."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(_decode(data), "html.parser")
    values: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        key, content = tag.get("name") or tag.get("property"), tag.get("content")
        if isinstance(key, str) and isinstance(content, str) and content.strip():
            values.setdefault(key, []).append(content)

    body = (
        soup.find(id="broodtekst") or soup.find("main") or soup.find("article") or soup.body or soup
    )
    if not isinstance(body, Tag):
        raise ParseError("no HTML body")
    for tag in body.find_all(_DROP):
        tag.decompose()
    for sup in body.find_all("sup"):  # footnote references: the notes are read on their own
        link = sup.find("a", href=True)
        if link is not None and str(link.get("href", "")).startswith("#"):
            sup.decompose()
    for br in body.find_all("br"):
        br.replace_with("\n")

    paragraphs: list[Paragraph] = []
    notes: list[str] = []
    headings: list[str] = []
    section = ""
    blocks = sorted(_HEADINGS | _BLOCKS)
    for tag in body.find_all(blocks):
        if tag.find(blocks):  # a block holding blocks (li > p, td > p): read its own text only
            own = tag.find_all(string=True, recursive=False)
            text = collapse_spaces("".join(t for t in own if type(t) is NavigableString))
        else:
            text = collapse_spaces(tag.get_text(""))
        if not text:
            continue
        if _is_note(tag) or any(_is_note(parent) for parent in tag.parents):
            notes.append(text)
        elif tag.name in _HEADINGS:
            if tag.name == "h1" and not headings:
                headings.append(text)  # the document's title
            else:
                section = text
        else:
            paragraphs.append(Paragraph(text, section, None))
    if not paragraphs:  # running text without block tags
        text = collapse_spaces(body.get_text(" "))
        if text:
            paragraphs.append(Paragraph(text, "", None))
    if not paragraphs:
        raise ParseError("no text in the HTML page")

    stem = re.sub(r"\.html?$", "", PurePath(name).name, flags=re.IGNORECASE)
    meta = DocumentMeta(doc_id=stem)
    title_tag = soup.find("title")
    page_title = collapse_spaces(title_tag.get_text(" ")) if title_tag else ""
    heading = headings[0] if headings else ""
    stuk = _STUK_TITLE.search(heading)  # "28 676 NAVO Nr. 280 BRIEF VAN DE MINISTER ..."
    meta.title = title_case(stuk.group(1) if stuk else heading) or page_title
    meta.doc_type = doc_type_from_title(meta.title)
    if values:
        apply_koop_metadata(meta, values)
    paragraphs += [Paragraph(n, FOOTNOTES, None) for n in notes]
    return ParsedDocument(meta, paragraphs)
