"""The rules of Dutch parliamentary identifiers: dossier numbers, dates, vergaderjaren.

A Kamerstuk is identified as ``kst-<dossier>[-<toevoeging>]-<ondernummer>``; a dossier is
written ``28676`` or ``36410-XVI``; a vergaderjaar (parliamentary year, from Prinsjesdag to
Prinsjesdag) ``2017-2018``, in citations ``2017/18``. Parsing, filters and citations share
these rules.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

_DOSSIER = re.compile(r"(\d{2}\s?\d{3})(?:\s*-\s*|\s+)?([A-Za-z]+|\d{1,3})?")
#: month names, January first (lower case)
DUTCH_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
ENGLISH_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {month: number for number, month in enumerate(DUTCH_MONTHS, start=1)}
DUTCH_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(_MONTHS) + r") (\d{4})\b", re.IGNORECASE)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DUTCH_NUMERIC = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_VERGADERJAAR = re.compile(r"(\d{4})\s*[-–/]\s*(\d{4}|\d{2})(?!\d)")


def normalise_dossier(raw: str) -> str:
    """``28 676`` -> ``28676``; ``36 410 XVI`` -> ``36410-XVI``; ``21 501-20`` -> ``21501-20``."""
    raw = " ".join(raw.split())
    m = _DOSSIER.fullmatch(raw)
    if not m:
        return re.sub(r"\s*-\s*|\s+", "-", re.sub(r"(\d) (\d)", r"\1\2", raw))
    number = m.group(1).replace(" ", "")
    return f"{number}-{m.group(2)}" if m.group(2) else number


def parse_dutch_date(text: str) -> str:
    """First date like ``9 februari 2023`` in ``text`` as ISO ``2023-02-09`` (empty if none)."""
    m = DUTCH_DATE.search(text)
    if not m:
        return ""
    try:
        return date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1))).isoformat()
    except ValueError:
        return ""


def vergaderjaar_for_date(iso_date: str) -> str:
    """The parliamentary year containing a date; it starts on Prinsjesdag (third Tuesday of
    September). ``2024-02-14`` -> ``2023-2024``."""
    try:
        day = date.fromisoformat(iso_date)
    except ValueError:
        return ""
    first_sept = date(day.year, 9, 1)
    prinsjesdag = first_sept + timedelta(days=(1 - first_sept.weekday()) % 7 + 14)
    start = day.year if day >= prinsjesdag else day.year - 1
    return f"{start}-{start + 1}"


def iso_date(text: str) -> str:
    """``2017-12-12``, ``2017-12-12T10:00:00``, ``12-12-2017`` or ``12 december 2017`` as ISO
    ``2017-12-12``; ``""`` when there is no valid date."""
    text = text.strip()
    if not text:
        return ""
    m = _ISO.match(text)
    if m:
        parts = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    elif m := _DUTCH_NUMERIC.fullmatch(text):
        parts = (int(m.group(3)), int(m.group(2)), int(m.group(1)))
    else:
        return parse_dutch_date(text)
    try:
        return date(*parts).isoformat()
    except ValueError:
        return ""


def normalise_vergaderjaar(text: str) -> str:
    """``2017-2018``, ``2017/18``, ``2017–18``, ``2017/2018`` -> ``2017-2018``; ``""`` if none."""
    m = _VERGADERJAAR.search(text.strip())
    if not m:
        return ""
    start = int(m.group(1))
    end = m.group(2)
    end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
    if end_year != start + 1:
        return ""
    return f"{start}-{end_year}"


def short_vergaderjaar(vergaderjaar: str) -> str:
    """``2017-2018`` -> ``2017/18`` (empty when unknown or malformed)."""
    m = re.fullmatch(r"(\d{4})\s*[-–/]\s*(\d{2,4})", vergaderjaar.strip())
    if not m:
        return ""
    return f"{m.group(1)}/{m.group(2)[-2:]}"
