"""Completing the chosen sentences with the kind of answer the question asks for.

:func:`~qa_service.answer.sentence_choice.choose` picks the sentences that best match the
question; what it asks for may stand in another sentence:

1. a number, percentage, amount or time, or who, that the chosen sentences do not give: the
   sentence of the same document that does, when it scores nearly as well
   (:func:`with_answer_type`), else a nearly tied other document that holds it
   (:func:`from_typed_document`);
2. who holds a role ("Who is the NATO Secretary General?") when the chosen sentences speak
   of the role only: the sentence of the same document that names the holder after it
   ("Secretaris-generaal Stoltenberg ...", :func:`with_holder`);
3. a figure of what a "hoeveel" question counts, when no chosen sentence names it: the
   sentence of the same document that gives one (:func:`with_counted`);
4. what something leads to, for a question asking its consequences, when no chosen sentence
   says: the sentence of the same document that does (:func:`with_consequence`);
5. the pledge, for a question asking what was pledged, when no chosen sentence holds one:
   the nearly tied sentence that does leads (:func:`with_pledge`).

:func:`with_answer_kind` applies 1-4 in turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qa_service.answer.answer_types import (
    counted_forms,
    missing_answer_type,
    missing_count,
    names_counted,
)
from qa_service.answer.persons import missing_person
from qa_service.answer.sentence_choice import PLEDGE_TERMS, Candidate, joined
from qa_service.text.lexical import fold


def with_answer_kind(
    question: str,
    chosen: list[Candidate],
    pool: Sequence[Candidate],
    documents: dict[int, str],
    margin: float,
    document_margin: float,
) -> list[Candidate]:
    """``chosen`` completed with each kind of answer the question asks for that it lacks
    (1-4 above, in that order): ``margin`` for :func:`with_answer_type`,
    ``document_margin`` for :func:`from_typed_document`."""
    chosen = with_answer_type(question, chosen, pool, documents, margin)
    chosen = from_typed_document(question, chosen, pool, documents, document_margin)
    chosen = with_holder(question, chosen, pool, documents)
    chosen = with_counted(question, chosen, pool, documents)
    return with_consequence(question, chosen, pool, documents)


def with_answer_type(
    question: str,
    chosen: list[Candidate],
    pool: Sequence[Candidate],
    documents: dict[int, str],
    margin: float,
) -> list[Candidate]:
    """``chosen``, with the best scored sentence of the answer's document (``documents``: the
    document of each passage rank) that holds the kind of answer the question asks for (a
    number, a percentage, an amount, a time: :func:`missing_answer_type`; a person named, for "who"
    and "which MP": :func:`missing_person`) when the chosen sentences lack it and it scores
    within ``margin`` of the best chosen one, nearly tied: "how many homes ... according to
    Van der Sanden's questions" is answered by the questions' "de bouw van 10 000 woningen",
    not by their heading alone. Never a sentence of another document, nor one further down
    (at the sentence margin, 0.16, "how many troops does Germany contribute" got the
    Netherlands' hundred troops): a figure near the topic is not the figure asked for. A
    motion (short, on one subject) is the exception: its sentence that holds the kind asked
    joins at any score when it holds question terms no chosen one holds, or, for a figure
    asked (a number, a percentage), any question term."""

    def lacks(text: str) -> bool:
        return missing_answer_type(question, text) is not None or missing_person(question, text)

    if not chosen or not lacks(" ".join(c.text for c in chosen)):
        return chosen
    floor = max(c.score for c in chosen) - margin
    typed = _with_own(chosen, pool, documents, lambda text: not lacks(text), floor)
    if typed is not chosen or not chosen[0].document or chosen[0].unit != chosen[0].document:
        return typed
    # a motion: its sentence that holds the kind asked and question terms no chosen one
    # holds answers the part of the question they leave, at any score ("By when should the
    # government inform parliament about ...": "verzoekt de regering de Kamer hierover te
    # informeren uiterlijk 1 september 2023", vague alone, beside the dictum it refers to)
    held = {t for c in chosen for t in c.terms}
    unit = chosen[0].unit
    rest = [c for c in pool if c.unit == unit and c.terms - held]
    typed = _with_own(chosen, rest, documents, lambda text: not lacks(text))
    if typed is not chosen:
        return typed
    kind = missing_answer_type(question, " ".join(c.text for c in chosen)) or ""
    if not kind.startswith(("a number", "a percentage")):
        return chosen
    # a figure asked: the motion's sentence that gives one and holds a question term, though
    # it adds none ("Welk deel van de zonnestroom van daken wordt nu zelf verbruikt?":
    # "slechts 30% van de door zon op dak opgewekte energie", 0.18 below the dictum)
    near = [c for c in pool if c.unit == unit and c.terms]
    return _with_own(chosen, near, documents, lambda text: not lacks(text))


def from_typed_document(
    question: str,
    chosen: list[Candidate],
    pool: Sequence[Candidate],
    documents: dict[int, str],
    margin: float,
) -> list[Candidate]:
    """``chosen``, or when they still lack the kind of answer the question asks for (after
    :func:`with_answer_type`; :func:`missing_answer_type`), the best sentence of the nearest
    other document whose best sentence scores within ``margin`` of the best chosen one,
    with its own best sentence that holds that kind: "Wanneer moet de regering de Kamer
    informeren over de selectieprocedures van instellingen?" was quoted from a motion on
    selection that names no time (and declined) while the motion beside it asks to inform
    the Kamer "voor het zomerreces". Unchanged when the nearest other document does not
    hold it: one further down that does is as far from the question as any other ("How
    much money is in the national savings plan?" is not answered by a motion calling 200
    million euros for another fund madness)."""
    if not chosen or margin <= 0:
        return chosen

    def lacks(text: str) -> bool:
        return missing_answer_type(question, text) is not None

    if not lacks(" ".join(c.text for c in chosen)):
        return chosen
    lead = documents[chosen[0].passage]
    floor = max(c.score for c in chosen) - margin
    others = [c for c in pool if documents[c.passage] != lead and c.score >= floor]
    if not others:
        return chosen
    top = max(others, key=lambda c: c.score)  # the nearest other document's best sentence
    d = documents[top.passage]
    typed = [c for c in pool if documents[c.passage] == d and not lacks(c.text)]
    if not typed:
        return chosen
    extra = max(typed, key=lambda c: c.score)
    return [top] if extra is top else joined([top], extra)


def _with_own(
    chosen: list[Candidate],
    pool: Sequence[Candidate],
    documents: dict[int, str],
    holds: Callable[[str], bool],
    floor: float = float("-inf"),
) -> list[Candidate]:
    """``chosen``, with the best scored other sentence of the answer's own document (by
    ``documents``: the document of each passage rank) that ``holds`` and scores at least
    ``floor``; unchanged when there is none."""
    document = documents[chosen[0].passage]
    found = [
        c
        for c in pool
        if c not in chosen
        and c.score >= floor
        and documents[c.passage] == document
        and holds(c.text)
    ]
    return joined(chosen, max(found, key=lambda c: c.score)) if found else chosen


#: "Who is the NATO Secretary General?", "Hoe heet de Afghaanse president?", "What is the
#: name of the Secretary General who ...": a question asking who holds a role
_HOLDER_ASKED = re.compile(
    r"^\W*(?:who (?:is|was|are|were)|wie (?:is|was|zijn|waren)|what (?:is|was) the names? of|"
    r"wat (?:is|was) de naam van|hoe (?:heet|heette|heten))\s+(?:the|de|het)\s+"
    r"(?P<role>.+?)(?:\s+(?:who|that|which|die|dat|wie)\b.*)?\W*$",
    re.IGNORECASE,
)
#: a role word before a capitalised name: "Secretaris-generaal Stoltenberg", "president
#: Ghani", "Secretary of Defense Mattis"
_HOLDER = re.compile(r"(?<![\w-])(?=([\w-]+)(?:\s+(?:of|van)\s+[A-Z]\w+)?\s+[A-Z][a-z]\w+)")


def _holder_roles(question: str) -> list[str]:
    """The 5-letter prefixes of the words of the role ``question`` asks the holder of."""
    m = _HOLDER_ASKED.search(question)
    if m is None:
        return []
    return [w[:5] for w in fold(m.group("role")).split() if len(w) >= 5]


def _names_holder(text: str, roles: list[str]) -> bool:
    return any(fold(m.group(1)).startswith(tuple(roles)) for m in _HOLDER.finditer(text))


def with_holder(
    question: str, chosen: list[Candidate], pool: Sequence[Candidate], documents: dict[int, str]
) -> list[Candidate]:
    """``chosen``, for a question asking who holds a role ("Who is the NATO Secretary
    General?"), with the best scored sentence of the answer's own document, at any score,
    that names the holder after the role ("Secretaris-generaal Stoltenberg refereerde ...")
    when the chosen sentences speak of the role only ("De Secretaris-generaal opende het
    werkdiner"). A role word is matched by its first five letters, so "Secretary" finds
    "Secretaris-generaal" (and "Secretary of Defense": the better scored one is taken)."""
    roles = _holder_roles(question)
    if not roles or not chosen or any(_names_holder(c.text, roles) for c in chosen):
        return chosen
    return _with_own(chosen, pool, documents, lambda text: _names_holder(text, roles))


def with_counted(
    question: str, chosen: list[Candidate], pool: Sequence[Candidate], documents: dict[int, str]
) -> list[Candidate]:
    """``chosen``, for a question counting something ("Hoeveel verlies werd in 1890 geleden
    op de vermunting van nieuwe zilveren pasmunt?") that no chosen sentence names, with the
    best scored sentence of the answer's own document, at any score, that gives a figure of
    it ("Op die vermunting is mitsdien een verlies geleden van f 25 125,10."): the sentence
    sharing most of the question's other words ("In het jaar 1890 zijn tot nieuwe zilveren
    pasmunt vermunt: ...") counts the coins, not the loss."""
    forms = counted_forms(question)
    if not forms or not chosen or any(names_counted(forms, c.text) for c in chosen):
        return chosen

    def counts(text: str) -> bool:
        return names_counted(forms, text) and not missing_count(question, text)

    return _with_own(chosen, pool, documents, counts)


#: a question asking what something leads to: "Welke gevolgen ...", "What consequences ...",
#: "What does it lead to?" (not "Wie leidt de missie?", "Who will lead ...")
_CONSEQUENCE_ASKED = re.compile(
    r"\b(?:gevolg\w*|consequen\w*|effect\w*|results? in)\b|"
    r"\b(?:lead|leads|led|leidt|leiden|leidde) (?:to|tot)\b|\bwaar (?:leidt|leiden|leidde)\b",
    re.IGNORECASE,
)
#: a sentence saying what something leads to: "dit leidt tot onder andere ...", "met als
#: gevolg", "de effecten van ..."
_CONSEQUENCE = re.compile(
    r"\b(?:leidt|leiden|leidde|leidden|geleid)\b(?:\s+\S+){0,3}?\s+tot\b|"
    r"\b(?:gevolg\w*|consequenties?|effect\w*|resulte\w*)\b",
    re.IGNORECASE,
)


def with_consequence(
    question: str, chosen: list[Candidate], pool: Sequence[Candidate], documents: dict[int, str]
) -> list[Candidate]:
    """``chosen``, for a question asking the consequences of something ("Welke gevolgen van
    het hoge fictieve rendement noemt Eppink?") when no chosen sentence says what it leads
    to, with the best scored sentence of the answer's own document, at any score, that does
    ("overwegende dat dit leidt tot onder andere significant welvaartsverlies ..."): the
    sentences naming the return only say what it is."""
    if not _CONSEQUENCE_ASKED.search(question) or not chosen:
        return chosen
    if any(_CONSEQUENCE.search(c.text) for c in chosen):
        return chosen
    return _with_own(chosen, pool, documents, lambda text: bool(_CONSEQUENCE.search(text)))


def with_pledge(
    chosen: list[Candidate], pool: Sequence[Candidate], margin: float
) -> list[Candidate]:
    """``chosen``, for a question asking what was pledged when no chosen sentence holds a
    pledge: the best scored sentence that does, within ``margin`` of the best chosen one,
    leads, with the chosen sentences of its own unit: "What had
    the government already promised to explore with Suriname?" is answered by "de regering
    heeft toegezegd om ... samen met Suriname te verkennen", not by another motion's
    request that shares its words."""
    if not chosen or any(c.terms & PLEDGE_TERMS for c in chosen):
        return chosen
    floor = max(c.score for c in chosen) - margin
    pledges = [c for c in pool if c.terms & PLEDGE_TERMS and c.score >= floor]
    if not pledges:
        return chosen
    best = max(pledges, key=lambda c: c.score)
    unit = best.unit or best.passage
    return joined([c for c in chosen if (c.unit or c.passage) == unit], best, lead=True)
