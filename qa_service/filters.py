"""Document filters: which documents a search, an answer or a listing may draw on.

:class:`Filters` is a plain, hashable value (the API's ``filters`` object converts to it). The
store turns it into an SQL condition (:func:`qa_service.store.sqlite.filter_sql`);
retrieval turns the matching passages into a FAISS ``IDSelector`` and a BM25 weight mask, so
filtering happens inside the search and a filtered search still returns a full top-k.

Semantics (all given conditions must hold; a list matches any of its values):

* ``doc_ids``: the document ids;
* ``dossier``: the dossier number, ``28676`` or ``36410-XVI``; a number without a suffix also
  matches its sub-dossiers (``36410`` matches ``36410-XVI``, ``21501`` matches ``21501-20``);
* ``doc_type``: ``brief``, ``motie``, ... (case-insensitive);
* ``date_from`` / ``date_to``: ISO dates, inclusive; documents without a date do not match;
* ``vergaderjaar``: ``2023-2024`` (also written ``2023/24``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from qa_service.kamerstukken import iso_date, normalise_dossier, normalise_vergaderjaar


def _tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(dict.fromkeys(v.strip() for v in value if v and v.strip()))


def normalise_dossier_filter(value: str) -> str:
    """``36 410 XVI`` / ``36410-xvi`` -> ``36410-XVI``; other text is kept (upper-cased)."""
    return (normalise_dossier(value) or value.strip()).upper()


@dataclass(frozen=True)
class Filters:
    doc_ids: tuple[str, ...] = ()
    dossier: tuple[str, ...] = ()
    doc_type: tuple[str, ...] = ()
    date_from: str = ""  # ISO date, inclusive
    date_to: str = ""  # ISO date, inclusive
    vergaderjaar: tuple[str, ...] = ()

    @classmethod
    def create(
        cls,
        doc_ids: str | Iterable[str] | None = None,
        dossier: str | Iterable[str] | None = None,
        doc_type: str | Iterable[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        vergaderjaar: str | Iterable[str] | None = None,
    ) -> Filters:
        """Normalised filters; raises ``ValueError`` for a date or vergaderjaar it cannot read
        or a date range that ends before it starts."""
        start = _date(date_from, "date_from")
        end = _date(date_to, "date_to")
        if start and end and start > end:
            raise ValueError(f"date_from ({start}) is after date_to ({end})")
        years = []
        for value in _tuple(vergaderjaar):
            year = normalise_vergaderjaar(value)
            if not year:
                raise ValueError(f"vergaderjaar {value!r} is not like 2023-2024")
            years.append(year)
        return cls(
            doc_ids=_tuple(doc_ids),
            dossier=tuple(dict.fromkeys(normalise_dossier_filter(d) for d in _tuple(dossier))),
            doc_type=tuple(dict.fromkeys(t.lower() for t in _tuple(doc_type))),
            date_from=start,
            date_to=end,
            vergaderjaar=tuple(dict.fromkeys(years)),
        )

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


NO_FILTERS = Filters()


def _date(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        return ""
    iso = iso_date(value)
    if not iso:
        raise ValueError(f"{name} {value!r} is not a date (use YYYY-MM-DD)")
    return iso
