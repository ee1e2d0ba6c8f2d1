"""Country names as the documents and the questions write them, Dutch and English.

From pycountry (ISO 3166-1 and the withdrawn countries of ISO 3166-3, with their Dutch
translations): ``Frankrijk`` and ``France`` are one country, ``Tsjecho-Slowakije`` and
``Zuid-Rhodesië`` are found in the historical documents. A few everyday names the standard
does not use (``Engeland``, ``Sovjet-Unie``) are added.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

import pycountry

from qa_service.text.lexical import fold

#: Everyday names ISO 3166 does not use, with the code of the country they name.
EVERYDAY = {
    "Engeland": "GB",
    "England": "GB",
    "Groot-Brittannië": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "Amerika": "US",
    "America": "US",
    "Sovjet-Unie": "SU",
    "Soviet Union": "SU",
    "West-Duitsland": "DE",
    "Oost-Duitsland": "DD",
    "Bondsrepubliek Duitsland": "DE",
    "Holland": "NL",
    "Noord-Korea": "KP",
    "North Korea": "KP",
    "Zuid-Korea": "KR",
    "South Korea": "KR",
    "Belarus": "BY",
    "Turkey": "TR",
}


def _forms(name: str) -> list[str]:
    """The forms of one ISO name worth finding in text: ``Korea, Republiek`` as ``Korea``,
    ``USSR; Unie van Socialistische Sovjetrepublieken`` as both."""
    return [part.split(",")[0].strip() for part in name.split(";") if part.strip()]


@lru_cache(maxsize=2)
def _dutch(table: str) -> gettext.NullTranslations:
    """pycountry's Dutch translation of an ISO table ("iso3166-1", "iso3166-3")."""
    return gettext.translation(table, pycountry.LOCALES_DIR, languages=["nl"])


@lru_cache(maxsize=1)
def country_codes() -> dict[str, str]:
    """Every country name (as written, capitalised) -> its ISO code."""
    dutch, dutch_old = _dutch("iso3166-1"), _dutch("iso3166-3")
    codes: dict[str, str] = {}
    for country in pycountry.countries:
        names = [country.name, dutch.gettext(country.name)]
        names += [getattr(country, "common_name", ""), getattr(country, "official_name", "")]
        for name in names:
            for form in _forms(name or ""):
                codes.setdefault(form, country.alpha_2)
    for old in pycountry.historic_countries:
        for name in (old.name, dutch_old.gettext(old.name)):
            for form in _forms(name):
                codes.setdefault(form, old.alpha_4)
    codes.update(EVERYDAY)
    return {name: code for name, code in codes.items() if len(name) >= 4}


def dutch_names(name: str) -> list[str]:
    """The Dutch ISO names of the country an English (or Dutch) ``name`` names, as written
    (``Ukraine``: ``Oekraïne``; ``Korea, Republiek`` as ``Korea``); none for another word."""
    code = country_codes().get(name[:1].upper() + name[1:])
    return list(_dutch_by_code().get(code, ())) if code else []


@lru_cache(maxsize=1)
def _dutch_by_code() -> dict[str, tuple[str, ...]]:
    dutch = _dutch("iso3166-1")
    return {c.alpha_2: tuple(_forms(dutch.gettext(c.name))) for c in pycountry.countries}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    names = sorted(country_codes(), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?!\w)")


#: a Dutch adjective of a country, capitalised inside a sentence: "de Deense regering",
#: "Israëlische kolonisten", "Amerikaanse" (ISO 3166 has no adjectives)
_ADJECTIVE = re.compile(r"(?<=[\w,;:] )[A-Z][a-zà-ÿ]+(?:se|sche)\b")


def countries_in(text: str) -> set[str]:
    """The countries ``text`` names: the ISO codes of their names, capitalised as names are
    ("Frankrijk treft al maatregelen" -> ``{"FR"}``; "frankrijk" is not a name), also at the
    head of a compound ("Oekraïne-beleid"), not inside one ("Noord-Korea" is not Korea);
    and their Dutch adjectives: as the country's code when it starts as the country's Dutch
    name does ("Marokkaanse" -> ``MA``), else as written ("de Deense regering" ->
    ``{"Deense"}``)."""
    found = {country_codes()[m.group(1)] for m in _pattern().finditer(text)}
    starts = _code_by_start()
    return found | {starts.get(fold(a)[:ADJECTIVE_START], a) for a in _ADJECTIVE.findall(text)}


#: the letters an adjective shares with its country's Dutch name ("Marokkaanse", "Marokko")
ADJECTIVE_START = 5


@lru_cache(maxsize=1)
def _code_by_start() -> dict[str, str]:
    """The first :data:`ADJECTIVE_START` letters of each country's one-word Dutch name ->
    its code, for the starts only one country has."""
    by_start: dict[str, set[str]] = {}
    for code, forms in _dutch_by_code().items():
        for form in forms:
            if len(form) > ADJECTIVE_START and form.isalpha():  # not Amerikaans-Samoa
                by_start.setdefault(fold(form)[:ADJECTIVE_START], set()).add(code)
    return {start: codes.pop() for start, codes in by_start.items() if len(codes) == 1}
