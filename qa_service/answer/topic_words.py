"""The words of a topic, as a question names it and as the motions' titles write it: a
topic's words with their Dutch forms (:func:`topic_terms`), and whether a text holds them
(:func:`holds`), inside compounds too. Used to list the motions about a topic
(:mod:`qa_service.answer.by_topic`) and an MP's motions about one
(:mod:`qa_service.answer.by_author`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from qa_service.answer.glossary import EN_NL_TERMS, english_topic, looked_up
from qa_service.text.countries import dutch_names
from qa_service.text.lexical import STOPWORDS, analyze, fold
from qa_service.text.names import written

#: the words a question says what motions are about with ("gaan over X", "about X")
ABOUT_WORDS = (
    "over|about|on|concerning|regarding|inzake|betreffende|dealing with|relating to|"
    "met betrekking tot"
)
_APOSTROPHE = re.compile(r"['’]")
#: a stem this short finds other words ("mar" of "Mars": "Martin")
STEM = 5
#: an English word this long is also looked for by its start, all but its last two letters
#: (at least :data:`STEM`): the Dutch form of a Latin word ("transition": "transitie")
COGNATE = 6
#: a word of the topic this long may stand inside a compound ("garnalenvisserij")
INSIDE = 6


def topic_terms(topic: str, language: str) -> list[tuple[str, ...]]:
    """The topic's words (stop words left out), each as folded alternatives: the word and its
    stem, and for an English topic its Dutch forms (a country, a name, the glossary) and its
    start (:data:`COGNATE`)."""
    terms = []
    for word, folded in _words(topic):
        forms = [folded, *(s for s in analyze(word) if len(s) >= STEM)]  # not "mar" of "Mars"
        if language == "en":
            forms += written(word, "en")[1:] + [fold(d) for d in dutch_names(word)]
            glossary = looked_up(EN_NL_TERMS, folded) or ""
            forms += fold(glossary).split() + english_topic(folded)
            if len(folded) >= COGNATE:  # energy: energie, inflation: inflatie
                forms.append(cognate(folded))
        terms.append(tuple(dict.fromkeys(f for f in forms if len(f) >= 3)))
    return terms


def translated_terms(topic: str, glossary: bool = True) -> list[tuple[str, ...]]:
    """The lower-case words of an English ``topic`` that the glossary gives a Dutch form
    ("wage" as "loon", "universities" as "universiteit"), each as folded alternatives with
    the word itself and its start (:data:`COGNATE`: "provinc" of "provinciale"); other
    words (no way to look for them in Dutch text) and names (checked as names:
    :mod:`qa_service.answer.support`) are left out, and so is a parenthesis (it explains
    the topic: "the beslagvrije voet (the protected income of ...)"). Without
    ``glossary``, only the words of policy topics (:data:`EN_NL_TOPICS`: "rent" as "huur",
    not "ask" as "verzoekt")."""
    terms = []
    for word, folded in _parts(_words(re.sub(r"\([^)]*\)?", " ", topic))):
        if not word.islower():
            continue
        dutch = english_topic(folded)
        if glossary:
            dutch = fold(looked_up(EN_NL_TERMS, folded) or "").split() + dutch
        if dutch:
            if len(folded) >= COGNATE:  # provinces: provinciale
                dutch.append(cognate(folded))
            terms.append(tuple(dict.fromkeys([folded, *dutch])))
    return terms


def cognate(word: str) -> str:
    """The start of a folded English ``word`` its Dutch form may share: all but its last two
    letters, at least :data:`STEM` ("transition": "transiti", "principle": "princip")."""
    return word[: max(STEM, len(word) - 2)]


def _words(topic: str) -> Iterator[tuple[str, str]]:
    """The words of ``topic`` as written and folded (``zzp'ers``: ``zzpers``), stop words and
    words under three letters left out."""
    for word in re.findall(r"[\w'’-]+", topic):
        folded = _APOSTROPHE.sub("", fold(word))
        if folded not in STOPWORDS and len(folded) >= 3:
            yield word, folded


def _parts(words: Iterator[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """``words``, a hyphenated one the glossary does not know as a whole ("coal-fired",
    not "self-employed") as its parts."""
    for word, folded in words:
        if "-" in folded and not english_topic(folded):
            yield from _words(word.replace("-", " "))
        else:
            yield word, folded


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


def mentions(text: str, term: tuple[str, ...]) -> bool:
    """Whether ``text`` holds ``term`` (:func:`holds`) or ends a compound with a form of it of
    four letters or more, inflected or not: "minimumloon" and "minimumlonen" hold "loon"."""
    if holds(text, [term]):
        return True
    words = re.findall(r"\w+", _APOSTROPHE.sub("", fold(text)))
    heads = [f for f in term if len(f) >= 4]
    return any(
        w[: len(w) - len(i)].endswith(f) and len(w) - len(i) > len(f)
        for w in words
        for f in heads
        for i in _INFLECTIONS
        if w.endswith(i)
    )


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
