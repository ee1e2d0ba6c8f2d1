"""A motion (motie): the header (dossier, number, title), the indieners, and the clauses
(constaterende, overwegende, verzoekt ...) as paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches

from qa_service.documents import DocumentMeta, Paragraph, ParsedDocument
from qa_service.kamerstukken import (
    DUTCH_DATE,
    normalise_dossier,
    parse_dutch_date,
    vergaderjaar_for_date,
)
from qa_service.parsing.cleaning import (
    KAMERSTUK_ID,
    MOTION_LINE,
    FooterInfo,
    Segment,
    _next_nonblank,
    collapse_spaces,
    document_vocabulary,
    file_stem,
    join_lines,
    name_case,
    split_at_footers,
)


@dataclass(frozen=True)
class MotionInfo:
    """One line of ``moties.jsonl``: registry metadata of a motion file."""

    file: str
    dossier_title: str = ""
    subject: str = ""
    tk_document_url: str = ""


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

#: What a signature line may trail before the next name ("Teunissen," "Van der Plas en").
_SIGNER_JOIN = re.compile(r"(?:\s*[,;]|\s+en)+$")

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
        elif (m := KAMERSTUK_ID.fullmatch(line)) and not header.dossier:
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


def signer_name(line: str) -> str:
    """A signature line as a name, without the comma or "en" that joins it to the next."""
    return _SIGNER_JOIN.sub("", collapse_spaces(line))


def peel_signatures(
    body: Sequence[tuple[str, int | None]], names: Sequence[str]
) -> tuple[list[tuple[str, int | None]], list[tuple[str, int | None]]]:
    """The body without the trailing lines that sign it, and those lines: a motion printed
    without ``en gaat over tot de orde van de dag`` ends its dictum on the indieners' names
    ("... kan worden uitgekeerd," "Leon de Jong" "Kops"). Only a run of name lines of which
    one is a name the motion is known by (its MOTIE line, its subject) counts."""
    known = [name_key(n) for n in names if n.strip()]
    cut = len(body)
    while cut > 0:
        line = signer_name(body[cut - 1][0])
        if not line or not _NAME_LINE.fullmatch(line) or len(line.split()) > 4:
            break
        cut -= 1
    signed = [signer_name(ln) for ln, _ in body[cut:]]
    if not any(get_close_matches(name_key(n), known, n=1, cutoff=0.8) for n in signed):
        return list(body), []
    return list(body[:cut]), list(body[cut:])


def _page_lines(segments: Sequence[Segment]) -> list[tuple[str, int | None]]:
    return [(line, seg.page) for seg in segments for line in seg.lines]


def parse_motion(lines: Sequence[str], name: str, info: MotionInfo | None) -> ParsedDocument:
    """Parse a typeset or OCR'd motion."""
    segments, footer = split_at_footers(lines)
    if footer.count == 1 and footer.pages == [None] and not footer.marked:
        for segment in segments:  # one page footer without number: a one-page motion
            segment.page = 1
    numbered = _page_lines(segments)
    start = next(i for i, (line, _) in enumerate(numbered) if MOTION_LINE.match(line.strip()))
    header = parse_motion_header([line for line, _ in numbered[:start]])
    indieners, used = parse_indieners([line for line, _ in numbered[start:]])
    rest = numbered[start + used :]

    voorgesteld = next((ln for ln, _ in rest[:15] if _VOORGESTELD.match(ln.strip())), "")
    body, after = split_body(rest)
    subject = info.subject if info else ""
    if not after:  # no closing formula: the signatures end the dictum's paragraph
        body, after = peel_signatures(body, [*indieners.names, *subject_names(subject)])

    vocab = document_vocabulary("\n".join(lines))
    paragraphs = clause_paragraphs(body, vocab)
    typeset = footer.count > 0
    signers = [(signer_name(ln), p) for ln, p in after if ln.strip()] if typeset else []
    if signers and all(_NAME_LINE.fullmatch(n) for n, _ in signers):
        paragraphs.append(Paragraph(", ".join(n for n, _ in signers), "", signers[0][1]))
    else:
        signers = []

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
    return file_stem(name)
