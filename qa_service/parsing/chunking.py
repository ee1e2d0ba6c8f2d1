"""Turn parsed paragraphs into passages, the unit that is embedded, retrieved and cited.

One passage per paragraph. A paragraph longer than ``max_tokens`` is split into pieces that fit:
whole sentences are packed greedily; a sentence that is too long on its own is split at clause
punctuation (``;`` and ``:``), then at word boundaries, and as a very last resort (one "word"
longer than the limit) at characters.

:func:`split_sentences` is a fast sentence splitter that knows Dutch abbreviations; it is also
used by the answer extractor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qa_service.documents import ParsedDocument, Passage

TokenCounter = Callable[[str], int]

#: Lower-cased abbreviations (with their final period) after which a sentence does not end.
ABBREVIATIONS = frozenset(
    """
    a.s. aant. afd. alg. art. bijv. bijl. blz. bv. c.q. c.s. ca. d.d. d.m.v. d.w.z. dhr. dr.
    drs. ds. e.a. e.d. e.e.a. e.v. enz. etc. excl. fig. fl. hfd. hfl. i.c. i.e. i.h.a. i.o.m.
    i.p.v. i.s.m. i.t.t. i.v.m. id. incl. ing. ir. jhr. jl. jo. kst. l.l. m.a.w. m.b.t. m.b.v.
    m.i.v. m.n. m.u.v. max. mej. mevr. mgr. mln. mld. mr. mrd. mw. n.a.v. n.b. nl. nr. nrs.
    o.a. o.b.v. o.i.d. o.m. o.v.v. ong. ongev. p. pag. pct. plm. pp. prof. red. resp. sr. st.
    stb. stcrt. t.a.v. t.b.v. t.g.v. t.o.v. t.w. t.z.t. tel. trb. v.w.b. vgl. vs. vlg.
    z.g.a.n. z.s.m. zgn. zg.
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

# A candidate boundary: sentence punctuation, optional closing quotes/brackets, whitespace,
# then something that can start a sentence (capital, digit, opening quote or bracket).
_BOUNDARY = re.compile(r"([.!?…]+)[\"'»”’)\]]*\s+(?=[\"'«“‘(\[]?[A-ZÀ-Þ0-9])")
_INITIALS = re.compile(r"(?:(?:[A-ZÀ-Þ]|Th|Ch|Chr|Ph|Fr|Joh|Jac|Jr|Sj|IJ|Ij)\.)+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_CLAUSE_BREAK = re.compile(r"(?<=[;:])\s+")


def _is_abbreviation(token: str) -> bool:
    """Whether ``token`` (ending in a period) is an abbreviation or initials, not a sentence end."""
    word = token.lstrip("(«“‘\"'[")
    return word.lower() in ABBREVIATIONS or bool(_INITIALS.fullmatch(word))


def _token_before(text: str, end: int) -> str:
    """The non-space token that ends at ``end``."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end]


def split_sentences(text: str) -> list[str]:
    """Split Dutch text into sentences (stripped, never empty).

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by whitespace and a capital, digit
    or opening quote; not after abbreviations (``jl.``, ``nr.``, ``o.a.``, ``bijv.``, ``art.``)
    or initials (``A.Th.B.``). Blank lines always separate sentences. Linear time.
    """
    sentences: list[str] = []
    for block in _PARAGRAPH_BREAK.split(text):
        start = 0
        for match in _BOUNDARY.finditer(block):
            if match.group(1) == "." and _is_abbreviation(_token_before(block, match.end(1))):
                continue
            sentence = block[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
        tail = block[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def _split_clauses(text: str) -> list[str]:
    return [part for part in _CLAUSE_BREAK.split(text) if part]


def _split_words(text: str) -> list[str]:
    return text.split()


_LEVELS: tuple[Callable[[str], list[str]], ...] = (split_sentences, _split_clauses, _split_words)


def _largest_prefix(units: Sequence[str], start: int, fits: Callable[[str], bool]) -> int:
    """The largest k such that ``units[start:start + k]`` joined with spaces fits (0 if none).

    Gallops (1, 2, 4, ...) before bisecting, so the cost depends on the piece, not on how much
    text is left.
    """
    remaining = len(units) - start
    low, high = 0, 1  # low fits (or is 0); high is the next size to try
    while high <= remaining and fits(" ".join(units[start : start + high])):
        low, high = high, high * 2
    high = min(high - 1, remaining)  # sizes above high are known not to fit (or do not exist)
    while low < high:
        mid = (low + high + 1) // 2
        if fits(" ".join(units[start : start + mid])):
            low = mid
        else:
            high = mid - 1
    return low


def _split_characters(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Last resort: cut a single over-long word into pieces that fit (at least one character
    each, so that this always ends)."""
    characters = list(text)
    pieces = []
    i = 0
    while i < len(characters):
        k = max(1, _largest_prefix(characters, i, lambda piece: fits(piece.replace(" ", ""))))
        pieces.append(text[i : i + k])
        i += k
    return pieces


def split_to_fit(
    text: str, count_tokens: TokenCounter, max_tokens: int, level: int = 0
) -> list[str]:
    """Split ``text`` into pieces of at most ``max_tokens`` tokens, packing whole units of the
    coarsest level (sentences, then clauses, then words) greedily."""

    def fits(piece: str) -> bool:
        return count_tokens(piece) <= max_tokens

    if fits(text):
        return [text]
    if level >= len(_LEVELS):
        return _split_characters(text, fits)
    units = _LEVELS[level](text)
    if len(units) <= 1:
        return split_to_fit(text, count_tokens, max_tokens, level + 1)
    pieces: list[str] = []
    i = 0
    while i < len(units):
        k = _largest_prefix(units, i, fits)
        if k == 0:
            pieces.extend(split_to_fit(units[i], count_tokens, max_tokens, level + 1))
            i += 1
        else:
            pieces.append(" ".join(units[i : i + k]))
            i += k
    return pieces


def chunk_document(
    doc: ParsedDocument, count_tokens: TokenCounter, max_tokens: int
) -> list[Passage]:
    """Passages of a document in order: one per paragraph, long paragraphs split to fit
    ``max_tokens``. Ids are ``f"{doc_id}#p{position}"``; section and page are kept."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
    doc_id = doc.meta.doc_id
    passages: list[Passage] = []
    for paragraph in doc.paragraphs:
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        for piece in split_to_fit(text, count_tokens, max_tokens):
            position = len(passages)
            passages.append(
                Passage(
                    passage_id=f"{doc_id}#p{position}",
                    doc_id=doc_id,
                    text=piece,
                    section=paragraph.section,
                    page=paragraph.page,
                    position=position,
                )
            )
    return passages
