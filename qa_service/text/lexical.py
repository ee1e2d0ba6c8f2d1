"""Text analysis for keyword (BM25) search: Dutch stemming, stop words, accent folding.

Documents are Dutch, so passages and questions are analysed the same way: lower-cased,
accents folded (``geïnformeerd`` = ``geinformeerd``), hyphenated compounds split into their
parts, Dutch and English stop words dropped and the rest reduced by the Snowball Dutch stemmer,
a long vowel before the stem's last consonant undoubled (``daken`` and ``dak``: ``dak``);
a question's keyword query also leaves out its interrogatives (:func:`analyze_query`).
A document's text (:func:`analyze_text`) also gives the whole word of a word broken by hyphens
before lower-case letters (OCR's line-break hyphens: ``moeder-maatschappij``) and the
whole verb of a Dutch separable verb split by "te" (``terug te koppelen``).
"""

from __future__ import annotations

import re
import threading
import unicodedata

import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

_TOKEN = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(STOPWORDS_DUTCH) | frozenset(STOPWORDS_EN)


def fold(text: str) -> str:
    """Lower-case and strip diacritics."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """A Dutch stemmer per thread (PyStemmer objects are not thread-safe)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("dutch")
    return stemmer


#: Interrogatives: what a question asks, never what it is about. Left out of a question's
#: keyword query: "Waarom is het te vroeg om uit de regio te vertrekken?" found the motion
#: asking "waarom" teachers leave first, and the passage that answers fifth.
INTERROGATIVES = frozenset(
    """
    wat wie welke welk wanneer waar waarom hoe hoeveel waartoe waarvoor waarover waarin
    waarmee waardoor waaruit waarop what who whom whose which when where why how
    """.split()
)


def analyze(text: str) -> list[str]:
    """Terms of ``text`` for the BM25 index and queries."""
    words = [w for w in _TOKEN.findall(fold(text)) if w not in STOPWORDS and w != "_"]
    return [_UNDOUBLE.sub(r"\1", s) for s in _stemmer().stemWords(words)]


#: a long vowel before a stem's final consonant: the Snowball Dutch stemmer keeps the
#: plural's open syllable long ("daken": ``daak``, "bedragen": ``bedraag``,
#: "geïnformeerd": ``informeer``) where the singular's is short ("dak", "bedrag",
#: "informeren": ``informer``); undoubled, both forms meet
_UNDOUBLE = re.compile(r"([aeou])\1(?=[^aeiouy]$)")


def analyze_query(question: str) -> list[str]:
    """Terms of a question for a keyword search: :func:`analyze`'s, its interrogatives
    (:data:`INTERROGATIVES`) left out."""
    return analyze(without_question_words(question))


def without_question_words(question: str) -> str:
    """``question`` with its interrogatives (:data:`INTERROGATIVES`) removed, for a search
    engine that analyses the text itself."""
    return _TOKEN.sub(lambda m: "" if fold(m.group(0)) in INTERROGATIVES else m.group(0), question)


#: a word broken by hyphens before lower-case letters: a compound (``sociaal-cultureel``) or,
#: in OCR text, a word hyphenated at a line break (``moeder-maatschappij``, ``ont-slag``)
_HYPHENATED = re.compile(r"\w+(?:-[^\W\d_A-ZÀ-Þ]\w*)+")


#: a Dutch separable verb's particle before "te" and the verb: the motions' "verzoekt de
#: regering ... terug te koppelen" (a question's ``terugkoppelen``), "af te schaffen"
_SEPARATED = re.compile(
    r"\b(aan|af|bij|door|in|los|mee|na|neer|op|over|samen|tegen|terug|toe|uit|vast|voor|"
    r"vrij|weg)\s+te\s+([a-z]{3,})"
)


def joined_verbs(text: str) -> list[str]:
    """The separable verbs of ``text`` split by "te", joined and folded: "hier over terug te
    koppelen" gives ``terugkoppelen``, "Af te schaffen" ``afschaffen``."""
    return [m.group(1) + m.group(2) for m in _SEPARATED.finditer(fold(text))]


def analyze_text(text: str) -> list[str]:
    """Terms of a document's ``text``: :func:`analyze`'s, and each word broken by hyphens
    before lower-case letters also joined (``moeder-maatschappij`` also gives the term of
    ``moedermaatschappij``), so that a question's word finds it; so are its separable verbs
    split by "te" (:func:`joined_verbs`: a question's ``terugkoppelen`` finds "terug te
    koppelen"). Questions are analysed without the joins: a hyphenated word of a question
    finds its parts."""
    joined = [m.group(0).replace("-", "") for m in _HYPHENATED.finditer(text)]
    joined += joined_verbs(text)
    return analyze(text) + (analyze(" ".join(joined)) if joined else [])
