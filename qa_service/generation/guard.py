"""The citation guard: keep only generated sentences that the passages support.

A language model's ``[n]`` is a claim, not evidence. After generation the answer is split into
sentences; for each sentence and each passage of the prompt a *support* score is measured:

    support = max cosine(sentence, unit) + lexical_weight * term overlap

where the units are the passage's sentences and the whole passage (embedded with the
service's multilingual embedder, centred on the index centroid like every other similarity
in the service), and term overlap is the IDF-weighted share of the sentence's terms found in
the passage (stems; a shared 5-letter prefix counts half, which bridges English and Dutch
cognates and catches names and numbers). A sentence is kept when a passage it cites reaches
the threshold of the sentence's language; a sentence that cites nothing, or only passages that
do not support it, is kept only when another passage of the prompt does, and then cites that
passage. Everything else (invented facts, text obeying an instruction hidden in a passage,
meta talk) is removed and counted. Citations are renumbered 1..m in order of first use.

The thresholds and the weight are settings, calibrated by ``scripts/calibrate_guard.py``
(see docs/generation.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from qa_service.answer.answers import Citation
from qa_service.answer.extractive import QUOTE_GAP
from qa_service.config import Settings
from qa_service.documents import attributed
from qa_service.embedding import Embedder
from qa_service.parsing.chunking import split_sentences
from qa_service.search.retriever import Hit
from qa_service.store.protocol import SearchIndex
from qa_service.store.vectors import center
from qa_service.text.language import detect_language
from qa_service.text.lexical import analyze, fold
from qa_service.text.overlap import TermOverlap, TextTerms

_NUMBERS = r"\d+(?:\s*[,;–-]\s*\d+)*"
_MARKER = re.compile(rf"\[\s*(?:passage\s*)?({_NUMBERS})\s*\]", re.IGNORECASE)
# markers written after the sentence's end ("... 2014. [1] Next") belong to that sentence
_TRAILING_MARKERS = re.compile(rf"([.!?…])((?:\s*\[\s*(?:passage\s*)?{_NUMBERS}\s*\])+)", re.I)
_BULLET = re.compile(r"^[ \t]*(?:[-*•]+|\d+[.)])[ \t]+", re.MULTILINE)
_WORD = re.compile(r"\w+")
#: Passage sentences that address a language model (prompt injection) are never evidence.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|negeer|vergeet)\b.{0,40}\b(?:instruction|instructie|prompt|"
    r"rule|regel|opdracht)|\bsystem ?prompt\b|\b(?:you are now|je bent nu|jij bent nu)\b|"
    r"\b(?:answer|respond|reply|antwoord)\w*\s+(?:only|just|with|uitsluitend|alleen|met)\b",
    re.IGNORECASE,
)
#: Sentences shorter than this many words carry no checkable claim.
MIN_WORDS = 3


@dataclass
class Claim:
    """One generated sentence and what the guard decided about it."""

    text: str  # the sentence without its [n] markers
    cited: list[int]  # passage numbers (1-based, as in the prompt) the model cited
    scores: list[float] = field(default_factory=list)  # support by each prompt passage
    sources: list[int] = field(default_factory=list)  # passages finally cited (prompt numbers)
    status: str = ""  # supported | cited-added | cited-corrected | unsupported | duplicate
    quotes: dict[int, str] = field(default_factory=dict)  # source -> best passage sentence

    @property
    def kept(self) -> bool:
        return bool(self.sources)


@dataclass
class Verified:
    claims: list[Claim]
    answer: str  # the kept sentences with renumbered [n]
    citations: list[Citation]
    removed: int


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        bounds = re.split(r"\s*[–-]\s*", part)
        if len(bounds) == 2 and all(b.isdigit() for b in bounds):
            lo, hi = int(bounds[0]), int(bounds[1])
            out.extend(range(lo, min(hi, lo + 20) + 1))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def split_claims(text: str) -> list[Claim]:
    """Sentences of a generated answer with the passage numbers each one cites."""
    text = text.replace("**", "").replace("__", "")
    text = _TRAILING_MARKERS.sub(lambda m: m.group(2) + m.group(1), text)
    text = re.sub(r"\n+", "\n\n", text)  # every line is a unit (lists, headings)
    text = _BULLET.sub("", text)  # "1. Item" is not a sentence "1." and a sentence "Item"
    claims = []
    for sentence in split_sentences(text):
        cited: list[int] = []
        for m in _MARKER.finditer(sentence):
            cited.extend(n for n in _numbers(m.group(1)) if n not in cited)
        plain = _MARKER.sub("", sentence)
        plain = _BULLET.sub("", plain)
        plain = re.sub(r"\s+([.,;:!?…])", r"\1", " ".join(plain.split())).strip()
        if _WORD.search(plain):
            claims.append(Claim(plain, cited))
    return claims


def evidence(passage: str) -> list[str]:
    """The sentences of a passage that can support a claim: not those addressing a model."""
    return [s for s in split_sentences(passage) if not _INSTRUCTION.search(s)] or [""]


class CitationGuard:
    """Measures how well the prompt's passages support each generated sentence."""

    def __init__(self, settings: Settings, embedder: Embedder, index: SearchIndex) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index = index  # the loaded index the passages come from (centroid, IDF)
        self.overlap = TermOverlap(index.idf)

    # -- measuring ----------------------------------------------------------------------------
    def support(self, claims: list[Claim], hits: list[Hit]) -> None:
        """Fill ``claim.scores`` (one per hit) and the best-matching passage sentences."""
        if not claims or not hits:
            return
        units: list[str] = []
        owner: list[int] = []  # hit index of each unit
        is_sentence: list[bool] = []
        for h, hit in enumerate(hits):
            sentences = evidence(hit.passage.text)
            for sentence in sentences:
                units.append(sentence)
                owner.append(h)
                is_sentence.append(True)
            if len(sentences) != 1:  # the whole passage (for claims that combine sentences)
                units.append(attributed(hit.document, " ".join(sentences)))
                owner.append(h)
                is_sentence.append(False)
        vectors = self.embedder.encode_passages([c.text for c in claims] + units)
        vectors = center(vectors, self.index.centroid)
        sims = vectors[: len(claims)] @ vectors[len(claims) :].T  # claims x units
        owners = np.asarray(owner)
        sentence_mask = np.asarray(is_sentence)
        lexical = self.lexical([c.text for c in claims], hits)
        w = self.settings.guard_lexical_weight
        for i, claim in enumerate(claims):
            claim.scores = []
            claim.quotes = {}
            for h in range(len(hits)):
                mine = owners == h
                claim.scores.append(float(sims[i][mine].max()) + w * lexical[i][h])
                quotable = np.flatnonzero(mine & sentence_mask)
                if len(quotable):
                    best = quotable[int(np.argmax(sims[i][quotable]))]
                    claim.quotes[h + 1] = units[best]
                else:
                    claim.quotes[h + 1] = hits[h].passage.text

    def lexical(self, texts: list[str], hits: list[Hit]) -> list[list[float]]:
        """IDF-weighted share of each text's terms found in each passage (prefixes count half;
        :class:`~qa_service.text.overlap.TermOverlap`)."""
        passages = [
            TextTerms.of(attributed(hit.document, " ".join(evidence(hit.passage.text))))
            for hit in hits
        ]
        return [self.overlap.score(analyze(text), passages)[0] for text in texts]

    def threshold(self, text: str) -> float:
        s = self.settings
        return s.guard_threshold_en if detect_language(text) == "en" else s.guard_threshold_nl

    # -- deciding ---------------------------------------------------------------------------
    def verify(self, text: str, hits: list[Hit]) -> Verified:
        """Keep the supported sentences of ``text``, cite supporting passages, renumber."""
        claims = split_claims(text)
        self.support(claims, hits)
        seen: set[str] = set()
        for claim in claims:
            key = " ".join(_WORD.findall(fold(claim.text)))
            if key in seen:
                claim.status = "duplicate"
                continue
            seen.add(key)
            if len(key.split()) < MIN_WORDS:
                claim.status = "too short"
                continue
            self._decide(claim, len(hits))
        return self._compose(claims, hits)

    def _decide(self, claim: Claim, n_hits: int) -> None:
        threshold = self.threshold(claim.text)
        valid = [n for n in claim.cited if 1 <= n <= n_hits]
        supporting = [n for n in valid if claim.scores[n - 1] >= threshold]
        if supporting:
            claim.sources, claim.status = supporting, "supported"
            return
        if claim.scores:
            best = int(np.argmax(claim.scores))
            if claim.scores[best] >= threshold:
                claim.sources = [best + 1]
                claim.status = "cited-corrected" if valid else "cited-added"
                return
        claim.status = "unsupported"

    def _compose(self, claims: list[Claim], hits: list[Hit]) -> Verified:
        numbers: dict[int, int] = {}  # prompt number -> answer number
        quotes: dict[int, list[str]] = {}
        parts = []
        for claim in claims:
            if not claim.kept:
                continue
            marks = []
            for source in claim.sources:
                n = numbers.setdefault(source, len(numbers) + 1)
                marks.append(f"[{n}]")
                quote = claim.quotes.get(source, "")
                if quote and quote not in quotes.setdefault(source, []):
                    quotes[source].append(quote)
            parts.append(f"{claim.text} {''.join(marks)}")
        citations = []
        for source, n in numbers.items():
            passage = hits[source - 1].passage.text
            ordered = sorted(quotes.get(source, []), key=lambda q: passage.find(q))
            citations.append(Citation(n=n, hit=hits[source - 1], quote=QUOTE_GAP.join(ordered)))
        removed = sum(1 for c in claims if not c.kept)
        return Verified(claims, " ".join(parts), citations, removed)
