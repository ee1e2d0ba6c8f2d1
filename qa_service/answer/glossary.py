"""The words a question may use for the documents' words: a small, general glossary of
parliamentary vocabulary, used where a question's terms are looked up in the passages
(:func:`qa_service.answer.sentence_choice.question_terms`): an English question's
"pledge" finds a Dutch "toegezegd", a Dutch "beloofd" finds "toegezegd" too. A word's
terms are alternatives: any one of them counts.
"""

from __future__ import annotations

#: General parliamentary vocabulary: English word prefix -> Dutch analysed terms (stems).
#: Only verbs and nouns of parliamentary procedure, nothing specific to a document.
EN_NL_TERMS: dict[str, str] = {
    "pledg": "toegezegd toezegging",
    "promis": "toegezegd beloofd",
    "commit": "toegezegd",
    "offer": "aangeboden aanbieden",
    "request": "verzoekt verzocht",
    "ask": "verzoekt verzocht",
    "call": "verzoekt oproep",
    "urge": "verzoekt oproep",
    "sign": "ondertekend",
    "submit": "ingediend indiener",
    "motion": "motie",
    "govern": "regering",
    "cabinet": "kabinet",
    "parliament": "Kamer",
    "inform": "informeren",
    "report": "rapporteren",
    "evaluat": "evalueren evaluatie",
    "support": "steun",
    "troop": "militairen troepen",
    "soldier": "militairen",
    "money": "geld middelen",
    "fund": "middelen financiering",
    "budget": "begroting",
    "law": "wet",
    "research": "onderzoek",
    "investigat": "onderzoek",
    "sanction": "sancties",
    "decid": "besloten besluit",
    "agree": "afspraken akkoord",
    "welcom": "verwelkomd",
}

#: Dutch words of parliamentary procedure a question may use for another the documents use:
#: word prefix -> the documents' terms, looked up beside the question's own.
NL_NL_TERMS: dict[str, str] = {
    "beloof": "toegezegd toezegging",
    "belov": "toegezegd toezegging",
    "belof": "toegezegd toezegging",
}
