"""A minister's letter (Kamerbrief): blocks of lines into paragraphs, headings into
sections, the signature into the authors, and the place-and-date line into the date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from qa_service.documents import DocumentMeta, Paragraph, ParsedDocument
from qa_service.kamerstukken import (
    parse_dutch_date,
)
from qa_service.parsing.cleaning import (
    FooterInfo,
    Segment,
    collapse_spaces,
    document_vocabulary,
    file_stem,
    join_lines,
    split_at_footers,
)

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
    stem = file_stem(name)
    if stem.startswith("kst-"):
        return stem
    if footer.kst_id:
        return footer.kst_id
    if footer.dossier and footer.ondernummer:
        return f"kst-{footer.dossier}-{footer.ondernummer}"
    return stem
