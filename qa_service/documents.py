"""The data model shared by parsing, chunking, indexing and answering.

A parser turns a file into a :class:`ParsedDocument` (metadata plus clean paragraphs);
chunking turns paragraphs into :class:`Passage` objects, the unit that is embedded, indexed,
retrieved and cited.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from qa_service.kamerstukken import short_vergaderjaar

OFFICIAL_URL = "https://zoek.officielebekendmakingen.nl/{doc_id}.html"


@dataclass
class DocumentMeta:
    """Metadata of one document. Unknown fields stay empty strings, never invented."""

    doc_id: str
    title: str = ""
    doc_type: str = ""  # "brief", "motie", ...
    dossier: str = ""  # "28676", "36410-XVI", "21501-07"
    ondernummer: str = ""  # "280"
    vergaderjaar: str = ""  # "2017-2018"
    date: str = ""  # ISO "YYYY-MM-DD"
    authors: list[str] = field(default_factory=list)  # signer(s) or indiener(s)
    dossier_title: str = ""
    subject: str = ""  # official one-line subject (motions)
    source: str = ""  # file the document was read from (relative path where possible)
    source_url: str = ""  # the document's own link (from its collection), if it has one

    @property
    def url(self) -> str:
        """The document's link: its own, else the official page for ``kst-`` ids."""
        if self.source_url:
            return self.source_url
        if self.doc_id.startswith("kst-"):
            return OFFICIAL_URL.format(doc_id=self.doc_id)
        return ""

    def citation(self, page: int | None = None) -> str:
        """Official citation, e.g. ``Kamerstukken II 2017/18, 28676, nr. 280, p. 3``.

        Falls back to the document id when the dossier or number is unknown.
        """
        if not (self.dossier and self.ondernummer):
            base = self.doc_id
        else:
            year = short_vergaderjaar(self.vergaderjaar)
            head = f"Kamerstukken II {year}" if year else "Kamerstukken II"
            base = f"{head}, {self.dossier}, nr. {self.ondernummer}"
        if page is not None:
            base += f", p. {page}"
        return base

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["url"] = self.url
        data["citation"] = self.citation()
        return data


@dataclass
class Paragraph:
    """One clean paragraph of running text, with the heading it falls under."""

    text: str
    section: str = ""
    page: int | None = None


@dataclass
class ParsedDocument:
    meta: DocumentMeta
    paragraphs: list[Paragraph]


@dataclass
class Passage:
    """The unit that is embedded, retrieved and cited."""

    passage_id: str  # stable: f"{doc_id}#p{position}"
    doc_id: str
    text: str
    section: str = ""
    page: int | None = None
    position: int = 0  # order within the document


# -- the text that is embedded and keyword-indexed for a passage ---------------------------
_FIRST_PERSON = re.compile(r"\b(?:ik|mij|mijn|me)\b", re.IGNORECASE)


def speaker(meta: DocumentMeta) -> str:
    """Who says "ik" in a letter: ``Brief van de Minister van Defensie`` -> its minister."""
    if meta.doc_type == "brief" and meta.title.startswith("Brief van "):
        return meta.title.removeprefix("Brief van ")
    return ""


def attributed(meta: DocumentMeta, text: str) -> str:
    """Name the speaker before first-person text ("Ik heb toegezegd ...").

    Questions ask what *the minister* said or pledged; the letter says "ik". Naming the
    writer lets both the embedding and BM25 connect the two. Display text is unchanged.
    """
    return attributed_to(speaker(meta), text)


def attributed_to(who: str, text: str) -> str:
    """:func:`attributed` with the speaker given (``""``: none)."""
    if who and _FIRST_PERSON.search(text):
        return f"{who[0].upper()}{who[1:]} (ik): {text}"
    return text


def context_of(meta: DocumentMeta, passage: Passage) -> str:
    """A passage's context: its document title and section heading ("" when it has none)."""
    return " — ".join(part for part in (meta.title, passage.section) if part)


def contextual_text(meta: DocumentMeta, passage: Passage) -> str:
    """What is keyword-indexed: title and section heading, then the passage (with its speaker).

    What is embedded is the passage with its speaker alone, and its context on its own (see
    :func:`qa_service.ingest.build.embed_passages`): with the title in front, the passages of one
    document embed nearly alike and the one that answers does not stand out among them.
    """
    text = attributed(meta, passage.text)
    context = context_of(meta, passage)
    if not context:
        return text
    return context + "\n" + text
