"""What a question may be: cleaning and the limits every entry point (API, CLI, bulk) applies."""

from __future__ import annotations

import re
import unicodedata

MAX_QUESTION_CHARS = 2000
MAX_TOP_K = 50
MAX_HISTORY_TURNS = 10
MAX_ANSWER_CHARS = 10_000
MAX_FILTER_VALUES = 100
MAX_BATCH_QUESTIONS = 100


#: Letters and marks that render as nothing (fillers, blanks, variation selectors, the
#: combining grapheme joiner): text made of them looks empty.
_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r" ?\n[\s]*")


def clean_question(value: str) -> str:
    """Normalise (NFC) and clean a question; refuse empty or over-long text.

    Control characters become spaces (line breaks stay); invisible characters are removed:
    format characters (zero-width spaces and joiners, bidi overrides, soft hyphens, BOM),
    surrogates, private-use and unassigned code points, and :data:`_INVISIBLE`. Runs of
    whitespace shrink to one space (or one line break). Other scripts and emoji are kept.
    """
    kept = []
    for ch in value:
        category = unicodedata.category(ch)
        if ch == "\n" or category in ("Zl", "Zp"):
            kept.append("\n")
        elif category == "Cc":
            kept.append(" ")
        elif category not in ("Cf", "Cs", "Co", "Cn") and ch not in _INVISIBLE:
            kept.append(ch)
    cleaned = unicodedata.normalize("NFC", "".join(kept))
    cleaned = _NEWLINES.sub("\n", _SPACES.sub(" ", cleaned)).strip()
    if not cleaned:
        raise ValueError("must not be empty or only whitespace")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise ValueError(f"must be at most {MAX_QUESTION_CHARS} characters (got {len(cleaned)})")
    return cleaned
