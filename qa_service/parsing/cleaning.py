"""Cleaning extracted text: decoding, normalising, line-break hyphenation, page footers
(with the page numbers they carry), and name casing.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa_service.kamerstukken import (
    normalise_dossier,
)
from qa_service.parsing.errors import ParseError

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


KAMERSTUK_ID = re.compile(r"(\d{5})(?:-([A-Z]{1,5}|\d{2}))?-(\d{1,5})")

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


MOTION_LINE = re.compile(r"MOTIE VAN (?:HET LID|DE LEDEN)\b")


def file_stem(name: str) -> str:
    stem = name.rsplit("/", 1)[-1]
    return re.sub(r"\.(?:txt|pdf|xml|html?)$", "", stem, flags=re.IGNORECASE)


def is_page_footer(line: str) -> bool:
    """Whether a line is a Kamerstuk page footer (``Tweede Kamer, vergaderjaar …, nr. 280 3``)."""
    return bool(_FOOTER.fullmatch(collapse_spaces(line)))
