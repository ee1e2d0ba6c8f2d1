"""Questions asking who: whether the chosen sentences name a person (:func:`missing_person`:
"Which MP asked ...", "Wie diende ...") or, for a role asked ("Which commander will lead
...", "Who chairs ...", "the name of the president of the court"), someone holding it
(:func:`missing_role`). Part of the expected answer types of
:mod:`qa_service.answer.answer_types`.
"""

from __future__ import annotations

import re

from qa_service.text.lexical import fold

#: a question asking who: "Who signed", "Which MP asked", "Welk Kamerlid stelde"
_PERSON_ASKED = re.compile(
    r"^\W*(?:who|whom|wie|(?:which|what|welke?)\s+(?:mp|members?|ministers?|state secretary|"
    r"secretary|kamerlid|kamerleden|lid|leden|staatssecretaris|bewindspersoon)\b)",
    re.IGNORECASE,
)
#: a sentence naming a person: "de heer Van den Berg", "mevrouw Dales", "het lid Kops",
#: "minister Lubbers", "door Van Raan"
_PERSON = re.compile(
    r"\b(?i:de heer|heer|mevrouw|mr|drs|dr|ir|het lid|de leden|minister|staatssecretaris|"
    r"minister-president)\.?\s+(?:(?:van|de|der|den|ter|ten)\s+)*[A-ZÀ-Þ]"
)


def missing_person(question: str, answer: str) -> bool:
    """Whether ``question`` asks who ("Which MP asked ...", "Wie diende ...") and
    ``answer`` names nobody ("de heer Van den Berg", "minister Lubbers")."""
    return bool(_PERSON_ASKED.search(question)) and not _PERSON.search(answer)


#: People a question may ask for by role, with the documents' words for them: "Which
#: commander will lead ...", "Welke ambassadeur ...". Not the writer's roles (minister,
#: state secretary): a letter's "ik" is its minister. Not English words that are mostly
#: adjectives ("which general principles", "what official figures"), nor roles any holder
#: of another answers ("Which leader opened the dinner": the Secretary General).
ROLES = {
    "commander": ("commandant", "commander", "bevelhebber"),
    "commandant": ("commandant", "commander", "bevelhebber"),
    "bevelhebber": ("commandant", "commander", "bevelhebber"),
    "president": ("president", "voorzitter"),
    "voorzitter": ("voorzitter", "president"),
    "chair": ("voorzitter", "chair"),
    "ambassador": ("ambassadeur", "ambassador"),
    "ambassadeur": ("ambassadeur", "ambassador"),
    "generaal": ("generaal", "general"),
    "judge": ("rechter",),
    "rechter": ("rechter",),
    "mayor": ("burgemeester", "mayor"),
    "burgemeester": ("burgemeester",),
    "director": ("directeur", "director"),
    "directeur": ("directeur",),
    "spokesperson": ("woordvoerder", "spokesperson"),
    "spokesman": ("woordvoerder", "spokesman"),
    "woordvoerder": ("woordvoerder",),
    "ambtenaar": ("ambtenaar", "functionaris"),
    "envoy": ("gezant", "envoy"),
    "gezant": ("gezant",),
}
_ROLE = "|".join(sorted(ROLES, key=len, reverse=True))
#: "Which (Dutch) commander ...", "Welke Nederlandse commandant ...": the role asked for
_ROLE_ASKED = re.compile(rf"^\W*(?:which|what|welke?)\s+(?:[\w-]+\s+){{0,2}}?({_ROLE})\w*\b")
#: "What was the name of the president of ...", "Hoe heet de commandant ...", "Wie was in
#: 1937 voorzitter van ...": a name asked
_NAME_ASKED = re.compile(
    rf"\b(?:(?:names?|naam|namen) (?:of|van)|hoe heet(?:te)?) (?:the|de|het) "
    rf"(?:[\w-]+\s+){{0,2}}?(?:{_ROLE})|"
    rf"^\W*(?:who (?:is|was)|wie (?:is|was))\s+(?:in \d{{4}}\s+)?(?:(?:the|de|het)\s+)?"
    rf"(?:[\w-]+\s+){{0,2}}?(?:{_ROLE})\b"
)
#: a person named: a title or initials before a capitalised name ("mr. J. de Vries",
#: "A.Th.B. Bijleveld-Schouten", "Secretary of Defense Mattis", "generaal Middendorp"), or
#: after its role ("De voorzitter van de Commissie, Van der Meer")
_NAMED = re.compile(
    rf"{_PERSON.pattern}|\b[A-Z]\.(?:\s?[A-Z][a-z]{{0,2}}\.)*\s?(?:(?:van|de|der|den)\s+)*[A-Z]\w|"
    rf"\b(?i:{_ROLE}|secretary|premier|koning|koningin)(?:s|en)?(?:\s+(?:of|van)\s+[A-Z]\w+)?"
    rf"\s+[A-Z]\w|"
    rf"\b(?i:{_ROLE})(?:\s+[\w-]+){{0,4}}?,\s+(?:(?:Van|De|Ter|Ten)\s+(?:(?:der|den|de)\s+)?)?[A-Z][a-z]"
)

#: a role word opening a match after a capitalised word: the name of a post ("Supreme Allied
#: Commander Europe", "Allied Commander Transformation"), not a person holding it; not after
#: a nationality ("de Amerikaanse Secretary of Defense Mattis", "Afghan President Ghani")
_TITLE_BEFORE = re.compile(r"[A-Z][\w-]*(?<!se)(?<!sche)(?<!an)(?<!ish)(?<!ch)\s+$")


def _names_someone(answer: str) -> bool:
    """Whether ``answer`` names a person (:data:`_NAMED`), a post's capitalised name not
    counted: "de Supreme Allied Commander Europe (SACEUR)" names no commander."""
    return any(
        not (m.group(0)[0].isupper() and _TITLE_BEFORE.search(answer, 0, m.start()))
        for m in _NAMED.finditer(answer)
    )


#: an acronym acting ("SACEUR beklemtoonde", "lieten SACEUR en SACT weten"): a role held by
#: someone; not a place or unit named after a preposition ("een team aan TAAC-North")
_ACRONYM = re.compile(r"(\w+\s+)?\b[A-Z]{3,}\b(?![-'’])(?:\s+(?:en|and)\s+[A-Z]{3,})?\s+[a-z]")
_PLACE_BEFORE = frozenset("aan bij in te op naar uit tegen to at from within binnen".split())


def _acts(answer: str) -> bool:
    return any(
        m.group(1) is None or m.group(1).strip().lower() not in _PLACE_BEFORE
        for m in _ACRONYM.finditer(answer)
    )


#: "Who chairs the advisory group ...", "Who will lead the mission ...", "Wie leidt het team":
#: a role asked by its verb, answered by the words of leading something ("onder Duits
#: voorzitterschap", "geleid door"); the motion's submitter ("het lid Kuzu") does not
#: chair the group the motion asks for
_LEAD_ASKED = re.compile(
    r"^\W*(?:who|wie)\s+(?:will\s+|should\s+|would\s+|is to\s+|zal\s+|moet\s+|gaat\s+)?"
    r"(?:chair|lead|head|leid)\w*\b"
)
_LEADS = re.compile(
    r"(?<![\w-])(?:\w*voorzit|leiding|leider|leidt|geleid|hoofd|commandant|chair|lead|head)"
)


def missing_role(question: str, answer: str) -> bool:
    """Whether ``question`` asks for a person by role or by name ("Which commander will
    lead ...", "What was the name of the president of the court ...") and ``answer`` names
    no one (a title or initials before a name: "mr. J. de Vries", "generaal Middendorp") nor,
    for a role, says who holds it ("de commandant van ..."): a letter's "ik heb toegezegd"
    does not say which commander leads the team. A role asked by its verb ("Who chairs
    ...") needs the words of leading (:data:`_LEADS`), whoever the answer names."""
    asked = fold(question)
    if _LEAD_ASKED.search(asked):
        return not _LEADS.search(fold(answer))
    role = _ROLE_ASKED.search(asked)
    if role is None and not _NAME_ASKED.search(asked):
        return False
    if _names_someone(answer) or _acts(answer):
        return False
    if role is None:
        return True
    words = ROLES[next(r for r in ROLES if role.group(1).startswith(r))]
    return not any(re.search(rf"(?<![\w-]){w}", fold(answer)) for w in words)
