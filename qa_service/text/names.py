"""A question's names and numbers: what it is specifically about.

"What did the motion by Kat c.s. ask about Schiphol in 2023?": ``Kat``, ``Schiphol``, ``2023``.
Search uses the names to find the documents of the authors a question names
(:mod:`qa_service.search.authors`) and, for an English question, the passages that name
them; the answerer checks that its answer holds them (:mod:`qa_service.answer.support`).
:data:`EN_NL_NAMES` and :func:`written` give an English name's Dutch form.
"""

from __future__ import annotations

import re

from qa_service.text.lexical import fold

#: Capitalised words that name no specific thing of the question.
GENERIC = frozenset(
    """
    minister ministers ministry secretary general state kamer tweede eerste motie motion
    brief letter kabinet cabinet regering government i ik de het een the a an
    netherlands dutch nederland nederlandse nederlands mp mps
    """.split()
)

WORDISH = re.compile(r"\w[\w'’-]*")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
POSSESSIVE = re.compile(r"['’]s$")
_RANGE = re.compile(r"\d+(?:-\d+)+")
_WORD = re.compile(r"\w+")
#: Name particles: lower-case words inside names (``Jasper van Dijk``, ``Van der Plas``).
PARTICLES = frozenset("van der de den ten ter het la le du da von c.s cs en".split())


#: English names of things the Dutch documents name in Dutch (general, not per document).
EN_NL_NAMES: dict[str, str] = {
    "netherlands": "nederland",
    "dutch": "nederland",
    "north": "noord",
    "south": "zuid",
    "east": "oost",
    "west": "west",
    "sea": "zee",
    "europe": "europa",
    "european": "europ",
    "nato": "navo",
    "parliament": "kamer",
    "house": "kamer",
    "government": "regering",
    "cabinet": "kabinet",
    "defence": "defensie",
    "agriculture": "landbouw",
    "finance": "financien",
    "health": "volksgezondheid",
    "justice": "justitie",
    "tax": "belasting",
    "civil": "burgerlijk",
    "criminal": "straf",
    "code": "wetboek",
    "foreign": "buitenland",
    "ukraine": "oekraine",
    "russia": "rusland",
    "germany": "duitsland",
    "belgium": "belgie",
    "israel": "israel",
    "syria": "syrie",
    "turkey": "turkije",
    "asia": "azie",
    "africa": "afrika",
    "america": "amerika",
    "american": "amerika",
    "china": "china",
    "chinese": "china",
    "french": "frankrijk",
    "france": "frankrijk",
    "german": "duits",
    "english": "engels",
    "british": "brits",
    "britain": "brits",
    "russian": "russisch",
    "ukrainian": "oekraiens",
    "afghan": "afghaans",
    "caribbean": "caribisch",
    "israeli": "israelisch",
    "iranian": "iraans",
    "january": "januari",
    "february": "februari",
    "march": "maart",
    "may": "mei",
    "june": "juni",
    "july": "juli",
    "august": "augustus",
    "october": "oktober",
    "easter": "pasen",
    "christmas": "kerst",
    "pentecost": "pinksteren",
    "whitsun": "pinksteren",
    "iraq": "irak",
    "iraqi": "iraak",
    "syrian": "syrisch",
    "morocco": "marokko",
    "moroccan": "marokkaan",
    "egypt": "egypte",
    "libya": "libie",
    "lebanon": "libanon",
    "tunisia": "tunesie",
    "algeria": "algerije",
    "yemen": "jemen",
    "saudi": "saoedi",
    "palestinian": "palestijn",
    "jerusalem": "jeruzalem",
    "crimea": "krim",
    "ethiopia": "ethiopie",
    "somalia": "somalie",
    "sudan": "soedan",
    "indonesia": "indonesie",
    "brazil": "brazilie",
    "australia": "australie",
    "greece": "griekenland",
    "greek": "grieks",
    "spain": "spanje",
    "spanish": "spaans",
    "italy": "italie",
    "italian": "italiaans",
    "poland": "polen",
    "hungary": "hongarije",
    "romania": "roemenie",
    "bulgaria": "bulgarije",
    "serbia": "servie",
    "croatia": "kroatie",
    "bosnia": "bosnie",
    "lithuania": "litouwen",
    "latvia": "letland",
    "estonia": "estland",
    "sweden": "zweden",
    "norway": "noorwegen",
    "denmark": "denemarken",
    "austria": "oostenrijk",
    "switzerland": "zwitserland",
    "england": "engeland",
    "scotland": "schotland",
    "ireland": "ierland",
    "turkish": "turks",
    "antilles": "antillen",
    "kabul": "kaboel",
    "brussels": "brussel",
    "hague": "haag",
    "us": "vs",
    "usa": "vs",
    "uk": "vk",
    "warsaw": "warschau",
    "lisbon": "lissabon",
    "vienna": "wenen",
    "prague": "praag",
    "moscow": "moskou",
    "kyiv": "kyiv",
    "kiev": "kiev",
    "beijing": "peking",
    "london": "londen",
    "paris": "parijs",
    "strasbourg": "straatsburg",
    "luxembourg": "luxemburg",
    "benelux": "luxemburg",  # Nederland, België en Luxemburg
    "geneva": "geneve",
    "copenhagen": "kopenhagen",
    "athens": "athene",
    "cologne": "keulen",
    "constitution": "grondwet",
    "council": "raad",
    "committee": "commissie",
    "petition": "verzoekschrift",
    "petitions": "verzoekschrift",
    "assembly": "assemblee",
    # people and places the Dutch spell otherwise
    "putin": "poetin",
    "chechnya": "tsjetsjeni",
    "kharkiv": "charkiv",
    "gorbachev": "gorbatsjov",
    "yeltsin": "jeltsin",
    "khrushchev": "chroesjtsjov",
}


def written(name: str, language: str) -> list[str]:
    """``name`` folded as the documents may write it: as asked, and for an English question
    also with its Dutch name (``Morocco's``: ``morocco's``, ``marokko``)."""
    folded = fold(name)
    dutch = EN_NL_NAMES.get(fold(POSSESSIVE.sub("", name))) if language == "en" else None
    return [folded, dutch] if dutch else [folded]


#: a lower-case word joined to the name after it: "de motie-Westerveld", "het kabinet-Rutte"
_JOINED_NAME = re.compile(r"^[^\W\d_A-ZÀ-Þ][\w'’]*-(?=[A-ZÀ-Þ])")


def specifics(question: str) -> list[str]:
    """The question's names (capitalised words after its first word, a name's capitalised
    particle left out: ``Van der Plas``: ``Plas``; the name of "de motie-Westerveld") and
    numbers, also those of a range (``1995-1996``: ``1995``, ``1996``)."""
    out: list[str] = []
    words = WORDISH.findall(question)
    for i, word in enumerate(words):
        word = _JOINED_NAME.sub("", word)
        if fold(word) in PARTICLES:
            continue
        if NUMBER.fullmatch(word) or i > 0 and word[0].isupper() and fold(word) not in GENERIC:
            out.append(word)
        elif _RANGE.fullmatch(word):
            out.extend(word.split("-"))
    return list(dict.fromkeys(out))


def names(question: str) -> list[str]:
    """The question's names: its specifics that are not numbers, without a possessive
    (``Westerveld's``: ``Westerveld``)."""
    return [POSSESSIVE.sub("", w) for w in specifics(question) if not NUMBER.fullmatch(w)]


def names_only(text: str) -> bool:
    """Whether ``text`` is only names (a motion's signatures: ``Jasper van Dijk``,
    ``Westerveld, Kwint``): it says nothing a question could ask."""
    return not any(w.islower() and w not in PARTICLES for w in _WORD.findall(text))
