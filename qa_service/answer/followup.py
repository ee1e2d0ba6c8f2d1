"""Follow-up questions: make a question that leans on the conversation searchable.

"En wat zei hij over Irak?" or "and for 2019?" mean little on their own. When a question
looks like a follow-up (it opens with a continuation such as "en", "ook", "and", "what
about"; it refers back with a pronoun such as "hij", "daarover", "they", "his"; or it is only
a few words long) and there are earlier turns, it is searched together with the earlier
question it follows (itself resolved the same way, so a chain of follow-ups keeps its topic).
A question that stands on its own is searched as it is. The answer still answers the new
question: only retrieval sees the combined text.

The earlier answers are accepted but not used here: quoting them into the search would pull
retrieval back to the passages already cited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from qa_service.text.language import Language, detect_language

#: The earlier question is cut to this many characters before it is combined.
MAX_CONTEXT_CHARS = 600
#: A question of at most this many words is elliptical ("En 2019?", "Moldavië?").
SHORT_WORDS = 3

_WORD = re.compile(r"\w+", re.UNICODE)

_CONTINUATIONS = (
    # Dutch
    ("en",),
    ("ook",),
    ("maar",),
    ("dus",),
    ("wat", "dan"),
    ("hoe", "zit"),
    ("hoe", "staat"),
    ("en", "wat"),
    # English
    ("and",),
    ("also",),
    ("but",),
    ("so",),
    ("what", "about"),
    ("how", "about"),
)

#: Words that point back to something said earlier (deliberately not "die", "dat", "zijn",
#: "it", "this", "that", "there": those are just as common in questions that stand alone).
_BACK_REFERENCES = frozenset(
    """
    hij zij ze hem haar hun hen daar daarover daarvan daarmee daarbij daarin daarna
    daarvoor daartegen hierover hiervan hiermee hierbij erover ervan ermee erbij toen
    dezelfde datzelfde diezelfde
    he she him her his hers they them their its same former latter
    """.split()
)


class Turn(Protocol):
    """One earlier exchange (the API's history items have these fields)."""

    question: str
    answer: str


@dataclass(frozen=True)
class Resolved:
    """What to search for and in which language to answer."""

    query: str  # the text given to retrieval
    language: Language  # the language of the new question (of the conversation if unclear)
    followup: bool  # True when the query combines the question with an earlier one


def is_followup(question: str) -> bool:
    """Whether ``question`` looks like it continues an earlier one (a cheap heuristic)."""
    words = _WORD.findall(question.lower())
    if not words:
        return False
    if len(words) <= SHORT_WORDS:
        return True
    if any(tuple(words[: len(c)]) == c for c in _CONTINUATIONS):
        return True
    return any(w in _BACK_REFERENCES for w in words)


def _combine(context: str, question: str) -> str:
    if len(context) > MAX_CONTEXT_CHARS:
        context = context[:MAX_CONTEXT_CHARS].rsplit(" ", 1)[0]
    return f"{context} {question}"


def resolve(question: str, history: Sequence[Turn] = ()) -> Resolved:
    """The retrieval query for ``question`` given the earlier turns (oldest first)."""
    context = ""
    for turn in history:
        previous = turn.question.strip()
        if previous:
            context = _combine(context, previous) if context and is_followup(previous) else previous
    if not context or not is_followup(question):
        return Resolved(question, detect_language(question), False)
    language = detect_language(question, default=detect_language(context))
    return Resolved(_combine(context, question), language, True)
