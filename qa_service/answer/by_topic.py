"""Which motions are about a topic: "Welke moties gaan over stikstof?", "Which motions are
about Ukraine?", "Moties over de wolf".

A list question names a topic and nothing else to match: "which motions are about" embeds
near no motion, so the similarity threshold declined "Welke moties gaan over zzp'ers?" while
a motion's title says plainly what it is about ("... over verdere lastenverzwaringen voor
zzp'ers een halt toeroepen"). The titles of the motions (within the request's filters;
beyond :data:`TITLES_READ` motions, a whole archive, those of the motions BM25 finds for the
topic) are read for the topic's words, and those holding every word are listed, oldest
first, each by its title and official citation and cited by its dictum (what it asks); when
no title holds them, the motions whose text does ("noemen"), found with BM25. An English
topic's words are also looked up by their Dutch forms where the service knows them
(countries, names, the glossary and its policy topics: "Ukraine" as "Oekraïne", "nitrogen"
as "stikstof") and by their start ("inflation": "inflatie"); a topic no motion holds is left
to the usual answer, which declines it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa_service.answer.answers import Answer
from qa_service.answer.by_author import first_shown, listed
from qa_service.answer.topic_words import ABOUT_WORDS, holds, subject, topic_terms
from qa_service.documents import DocumentMeta
from qa_service.filters import Filters
from qa_service.search.retriever import RetrievalResult
from qa_service.store.protocol import SearchIndex

#: "Welke moties gaan over X", "Which motions were filed about X", "Zijn er moties over X",
#: "Is er een motie over X", "Is there a motion about X", "List all motions on X", "Moties
#: over X", "Hoeveel moties over X zijn er?" (the list says how many): the frame, the topic
_LIST = re.compile(
    r"^\W*(?:(?:which|what|welke|wat voor|hoeveel|how many|(?:are|is|was|were) there(?: any)?|"
    r"(?:zijn|is|bestaat|bestaan) er|list(?: all)?|"
    r"show(?: me)?(?: all)?|give(?: me)?(?: all)?|geef(?: me)?(?: alle)?|toon(?: alle)?|"
    r"noem(?: alle)?)\s+)?(?:(?:the|all|any|a|an|de|alle|een)\s+)?(?:moties|motions|motie|motion)"
    r"(?:\s+(?:are|were|is|was|have|has|been|there|gaat|ging|gaan|gingen|zijn|waren|er|ingediend|filed|"
    r"submitted|tabled|put forward|handelen|exist|bestaan))*"
    rf"\s+(?:{ABOUT_WORDS}|mention(?:s|ing)?|noemen|vermelden)"
    r"\s+(?P<topic>[^?!.\[\]]{2,80}?)(?:\s+(?:zijn|waren|are|were)\s+(?:er|there)(?:\s+(?:ingediend|submitted|filed))?)?\W*$",
    re.IGNORECASE,
)
#: a topic that goes on to say what became of the motions ("stikstof zijn aangenomen", "nitrogen
#: were adopted"): not a list of the motions about it
_SAYS_MORE = re.compile(r"\b(?:zijn|waren|werden|worden|is|was|were|are|been)\b", re.IGNORECASE)
#: "Wat vraagt de motie over X?", "Wat wordt er in de motie over X gevraagd?", "What does
#: the motion on X ask (for)?", "What did the motion about X want?": what one motion asks,
#: named by its topic
_THE_MOTION = re.compile(
    r"^\W*(?:wat|what)\s+(?:vraagt|vroeg|verzoekt|wil|wilde|(?:wordt|werd) er in|does|did|do)"
    r"\s+(?:de|the)\s+(?:motie|motion)"
    rf"\s+(?:{ABOUT_WORDS})\s+(?P<topic>[^?!.\[\]]{{2,80}}?)"
    r"(?:\s+(?:ask|asks|request|requests|want|wants|call|calls|propose|proposes|gevraagd|"
    r"verzocht)(?:\s+(?:for|the government|the cabinet))?)?\W*$",
    re.IGNORECASE,
)
#: up to this many motions, every title is read for the topic (12-15 microseconds each);
#: beyond it (a whole archive), the titles of the motions BM25 finds for it
TITLES_READ = 5_000
#: BM25 passages searched for a topic no title holds
SEARCHED = 200


def asked_topic(question: str) -> str | None:
    """The topic of a question asking which motions are about it; None for other questions."""
    m = _LIST.match(question.strip())
    if m is None or _SAYS_MORE.search(m.group("topic")):
        return None
    return m.group("topic").strip()


def the_motion_about(
    question: str, retrieval: RetrievalResult, index: SearchIndex
) -> DocumentMeta | None:
    """The one motion whose title says it is about the topic of "Wat vraagt de motie over
    durfkapitaal?" / "What does the motion on X ask?", when it is among the hits; None for
    other questions, or when no motion's title or several hold it. Such a question embeds
    near its frame, not near the motion (0.19 for durfkapitaal, declined), while the title
    names the topic plainly."""
    m = _THE_MOTION.match(question.strip())
    if m is None:
        return None
    found = _titled(m.group("topic").strip(), retrieval, index)
    if found is None or len(found.motions) != 1:
        return None
    one = found.motions[0]  # and among the hits: not a title that holds the words by chance
    return one if any(h.document.doc_id == one.doc_id for h in retrieval.hits) else None


def motions_about(question: str, retrieval: RetrievalResult, index: SearchIndex) -> Answer | None:
    """The motions about the topic ``question`` asks for (see the module docstring), or None
    when it asks no such list, the request's filters exclude motions, or no motion holds it."""
    topic = asked_topic(question)
    if topic is None:
        return None
    found = _titled(topic, retrieval, index)
    if found is None:
        return None
    titled = found.motions
    motions = titled
    if not titled:  # the motions whose text holds it
        metas, texts = found.searched or _searched(topic, found.terms, index, found.scope)
        motions = [m for m in metas if holds(texts[m.doc_id], found.terms)]
    store = index.store
    items, citations = listed(motions, retrieval, store)
    if not citations:
        return None
    head = _head(len(motions), len(items), topic, bool(titled), retrieval.language)
    return Answer(question, f"{head} {'; '.join(items)}.", True, retrieval.language, citations)


@dataclass(frozen=True)
class _Titled:
    """The motions whose title holds a topic, with what was needed to find them."""

    motions: list[DocumentMeta]  # oldest first
    terms: list[tuple[str, ...]]  # the topic's words, each with its forms
    scope: Filters  # the request's filters, motions only
    searched: tuple[list[DocumentMeta], dict[str, str]] | None  # BM25's, when it chose


def _titled(topic: str, retrieval: RetrievalResult, index: SearchIndex) -> _Titled | None:
    """The motions (within the request's filters) whose title holds the topic, oldest first,
    with the topic's terms, the motions' filters and what BM25 found when it searched the
    titles to read (a whole archive); None when the topic has no words or the filters
    exclude motions."""
    terms = topic_terms(topic, retrieval.language)
    searched = retrieval.filters
    if not terms or (searched.doc_type and "motie" not in searched.doc_type):
        return None
    scope = replace(searched, doc_type=("motie",))
    store = index.store
    count = store.count_documents(scope)
    found: tuple[list[DocumentMeta], dict[str, str]] | None = None
    if count <= TITLES_READ:  # every title
        read = [m for m, _ in store.list_documents(0, count, scope)]
    else:  # a whole archive: the titles of the motions BM25 finds for the topic
        found = _searched(topic, terms, index, scope)
        read = found[0]
    titled = [m for m in read if holds(subject(m.title), terms)]
    titled.sort(key=lambda m: (m.date, m.doc_id))
    return _Titled(titled, terms, scope, found)


def _searched(
    topic: str, terms: list[tuple[str, ...]], index: SearchIndex, scope: Filters
) -> tuple[list[DocumentMeta], dict[str, str]]:
    """The motions BM25 finds for the topic, as asked and by its words' forms, best match
    first, with the text of their passages it found."""
    query = " ".join([topic] + [f for forms in terms for f in forms])
    found, _ = index.keyword_search([query], SEARCHED, scope)
    passages = index.store.passages_by_rows([r for r in found[0] if r >= 0])
    order = list(dict.fromkeys(passages[r].doc_id for r in found[0] if r in passages))
    texts: dict[str, str] = {}
    for p in passages.values():
        texts[p.doc_id] = texts.get(p.doc_id, "") + " " + p.text
    metas = index.store.documents(order)
    return [metas[d] for d in order if d in metas], texts


#: (language, by title) -> what one motion / several do with the topic
_VERBS = {
    ("en", True): ("motion is about", "motions are about"),
    ("en", False): ("motion mentions", "motions mention"),
    ("nl", True): ("motie gaat over", "moties gaan over"),
    ("nl", False): ("motie noemt", "moties noemen"),
}


def _head(count: int, shown: int, topic: str, titled: bool, language: str) -> str:
    """ "3 moties gaan over stikstof:", "12 motions mention Ukraine (the first 10):"."""
    one, many = _VERBS[("en" if language == "en" else "nl", titled)]
    return f"{count} {one if count == 1 else many} {topic}{first_shown(count, shown, language)}:"
