"""PDFs with a text layer (pypdf), cleaned like the text extracted from Kamerstuk PDFs.

Each page's text is extracted in pypdf's layout mode (which keeps the blank lines between
paragraphs), running headers and footers that repeat on most pages and bare page numbers are
dropped, and the pages are handed to the text parser with a page mark before each one
(:data:`~qa_service.parsing.cleaning.PAGE_MARK`). So a PDF gets the same Kamerstuk footer reading,
hyphenation repair, heading detection and paragraph re-joining across page breaks as a ``.txt``,
and every paragraph carries the PDF page it starts on: a citation shows the right page.

A PDF without text (a scan that was never OCR'd) is reported as such; no OCR is attempted.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence

from qa_service.documents import ParsedDocument
from qa_service.parsing.cleaning import PAGE_MARK, collapse_spaces, is_page_footer
from qa_service.parsing.errors import ParseError
from qa_service.parsing.motions import MotionInfo
from qa_service.parsing.text import parse_text

log = logging.getLogger(__name__)

_MIN_PAGE_CHARS = 20  # a page with fewer letters and digits counts as having no text
_EDGE_LINES = 2  # lines at the top and bottom of a page that may be running headers/footers
_PAGE_NUMBER_LINE = re.compile(
    r"(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?|(?:pagina|page|blz\.?|p\.)\s*\d{1,4}"
    r"(?:\s*(?:van|of|/)\s*\d{1,4})?|\d{1,4}\s*/\s*\d{1,4}",
    re.IGNORECASE,
)


def _page_texts(data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ParseError("encrypted PDF: a password is needed to read it")
        pages = list(reader.pages)
    except (FileNotDecryptedError, DependencyError) as exc:
        raise ParseError(f"encrypted PDF that cannot be read: {exc}") from None
    except ParseError:
        raise
    except (PdfReadError, ValueError, TypeError, KeyError, AttributeError, OSError) as exc:
        raise ParseError(f"not a readable PDF: {exc}") from None
    if not pages:
        raise ParseError("PDF without pages")
    texts = []
    for number, page in enumerate(pages, start=1):
        try:
            texts.append(page.extract_text(extraction_mode="layout"))
        except Exception as exc:  # pypdf's layout mode trips on some fonts: try plain mode
            log.debug("layout extraction failed on page %d (%s); using plain mode", number, exc)
            try:
                texts.append(page.extract_text())
            except Exception as exc2:
                raise ParseError(f"cannot extract text from page {number}: {exc2}") from None
    if not any(_letters(t) >= _MIN_PAGE_CHARS for t in texts):
        raise ParseError(_no_text_reason(pages))
    return texts


def _letters(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


def _no_text_reason(pages: Sequence[object]) -> str:
    with_images = 0
    for page in pages:
        try:
            with_images += bool(page.images)  # type: ignore[attr-defined]
        except Exception:  # a broken image stream still says "this page has an image"
            with_images += 1
    n = len(pages)
    if with_images:
        return (
            f"scanned PDF without a text layer ({with_images} of {n} pages are images, no text);"
            " run OCR on it first (e.g. ocrmypdf) and index the result"
        )
    return f"PDF without text ({n} pages, no text layer)"


def _edge_key(line: str) -> str:
    """A header/footer line with its numbers blanked (``Pagina 2 van 5`` = ``Pagina 3 van 5``)."""
    return re.sub(r"\d+", "#", collapse_spaces(line)).lower()


def _edges(lines: Sequence[str]) -> list[int]:
    """Indices of the first and last few non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _running_keys(split: Sequence[Sequence[str]]) -> set[str]:
    """Edge lines that repeat on at least 60% of the pages (and two or more): the same text,
    or the same text with a number that follows the page number (``Kamerbrief NAVO | 3``)."""
    threshold = max(2, math.ceil(0.6 * len(split)))
    exact: Counter[str] = Counter()
    offsets: dict[str, list[set[int]]] = {}
    for page, lines in enumerate(split, start=1):
        seen_exact, seen_keys = set(), set()
        for i in _edges(lines):
            text = collapse_spaces(lines[i]).lower()
            if text not in seen_exact:
                exact[text] += 1
                seen_exact.add(text)
            key = _edge_key(lines[i])
            if "#" in key and key not in seen_keys:
                seen_keys.add(key)
                numbers = {int(n) - page for n in re.findall(r"\d+", text) if len(n) <= 4}
                offsets.setdefault(key, []).append(numbers)
    running = {text for text, n in exact.items() if n >= threshold}
    for key, found in offsets.items():
        if len(found) >= threshold and set.intersection(*found):
            running.add(key)
    return running


def strip_running_lines(pages: Sequence[str]) -> list[list[str]]:
    """Lines of each page without running headers/footers and bare page numbers.

    A line at the top or bottom of a page is running when it appears there on at least 60%
    of the pages (and on two or more), identical or with a number that follows the page
    number. Kamerstuk footers are left for the text parser, which reads the dossier and
    number from them.
    """
    split = [page.split("\n") for page in pages]
    running = _running_keys(split)
    out = []
    for lines in split:
        drop = set()
        for i in _edges(lines):
            line = lines[i].strip()
            if is_page_footer(line):
                continue
            text = collapse_spaces(line).lower()
            if _PAGE_NUMBER_LINE.fullmatch(line) or text in running or _edge_key(line) in running:
                drop.add(i)
        out.append([line for i, line in enumerate(lines) if i not in drop])
    return out


def parse_pdf(data: bytes, name: str, info: MotionInfo | None = None) -> ParsedDocument:
    """Parse a PDF with a text layer; paragraphs carry the PDF page they start on."""
    pages = strip_running_lines(_page_texts(data))
    text = "\n".join(
        f"{PAGE_MARK}{number}\n" + "\n".join(lines) for number, lines in enumerate(pages, start=1)
    )
    return parse_text(text, name, info)
