"""Does the chosen answer carry what the question asks for?

A similarity threshold tells "far" from "near", not "near" from "answers": a motion on a
neighbouring topic (fireworks in general, not the ban asked about; the 2034 World Cup, not
2010; a NATO meeting, not a mission in Venezuela) is near. What gives it away is a specific
thing the question names that the answer does not hold: a name or other capitalised word, or
a number.

:func:`missing_specifics` lists the question's specifics that the answer's own document (the
cited one closest to the question in meaning; its text, title, authors, date and dossier)
does not hold (another cited document's ``2030`` or ``Afghanistan`` does not count):

- a capitalised word (after the first) none of whose parts (``Navo-organisatie``) is there,
  whole, by its 5-letter prefix or inside a compound; not when the corpus holds it so often
  that it names nothing specific (``Nederland``), when it is parliamentary vocabulary
  (``Kamerleden``), or when the question is English and the corpus does not hold the word
  at all (it may be an English rendering: ``Jerusalem``). An English question's names of
  Dutch things (``Netherlands``, ``North``, ``October``) are looked up by their Dutch names
  (:data:`EN_NL_NAMES`) and judged by them (``Ukraine``, absent from a letter while the
  corpus holds Oekraïne elsewhere, is missing, not "perhaps just English"), and a
  multi-word English name with a word the corpus lacks (``Road Traffic Act``) is a
  rendering, not held against the answer word by word; an author of the corpus's
  documents (``Kröger``) is specific however often the corpus names her;
- a number that is not there;
- in a Dutch question, a long word (mostly a compound noun: ``onderzeeboten``) that the
  corpus does not hold at all and whose first 7 letters the answer lacks (a separable verb
  counts as joined: the motion's "terug te koppelen" holds the question's
  ``terugkoppelen``).

:mod:`qa_service.answer.answer_types` checks the kind of answer a question asks for.

Calibrated on ``eval_data/dev``, ``calibration`` and ``calibration-extra`` (see
docs/evaluation.md): together with the similarity thresholds, no answerable question of
those sets is declined for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from difflib import SequenceMatcher

from qa_service.documents import DocumentMeta
from qa_service.text.lexical import analyze, fold, joined_verbs
from qa_service.text.names import (
    EN_NL_NAMES,
    NUMBER,
    POSSESSIVE,
    WORDISH,
    names,
    specifics,
)
from qa_service.text.overlap import PREFIX, word_prefixes

#: A Dutch word this long is mostly a compound noun: a topic.
LONG_WORD = 12

#: Word starts of parliamentary vocabulary (Kamerleden, Ministerraad, Motie-Brekelmans).
_GENERIC_STARTS = ("kamer", "minister", "motie", "motion", "regering", "kabinet", "fractie")


def name_terms(question: str) -> list[str]:
    """The analysed terms of the question's names (:func:`names`), as written. Not
    translated: ``NATO's`` as ``Navo`` would favour every sentence about NATO in a letter
    about NATO."""
    return list(dict.fromkeys(t for name in names(question) for t in analyze(name)))


def english_renderings(question: str, rarity: Callable[[str], float | None]) -> set[str]:
    """The words of an English question's multi-word names of which a word is unknown to
    the corpus: an English rendering of a Dutch name (``Road Traffic Act`` for
    Wegenverkeerswet, ``Committee for Petitions``), held or translated as a whole, so none
    of its words (``Act``) is held against the answer on its own."""
    out: set[str] = set()
    run: list[str] = []
    for i, word in enumerate([*WORDISH.findall(question), "."]):
        if i > 0 and word[0].isupper() and not NUMBER.fullmatch(word):
            run.append(word)
            continue
        if len(run) > 1 and any(rarity(POSSESSIVE.sub("", w)) is None for w in run):
            out.update(run)
        run = []
    return out


def long_unknown_words(question: str, rarity: Callable[[str], float | None]) -> list[str]:
    """Long words (compound nouns: ``onderzeeboten``, ``parkeervergunning``) of a Dutch
    question that the corpus does not hold at all."""
    return [
        w
        for w in dict.fromkeys(WORDISH.findall(question))
        if len(w) >= LONG_WORD and not w[0].isdigit() and rarity(w) is None
    ]


def evidence_text(passages: Iterable[str], documents: Iterable[DocumentMeta]) -> str:
    """What an answer holds: its passages and its documents' metadata, folded, and its
    separable verbs joined ("terug te koppelen" as ``terugkoppelen``)."""
    parts = list(passages)
    for d in documents:
        parts += [d.title, " ".join(d.authors), d.date, d.dossier, d.vergaderjaar, d.subject]
    text = fold(" ".join(parts))
    return " ".join([text, *joined_verbs(text)])


def missing_specifics(
    question: str,
    language: str,
    evidence: str,
    rarity: Callable[[str], float | None],
    min_rarity: float = 4.0,
    people: Collection[str] = (),
) -> list[str]:
    """The specifics of ``question`` that ``evidence`` (see :func:`evidence_text`) lacks.

    ``rarity(word)``: the word's inverse document frequency in the corpus, None when the
    corpus does not hold it at all; a word commoner than ``min_rarity`` (``Nederland``)
    names nothing specific. ``people``: the question's names of authors of the corpus's
    documents, specific however often the corpus names them ("What did Kröger ask about
    Afghanistan?" is not answered by a letter on Afghanistan that Kröger did not write)."""
    words = set(WORDISH.findall(evidence))
    words |= {part for w in words if "-" in w for part in w.split("-") if part}  # SNF-keurmerk
    words |= {POSSESSIVE.sub("", w) for w in words}  # "RMT’s" holds RMT
    prefixes = word_prefixes(words, skip=frozenset())
    persons = {POSSESSIVE.sub("", p) for p in people}
    digits = _digits(evidence)
    rendered = english_renderings(question, rarity) if language == "en" else set()
    out = []
    for item in specifics(question):
        if item in rendered:
            continue
        if NUMBER.fullmatch(item):
            if not _number_held(item, digits):
                out.append(item)
            continue
        name = POSSESSIVE.sub("", item)  # NATO's -> NATO
        parts = [p for p in re.split(r"[-'’]", fold(name)) if p]
        if all(p.startswith(_GENERIC_STARTS) for p in parts):
            continue  # Kamerleden, Ministerraad: parliamentary vocabulary, not a topic
        if any(_holds(p, language, words, prefixes, evidence) for p in parts):
            continue  # a compound is held when a part is (Navo-organisatie, Vpb-tarief)
        dutch = [EN_NL_NAMES[p] for p in parts if language == "en" and p in EN_NL_NAMES]
        idf = rarity(" ".join(dutch)) if dutch else rarity(name)  # Ukraine: as Oekraïne
        if idf is None and language == "en" and _spelled_alike(fold(name), words):
            continue  # an English spelling of a word held (Warsaw for Warschau)
        if idf is not None and idf < min_rarity and name not in persons:
            continue  # too common to name something specific
        out.append(item)
    if language == "nl":
        for word in long_unknown_words(question, rarity):
            folded = fold(word)
            held = folded[:7] in evidence or _held_as_parts(folded, evidence, rarity)
            if not held and word not in out:
                out.append(word)
    return out


#: the shortest first part and head of a compound the corpus lacks (:func:`_held_as_parts`)
COMPOUND_PART = 4


def _held_as_parts(word: str, evidence: str, rarity: Callable[[str], float | None]) -> bool:
    """Whether ``evidence`` holds a compound the corpus lacks (a word the asker coined) by
    its parts: the start of its longest head the corpus knows (six letters: "proble" of
    "probleem" in "terugnameprobleem", held by "asielproblematiek") and its own start (five
    letters: "terug"). "onderzeeboten" is not held by "onder" alone."""
    for cut in range(COMPOUND_PART, len(word) - COMPOUND_PART):
        head = word[cut:]
        if rarity(head) is not None:
            return word[:5] in evidence and head[:6] in evidence
    return False


def missing_numbers(question: str, evidence: str) -> list[str]:
    """The years, dates and figures of ``question`` that ``evidence`` (see
    :func:`evidence_text`) lacks, as :func:`missing_specifics` finds them, without its
    checks of names and words."""
    digits = _digits(evidence)
    return [i for i in specifics(question) if NUMBER.fullmatch(i) and not _number_held(i, digits)]


def _digits(evidence: str) -> str:
    """``evidence`` without separators, where a question's number is looked up."""
    return re.sub(r"[.,\s]", "", evidence)


def _number_held(item: str, digits: str) -> bool:
    return re.sub(r"[.,]", "", item) in digits


def _holds(part: str, language: str, words: set[str], prefixes: set[str], evidence: str) -> bool:
    if language == "en" and part in EN_NL_NAMES:
        dutch = EN_NL_NAMES[part]
        if dutch in evidence:
            return True
    if part in words or (len(part) >= PREFIX and part[:PREFIX] in prefixes):
        return True
    return len(part) >= 4 and part in evidence  # inside a compound (Noord-Korea, SaudiArabië)


#: how alike an English name the corpus lacks and a word of the answer must be spelled
ALIKE = 0.7


def _spelled_alike(name: str, words: set[str]) -> bool:
    """Whether a word of ``words`` (the answer's, folded) starts as the folded ``name`` does
    and is spelled much like it (:data:`ALIKE`): an English name the corpus does not hold at
    all is held by its Dutch spelling ("Warsaw": "Warschau"), not by nothing ("Kosovo",
    "Brexit": the documents never name them)."""
    return any(w[:2] == name[:2] and SequenceMatcher(None, name, w).ratio() >= ALIKE for w in words)
