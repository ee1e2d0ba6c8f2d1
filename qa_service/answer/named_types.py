"""Answer types named by a proper name: which country, which place, which law.

A question asking which country, which municipality or city, or which law is not answered by
sentences that name none (beyond the question's own): "Welke gemeenten weigeren volgens
Eerdmans asielzoekers op te vangen?" is not answered by his motion that names no
municipality. Used by :func:`qa_service.answer.answer_types.missing_answer_type`.
"""

from __future__ import annotations

import re

from qa_service.text.countries import countries_in
from qa_service.text.lexical import fold
from qa_service.text.names import names

#: a question asking which country: "Which country already takes ...", "Met de regering van
#: welk land ...", "welke EU-landen"
_COUNTRY_ASKED = re.compile(
    r"\b(?:which|what|welke?)\s+(?:[\w-]+\s+){0,2}?(?:[\w-]*-)?"
    r"(?:country|countries|land|landen|member states?|lidsta(?:at|ten)|nations?|naties?)\b"
)
#: the adjectives of the documents' own country and union, in nearly every motion ("de
#: Nederlandse regering", "de Europese Commissie"): not the country a question asks for
HOME = re.compile(r"\b(?:Nederlandse|Europese)\b")
#: a question asking which place: "Welke gemeenten ...", "Which municipalities ...", "Tussen
#: welke steden ..."
_PLACE_ASKED = re.compile(
    r"\b(?:which|what|welke?)\s+(?:[\w-]+\s+)?(?:gemeenten?|provincies?|steden|stad|plaatsen|"
    r"municipalit(?:y|ies)|provinces?|cities|city|towns?)\b"
)
#: a question asking which law: "Which law regulates ...", "Under which act ...", "In welke
#: wet ...", "Na de inwerkingtreding van welke wet ..."
_LAW_ASKED = re.compile(
    r"\b(?:which|what|welke?)\s+(?:[\w-]+\s+){0,1}?(?:laws?|acts?|wet|wetten)\b(?!\s+of\b)"
)
#: a law named: "de Wet luchtvaart", "de Afvalstoffenwet", "het Wetboek van Strafrecht", "the
#: ... Act"
_LAW = re.compile(r"\b(?:wet|wetten|wetboek|act)\b|\w{3,}wet(?:ten)?\b")


def missing_named(question: str, answer: str) -> str | None:
    """``"a country"`` (one beyond the question's own: "Met welke landen sloten Nederland en
    België ..." is not answered by "Nederland"; Dutch or English names from pycountry or a
    Dutch adjective: "de Deense regering"), ``"a place"`` (a name beyond the question's own:
    "gemeente den Helder") or ``"a law"`` ("de Afvalstoffenwet") that ``question`` asks for
    and ``answer`` does not name; None otherwise."""
    asked = fold(question)
    if _COUNTRY_ASKED.search(asked) and not countries_in(HOME.sub(" ", answer)) - countries_in(
        question
    ):
        return "a country"
    if _PLACE_ASKED.search(asked) and not set(names(answer)) - set(names(question)):
        return "a place"
    if _LAW_ASKED.search(asked) and not _LAW.search(fold(answer)):
        return "a law"
    return None
