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
    "policy": "beleid",
    "policies": "beleid",
    "research": "onderzoek",
    "investigat": "onderzoek",
    "sanction": "sancties",
    "decid": "besloten besluit",
    "agree": "afspraken akkoord ingestemd instemming overeenstemming stemden",
    "welcom": "verwelkomd",
}

#: Dutch words of parliamentary procedure a question may use for another the documents use:
#: word prefix -> the documents' terms, looked up beside the question's own.
NL_NL_TERMS: dict[str, str] = {
    "beloof": "toegezegd toezegging",
    "belov": "toegezegd toezegging",
    "belof": "toegezegd toezegging",
}

#: Policy topics an English question names, with the Dutch words the motions' titles use:
#: English word (singular; a regular plural is found too: "pensions", "subsidies") -> Dutch
#: word starts, any of which counts. Used to list the motions about a topic
#: (:mod:`qa_service.answer.by_topic`): "Which motions are about nitrogen?" finds
#: "stikstof". Common domains of parliamentary work, not the words of any one document.
EN_NL_TOPICS: dict[str, str] = {
    "nitrogen": "stikstof",
    "housing": "woning huisvest woningbouw",
    "house": "woning huis",
    "home": "woning",
    "rent": "huur",
    "tenant": "huurder",
    "landlord": "verhuurder",
    "mortgage": "hypothe",
    "asylum": "asiel",
    "refugee": "vluchteling",
    "immigrant": "immigra migrant",
    "education": "onderwijs",
    "school": "school scholen",
    "student": "student studie",
    "university": "universiteit",
    "universities": "universiteit",
    "teacher": "leraar leraren docent",
    "care": "zorg",
    "healthcare": "zorg gezondheidszorg",
    "health": "gezondheid zorg",
    "hospital": "ziekenhuis",
    "doctor": "arts huisarts",
    "nurse": "verpleeg",
    "pension": "pensioen",
    "tax": "belasting",
    "taxes": "belasting",
    "climate": "klimaat",
    "energy": "energie",
    "electricity": "elektriciteit stroom",
    "heating": "warmte verwarming",
    "insulation": "isolatie",
    "hydrogen": "waterstof",
    "solar": "zon",
    "wind": "wind",
    "nuclear": "kernenergie nucleair",
    "farmer": "boer agrari",
    "farming": "landbouw boer",
    "agriculture": "landbouw",
    "livestock": "vee",
    "manure": "mest",
    "fishing": "visserij vissers",
    "fisheries": "visserij",
    "fish": "vis",
    "shrimp": "garnalen",
    "wolf": "wolf wolven",
    "wolves": "wolf wolven",
    "animal": "dier",
    "nature": "natuur",
    "environment": "milieu",
    "emission": "uitstoot emissie",
    "pollution": "vervuiling verontreiniging",
    "water": "water",
    "drought": "droogte",
    "flood": "overstroming",
    "earthquake": "aardbeving",
    "waste": "afval",
    "traffic": "verkeer",
    "road": "weg wegen",
    "railway": "spoor",
    "rail": "spoor",
    "train": "trein spoor",
    "airport": "luchthaven vliegveld",
    "aviation": "luchtvaart",
    "flight": "vlucht luchtvaart",
    "shipping": "scheepvaart",
    "car": "auto",
    "bicycle": "fiets",
    "defence": "defensie",
    "army": "leger krijgsmacht",
    "military": "militair krijgsmacht",
    "police": "politie",
    "crime": "criminaliteit misdaad",
    "prison": "gevangen",
    "court": "rechter rechtbank",
    "judge": "rechter",
    "youth": "jeugd jongeren",
    "child": "kind",
    "children": "kind",
    "childcare": "kinderopvang",
    "elderly": "ouderen",
    "disabled": "beperking",
    "disability": "beperking",
    "poverty": "armoede",
    "debt": "schuld",
    "income": "inkomen",
    "wage": "loon lonen",
    "salary": "salaris loon",
    "unemployment": "werkloos",
    "labour": "arbeid",
    "worker": "werknemer arbeid",
    "employer": "werkgever",
    "self-employed": "zzp zelfstandig",
    "freelancer": "zzp zelfstandig",
    "business": "bedrijf onderne",
    "company": "bedrijf onderne",
    "companies": "bedrijf onderne",
    "entrepreneur": "onderne",
    "money": "geld",
    "laundering": "witwas",
    "war": "oorlog",
    "weapon": "wapen",
    "embassy": "ambassade",
    "development": "ontwikkeling",
    "culture": "cultu",
    "heritage": "erfgoed",
    "sport": "sport",
    "football": "voetbal",
    "privacy": "privacy",
    "vaccine": "vaccin",
    "vaccination": "vaccin",
    "drug": "drugs",
    "smoking": "roken tabak",
    "tobacco": "tabak",
    "fireworks": "vuurwerk",
    "municipality": "gemeente",
    "municipalities": "gemeente",
    "province": "provincie",
    "election": "verkiezing",
    "slavery": "slavernij",
    "language": "taal",
    "church": "kerk",
    "mosque": "moskee",
    "food": "voedsel",
    "price": "prijs prijzen",
}


def looked_up(glossary: dict[str, str], word: str) -> str | None:
    """The documents' words for a folded ``word`` in ``glossary`` (:data:`EN_NL_TERMS`,
    :data:`NL_NL_TERMS`: keyed by word prefix), or None."""
    return next((words for prefix, words in glossary.items() if word.startswith(prefix)), None)


def english_topic(word: str) -> list[str]:
    """The Dutch word starts of a policy topic an English ``word`` names
    (:data:`EN_NL_TOPICS`), singular or with a regular plural."""
    bases = [word, word[:-1], word[:-2], word[:-3] + "y" if word.endswith("ies") else ""]
    found = next((EN_NL_TOPICS[b] for b in bases if b in EN_NL_TOPICS), "")
    return found.split()
