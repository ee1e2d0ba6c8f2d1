"""Which motions are about a topic: "Welke moties gaan over stikstof?", "Which motions are
about Ukraine?", "Moties over de wolf".

A list question names a topic and nothing else to match: "which motions are about" embeds
near no motion, so the similarity threshold declined "Welke moties gaan over zzp'ers?" while
a motion's title says plainly what it is about ("... over verdere lastenverzwaringen voor
zzp'ers een halt toeroepen"). The titles of the motions (within the request's filters) are
read for the topic's words, and those holding every word are listed, oldest first, each by
its title and official citation and cited by its dictum (what it asks); when no title holds
them, the motions whose text does ("noemen"), found with BM25. An English topic's words are
also looked up by their Dutch forms where the service knows them (countries, names, the
glossary and its policy topics: "Ukraine" as "Oekraïne", "nitrogen" as "stikstof") and by
their start ("inflation": "inflatie"); a topic no motion holds is left to the usual answer,
which declines it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa_service.answer.answers import Answer
from qa_service.answer.by_author import listed
from qa_service.answer.glossary import EN_NL_TERMS, english_topic
from qa_service.documents import DocumentMeta
from qa_service.filters import Filters
from qa_service.search.retriever import RetrievalResult
from qa_service.store.protocol import SearchIndex
from qa_service.text.countries import dutch_names
from qa_service.text.lexical import STOPWORDS, analyze, fold
from qa_service.text.names import written

#: "Welke moties gaan over X", "Which motions were filed about X", "Zijn er moties over X",
#: "List all motions on X", "Moties over X": the frame, then the topic
_LIST = re.compile(
    r"^\W*(?:(?:which|what|welke|wat voor|are there(?: any)?|zijn er|list(?: all)?|"
    r"show(?: me)?(?: all)?|give(?: me)?(?: all)?|geef(?: me)?(?: alle)?|toon(?: alle)?|"
    r"noem(?: alle)?)\s+)?(?:(?:the|all|any|de|alle)\s+)?(?:moties|motions|motie|motion)"
    r"(?:\s+(?:are|were|is|was|have|has|been|there|gaat|ging|gaan|gingen|zijn|waren|er|ingediend|filed|"
    r"submitted|tabled|put forward|handelen|exist|bestaan))*"
    r"\s+(?:over|about|on|concerning|regarding|inzake|betreffende|dealing with|relating to|"
    r"met betrekking tot|mention(?:s|ing)?|noemen|vermelden)\s+(?P<topic>[^?!.]{2,80}?)\W*$",
    re.IGNORECASE,
)
#: motions whose titles are read for the topic (all of them, in a corpus of this size)
TITLES_READ = 100_000
_APOSTROPHE = re.compile(r"['’]")
#: a stem this short finds other words ("mar" of "Mars": "Martin")
STEM = 5
#: an English word this long is also looked for by its start, all but its last two letters
#: (at least :data:`STEM`): the Dutch form of a Latin word ("transition": "transitie")
COGNATE = 6
#: BM25 passages searched for a topic no title holds
SEARCHED = 200
#: a word of the topic this long may stand inside a compound ("garnalenvisserij")
INSIDE = 6


def asked_topic(question: str) -> str | None:
    """The topic of a question asking which motions are about it; None for other questions."""
    m = _LIST.match(question.strip())
    return m.group("topic").strip() if m else None


def topic_terms(topic: str, language: str) -> list[tuple[str, ...]]:
    """The topic's words (stop words left out), each as folded alternatives: the word and its
    stem, and for an English topic its Dutch forms (a country, a name, the glossary) and its
    start (:data:`COGNATE`)."""
    terms = []
    for word in re.findall(r"[\w'’-]+", topic):
        folded = _APOSTROPHE.sub("", fold(word))  # zzp'ers: zzpers
        if folded in STOPWORDS or len(folded) < 3:
            continue
        forms = [folded, *(s for s in analyze(word) if len(s) >= STEM)]  # not "mar" of "Mars"
        if language == "en":
            forms += written(word, "en")[1:] + [fold(d) for d in dutch_names(word)]
            glossary = next((d for p, d in EN_NL_TERMS.items() if folded.startswith(p)), "")
            forms += fold(glossary).split() + english_topic(folded)
            if len(folded) >= COGNATE:  # energy: energie, inflation: inflatie
                forms.append(folded[: max(STEM, len(folded) - 2)])
        terms.append(tuple(dict.fromkeys(f for f in forms if len(f) >= 3)))
    return terms


def subject(title: str) -> str:
    """What a motion's title says it is about: after "over" ("Motie van het lid Martin Bosma
    over X": X, not the MP); nothing for a title that names only its MPs ("Motie van het lid
    Ceder": such a motion is found by its text)."""
    return title.split(" over ", 1)[1] if " over " in title else ""


def holds(text: str, terms: list[tuple[str, ...]]) -> bool:
    """Whether ``text`` holds every term: a word of it holds one of the term's forms
    (:func:`_in_word`)."""
    words = re.findall(r"\w+", _APOSTROPHE.sub("", fold(text)))
    return all(any(_in_word(f, w) for f in forms for w in words) for forms in terms)


#: what may follow a form in a word of the same meaning: an inflection ("woningen")
_INFLECTIONS = frozenset(("", "s", "n", "e", "en", "es", "er", "ers", "ie", "ies"))


def _in_word(form: str, word: str) -> bool:
    """Whether ``word`` holds ``form``: at its start, or for a form of :data:`INSIDE` letters
    or more anywhere ("garnalenvisserij"), followed by an inflection ("huurwoningen") or, for
    a form of four letters or more, by another word of a compound ("stikstofbeleid",
    "Israëlische"); not by one or two other letters ("politie" is not in "politiek")."""
    start = word.find(form) if len(form) >= INSIDE else (0 if word.startswith(form) else -1)
    while start >= 0:
        rest = word[start + len(form) :]
        if rest in _INFLECTIONS or (len(form) >= 4 and len(rest) >= 3):
            return True
        start = word.find(form, start + 1) if len(form) >= INSIDE else -1
    return False


def motions_about(question: str, retrieval: RetrievalResult, index: SearchIndex) -> Answer | None:
    """The motions about the topic ``question`` asks for (see the module docstring), or None
    when it asks no such list, the request's filters exclude motions, or no motion holds it."""
    topic = asked_topic(question)
    if topic is None:
        return None
    terms = topic_terms(topic, retrieval.language)
    searched = retrieval.filters
    if not terms or (searched.doc_type and "motie" not in searched.doc_type):
        return None
    scope = replace(searched, doc_type=("motie",))
    store = index.store
    count = min(store.count_documents(scope), TITLES_READ)
    motions = [m for m, _ in store.list_documents(0, count, scope)]
    titled = [m for m in motions if holds(subject(m.title), terms)]
    titled.sort(key=lambda m: (m.date, m.doc_id))
    motions = titled or _mentioning(terms, index, scope)
    items, citations = listed(motions, retrieval, store)
    if not citations:
        return None
    head = _head(len(motions), len(items), topic, bool(titled), retrieval.language)
    return Answer(question, f"{head} {'; '.join(items)}.", True, retrieval.language, citations)


def _mentioning(
    terms: list[tuple[str, ...]], index: SearchIndex, scope: Filters
) -> list[DocumentMeta]:
    """The motions whose text holds every term, best BM25 match first."""
    query = " ".join(f for forms in terms for f in forms)
    found, _ = index.keyword_search([query], SEARCHED, scope)
    passages = index.store.passages_by_rows([r for r in found[0] if r >= 0])
    order = list(dict.fromkeys(passages[r].doc_id for r in found[0] if r in passages))
    texts: dict[str, str] = {}
    for p in passages.values():
        texts[p.doc_id] = texts.get(p.doc_id, "") + " " + p.text
    metas = index.store.documents(order)
    return [metas[d] for d in order if d in metas and holds(texts[d], terms)]


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
    head = f"{count} {one if count == 1 else many} {topic}"
    if count > shown:
        head += f" (the first {shown})" if language == "en" else f" (de eerste {shown})"
    return head + ":"
