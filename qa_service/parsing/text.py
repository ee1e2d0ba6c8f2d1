"""Cleaning and parsing of text extracted from Kamerstuk PDFs.

Two layouts are recognised:

* **Kamerbrieven** (and other running text): paragraphs separated by blank lines, headings on a
  line of their own, page footers (``Tweede Kamer, vergaderjaar 2017–2018, 28 676, nr. 280 3``)
  that may cut a paragraph in two, and a closing signature (``De Minister van Defensie,`` plus a
  name).
* **Motions** (moties), typeset (header ``Tweede Kamer der Staten-Generaal``, dossier, ``Nr.``,
  footer block with ``kst-…``) or OCR'd from a scan (an id like ``36410-V-65`` near the top).
  Their header becomes metadata; each clause (``constaterende dat …;``, ``verzoekt de regering
  …,``) becomes a paragraph.

Both share the low-level cleaning: decoding, footer removal with page numbers, and re-joining
words split by line-break hyphenation.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from itertools import pairwise

from qa_service.documents import DocumentMeta, Paragraph, ParsedDocument
from qa_service.kamerstukken import (
    DUTCH_DATE,
    normalise_dossier,
    parse_dutch_date,
    vergaderjaar_for_date,
)


class ParseError(ValueError):
    """A file that cannot be parsed; the message says why."""


@dataclass(frozen=True)
class MotionInfo:
    """One line of ``moties.jsonl``: registry metadata of a motion file."""

    file: str
    dossier_title: str = ""
    subject: str = ""
    tk_document_url: str = ""


# --------------------------------------------------------------------------------------------
# Decoding and normalisation
# --------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\u00ad]")
_LIGATURES = str.maketrans({"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl"})


#: byte-order marks of UTF-32 and UTF-16 (UTF-32 first: its little-endian mark starts with
#: UTF-16's)
_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes) -> str:
    """Decode file content: UTF-16 or UTF-32 with a byte-order mark, UTF-8 (with or without
    BOM), else cp1252.

    Raises :class:`ParseError` for empty, binary or undecodable content.
    """
    if not data.strip():
        raise ParseError("empty file")
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise ParseError(f"undecodable text: not valid {encoding.upper()}") from None
    if b"\x00" in data:
        raise ParseError("binary content (NUL bytes)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ParseError("undecodable text: neither UTF-8 nor cp1252")
    sample = text[:20_000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\r\t\f")
    if controls > 0.05 * len(sample):
        raise ParseError("binary content (control characters)")
    return text


def normalise_text(text: str) -> str:
    """Unify line endings and whitespace, drop control characters, compose accents (NFC).

    Form feeds (page breaks) become line breaks; page numbers are taken from the footers.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\t", " ").replace("\u00a0", " ").replace("\u202f", " ")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text).translate(_LIGATURES)


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# Line-break hyphenation
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_VOWEL_PAIRS = frozenset(
    {"aa", "ae", "ai", "au", "ee", "ei", "eu", "ie", "ii", "oe", "oi", "oo", "ou", "ui", "uu"}
)  # pairs Dutch spelling separates with a hyphen in compounds (klinkerbotsing)
_SUSPENDED_FOLLOWERS = frozenset({"en", "of", "en/of"})


def document_vocabulary(text: str) -> frozenset[str]:
    """Lower-cased words of a text, hyphenated compounds kept whole (evidence for joining)."""
    return frozenset(m.group(0).lower() for m in _WORD.finditer(text))


def _is_acronym(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return len(letters) >= 2 and sum(ch.isupper() for ch in letters) >= 2


def hyphen_glue(before: str, after: str, vocab: frozenset[str], sentence_start: bool) -> str:
    """How to join ``before-`` at a line end with ``after`` at the start of the next line.

    Returns ``""`` (hyphenation: join the halves), ``"-"`` (a real hyphen: keep it) or ``"- "``
    (a suspended compound such as ``gevechts- en cybercapaciteiten``).
    ``before`` is the last hyphen-separated part of the word, ``after`` the next line's first word.
    """
    core = after.strip(".,;:!?)»”’'\"")
    if not core:
        return "-"
    if core.lower() in _SUSPENDED_FOLLOWERS:
        return "- "
    hyphenated = f"{before}-{core}".lower()
    joined = f"{before}{core}".lower()
    if joined in vocab and hyphenated not in vocab:
        return ""
    if hyphenated in vocab and joined not in vocab:
        return "-"
    if core[0].isupper() or core[0].isdigit() or before[-1].isdigit():
        return "-"
    if _is_acronym(before) or (before[0].isupper() and not sentence_start):
        return "-"
    if (before[-1] + core[0]).lower() in _VOWEL_PAIRS:
        return "-"
    return ""


def _break_glue(previous: str, line: str, before_text: str, vocab: frozenset[str]) -> str | None:
    """The glue replacing the hyphen that ends ``previous`` (None: not a word hyphen)."""
    token = previous.rsplit(" ", 1)[-1][:-1]
    before = token.rsplit("-", 1)[-1].lstrip("(«“‘\"'[")
    if not before or not before[-1].isalnum():
        return None
    rest = previous[: len(previous) - len(token) - 1].rstrip() or before_text.rstrip()
    sentence_start = not rest or rest[-1] in ".!?:"
    return hyphen_glue(before, line.split(" ", 1)[0], vocab, sentence_start)


def join_lines(lines: Sequence[str], vocab: frozenset[str]) -> str:
    """Join the lines of one paragraph with single spaces, undoing line-break hyphenation."""
    out: list[str] = []  # lines and the glue between them, alternating
    broken = False  # the previous line ended in a hyphen (no space after it: ``gevechts- ``)
    for raw in lines:
        line = collapse_spaces(raw)
        if not line:
            continue
        glue = " "
        if out and broken:
            before_text = out[-3] if len(out) >= 3 else ""
            hyphen = _break_glue(out[-1], line, before_text, vocab)
            if hyphen is not None:
                out[-1], glue = out[-1][:-1], hyphen
        if out:
            out.append(glue)
        out.append(line)
        broken = raw.endswith("-")
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Footers and pages
# --------------------------------------------------------------------------------------------

_FOOTER = re.compile(
    r"Tweede Kamer, vergaderjaar (?P<y1>\d{4})\s*[–-]\s*(?P<y2>\d{4}), "
    r"(?P<dossier>\d[\dA-Za-z \-]*?), nr\. (?P<nr>\d+)(?:\s+(?P<page>\d{1,4}))?"
)
_FOOTER_BLOCK_LINE = re.compile(
    r"kst-\d[\w-]*|ISSN \d{4}\s*-\s*\d{3}[\dX]|[’']s-Gravenhage \d{4}", re.IGNORECASE
)
_KST_LINE = re.compile(r"kst-\d[\w-]*")
_PAGE_NUMBER = re.compile(r"\d{1,4}")

#: A line of its own that starts physical page N of the source (the PDF parser writes one
#: before each page): ``PAGE_MARK + "N"``. Pages then come from these marks, not the footers.
PAGE_MARK = "\ue000"
_PAGE_MARK = re.compile(PAGE_MARK + r"(\d{1,5})")


@dataclass
class FooterInfo:
    """What the footers of a document told us."""

    dossier: str = ""
    ondernummer: str = ""
    vergaderjaar: str = ""
    kst_id: str = ""
    count: int = 0  # number of page footers (``Tweede Kamer, vergaderjaar …`` lines)
    pages: list[int | None] = field(default_factory=list)  # the page number of each footer
    marked: bool = False  # the text carried page marks (pages are physical pages)


@dataclass
class Segment:
    """The lines of the document between two page footers, and the page they start on."""

    lines: list[str]
    page: int | None


def _next_nonblank(lines: Sequence[str], start: int) -> int:
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def split_at_footers(lines: Sequence[str]) -> tuple[list[Segment], FooterInfo]:
    """Remove page footers; return the text between them as segments with their page."""
    info = FooterInfo()
    chunks: list[list[str]] = [[]]
    marked: list[int | None] = [None]  # the physical page of each chunk (from page marks)
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        footer = _FOOTER.fullmatch(line)
        mark = _PAGE_MARK.fullmatch(line)
        if mark:
            info.marked = True
            chunks.append([])
            marked.append(int(mark.group(1)))
        elif footer:
            page_text = footer.group("page")
            j = _next_nonblank(lines, i + 1)
            if page_text is None and j < len(lines) and _PAGE_NUMBER.fullmatch(lines[j].strip()):
                page_text, i = lines[j].strip(), j
            info.pages.append(int(page_text) if page_text else None)
            info.count += 1
            if not info.ondernummer:
                info.dossier = normalise_dossier(footer.group("dossier"))
                info.ondernummer = footer.group("nr")
                info.vergaderjaar = f"{footer.group('y1')}-{footer.group('y2')}"
            chunks.append([])
            marked.append(marked[-1])
        elif _FOOTER_BLOCK_LINE.fullmatch(line):
            if _KST_LINE.fullmatch(line) and not info.kst_id:
                info.kst_id = line
        else:
            chunks[-1].append(lines[i])
        i += 1
    pages = marked if info.marked else assign_pages(info.pages, len(chunks))
    return [Segment(chunk, page) for chunk, page in zip(chunks, pages, strict=True)], info


def assign_pages(footer_pages: Sequence[int | None], n_segments: int) -> list[int | None]:
    """Page of each segment: a footer numbered N ends page N, so what follows it is page N+1;
    text before the first numbered footer gets that footer's number."""
    pages: list[int | None] = []
    for k in range(n_segments):
        previous = footer_pages[k - 1] if k > 0 else None
        if previous is not None:
            pages.append(previous + 1)
        else:
            following = next((p for p in footer_pages[k:] if p is not None), None)
            pages.append(following)
    return pages


# --------------------------------------------------------------------------------------------
# Identifiers, dates, names
# --------------------------------------------------------------------------------------------

_ID = re.compile(r"(\d{5})(?:-([A-Z]{1,5}|\d{2}))?-(\d{1,5})")
_TUSSENVOEGSELS = frozenset(
    {"van", "de", "der", "den", "het", "ten", "ter", "te", "in", "'t", "op", "la", "le", "du", "da"}
)


def name_case(upper: str) -> str:
    """Best-effort casing of an upper-case name: ``VAN DER PLAS`` -> ``Van der Plas``,
    ``LEON DE JONG`` -> ``Leon de Jong``."""
    words = collapse_spaces(upper).split(" ")
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if i > 0 and lower in _TUSSENVOEGSELS:
            out.append(lower)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in lower.split("-")))
    return " ".join(out)


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------

_MOTION_LINE = re.compile(r"MOTIE VAN (?:HET LID|DE LEDEN)\b")


def parse_text(text: str, name: str, info: MotionInfo | None = None) -> ParsedDocument:
    """Parse decoded text; ``name`` is the file name (for the id), ``info`` registry metadata.

    Raises :class:`ParseError` when no text is left to index.
    """
    lines = normalise_text(text).split("\n")
    if not any(line.strip() for line in lines):
        raise ParseError("no text (only whitespace)")
    head = [line.strip() for line in lines[:80] if line.strip()][:40]
    if any(_MOTION_LINE.match(line) for line in head):
        doc = parse_motion(lines, name, info)
    else:
        doc = parse_letter(lines, name)
    doc.paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    if not doc.paragraphs:
        raise ParseError("no paragraphs of text found")
    return doc


def _stem(name: str) -> str:
    stem = name.rsplit("/", 1)[-1]
    return re.sub(r"\.(?:txt|pdf|xml|html?)$", "", stem, flags=re.IGNORECASE)


def is_page_footer(line: str) -> bool:
    """Whether a line is a Kamerstuk page footer (``Tweede Kamer, vergaderjaar …, nr. 280 3``)."""
    return bool(_FOOTER.fullmatch(collapse_spaces(line)))


# --------------------------------------------------------------------------------------------
# Kamerbrieven and other running text
# --------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?][\"'»”’)]*$")
_SIGNATURE_ROLE = re.compile(
    r"(?:De|Namens de|Voor de) [^,]{0,80}?\b(?:[Mm]inister|[Ss]taatssecretaris|[Vv]oorzitter"
    r"|[Gg]riffier|[Pp]resident)\b[^,]{0,80},"
)
_MINISTER = re.compile(r"\b(?:[Mm]inister|[Ss]taatssecretaris)")
_PLACE_DATE = re.compile(
    r"(?:Den Haag|[’']s-Gravenhage|Brussel|Amsterdam),? \d{1,2} [a-z]+ \d{4}", re.IGNORECASE
)


@dataclass
class Block:
    """A run of non-blank lines, and the page it starts on."""

    lines: list[str]
    page: int | None


def typical_width(lines: Iterable[str]) -> int:
    """The text width: the 90th percentile of non-blank line lengths."""
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if not lengths:
        return 0
    return lengths[min(len(lengths) - 1, int(len(lengths) * 0.9))]


def split_blocks(segment: Segment) -> list[Block]:
    """Blank-line separated blocks of one segment."""
    blocks: list[Block] = []
    current: list[str] = []
    for line in [*segment.lines, ""]:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(Block(current, segment.page))
            current = []
    return blocks


def split_hard_breaks(block: Block, width: int) -> list[Block]:
    """Split a block where a short line ends a sentence and the next line starts a new one:
    a paragraph break without a blank line (the short line could not have been filled)."""
    parts = [Block([block.lines[0]], block.page)]
    for previous, line in pairwise(block.lines):
        prev = previous.strip()
        nxt = line.strip()
        if len(prev) < 0.75 * width and _SENTENCE_END.search(prev) and nxt[:1].isupper():
            parts.append(Block([line], block.page))
        else:
            parts[-1].lines.append(line)
    return parts


def is_heading(block: Block) -> bool:
    """A short line standing alone, not ending in punctuation, starting with a capital."""
    if len(block.lines) != 1:
        return False
    line = collapse_spaces(block.lines[0])
    return (
        0 < len(line) <= 90
        and len(line.split()) <= 12
        and line[-1] not in ".,;:!?"
        and (line[0].isupper() or line[0].isdigit())
        and any(ch.isalpha() for ch in line)
    )


def is_signature(block: Block) -> bool:
    """``De Minister van Defensie,`` followed by one or more name lines."""
    lines = [collapse_spaces(line) for line in block.lines]
    return (
        2 <= len(lines) <= 8
        and bool(_SIGNATURE_ROLE.fullmatch(lines[0]))
        and all(len(line) <= 80 for line in lines)
    )


def continues(previous: Block, following: Block, width: int) -> bool:
    """Whether ``following`` (first block after a page footer) continues ``previous``."""
    if is_heading(previous) or is_heading(following) or is_signature(following):
        return False
    last = previous.lines[-1].strip()
    first = following.lines[0].strip()
    return (
        not _SENTENCE_END.search(last)
        or first[:1].islower()
        or len(last) >= 0.85 * width  # a full last line: the paragraph ran on
    )


def letter_blocks(segments: Sequence[Segment], width: int) -> list[Block]:
    """All blocks of the document, re-joining paragraphs that a page footer split."""
    blocks: list[Block] = []
    for segment in segments:
        for k, block in enumerate(split_blocks(segment)):
            if k == 0 and blocks and continues(blocks[-1], block, width):
                blocks[-1].lines.extend(block.lines)
            else:
                blocks.append(block)
    out: list[Block] = []
    for block in blocks:
        for part in split_hard_breaks(block, width):
            if out and _is_lone_role(out[-1]) and len(part.lines) <= 3:
                out[-1].lines.extend(part.lines)  # "De Minister van X," <blank> name
            else:
                out.append(part)
    return out


def _is_lone_role(block: Block) -> bool:
    return len(block.lines) == 1 and bool(
        _SIGNATURE_ROLE.fullmatch(collapse_spaces(block.lines[0]))
    )


def parse_letter(lines: Sequence[str], name: str) -> ParsedDocument:
    """Parse a Kamerbrief (or other running text with blank-line separated paragraphs)."""
    segments, footer = split_at_footers(lines)
    width = typical_width(line for seg in segments for line in seg.lines)
    vocab = document_vocabulary("\n".join(lines))
    paragraphs: list[Paragraph] = []
    signers: list[tuple[str, list[str]]] = []
    section = ""
    letter_date = ""
    blocks = letter_blocks(segments, width)
    for k, block in enumerate(blocks):
        if is_signature(block):
            role = collapse_spaces(block.lines[0]).rstrip(",")
            names = [collapse_spaces(line) for line in block.lines[1:]]
            signers.append((role, names))
            paragraphs.append(Paragraph(join_lines(block.lines, vocab), "", block.page))
        elif len(block.lines) == 1 and _PLACE_DATE.fullmatch(collapse_spaces(block.lines[0])):
            letter_date = parse_dutch_date(block.lines[0])  # "Den Haag, 24 november 2017"
        elif is_heading(block) and k < len(blocks) - 1:  # a last line heads nothing: keep it
            section = collapse_spaces(block.lines[0])
        else:
            paragraphs.append(Paragraph(join_lines(block.lines, vocab), section, block.page))
    meta = DocumentMeta(
        doc_id=_letter_id(name, footer),
        dossier=footer.dossier,
        ondernummer=footer.ondernummer,
        vergaderjaar=footer.vergaderjaar,
        date=letter_date,
        authors=[n for _, names in signers for n in names],
    )
    roles = [role for role, _ in signers if role.startswith("De ") and _MINISTER.search(role)]
    if roles:  # signed by a minister or state secretary: a Kamerbrief
        meta.doc_type = "brief"
        meta.title = "Brief van " + " en ".join("de " + role[3:] for role in roles)
    return ParsedDocument(meta, paragraphs)


def _letter_id(name: str, footer: FooterInfo) -> str:
    stem = _stem(name)
    if stem.startswith("kst-"):
        return stem
    if footer.kst_id:
        return footer.kst_id
    if footer.dossier and footer.ondernummer:
        return f"kst-{footer.dossier}-{footer.ondernummer}"
    return stem


# --------------------------------------------------------------------------------------------
# Motions
# --------------------------------------------------------------------------------------------

_STRONG_OPENER = re.compile(
    r"(?:en |ten slotte |voorts |tevens |tot slot )?"
    r"(?:constaterende?|overwegende?|verzoekt|gehoord de beraadslaging|van (?:mening|oordeel) dat"
    r"|kennisgenomen hebbende|memorerend|concluderende|erkennende)\b",
    re.IGNORECASE,
)  # starts a clause wherever it appears at the start of a line
_WEAK_OPENER = re.compile(
    r"(?:en )?(?:is van mening|spreekt|roept|draagt|gelet op|besluit|wijst|keurt|veroordeelt"
    r"|betreurt|dringt|nodigt|vraagt|verklaart)\b",
    re.IGNORECASE,
)  # starts a clause only after a line that ends in punctuation
_BULLET = re.compile(r"(?:[•\-–—·*]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")
_FORMULA_START = re.compile(r"^(?:de kamer,?\s*)?gehoord de beraadslaging\W*", re.IGNORECASE)
_TERMINATOR = re.compile(r"\b(?:en\s+)?gaat over tot de orde van de dag\W*$", re.IGNORECASE)
_FRONT_SHEET = re.compile(r"Plenair debat\b.*|Voorgesteld\b.*\d{4}")
_VOORGESTELD = re.compile(r"Voorgesteld\b.*", re.IGNORECASE)
_NAME_LINE = re.compile(r"[A-ZÀ-Þ][\w’'.\-]*(?: [\w’'.\-]+){0,5}")
_SUBJECT_NAMES = re.compile(r"Motie van (?:het lid|de leden) (.+?)(?: c\.s\.)?(?: over .*)?$")
_HEADER_SKIP = re.compile(r"Tweede Kamer der Staten-Generaal|\d|Plenair debat\b.*", re.IGNORECASE)
_VERGADERJAAR = re.compile(r"Vergaderjaar (\d{4})\s*[–-]\s*(\d{4})", re.IGNORECASE)
_SPACED_DOSSIER = re.compile(r"\d{2} \d{3}(?:\s*-\s*\d{2}|\s+[A-Z]{1,5})?")
_NR = re.compile(r"Nr\. (\d+)")


@dataclass
class MotionHeader:
    """Metadata read from the lines above ``MOTIE VAN …``."""

    dossier: str = ""
    ondernummer: str = ""
    vergaderjaar: str = ""
    date: str = ""
    title_lines: list[str] = field(default_factory=list)


@dataclass
class Indieners:
    """The ``MOTIE VAN HET LID X C.S.`` line."""

    plural: bool
    names: list[str]  # as printed (upper case)
    cum_suis: bool


def parse_motion_header(lines: Sequence[str]) -> MotionHeader:
    """Classify the header lines: vergaderjaar, dossier, ``Nr.``, id, date, dossier title."""
    header = MotionHeader()
    for raw in lines:
        line = collapse_spaces(raw)
        if not line:
            continue
        if m := _VERGADERJAAR.fullmatch(line):
            header.vergaderjaar = f"{m.group(1)}-{m.group(2)}"
        elif _SPACED_DOSSIER.fullmatch(line) and not header.dossier:
            header.dossier = normalise_dossier(line)
        elif m := _NR.fullmatch(line):
            header.ondernummer = m.group(1)
        elif (m := _ID.fullmatch(line)) and not header.dossier:
            toevoeging = f"-{m.group(2)}" if m.group(2) else ""
            header.dossier, header.ondernummer = m.group(1) + toevoeging, m.group(3)
        elif DUTCH_DATE.fullmatch(line):
            header.date = header.date or parse_dutch_date(line)
        elif not _HEADER_SKIP.fullmatch(line):
            header.title_lines.append(line)
    return header


def parse_indieners(lines: Sequence[str]) -> tuple[Indieners, int]:
    """Read ``MOTIE VAN …`` (OCR may continue it on the next line: ``EN BOSWIJK``, ``C.S.``).

    Returns the indieners and how many lines (from the first) it took.
    """
    text = collapse_spaces(lines[0])
    used = 1
    j = _next_nonblank(lines, 1)
    if j < len(lines) and re.match(r"(?:EN |C\.S\.|, )", lines[j].strip()):
        text += " " + collapse_spaces(lines[j])
        used = j + 1
    m = re.match(r"MOTIE VAN (HET LID|DE LEDEN) (.*)", text)
    rest = m.group(2) if m else ""
    cum_suis = bool(re.search(r"\bC\.\s?S\.?$", rest, re.IGNORECASE))
    rest = re.sub(r"\s*\bC\.\s?S\.?$", "", rest, flags=re.IGNORECASE)
    names = [n.strip() for n in re.split(r",\s*| EN ", rest) if n.strip()]
    return Indieners(bool(m and m.group(1) == "DE LEDEN"), names, cum_suis), used


def motion_title(indieners: Indieners, names: Sequence[str]) -> str:
    """``Motie van het lid Omtzigt``, ``Motie van de leden Koerhuis en Stoffer``."""
    if not names:
        return "Motie"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
    kind = "de leden" if indieners.plural else "het lid"
    return f"Motie van {kind} {listed}" + (" c.s." if indieners.cum_suis else "")


def subject_names(subject: str) -> list[str]:
    """Indieners named in an official subject ``Motie van de leden X en Y over …``."""
    m = _SUBJECT_NAMES.match(subject)
    if not m:
        return []
    return [n.strip() for n in re.split(r",\s*| en ", m.group(1)) if n.strip()]


def name_key(name: str) -> str:
    """A name compared without case, accents or extra spaces (``LEON`` matches ``Léon``)."""
    decomposed = unicodedata.normalize("NFKD", collapse_spaces(name).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _cased_names(printed: Sequence[str], known: Sequence[str]) -> list[str]:
    """Upper-case names from the MOTIE line, written like the ``known`` name they match (the
    first one: signatures before the registry's subject)."""
    by_key: dict[str, str] = {}
    for name in known:
        by_key.setdefault(name_key(name), name)
    cased = []
    for name in printed:  # tolerate typos such as BOULKAJAR for Boulakjar
        close = get_close_matches(name_key(name), list(by_key), n=1, cutoff=0.8)
        cased.append(by_key[close[0]] if close else name_case(name))
    return cased


def starts_clause(line: str, previous: str, in_list: bool) -> bool:
    """Whether a body line opens a new clause of a motion."""
    if _STRONG_OPENER.match(line):
        return True
    if _WEAK_OPENER.match(line) and previous[-1:] in (";", ",", ":", "."):
        return True
    return previous.endswith(";") and not in_list and not _BULLET.match(line)


def clause_paragraphs(
    lines: Sequence[tuple[str, int | None]], vocab: frozenset[str]
) -> list[Paragraph]:
    """Group body lines into clauses: a new clause at an opener (``constaterende dat``) or after
    a line ending in ``;`` (unless inside a list introduced by ``:`` or bullets)."""
    groups: list[tuple[list[str], int | None]] = []
    in_list = False
    for line, page in lines:
        text = collapse_spaces(line)
        previous = collapse_spaces(groups[-1][0][-1]) if groups else ""
        if not groups or starts_clause(text, previous, in_list):
            groups.append(([line], page))
            in_list = False
        else:
            groups[-1][0].append(line)
        in_list = in_list or text.endswith(":") or bool(_BULLET.match(text))
    paragraphs = []
    for group, page in groups:
        text = _FORMULA_START.sub("", join_lines(group, vocab)).strip()
        if text and not re.fullmatch(r"de kamer\W*", text, re.IGNORECASE):
            paragraphs.append(Paragraph(text, "", page))
    return paragraphs


def split_body(
    rest: Sequence[tuple[str, int | None]],
) -> tuple[list[tuple[str, int | None]], list[tuple[str, int | None]]]:
    """The clause lines (from the first opener up to ``en gaat over tot de orde van de dag``)
    and the lines after that formula (the signatures)."""
    rest = [(ln, p) for ln, p in rest if not _FRONT_SHEET.match(ln.strip())]
    start = next((i for i, (ln, _) in enumerate(rest) if _STRONG_OPENER.match(ln.strip())), 0)
    body = rest[start:]
    after: list[tuple[str, int | None]] = []
    for i, (line, page) in enumerate(body):
        m = _TERMINATOR.search(line)
        if m:
            after = body[i + 1 :]
            body = [*body[:i], (line[: m.start()], page)]
            break
    return [(ln, p) for ln, p in body if any(ch.isalpha() for ch in ln)], after


def _page_lines(segments: Sequence[Segment]) -> list[tuple[str, int | None]]:
    return [(line, seg.page) for seg in segments for line in seg.lines]


def parse_motion(lines: Sequence[str], name: str, info: MotionInfo | None) -> ParsedDocument:
    """Parse a typeset or OCR'd motion."""
    segments, footer = split_at_footers(lines)
    if footer.count == 1 and footer.pages == [None] and not footer.marked:
        for segment in segments:  # one page footer without number: a one-page motion
            segment.page = 1
    numbered = _page_lines(segments)
    start = next(i for i, (line, _) in enumerate(numbered) if _MOTION_LINE.match(line.strip()))
    header = parse_motion_header([line for line, _ in numbered[:start]])
    indieners, used = parse_indieners([line for line, _ in numbered[start:]])
    rest = numbered[start + used :]

    voorgesteld = next((ln for ln, _ in rest[:15] if _VOORGESTELD.match(ln.strip())), "")
    body, after = split_body(rest)

    vocab = document_vocabulary("\n".join(lines))
    paragraphs = clause_paragraphs(body, vocab)
    typeset = footer.count > 0
    signers = [(collapse_spaces(ln), p) for ln, p in after if ln.strip()] if typeset else []
    if signers and all(_NAME_LINE.fullmatch(n) for n, _ in signers):
        paragraphs.append(Paragraph(", ".join(n for n, _ in signers), "", signers[0][1]))
    else:
        signers = []

    subject = info.subject if info else ""
    authors = motion_authors(indieners, [n for n, _ in signers], subject)
    iso_date = parse_dutch_date(voorgesteld) or header.date or _loose_date(rest)
    meta = DocumentMeta(
        doc_id=_motion_id(name, footer, header),
        title=subject or motion_title(indieners, authors[: len(indieners.names)]),
        doc_type="motie",
        dossier=header.dossier or footer.dossier,
        ondernummer=header.ondernummer or footer.ondernummer,
        vergaderjaar=header.vergaderjaar or footer.vergaderjaar or vergaderjaar_for_date(iso_date),
        date=iso_date,
        authors=authors,
        dossier_title=(info.dossier_title if info else "") or join_lines(header.title_lines, vocab),
        subject=subject,
    )
    return ParsedDocument(meta, paragraphs)


def motion_authors(indieners: Indieners, signers: Sequence[str], subject: str) -> list[str]:
    """The names on the MOTIE line (written as signed, or as in the subject), then the other
    signers."""
    printed = _cased_names(indieners.names, [*signers, *subject_names(subject)])
    printed_keys = {name_key(n) for n in printed}
    return printed + [n for n in signers if name_key(n) not in printed_keys]


def _loose_date(lines: Sequence[tuple[str, int | None]]) -> str:
    """The first line that is just a date (OCR front sheets print one at the top or bottom)."""
    return next((parse_dutch_date(ln) for ln, _ in lines if DUTCH_DATE.fullmatch(ln.strip())), "")


def _motion_id(name: str, footer: FooterInfo, header: MotionHeader) -> str:
    if footer.kst_id:
        return footer.kst_id
    if header.dossier and header.ondernummer:
        return f"kst-{header.dossier}-{header.ondernummer}"
    return _stem(name)
