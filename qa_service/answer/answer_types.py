"""The kind of answer a question asks for (the "expected answer type" of classic question
answering), and whether the chosen sentences hold it.

A question asking how many or how much is not answered by sentences without a number beyond
the question's own (dates do not count), a question asking for a percentage needs a
percentage, one asking for an amount of money needs an amount (euros, or guilders in the
historical documents); a question about how a motion fared in the vote (adopted, rejected,
who voted for it) needs sentences that report a vote: a motion's own text never does; one
asking for a person by role or by name ("Which commander will lead ...", "the name of the
president of the court") needs someone named or holding that role
(:func:`~qa_service.answer.persons.missing_role`),
not the letter's "ik heb toegezegd"; a Dutch "hoeveel politieagenten" answered by sentences
naming the police needs a figure beside them (:func:`missing_count`), not "honderd
militairen"; one asking which country, place or law needs one named beyond the
question's own (:mod:`qa_service.answer.named_types`: "Denemarken", "Amsterdam", "de
Afvalstoffenwet"). The topic may be right (the
hotel in Albergen) while the figure asked for is nowhere in it.

Calibrated with :mod:`qa_service.answer.support` on ``eval_data/dev``, ``calibration`` and
``calibration-extra`` (see docs/evaluation.md).
"""

from __future__ import annotations

import re

from qa_service.answer.named_types import HOME, missing_named
from qa_service.answer.persons import missing_role
from qa_service.answer.topic_words import translated_terms
from qa_service.kamerstukken import DUTCH_MONTHS, ENGLISH_MONTHS
from qa_service.text.lexical import fold

#: a question asking for a quantity: the question word opens the question or one of its
#: clauses, after at most two words ("By what percentage", "En hoeveel"); not a clause inside
#: a statement ("Motie ... over inzichtelijk maken hoeveel geld er op de plank ligt")
_QUANTITY = re.compile(
    r"(?:^|[,;:]|\b(?:and|en|or|of)\b)\W*(?:[\w'’]+\W+){0,2}?"
    r"(how (many|much|high)|by how much|"
    r"what percentage|what (share|proportion|amount|number) of|"
    r"what (?:salary|wage|price|fee|fine|rent|budget|sum)\b|"
    r"welke? (?:salaris|loon|prijs|boete|huur|budget|som)\b|"
    r"hoeveel|hoe ?veel|welk (percentage|aandeel|bedrag|aantal|deel)|voor welk bedrag|"
    r"(?:what|which) part of|"
    r"hoe (groot|hoog)|wat (kost|kostte|kosten|kostten)|wat (zijn|waren) de kosten|"
    r"what (?:does|did|do|will|would|could|can|should) (?:[\w'’-]+\W+){1,12}?cost)\b"
)
_PERCENTAGE_ASKED = re.compile(r"\b(percentage|procent|percent|aandeel|share|proportion)\b")
_PERCENTAGE = re.compile(r"%|\b(procent|percent|procentpunt)")
_MONEY_ASKED = re.compile(
    r"\b(bedrag|amount|kost|kosten|kostte|kostten|gekost|cost|costs|geld|money|euros?|"
    r"budget|spend|spent|uitgeven|uitgegeven|earn|earns|earned|earnings|profits?|revenues?|"
    r"verdien\w*|winst(?:en)?|opbrengst(?:en)?|omzet|"
    r"\w*(?:schuld|belasting|subsidie|uitkering|premie|boete|prijs|salaris|huur|"
    r"vergoeding|compensatie|investering|kapitaal)(?:en|s)?|"
    r"debts?|tax(?:es)?|subsid(?:y|ies)|fines?|prices?|salar(?:y|ies)|wages?|rents?|fees?|"
    r"allowances?|compensations?|investments?|capital)\b"
)
NUMBER_WORDS = (
    "twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|"
    "twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig|honderd|duizend|"
    "miljoen|miljard|tiental|dozijn|helft|kwart"
)
_MONTHS = "|".join(DUTCH_MONTHS)
_BOTH_MONTHS = "|".join((*DUTCH_MONTHS, *ENGLISH_MONTHS))
#: dates and years, Dutch or English ("1 juni", "1 June", "June 1"): not the figure a "how
#: many" asks for
_DATE = re.compile(
    rf"\b\d{{1,2}}\s+({_BOTH_MONTHS})(\s+\d{{4}})?\b|\b(?:{'|'.join(ENGLISH_MONTHS)})\s+\d{{1,2}}\b|"
    r"\b(19|20)\d\d\b|\b\d{4}/\d{2}\b"
)
#: a figure: digits, or number words (``honderd``, ``tweehonderdvijftig``, ``duizenden``; not
#: ``tweede`` or ``achter``), not the digits of a name ("CO2", "F35"; a guilder amount
#: written "f6" counts)
_FIGURE = re.compile(rf"(?<![a-z][a-z])\d+(?:[.,]\d+)*|\b(?:(?:{NUMBER_WORDS})(?:en)?)+\b")


#: an answer's citation markers (``[1]``): not figures of its text
_CITATION = re.compile(r"\[\d+\]")
#: a scale word after digits belongs to that figure (``5 miljard``, ``5 billion``)
_SCALED = re.compile(r"(\d)\s*(?:miljoen|miljard|mln|mld|million|billion|thousand|duizend)\b")


#: an amount of money: a figure with a currency or scale word (``€ 12 mln``, ``5 miljard
#: euro``, ``5 billion euros``; guilders in the historical documents: ``f 15 000 000``,
#: ``ƒ 2,50``, ``hfl. 300``, ``40 gulden``), or such words alone (``enkele miljoenen``); not
#: a scale word before the plural noun it counts ("3,6 miljoen cyberaanvallen", "2 million
#: households"; a participle, "miljoen uitgetrokken", "miljoen gereserveerd", stays money)
_PLURAL_NOUN = r"(?!euro|dollar|gulden|guilder)\w{3,}(?:en|s)\b"
_COUNTED_NOUN = rf"\s+(?!(?:aan|af|bij|in|op|toe|uit|vrij|weg)?ge){_PLURAL_NOUN}"
_AMOUNT = re.compile(
    r"(?:€|\$|ƒ|\b(?:f|fl|hfl)\b\.?)\s*(\d+(?:[.,]\d+|\s\d{3}\b)*)|"
    rf"(\d+(?:[.,]\d+)*)\s*(?:(?:miljoen|miljard|mln|mld|million|billion)\b(?!{_COUNTED_NOUN})|"
    rf"euro|dollar|gulden|guilder)|\b(miljoenen|miljarden|millions|billions)\b(?!{_COUNTED_NOUN})"
)


def _amounts(folded: str) -> set[str]:
    """The amounts of money in ``folded`` text (citation markers removed), by their figure."""
    return {next(g for g in m.groups() if g) for m in _AMOUNT.finditer(folded)}


#: a list number opening a sentence or following a closing bracket: "1 hebt u kennis
#: genomen", "(ingezonden 21 juli 1992) 2 onderschrijft u", OCR's "2in de rubriek"
_ENUMERATOR = re.compile(r"(?:^|(?<=[.?!:;)]\s)|(?<=\n))\s*\d{1,2}(?:\s+|(?=[a-z]))(?=[a-z])")


#: a reference, not a quantity: "(nrs. 9 en 10)", "artikel 36a", "blz. 5583", "p. 4", a
#: Kamerstuk cited by its dossier ("de motie-Dassen c.s. (36 120, nr. 24)", "21 501-20, nr. 5")
_REFERENCE = re.compile(
    r"\b(?:nrs?|nummers?|no|artikel(?:en)?|art|blz|pag|p|hoofdstuk|paragraaf)\.?\s*"
    r"\d+[a-z]?(?:\s*(?:en|,|-|t/m)\s*\d+[a-z]?)*|"
    r"\b\d{2}\s?\d{3}(?:-[a-z0-9]{1,5})?(?:\s+[a-z]{1,5})?,\s*(?=nrs?\b)"
)


def _figures(folded: str) -> set[str]:
    """The figures of ``folded`` text (citation markers removed), dates, list numbers and
    references ("nr. 11", "artikel 36a") left out."""
    text = _SCALED.sub(r"\1", _DATE.sub(" ", folded))
    text = _ENUMERATOR.sub(" ", _REFERENCE.sub(" ", text))
    return {m.group(0) for m in _FIGURE.finditer(text)}


#: a question asking when: the question word opens the question or one of its clauses, as
#: for a quantity ("Uiterlijk op welke datum", "..., by when should"); not "when" joining a
#: clause ("What did they stress when discussing North Korea")
_TIME_ASKED = re.compile(
    r"(?:^|[,;:]|\b(?:and|en|or|of)\b)\W*(?:[\w'’]+\W+){0,2}?"
    r"(wanneer|when|hoe vaak|how often|(?:op |tot |vanaf |per )?welke (?:datum|dag)|"
    r"(?:in |tot )?welk jaar|"
    r"(?:on |by |until |from )?(?:what|which) (?:date|day|year))\b"
)
#: a time: a date, year, month, day, season (``voorjaarsnota``), recess, period or deadline
#: word, or a moment named by what it comes before, during or after ("tijdens het debat",
#: "alvorens te besluiten")
_TIME = re.compile(
    rf"\b(?:(?:{_MONTHS})(?:brief|circulaire|nota|debat)?|{'|'.join(ENGLISH_MONTHS)}|"
    r"(?:18|19|20)\d\d|\d{4}/\d{2}|\d{1,2}-\d{1,2}-\d{2,4}|"
    r"(?:maan|dins|woens|donder|vrij|zater|zon)dag|(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
    r"\w*reces|recess|(?:zomer|winter|voorjaar|najaar|lente|herfst|kerst)\w*|pasen|"
    r"prinsjesdag|miljoenennota|tijdens|na afloop|zodra|alvorens|voordat|nadat|"
    r"summer|spring|autumn|fall|christmas|easter|"
    r"jaar|jaren|\w*(?:jaarlijks|maandelijks|wekelijks|dagelijks)\w*|maand\w*|weken|week|"
    r"dagen|dag|kwartaal|halfjaar|"
    r"years?|annual\w*|months?|weeks?|days?|quarter\w*|\w*(?:monthly|weekly|daily)|"
    r"uiterlijk|voortaan|binnenkort|spoedig|onverwijld|onmiddellijk|per direct|straks|thans|"
    r"zo snel mogelijk|korte termijn|eind|begin|medio|halverwege|voorafgaand|deadline|"
    r"jl|aanstaande|a\.s|vandaag|morgen|gisteren|"
    r"by the end|no later than|at the latest|soon|immediately|today|tomorrow|yesterday|"
    r"nachts|avonds|ochtends|morgens|middags|overdag|nacht|avond|ochtend|weekend\w*|"
    r"night|evening|morning|overnight)\b"
)


#: a question about how a motion fared in the vote (adopted, rejected, who voted for it)
_VOTE_ASKED = re.compile(
    r"\b(aangenomen|verworpen|adopted|rejected|voted|votes?|voting|gestemd|stemming|"
    r"(stemden|stemde|stemmen) (voor|tegen))\b"
)
#: sentences that report a vote
_VOTE = re.compile(
    r"\b(aangenomen|verworpen|stemming|gestemd|stemden|stemde|"
    r"stemverklaring|unaniem|adopted|rejected|voted)\b"
)


#: "Hoeveel (Afghaanse) politieagenten ...": what a Dutch question counts, after "hoeveel"
#: and its adjectives; not a verb ("Hoeveel bedroegen ..."), nor a unit, money or time the
#: other checks judge ("Hoeveel geld", "hoeveel jaar")
_COUNTED = re.compile(r"\bhoeveel\s+((?:[\w-]+e\s+|extra\s+|meer\s+)*)([\w-]+)")
_NOT_COUNTED = re.compile(
    r"(?:bedr[aoe]\w*|kost\w*|lever\w*|zijn|waren|is|was|word\w*|werd\w*|heeft|hebben|"
    r"had|hadden|krijg\w*|kreeg\w*|ga\w*|ging\w*|moet\w*|kan|kunnen|kon\w*|zal|zullen|"
    r"zou\w*|wil\w*|mag|mogen|betaal\w*|tel\w*|stem\w*|er|van|de|het|keer|maal|procent|"
    r"geld|euro\w*|gulden\w*|ton|jaar|jaren|maand\w*|week|weken|dag\w*|uur|uren|kilo\w*)"
)
_SENTENCE_END = re.compile(r"\[\d+\]|(?<=[.!?])\s+(?=[A-Z])")


#: How many words after a figure (or before it) the thing it counts may stand: "50.000
#: dodelijke slachtoffers", "50 studiebeurzen beschikbaar stellen voor Belarussische
#: studenten", "het aantal militairen bedraagt 100"; not "50.000 dodelijke slachtoffers en
#: een veelvoud aan gewonden" for the wounded.
COUNT_AFTER = 5
COUNT_BEFORE = 4


def counted_noun(question: str) -> str | None:
    """What a Dutch "hoeveel" question counts ("politieagenten"), folded; None when it
    counts nothing this way (a verb or a unit follows). Of an English "how many" question,
    the policy topic it counts ("lawyers"; :func:`counted_forms`)."""
    forms = counted_forms(question)
    return forms[0] if forms else None


#: "How many peak polluters does ...": the words an English question counts, up to its verb,
#: a preposition or the end of the clause
_COUNTED_EN = re.compile(
    r"\bhow many\s+((?:[\w'-]+\s+){0,2}?[\w'-]+)(?=\s+(?:do|does|did|are|were|is|was|will|"
    r"would|should|shall|can|could|have|has|had|must|may|might|in|of|for|to|on|at|per|from|"
    r"with|by|that|who|which|than)\b|\s*[?,;.]|$)",
    re.IGNORECASE,
)


#: a name counted: capitalised, or letters with digits ("F-35s", "Leopards"; not "1")
_COUNTED_NAME = re.compile(
    r"[A-Z][\w'’-]*|[\w'’-]*(?:\d[\w'’-]*[A-Za-z]|[A-Za-z][\w'’-]*\d)[\w'’-]*"
)


def _counted_en(question: str) -> tuple[str, ...]:
    """The forms of what an English "how many" question counts: the last policy topic of its
    words (:func:`~qa_service.answer.topic_words.translated_terms`: "lawyers" with "advoca",
    not the "wet" of "law"), else its last word when that is a name, as written without its
    plural ("F-35s": "f-35", "f35"), else the last word the glossary gives a Dutch form
    ("troops": "militairen"; not a verb: "How many MPs signed?"); none for words it does
    not know, or a unit ("how many months")."""
    m = _COUNTED_EN.search(question)
    if m is None or _UNIT_ASKED.search(fold(m.group(0))):
        return ()
    counted = m.group(1)
    topics = translated_terms(counted, glossary=False)
    if topics:
        return topics[-1]
    last = counted.split()[-1]
    if _COUNTED_NAME.fullmatch(last):  # "How many F-35s": "F35-onderdelen", "de F-35's"
        name = re.sub(r"(?:['’]s|s)$", "", fold(last))
        return tuple(dict.fromkeys([name, name.replace("-", "")]))
    terms = [t for t in translated_terms(counted) if not t[0].endswith("ed")]  # "signed"
    return terms[-1] if terms else ()


def counted_forms(question: str) -> tuple[str, ...]:
    """The forms the thing a question counts is written in (:func:`counted_noun`): the
    Dutch noun as asked, or an English topic's word with its Dutch starts."""
    m = _COUNTED.search(fold(question))
    if m is not None and not _NOT_COUNTED.fullmatch(m.group(2)) and len(m.group(2)) >= 4:
        return (m.group(2),)
    return _counted_en(question)


def _counts(noun: str, word: str) -> bool:
    """Whether ``word`` names the ``noun`` counted: by its first five letters ("politie"
    for "politieagenten"), as its head ("leden" for "kamerleden") or in a compound
    ("seniorenwoningen" for "woningen"); a short form only as the word's start ("vis")."""
    if len(noun) < 4:
        return word.startswith(noun)
    return noun[:5] in word or (len(word) >= 5 and noun.endswith(word)) or word.endswith(noun)


def names_counted(forms: tuple[str, ...], text: str) -> bool:
    """Whether ``text`` names the thing a question counts in one of its ``forms``
    (:func:`counted_forms`, :func:`_counts`)."""
    return any(_counts(f, w) for w in _bare_words(fold(text)) for f in forms)


def missing_count(question: str, answer: str) -> bool:
    """Whether ``question`` counts something ("Hoeveel politieagenten worden opgeleid")
    that ``answer`` names (:func:`_counts`) but no sentence of it holds a figure (beyond the
    question's own) a few words from that thing ("290.000 seniorenwoningen" for
    "woningen"), and where the question says where they are from ("Hoeveel Afghaanse
    militairen"), that too: "honderd militairen" in one sentence and the police training
    in the next do not count police officers, nor Afghan soldiers. An answer that never
    names the thing may count it in other words ("honderd militairen" for "Hoeveel
    soldaten"): not judged."""
    forms = counted_forms(question)
    if not forms:
        return False
    if not names_counted(forms, answer):
        return False  # perhaps counted by another word ("soldaten" for "militairen")
    asked = _figures(fold(question))
    origin = _origin(question)  # "Hoeveel Afghaanse militairen": Afghan ones, in the sentence
    for sentence in _SENTENCE_END.split(answer):
        text = _SCALED.sub(r"\1", _DATE.sub(" ", fold(sentence)))
        words = _bare_words(_ENUMERATOR.sub(" ", _REFERENCE.sub(" ", text)))
        for i, word in enumerate(words):
            if not _FIGURE.fullmatch(word) or word in asked:
                continue
            near = words[max(0, i - COUNT_BEFORE) : i] + words[i + 1 : i + 1 + COUNT_AFTER]
            if any(_counts(f, w) for w in near for f in forms) and all(
                any(w.startswith(o) for w in words) for o in origin
            ):
                return False
    return True


def _origin(question: str) -> list[str]:
    """The starts (five letters, folded) of the capitalised adjectives before what a Dutch
    "hoeveel" question counts: where the things counted are from ("Hoeveel Afghaanse
    militairen": ``afgha``), but for the documents' own country ("Nederlandse")."""
    m = re.search(_COUNTED.pattern, question, re.IGNORECASE)
    if m is None:
        return []
    return [fold(w)[:5] for w in m.group(1).split() if w[:1].isupper() and not HOME.fullmatch(w)]


#: "hoeveel jaar", "how many months": a count of a unit, which "een jaar" / "één maand"
#: answers with the article as its figure (the unit's Dutch word start)
_UNIT_ASKED = re.compile(
    r"\b(?:hoeveel|how many)\s+(jaar|jaren|maand|maanden|week|weken|dag|dagen|uur|uren|keer|"
    r"years?|months?|weeks?|days?|hours?|times)\b"
)
#: each unit's words (starts), Dutch and English, by the asked word's first three letters
_UNITS = {
    "jaa": "jaa?r|year",
    "jar": "jaa?r|year",
    "yea": "jaa?r|year",
    "maa": "maand|month",
    "mon": "maand|month",
    "wee": "wee?k",
    "wek": "wee?k",
    "dag": "dag|day",
    "day": "dag|day",
    "uur": "uur|uren|hour",
    "ure": "uur|uren|hour",
    "hou": "uur|uren|hour",
    "kee": "keer|maal|time",
    "tim": "keer|maal|time",
}


#: a question asking when something will happen: answered by when it will ("in februari
#: 2018", "voor de zomer", "per direct"), not by how soon someone asks it to ("zo spoedig
#: mogelijk"), nor by when something else happened ("heeft vandaag geconcludeerd", "sinds
#: 2011"); what it comes before or during answers it ("tijdens het debat")
_FUTURE_WHEN = re.compile(
    r"\b(?:when (?:will|would)|wanneer (?:zal|zullen|wordt|worden|gaat|gaan))\b"
)
_VAGUE_TIME = re.compile(
    r"\b(?:zo (?:spoedig|snel) (?:mogelijk|als mogelijk)|spoedig|binnenkort|straks|thans|"
    r"vandaag|gisteren|today|yesterday|soon|(?:sinds|since)\s+\S+)\b"
)


#: a question asking how long: "How long does ...", "Within what period ...", "Binnen welke
#: termijn ...", "What is the current payback period ..."
_DURATION_ASKED = re.compile(
    r"\b(?:how long|hoe lang|(?:within|in|after|for) (?:what|which) (?:period|term|time)|"
    r"binnen welke (?:termijn|periode|tijd)|na hoeveel tijd|"
    r"(?:what|which) (?:is|was|will be) the (?:[\w-]+\s+){0,2}?(?:period|term|duration)|"
    r"(?:wat|welke) (?:is|was|wordt) de (?:[\w-]+\s+){0,2}?(?:\w*termijn|periode|duur|looptijd))\b"
)
_DURATION_UNIT = "jaa?r|year|maand|month|wee?k|dag|day|uur|uren|hour|decenni|decade|kwarta|quarter"
#: a duration: a figure or "een" before a unit of time ("drie jaar", "binnen een maand",
#: "12 years"), or until when ("tot 1 januari 2025", "tot de zomer", "until the end of")
_DURATION = re.compile(
    rf"\b(?:\d+(?:[.,]\d+)*|een|één|a|an|one|half|enkele|paar|several|few|"
    rf"(?:{NUMBER_WORDS})\w*)\s+(?:[\w-]+\s+)?(?:{_DURATION_UNIT})|"
    rf"\b(?:tot|until|till)\s+(?:(?:de|het|the|end of|eind|einde)\s+)*(?:\d|(?:{_BOTH_MONTHS})\b|"
    r"eind|end|zomer|winter|voorjaar|najaar|herfst|summer|spring|autumn|\w*reces|recess)|"
    r"\b(?:permanent\w*|onbepaalde tijd|indefinite\w*|structureel)\b"
)


#: a span of time: a figure before a unit of time ("dertien weken", "30 dagen")
_TIME_SPAN = re.compile(rf"\b(?:\d+(?:[.,]\d+)*|(?:{NUMBER_WORDS})\w*)\s+(?:{_DURATION_UNIT})\w*")


def _untimed(asked: str, of: str, text: str) -> str:
    """``text`` without its spans of time when the quantity asked (``of``) is no unit of time
    and the question asks neither a time nor a duration: "Hoe hoog is de vermogensgrens?" is
    not answered by "een verblijf van langer dan dertien weken", nor "How much methane ...
    per year?" by "miljoenen jaren"."""
    if _UNIT_ASKED.search(of) or _DURATION_ASKED.search(asked) or _TIME_ASKED.search(asked):
        return text
    return _TIME_SPAN.sub(" ", text)


#: a number word glued to a unit of time, by OCR ("binnen den tijd van vijfjaar") or as
#: written ("binnen een halfjaar")
_GLUED_SPAN = re.compile(rf"\b({NUMBER_WORDS}|half)(?=(?:{_DURATION_UNIT}))")


def _one_unit(asked: str, text: str) -> bool:
    """Whether ``asked`` (folded) counts a unit ("na hoeveel jaar") that ``text`` (folded)
    gives as one: "na minimaal een jaar verblijf", "one month"."""
    m = _UNIT_ASKED.search(asked)
    if m is None:
        return False
    return re.search(rf"\b(?:een|one)\s+(?:\w+\s+)?(?:{_UNITS[m.group(1)[:3]]})", text) is not None


def _uncounted_unit(asked: str, text: str) -> str | None:
    """The unit ``asked`` (folded) counts when ``text`` (folded) gives no figure of it:
    "hoeveel jaar" needs "tien jaar" or "een jaar", "how many times" a number of times, not
    "binnen vier weken"; None when it counts no unit or the text gives one."""
    m = _UNIT_ASKED.search(asked)
    if m is None:
        return None
    figure = rf"(?:\d+(?:[.,]\d+)*|een|one|(?:{NUMBER_WORDS})\w*)"
    unit = _UNITS[m.group(1)[:3]]
    found = re.search(rf"\b{figure}\s+(?:\w+\s+)?(?:{unit})", text)
    return None if found else m.group(1)


def _bare_words(text: str) -> list[str]:
    """The words of ``text`` without the punctuation around them ("(300", "kg.,")."""
    return [w.strip(",.;:()") for w in text.split()]


#: a question asking for a part: "Welk deel van het fonds ...", "Which part of income ...":
#: a fraction ("de helft") or a figure ("de eerste 30.000"), not necessarily money
_SHARE_ASKED = re.compile(r"\b(?:welk deel|(?:what|which) part of)\b")
#: a question counting things: "how many households", "hoeveel miljonairs" (a Dutch plural
#: after "hoeveel"): a figure of them, not money, however the rest of the question speaks
#: of money ("... must have earned back their solar panels", "... een miljonairsbelasting")
_COUNT_ASKED = re.compile(
    rf"how many\b(?!\s+(?:\w+\s+)?(?:euros?|dollars?|guilders?)\b)|hoeveel\s+{_PLURAL_NOUN}"
)


#: the year a quantity is asked for ("How many homes were built in 2023?", "Hoeveel
#: militairen levert Nederland in 2019"): a figure for another year ("tot 2030 290.000
#: seniorenwoningen") does not answer it, unless the sentences speak of their own year
#: ("in januari van dit jaar", the document's year); not the year naming a document
#: ("Van der Sanden's 1973 questions")
_THIS_YEAR = re.compile(r"\b(?:dit|dat|vorig|volgend|this|that|last|next) (?:jaar|year)\b")
#: "How many ... last year?": answered by a figure for last year, or for a year named
_LAST_YEAR = re.compile(r"\b(?:(?:last|past|previous) year|vorige? jaar|afgelopen jaar)\b")
_IN_YEAR = re.compile(r"\bin (?:18|19|20)\d\d\b")
_YEAR_OF = re.compile(
    r"\b(?:in|voor|tot|per|sinds|since|until|by|between|tussen|en|and)\s+((?:18|19|20)\d\d)\b"
)


def missing_answer_type(question: str, answer: str) -> str | None:
    """What kind of answer ``question`` asks for that ``answer`` (the chosen sentences) does
    not hold: ``"a vote"``, ``"a time"`` (a date, period or deadline), ``"a duration"``
    (how long: "drie jaar", "tot 1 januari 2025"), ``"a person"``
    (:func:`missing_role`), ``"a country"``, ``"a place"`` or ``"a law"``
    (:func:`~qa_service.answer.named_types.missing_named`),
    ``"a percentage"``, ``"an amount of money"``, ``"a number"``, ``"a number of <the thing
    counted>"`` (:func:`missing_count`), ``"a figure for <year>"`` (:data:`_YEAR_OF`); None
    when it asks for none of these or the answer holds it. Citation markers (``[1]``) and
    dates are not figures; nor is the question's own figure (``5 billion`` asked, ``5
    miljard`` answered)."""
    asked = fold(question)
    text = _GLUED_SPAN.sub(r"\1 ", fold(_CITATION.sub(" ", answer)))
    if _VOTE_ASKED.search(asked) and not _VOTE.search(text):
        return "a vote"
    if _TIME_ASKED.search(asked):
        # "When will it open?": not "zo spoedig mogelijk", not "vandaag"
        times = _VAGUE_TIME.sub(" ", text) if _FUTURE_WHEN.search(asked) else text
        if not _TIME.search(times):
            return "a time"
    if _DURATION_ASKED.search(asked) and not _DURATION.search(text):
        return "a duration"
    if missing_role(question, answer):
        return "a person"
    named = missing_named(question, answer)
    if named is not None:
        return named
    quantity = _QUANTITY.search(asked)
    if quantity is None:
        return None
    # what the quantity is of: the clause from its question word on ("What tax did X want,
    # and how many millionaires ...": millionaires, not money)
    of = asked[quantity.start(1) :]
    if _PERCENTAGE_ASKED.search(of):  # a share of a budget is a percentage, not money
        if not _PERCENTAGE.search(text):
            return "a percentage"
    elif _SHARE_ASKED.search(of) or _COUNT_ASKED.match(of):
        pass  # a part ("de helft"), or things counted: a figure, not money
    elif _MONEY_ASKED.search(of) and not _amounts(text) - _amounts(asked):
        return "an amount of money"  # none, or only the question's own ("of the 5 billion")
    if not _figures(_untimed(asked, of, text)) - _figures(asked) and not _one_unit(of, text):
        return "a number"
    unit = _uncounted_unit(of, text)
    if unit is not None:
        return f"a number of {unit}"
    if missing_count(question, answer):
        return f"a number of {counted_noun(question)}"
    for year in _YEAR_OF.findall(of):  # "How many homes were built in 2023?"
        if year not in text and not _THIS_YEAR.search(text):
            return f"a figure for {year}"
    if _LAST_YEAR.search(of) and not _LAST_YEAR.search(text) and not _IN_YEAR.search(text):
        return "a figure for last year"
    return None
