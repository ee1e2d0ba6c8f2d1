"""Official publication XML (KOOP), as served at ``zoek.officielebekendmakingen.nl/<id>.xml``.

The structure read here (element names as in KOOP's ``officiele-publicatie`` schema)::

    officiele-publicatie
      metadata/meta[@name, @content]                     (in some downloads)
      kamerstuk
        kamerstukkop/tekstregel[@inhoud="vergaderjaar"]   "Vergaderjaar 2017-2018"
        dossier/dossiernummer/dossiernr                   "28 676"
        dossier/titel                                     dossier title
        stuk
          stuknr/ondernummer                              "280"
          titel                                           "BRIEF VAN DE MINISTER VAN DEFENSIE"
          datumtekst/datum[@isodatum]
          algemeen/vrije-tekst/tekst/al                   body paragraphs
          .../divisie/kop/(nr, titel)                     (nested) sections
          .../tussenkop                                   an unnumbered heading
          .../lijst/li/(li.nr, al)                        list items
          .../noot/(noot.nr, noot.al)                     footnotes (collected at the end)
          tekst-sluiting/ondertekening/(functie, naam)    signature
          bijlage                                         appendix (with its own kop)

Metadata comes from the accompanying ``metadata.xml`` (``<metadata name=... content=...>``:
``DC.identifier``, ``OVERHEIDop.dossiernummer``, ``OVERHEIDop.ondernummer``,
``OVERHEIDop.vergaderjaar``, ``OVERHEIDop.indiener``, ``DCTERMS.issued``, ...) where present,
else from the document itself. XML is parsed with defusedxml: no DTD entities (billion laughs),
no external entities, no network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from qa_service.documents import DocumentMeta, Paragraph, ParsedDocument
from qa_service.kamerstukken import iso_date, normalise_dossier, normalise_vergaderjaar
from qa_service.parsing.cleaning import collapse_spaces, name_case
from qa_service.parsing.errors import ParseError
from qa_service.parsing.metadata import Metadata, apply_koop_metadata, doc_type_from_title
from qa_service.parsing.motions import motion_title, parse_indieners

FOOTNOTES = "Noten"

# Containers whose text is not body text (read separately as metadata, or dropped).
_HEAD = frozenset({"kamerstukkop", "dossier", "stuknr", "metadata", "meta", "datumtekst"})
# Elements whose children are sections with a ``kop``.
_SECTIONS = frozenset(
    {"divisie", "hoofdstuk", "afdeling", "paragraaf", "artikel", "bijlage", "vraag", "antwoord"}
)
_MOTION_FORMULA = re.compile(
    r"(?:de kamer|gehoord de beraadslaging|en gaat over tot de orde van de dag)\W*", re.IGNORECASE
)


def parse_xml(data: bytes) -> Element:
    """Parse untrusted XML safely (no entity expansion, no external resources)."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True)
    except DefusedXmlException as exc:
        raise ParseError(f"refused XML: {type(exc).__name__} (entity declarations)") from None
    except SafeET.ParseError as exc:
        raise ParseError(f"malformed XML: {exc}") from None


def local(tag: Any) -> str:
    """An element's name without namespace (comments and processing instructions: '')."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def read_metadata(data: bytes) -> dict[str, list[str]]:
    """``metadata.xml`` (``<metadata name=... content=...>``) as ``{name: [content, ...]}``."""
    root = parse_xml(data)
    return metadata_values(root.iter())


def metadata_values(elements: Iterable[Element]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for el in elements:
        if local(el.tag) in ("metadata", "meta") and el.get("name") and el.get("content"):
            values.setdefault(str(el.get("name")), []).append(str(el.get("content")))
    return values


def is_metadata_file(root: Element) -> bool:
    return local(root.tag) in ("metadata_gegevens", "owms-metadata")


@dataclass
class _Reader:
    """Walks a publication body, collecting paragraphs, footnotes and signers."""

    paragraphs: list[Paragraph] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signers: list[tuple[str, list[str]]] = field(default_factory=list)  # (role, names)

    def text(self, el: Element) -> str:
        """Inline text of an element; footnotes are set aside. (ElementTree drops comments and
        processing instructions: ``UZI-server<?xpp afbm?>certificaten`` reads as one word.)"""
        parts = [el.text or ""]
        for child in el:
            if local(child.tag) == "noot":
                self.note(child)
            else:
                parts.append(self.text(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def heading(self, el: Element) -> str:
        """A ``kop`` (``<nr>1.</nr><titel>Inleiding</titel>``) as ``1. Inleiding``."""
        parts = [el.text or ""] + [self.text(child) for child in el]
        return collapse_spaces(" ".join(parts))

    def note(self, el: Element) -> None:
        number = el.find("noot.nr")
        label = collapse_spaces("".join(number.itertext())) if number is not None else ""
        body = " ".join(
            collapse_spaces(self.text(child)) for child in el if local(child.tag) != "noot.nr"
        )
        if body.strip():
            self.notes.append(f"{label} {body}".strip())

    def add(self, text: str, section: str) -> None:
        text = collapse_spaces(text)
        if text:
            self.paragraphs.append(Paragraph(text, section, None))

    def walk(self, el: Element, section: str) -> None:
        for child in el:
            name = local(child.tag)
            if not name or name in _HEAD:
                continue
            if name == "al" or name.endswith(".al"):
                self.add(self.text(child), section)
            elif name in _SECTIONS or name.endswith(".divisie"):
                kop = _child(child, "kop")
                if kop is None and name in ("vraag", "antwoord"):
                    kop = _child(child, "nr")
                heading = self.heading(kop) if kop is not None else ""
                self.walk(child, heading or section)
            elif name in ("kop", "titel", "nr"):
                continue  # headings are read by their section; the stuk title is metadata
            elif name == "tussenkop":
                section = collapse_spaces(self.text(child)) or section
            elif name == "lijst":
                self.list_items(child, section)
            elif name == "ondertekening":
                self.signature(child, section)
            elif name in ("table", "tabel"):
                self.table(child, section)
            elif name == "noot":
                self.note(child)
            elif len(child) == 0:
                self.add(self.text(child), section)  # an unknown leaf: keep its text
            else:
                self.walk(child, section)

    def list_items(self, lijst: Element, section: str) -> None:
        for li in lijst:
            if local(li.tag) != "li":
                continue
            label = ""
            texts: list[str] = []
            for part in li:
                name = local(part.tag)
                if name == "li.nr":
                    label = collapse_spaces(self.text(part))
                elif name == "lijst":
                    self.add(" ".join([label, *texts]), section)
                    label, texts = "", []
                    self.list_items(part, section)
                elif name:
                    texts.append(collapse_spaces(self.text(part)))
            if texts:
                marker = "" if label in ("–", "-", "•", "—") else label
                self.add(" ".join([marker, *texts]), section)

    def signature(self, el: Element, section: str) -> None:
        role_parts = [el.text or ""]
        names = []
        for child in el:
            if local(child.tag) == "naam":
                names.append(collapse_spaces(" ".join(child.itertext())))
            elif local(child.tag):
                role_parts.append(self.text(child))
            role_parts.append(child.tail or "")
        role = collapse_spaces(" ".join(role_parts))
        role = role if role.endswith(",") or not role else role + ","
        self.signers.append((role.rstrip(","), [n for n in names if n]))
        self.add(" ".join([role, *names]), "")

    def table(self, el: Element, section: str) -> None:
        for row in el.iter():
            if local(row.tag) != "row":
                continue
            cells = [collapse_spaces(self.text(entry)) for entry in row if local(entry.tag)]
            if any(cells):
                self.add(" | ".join(cells), section)


def _child(el: Element | None, *path: str) -> Element | None:
    for name in path:
        if el is None:
            return None
        el = next((c for c in el if local(c.tag) == name), None)
    return el


def title_case(title: str) -> str:
    """``BRIEF VAN DE MINISTER VAN DEFENSIE`` -> ``Brief van de minister van defensie``;
    ``MOTIE VAN HET LID OMTZIGT C.S.`` -> ``Motie van het lid Omtzigt c.s.``."""
    title = collapse_spaces(title)
    if not title or title != title.upper():
        return title
    motion = re.sub(r"^(?:NADER )?GEWIJZIGDE ", "", title)
    if motion.startswith("MOTIE VAN "):
        indieners, _ = parse_indieners([motion])
        if indieners.names:
            return motion_title(indieners, [name_case(n) for n in indieners.names])
    return title.capitalize()


def parse_koop_xml(data: bytes, name: str, metadata: Metadata | None = None) -> ParsedDocument:
    """Parse a KOOP publication; ``metadata`` from its ``metadata.xml`` where present."""
    root = parse_xml(data)
    if is_metadata_file(root):
        raise ParseError("a metadata.xml (metadata of a publication), not a document")
    try:
        return _parse_root(root, name, metadata)
    except RecursionError:
        raise ParseError("XML nested too deeply") from None


def _parse_root(root: Element, name: str, metadata: Metadata | None) -> ParsedDocument:
    stuk_root = root if local(root.tag) == "kamerstuk" else _child(root, "kamerstuk")
    body = stuk_root if stuk_root is not None else root
    stuk = _child(body, "stuk")
    meta = DocumentMeta(doc_id=re.sub(r"\.xml$", "", name.rsplit("/", 1)[-1], flags=re.I))

    # the document's own header
    dossiernr = _child(body, "dossier", "dossiernummer")
    if dossiernr is not None:
        meta.dossier = normalise_dossier(" ".join(dossiernr.itertext()))
    dossier_title = _child(body, "dossier", "titel")
    reader = _Reader()
    if dossier_title is not None:
        meta.dossier_title = collapse_spaces(reader.text(dossier_title))
    for line in body.iter("tekstregel"):
        if line.get("inhoud") == "vergaderjaar":
            meta.vergaderjaar = normalise_vergaderjaar("".join(line.itertext()))
    ondernummer = _child(stuk, "stuknr", "ondernummer")
    if ondernummer is not None:
        meta.ondernummer = collapse_spaces("".join(ondernummer.itertext()))
    stuk_title = _child(stuk, "titel")
    title = collapse_spaces(reader.text(stuk_title)) if stuk_title is not None else ""
    meta.doc_type = doc_type_from_title(title)
    meta.title = title_case(title)
    for datumtekst in (stuk if stuk is not None else body).iter("datumtekst"):
        for el in datumtekst.iter("datum"):
            meta.date = meta.date or iso_date(el.get("isodatum") or "")
            meta.date = meta.date or iso_date("".join(el.itertext()))
    if meta.dossier and meta.ondernummer:
        meta.doc_id = f"kst-{meta.dossier}-{meta.ondernummer}"

    # the body
    reader.walk(stuk if stuk is not None else body, "")
    if meta.doc_type == "motie":
        reader.paragraphs = [p for p in reader.paragraphs if not _MOTION_FORMULA.fullmatch(p.text)]
    paragraphs = reader.paragraphs + [Paragraph(n, FOOTNOTES, None) for n in reader.notes]
    if not any(p.text for p in reader.paragraphs):
        raise ParseError("no text in the XML (no <al> paragraphs found)")

    # signers: authors and, for a minister's letter, its title
    meta.authors = [n for _, names in reader.signers for n in names]
    roles = [r for r, _ in reader.signers if re.search(r"[Mm]inister|[Ss]taatssecretaris", r)]
    if meta.doc_type == "brief" and roles:
        meta.title = "Brief van " + " en ".join(
            "de " + r[3:] if r.startswith("De ") else r for r in roles
        )

    # metadata.xml (or embedded metadata) wins where it has a value
    values = metadata_values(root.iter())
    for key, vals in (metadata or {}).items():
        values[key] = list(vals)
    if values:
        apply_koop_metadata(meta, values)
    return ParsedDocument(meta, paragraphs)
