"""JSONL collections: one document a line, ``{"id", "text", ...metadata}``; ``.jsonl`` or
``.jsonl.gz``.

Field names are matched without regard to case, with common alternatives: the text is in
``text`` (or ``content``, ``body``), the id in ``id`` (or ``doc_id``, ``identifier``,
``DC.identifier``), the link in ``url``; metadata fields are those of
:class:`~qa_service.documents.DocumentMeta` (``title``, ``doc_type``, ``dossier``,
``ondernummer``, ``vergaderjaar``, ``date``, ``authors``, ``dossier_title``, ``subject``) and the
KOOP metadata names (``OVERHEIDop.dossiernummer``, ``DCTERMS.issued``, ...). The historical
corpus (``corpus/historical/sgd-ocr.jsonl.gz``: ``URL``, ``Content``, ``Source``) is one such
collection. The text is cleaned by the text parser (hyphenation, footers, headings).

A line that is not a JSON object or has no text is skipped with its reason; the other lines are
still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from qa_service.documents import ParsedDocument
from qa_service.kamerstukken import iso_date, normalise_dossier, normalise_vergaderjaar
from qa_service.parsing.cleaning import document_vocabulary, join_lines
from qa_service.parsing.errors import ParseError
from qa_service.parsing.formats import Limits, iter_lines
from qa_service.parsing.koop_xml import title_case
from qa_service.parsing.metadata import (
    KOOP_DATES,
    KOOP_FIELDS,
    apply_koop_metadata,
    doc_type_from_title,
)
from qa_service.parsing.text import parse_text

TEXT_KEYS = ("text", "content", "body", "tekst")
ID_KEYS = ("id", "doc_id", "identifier", "dc.identifier")
URL_KEYS = ("url", "link", "href", "source_url")
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "titel"),
    "doc_type": ("doc_type", "type", "soort", "documentsoort"),
    "dossier": ("dossier", "dossiernummer"),
    "ondernummer": ("ondernummer", "nr", "number", "volgnummer"),
    "vergaderjaar": ("vergaderjaar",),
    "date": ("date", "datum", "issued"),
    "authors": ("authors", "author", "indieners", "indiener"),
    "dossier_title": ("dossier_title", "dossiertitel"),
    "subject": ("subject", "onderwerp"),
}
_GENERIC_URL_PARTS = frozenset({"ocr", "pdf", "html", "xml", "txt", "index", "view", "download"})
_SAFE_ID = re.compile(r"[^\w.\-]+")


def _pick(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, "", []):
            return value
    return None


def id_from_url(url: str) -> str:
    """The identifying part of a URL: ``.../kst-28676-280.html`` -> ``kst-28676-280``,
    ``.../0000142774/ocr`` -> ``0000142774``."""
    parts = [p for p in urlparse(url).path.split("/") if p]
    for part in reversed(parts):
        stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", part)
        if stem and stem.lower() not in _GENERIC_URL_PARTS:
            return stem
    return ""


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n\n".join(value)
    return ""


_LONG_LINE = 200
#: a line that stops mid-sentence: on a word or a hyphen, not after punctuation
_MID_SENTENCE = re.compile(r"[^\W_]-?$|-$")


def _rejoined(lines: list[str], vocab: frozenset[str]) -> list[str]:
    """``lines`` with a long line cut mid-sentence joined to the next one when that goes on
    in lower case (a page or column break of the scan: "... ruim twee iaar" / "geleden vrijwel
    gelijktijdig ..."), a hyphen at the break undone as in any paragraph (:func:`join_lines`)."""
    out: list[str] = []
    for line in lines:
        prev = out[-1].rstrip() if out else ""
        if len(prev) > _LONG_LINE and line[:1].islower() and _MID_SENTENCE.search(prev):
            out[-1] = join_lines([prev, line], vocab)
        else:
            out.append(line)
    return out


def paragraph_lines(text: str) -> str:
    """Text whose paragraphs are long lines without blank lines between them (OCR exports
    such as the historical corpus): put each long line in a paragraph of its own, keeping runs
    of short lines (headers, lists) together, and a long line cut mid-sentence together with
    the line that continues it."""
    if "\n\n" in text:
        return text
    out: list[str] = []
    for line in _rejoined(text.split("\n"), document_vocabulary(text)):
        if len(line) > _LONG_LINE:
            out.extend(["", line, ""])
        else:
            out.append(line)
    return "\n".join(out)


_HEADER_YEAR = re.compile(r"\b(?:Vergaderjaar|Zitting)\s+(\d{4}\s*[-–]\s*\d{4})", re.IGNORECASE)
_HEADER_DOSSIER = re.compile(r"\d{2} ?\d{3}(?: [IVXLC]{1,6})?")
_HEADER_NR = re.compile(r"Nr\.? ?(\d{1,4})\.?")
_RECEIVED = re.compile(r"\s+(?:Ontvangen|Voorgesteld|Ingezonden)\b.*$", re.IGNORECASE)


def header_metadata(text: str) -> dict[str, str]:
    """Metadata from the printed head of an (OCR'd) Kamerstuk: the vergaderjaar (``Zitting
    1982-1983``), and for Tweede Kamer stukken with a single dossier number on a line of its own
    and a ``Nr. 66`` line, the dossier and number; the first line that names a document type
    (``BRIEF VAN DE MINISTER ...``) gives the type and title. Only what is unambiguous."""
    lines = [" ".join(line.split()) for line in text.split("\n")[:15]]
    head = "\n".join(lines)
    found: dict[str, str] = {}
    if m := _HEADER_YEAR.search(head):
        found["vergaderjaar"] = normalise_vergaderjaar(m.group(1))
    dossiers = {normalise_dossier(line) for line in lines if _HEADER_DOSSIER.fullmatch(line)}
    numbers = {m.group(1) for line in lines if (m := _HEADER_NR.fullmatch(line))}
    if "Tweede Kamer" in head and len(dossiers) == 1 and len(numbers) == 1:
        found["dossier"], found["ondernummer"] = dossiers.pop(), numbers.pop()
    for line in lines:
        kind = doc_type_from_title(line) if len(line) <= 120 else ""
        if kind:
            found["doc_type"] = kind
            found["title"] = title_case(_RECEIVED.sub("", line))
            break
    return {k: v for k, v in found.items() if v}


def parse_record(record: Any, fallback_id: str) -> ParsedDocument:
    """One JSONL record as a document; :class:`ParseError` when it holds no text."""
    if not isinstance(record, dict):
        raise ParseError(f"not a JSON object but {type(record).__name__}")
    fields = {str(k).lower(): v for k, v in record.items()}
    text = _as_text(_pick(fields, TEXT_KEYS))
    if not text.strip():
        raise ParseError(f"no text (expected one of the fields {', '.join(TEXT_KEYS)})")
    url = _pick(fields, URL_KEYS)
    url = url if isinstance(url, str) and url.startswith(("http://", "https://")) else ""
    raw_id = _pick(fields, ID_KEYS)
    doc_id = str(raw_id) if isinstance(raw_id, str | int) else ""
    doc_id = _SAFE_ID.sub("-", doc_id or id_from_url(url) or fallback_id).strip("-") or fallback_id

    doc = parse_text(paragraph_lines(text), doc_id)
    meta = doc.meta
    parsed_id = meta.doc_id
    meta.doc_id = doc_id if (raw_id or url or not parsed_id.startswith("kst-")) else parsed_id
    meta.source_url = url
    koop = {
        k: [str(x) for x in (v if isinstance(v, list) else [v]) if isinstance(x, str | int)]
        for k, v in record.items()
        if (k in KOOP_FIELDS or k in KOOP_DATES or k == "OVERHEIDop.indiener") and v
    }
    if koop:
        apply_koop_metadata(meta, koop)  # may name the document by its DC.identifier
        meta.doc_id = _SAFE_ID.sub("-", meta.doc_id).strip("-") or doc_id
    for attr, keys in FIELD_KEYS.items():
        value = _pick(fields, keys)
        if value is None:
            continue
        if attr == "authors":
            names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            meta.authors = [str(n) for n in names if isinstance(n, str) and n.strip()]
        elif attr == "date":
            meta.date = iso_date(str(value)) or meta.date
        elif attr == "vergaderjaar":
            meta.vergaderjaar = normalise_vergaderjaar(str(value)) or meta.vergaderjaar
        elif attr == "dossier":
            meta.dossier = normalise_dossier(str(value)) or str(value)
        elif attr == "doc_type":
            meta.doc_type = str(value).strip().lower()
        else:
            setattr(meta, attr, str(value).strip())
    if not meta.doc_type and meta.title:
        meta.doc_type = doc_type_from_title(meta.title)
    for attr, value in header_metadata(text).items():  # only where nothing else said
        if not getattr(meta, attr):
            setattr(meta, attr, value)
    return doc


def iter_jsonl(path: Path, limits: Limits) -> Iterator[ParsedDocument | ParseError]:
    """Documents of a JSONL collection, and a :class:`ParseError` for each skipped line."""
    stem = re.sub(r"\.jsonl(?:\.gz)?$|\.ndjson(?:\.gz)?$|\.json(?:\.gz)?$", "", path.name)
    for number, line in enumerate(iter_lines(path, limits), start=1):
        if line is None:
            yield ParseError(f"line {number}: longer than {limits.max_record_bytes} bytes")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            yield parse_record(record, f"{stem}-{number}")
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, ...
            reason = str(exc) if isinstance(exc, ParseError) else f"not JSON ({exc})"
            yield ParseError(f"line {number}: {reason}")
