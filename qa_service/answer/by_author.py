"""Which motions an MP submitted: "Welke moties heeft Eerdmans ingediend?", "Which motions
did Kops submit?", and how many ("Hoeveel moties diende Kops in?").

Listed from the documents' metadata (their indieners), not from passages that mention the
name: a question naming an MP and no topic embeds far from every dictum. Each motion is named
by its title and official citation and cited by its dictum (what it asks). A question that
names a topic ("Welke moties van Kops gaan over stikstof?", "Which motions did Kops submit
about nitrogen?") lists those of the MP's motions whose title holds it, else those whose
text does; when none does, or the question says what the motions do in another way ("...
die vragen om ..."), it is answered by content.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa_service.answer.about_document import hit_of
from qa_service.answer.answers import Answer, Citation
from qa_service.answer.metadata import ABOUT, evidence_passage
from qa_service.answer.topic_words import ABOUT_WORDS, holds, subject, topic_terms
from qa_service.documents import DocumentMeta
from qa_service.search.authors import AuthorIndex, name_words
from qa_service.search.retriever import RetrievalResult
from qa_service.store.protocol import DocumentStore
from qa_service.text.lexical import fold
from qa_service.text.names import names

#: "Welke moties heeft X ingediend", "Which motions did X submit", "welke moties van X";
#: "Hoeveel moties diende X in?", "How many motions did X submit?" (the list says how many)
_BY = re.compile(
    r"\b(?:welke|which|what|hoeveel|how many)\s+(?:moties|motions)\b(?P<rest>.*"
    r"\b(?:ingediend|indiende|dienden?|submit\w*|filed?|tabled?|put forward|van|by|from)\b.*)"
)
#: "... over stikstof", "... about nitrogen": the topic a list of an MP's motions is asked
#: about, up to the end (a closing "ingediend" or "submitted" left out)
_TOPIC = re.compile(
    rf"\b(?:{ABOUT_WORDS})\s+(?P<topic>[^?!.\[\]]{{2,80}}?)"
    r"(?:\s+(?:ingediend|submitted|filed|tabled|put forward|in))?\W*$",
    re.IGNORECASE,
)
#: How many motions the answer names (it says how many there are in all).
SHOWN = 10


def motions_by(
    question: str, retrieval: RetrievalResult, store: DocumentStore, authors: AuthorIndex
) -> Answer | None:
    """The motions the MPs ``question`` names submitted (all of them, within the request's
    filters), those about the topic it names ("Welke moties van Kops gaan over stikstof?",
    :mod:`qa_service.answer.topic_words`), or None when it asks no such thing, names no MP
    who submitted one, none of theirs holds the topic, or it says what the motions do in
    another way ("... die vragen om ...": answered by content)."""
    text = fold(question)
    named = names(question)
    asked = _BY.search(text)
    if not named or asked is None:
        return None  # no MP, or not a list of motions
    topic = None
    if ABOUT.search(asked.group("rest")):  # what the motions are about is said
        found_topic = _TOPIC.search(question)
        if found_topic is None:
            return None  # not as a topic ("... die vragen om"): answered by content
        topic = found_topic.group("topic").strip()
        named = names(question[: found_topic.start()])  # the MPs, not the topic's names
        if not named:
            return None
    wanted = [name_words(n) for n in named]
    candidates = authors.documents(named, most=10_000)
    if not candidates:
        return None
    searched = retrieval.filters
    if searched.doc_ids:
        candidates = [d for d in candidates if d in searched.doc_ids]
    if not candidates or (searched.doc_type and "motie" not in searched.doc_type):
        return None
    scope = replace(searched, doc_ids=tuple(candidates), doc_type=("motie",))
    found = [m for m, _ in store.list_documents(0, len(candidates), scope)]
    motions = [
        m
        for m in found  # every name asked is one of its indieners
        if all(set(w) & set(name_words(" ".join(m.authors))) for w in wanted)
    ]
    if not motions:
        return None
    motions.sort(key=lambda m: (m.date, m.doc_id))
    titled = True
    if topic is not None:
        motions, titled = _about(motions, topic, retrieval.language, store)
        if not motions:
            return None  # none of theirs holds it: answered by content, or declined
    en = retrieval.language == "en"
    # the MPs as their motions write them ("Jasper van Dijk", not the names "Jasper", "Dijk")
    asked_words = {w for words in wanted for w in words}
    written = [a for m in motions for a in m.authors if set(name_words(a)) & asked_words]
    mps = list(dict.fromkeys(written)) or named
    who = (" and " if en else " en ").join(mps)
    items, citations = listed(motions, retrieval, store)
    if not citations:
        return None
    count = len(motions)
    if en:
        head = f"{who} submitted {count} motion{'s' if count != 1 else ''}"
        if topic is not None:
            head += f" about {topic}" if titled else f" that mention {topic}"
    else:
        head = f"{who} diende {count} motie{'s' if count != 1 else ''} in"
        if topic is not None:
            head += f" over {topic}" if titled else f" die {topic} noemen"
    head += first_shown(count, len(items), retrieval.language) + ":"
    return Answer(
        question, head + " " + "; ".join(items) + ".", True, retrieval.language, citations
    )


def _about(
    motions: list[DocumentMeta], topic: str, language: str, store: DocumentStore
) -> tuple[list[DocumentMeta], bool]:
    """Those of ``motions`` whose title holds the ``topic`` (and True), else those whose text
    does (and False)."""
    terms = topic_terms(topic, language)
    if not terms:
        return [], True
    titled = [m for m in motions if holds(subject(m.title), terms)]
    if titled:
        return titled, True
    texts = {m.doc_id: " ".join(p.text for p in store.document_passages(m.doc_id)) for m in motions}
    return [m for m in motions if holds(texts[m.doc_id], terms)], False


def first_shown(count: int, shown: int, language: str) -> str:
    """ " (the first 10)" / " (de eerste 10)" when a list names fewer motions than it counts."""
    if count <= shown:
        return ""
    return f" (the first {shown})" if language == "en" else f" (de eerste {shown})"


def listed(
    motions: list[DocumentMeta], retrieval: RetrievalResult, store: DocumentStore
) -> tuple[list[str], list[Citation]]:
    """The first :data:`SHOWN` of ``motions``, each named by its title and official citation
    with its ``[n]``, and their citations: each motion's dictum (what it asks)."""
    items: list[str] = []
    citations: list[Citation] = []
    for meta in motions[:SHOWN]:
        passage = evidence_passage("asks", meta, store.document_passages(meta.doc_id))
        if passage is None:
            continue
        n = len(citations) + 1
        citations.append(Citation(n, hit_of(passage, meta, retrieval, store), passage.text.strip()))
        items.append(f"{meta.title or meta.doc_id} ({meta.citation()}) [{n}]")
    return items, citations
