"""Metadata shared by the formats: KOOP metadata fields, document types, dates, vergaderjaren.

The official publications (zoek.officielebekendmakingen.nl) describe each document with
``<metadata name="..." content="..."/>`` elements in a ``metadata.xml`` beside the document, and
with the same names in ``<meta name="..." content="...">`` tags in the head of its HTML page.
:func:`apply_koop_metadata` maps those names onto :class:`~qa_service.documents.DocumentMeta`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from qa_service.documents import DocumentMeta
from qa_service.kamerstukken import iso_date, normalise_dossier, normalise_vergaderjaar
from qa_service.parsing.cleaning import collapse_spaces

#: KOOP metadata name -> DocumentMeta field (first value wins; indieners are a list).
KOOP_FIELDS: dict[str, str] = {
    "DC.identifier": "doc_id",
    "OVERHEIDop.documenttitel": "title",
    "DC.title": "long_title",  # "<dossier title>; <kind>; <subject>": only when no other title
    "OVERHEIDop.dossiernummer": "dossier",
    "OVERHEIDop.ondernummer": "ondernummer",
    "OVERHEIDop.vergaderjaar": "vergaderjaar",
    "OVERHEIDop.dossiertitel": "dossier_title",
}
#: Dates in order of preference: the document's own date before its publication date.
KOOP_DATES = (
    "OVERHEIDop.datumBrief",
    "OVERHEIDop.datumIndiening",
    "OVERHEIDop.datumOntvangst",
    "DCTERMS.issued",
    "DCTERMS.available",
)

Metadata = Mapping[str, Sequence[str]]


_NOT_IN_ID = re.compile(r"[/\\\x00-\x1f\x7f]+")


def safe_doc_id(raw: str) -> str:
    """A document id that the API can address as one path segment: no slashes or control
    characters (they become ``-``), not ``.`` or ``..``; empty when nothing is left."""
    cleaned = collapse_spaces(_NOT_IN_ID.sub("-", raw)).strip(" -")
    return "" if cleaned in ("", ".", "..") else cleaned


def apply_koop_metadata(meta: DocumentMeta, values: Metadata) -> None:
    """Fill ``meta`` from KOOP metadata (``{name: [content, ...]}``); present values win."""

    def first(name: str) -> str:
        return next((collapse_spaces(v) for v in values.get(name, ()) if v.strip()), "")

    found: dict[str, str] = {}
    for name, attr in KOOP_FIELDS.items():
        value = first(name)
        if value and attr not in found:
            found[attr] = value
    if safe_doc_id(found.get("doc_id", "")):
        meta.doc_id = safe_doc_id(found["doc_id"])
    if "dossier" in found:
        meta.dossier = normalise_dossier(found["dossier"]) or found["dossier"]
    if "ondernummer" in found:
        meta.ondernummer = found["ondernummer"]
    if "vergaderjaar" in found:
        meta.vergaderjaar = normalise_vergaderjaar(found["vergaderjaar"]) or meta.vergaderjaar
    if "title" in found:
        meta.title = found["title"]
    elif "long_title" in found and not meta.title:
        meta.title = found["long_title"]
    if "dossier_title" in found:
        meta.dossier_title = found["dossier_title"]
    indieners = [collapse_spaces(v) for v in values.get("OVERHEIDop.indiener", ()) if v.strip()]
    if indieners:
        meta.authors = indieners
    for name in KOOP_DATES:
        iso = iso_date(first(name))
        if iso:
            meta.date = iso
            break
    kind = doc_type_from_title(first("OVERHEIDop.documenttitel")) or doc_type_from_title(
        first("DC.title")
    )
    if kind:
        meta.doc_type = kind


# -- document types -------------------------------------------------------------------------
_TYPES: tuple[tuple[str, str], ...] = (
    # (title prefix, lower case, after an optional "gewijzigde "/"nader gewijzigde ") -> type
    ("motie", "motie"),
    ("amendement", "amendement"),
    ("brief", "brief"),
    ("nota van wijziging", "nota van wijziging"),
    ("nota naar aanleiding van", "nota"),
    ("nota", "nota"),
    ("memorie van toelichting", "memorie van toelichting"),
    ("memorie van antwoord", "memorie van antwoord"),
    ("voorstel van wet", "wetsvoorstel"),
    ("wetsvoorstel", "wetsvoorstel"),
    ("koninklijke boodschap", "koninklijke boodschap"),
    ("advies", "advies"),
    ("nader rapport", "nader rapport"),
    ("lijst van vragen", "lijst van vragen"),
    ("lijst van antwoorden", "lijst van vragen"),
    ("voorlopig verslag", "verslag"),
    ("eindverslag", "verslag"),
    ("verslag", "verslag"),
    ("jaarverslag", "jaarverslag"),
    ("rapport", "rapport"),
    ("kamervragen", "kamervragen"),
    ("antwoord", "antwoord"),
)
_MODIFIER = re.compile(r"^(?:nader\s+)?gewijzigde?\s+")


def doc_type_from_title(title: str) -> str:
    """``BRIEF VAN DE MINISTER …`` -> ``brief``; ``Gewijzigde motie …`` -> ``motie``; else ``""``.

    Also reads KOOP's ``Brief regering; …`` and ``Motie; …`` style titles.
    """
    parts = [part.strip() for part in collapse_spaces(title).lower().split(";")]
    # KOOP's DC.title is "<dossier title>; <kind>; <subject>": the kind comes first
    for part in [*parts[1:], parts[0]] if len(parts) > 1 else parts:
        text = _MODIFIER.sub("", part)
        for prefix, kind in _TYPES:
            end = len(prefix)
            if text.startswith(prefix) and (len(text) == end or not text[end].isalnum()):
                return kind
    return ""


# -- dates and parliamentary years ------------------------------------------------------------
