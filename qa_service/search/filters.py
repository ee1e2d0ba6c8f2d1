"""Document filters: which documents a search, an answer or a listing may draw on.

:class:`Filters` is a plain, hashable value (the API's ``filters`` object converts to it). It
turns into an SQL condition over the ``documents`` table of an index (:meth:`Filters.where`);
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
from typing import Any

from qa_service.parsing.metadata import iso_date, normalise_vergaderjaar
from qa_service.parsing.text import normalise_dossier


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

    def where(self, alias: str = "d") -> tuple[str, list[Any]]:
        """An SQL condition over the ``documents`` table (as ``alias``) and its parameters."""
        meta = f"{alias}.meta"
        clauses: list[str] = []
        params: list[Any] = []
        if self.doc_ids:
            clauses.append(f"{alias}.doc_id IN ({','.join('?' * len(self.doc_ids))})")
            params.extend(self.doc_ids)
        if self.dossier:
            field = f"upper(json_extract({meta}, '$.dossier'))"
            parts = []
            for dossier in self.dossier:
                if "-" in dossier:
                    parts.append(f"{field} = ?")
                    params.append(dossier)
                else:  # the dossier and its sub-dossiers (36410 -> 36410-XVI)
                    parts.append(f"({field} = ? OR substr({field}, 1, ?) = ?)")
                    params.extend([dossier, len(dossier) + 1, dossier + "-"])
            clauses.append("(" + " OR ".join(parts) + ")")
        if self.doc_type:
            marks = ",".join("?" * len(self.doc_type))
            clauses.append(f"lower(json_extract({meta}, '$.doc_type')) IN ({marks})")
            params.extend(self.doc_type)
        if self.date_from:
            clauses.append(f"json_extract({meta}, '$.date') >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"(json_extract({meta}, '$.date') BETWEEN '0001' AND ?)")
            params.append(self.date_to)
        if self.vergaderjaar:
            marks = ",".join("?" * len(self.vergaderjaar))
            clauses.append(f"json_extract({meta}, '$.vergaderjaar') IN ({marks})")
            params.extend(self.vergaderjaar)
        return (" AND ".join(clauses) or "1"), params


NO_FILTERS = Filters()


def _date(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        return ""
    iso = iso_date(value)
    if not iso:
        raise ValueError(f"{name} {value!r} is not a date (use YYYY-MM-DD)")
    return iso
