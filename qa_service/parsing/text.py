"""Plain text extracted from Kamerstuk PDFs: the entry point, which reads a letter or a motion.

The text is decoded and cleaned (:mod:`.cleaning`: hyphenation, page footers), then read as a
minister's letter (:mod:`.letters`) or as a motion (:mod:`.motions`), which the first lines tell.
"""

from __future__ import annotations

from qa_service.documents import ParsedDocument
from qa_service.parsing.cleaning import MOTION_LINE, normalise_text
from qa_service.parsing.errors import ParseError
from qa_service.parsing.letters import parse_letter
from qa_service.parsing.motions import MotionInfo, parse_motion


def parse_text(text: str, name: str, info: MotionInfo | None = None) -> ParsedDocument:
    """Parse decoded text; ``name`` is the file name (for the id), ``info`` registry metadata.

    Raises :class:`ParseError` when no text is left to index.
    """
    lines = normalise_text(text).split("\n")
    if not any(line.strip() for line in lines):
        raise ParseError("no text (only whitespace)")
    head = [line.strip() for line in lines[:80] if line.strip()][:40]
    if any(MOTION_LINE.match(line) for line in head):
        doc = parse_motion(lines, name, info)
    else:
        doc = parse_letter(lines, name)
    doc.paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    if not doc.paragraphs:
        raise ParseError("no paragraphs of text found")
    return doc
