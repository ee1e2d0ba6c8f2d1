"""Questions about a document itself, answered from its metadata.

"Who signed the letter about ...?", "Wie diende motie 36410-XVI-119 in?", "In welk
vergaderjaar ...?", "Which dossier does the motion on ... belong to?", "Wat vraagt motie
36410-XVI-119?": the answer is in the document's metadata (:class:`DocumentMeta`: signers or
indieners, date, dossier, vergaderjaar) rather than in a sentence that retrieval can match.

The document is the one the question names by number (``36410-XVI-119``, ``36 410 XVI, nr.
119``, ``kst-28676-280``), else the best retrieved passage's. The answer states the fact from
the metadata and quotes, with its ``[n]``, a real passage of that document: the signature or
indieners passage for who signed or submitted it, the motion's dictum ("verzoekt de regering
...") for what a motion asks, otherwise the document's first passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from qa_service.documents import DocumentMeta, Passage
from qa_service.kamerstukken import DUTCH_MONTHS, ENGLISH_MONTHS
from qa_service.text.lexical import fold

Kind = Literal["answerer", "asker", "signer", "date", "dossier", "vergaderjaar", "about", "asks"]

_PATTERNS: list[tuple[Kind, re.Pattern[str]]] = [
    (  # written questions (Kamervragen): who answered them, who asked them
        "answerer",
        re.compile(
            r"\b(?:who|which (?:ministers?|state secretar(?:y|ies)|"
            r"members? of (?:the )?government))\b.*\b(?:answer|repl|respond)"
            r"|\b(?:wie|welke (?:ministers?|staatssecretaris(?:sen)?|bewindsman|bewindslieden|"
            r"bewindspersonen|bewindspersoon))\b.*\b(?:beantwoord|antwoordde)"
        ),
    ),
    (
        "asker",
        re.compile(
            r"\b(?:who|which (?:mps?|members?(?: of parliament)?))\b.*"
            r"\b(?:asked|put|posed|submitted|raised)\b.*\bquestions?\b"
            r"|\b(?:wie|welk kamerlid|welke (?:kamerleden|leden))\b.*"
            r"\b(?:stelde|stelden|gesteld)\b.*\bvragen\b"
        ),
    ),
    (
        "signer",
        re.compile(
            r"\b(?:who|whom|by whom|which (?:ministers?|state secretar(?:y|ies)|members?|mps?))\b.*"
            r"\b(?:sign|wrote|written|author|submit|tabled|filed|put forward|propos|sent|send)"
            r"|\b(?:wie|welke (?:ministers?|staatssecretaris(?:sen)?|kamerleden|leden)|"
            r"welk kamerlid)\b.*"
            r"\b(?:ondertek|schreef|geschreven|stuurde|verstuurd|diende|ingediend|"
            r"indiener|afzender|auteur|stelde .* voor)"
            r"|\bdoor wie\b|\bindieners?\b|\bsignator|\bsigned by\b"
        ),
    ),
    (
        "date",
        re.compile(
            r"\b(?:when|what date|which date|on what day)\b.*\b(?:letter|motion|document)\b.*"
            r"\b(?:dated|written|sent|signed|submitted|tabled|filed|proposed|put forward)"
            r"|\b(?:wanneer|welke datum|op welke dag)\b.*\b(?:brief|motie|document|kamerstuk)\b.*"
            r"\b(?:gedateerd|geschreven|verstuurd|verzonden|ondertekend|ingediend|voorgesteld)"
            r"|\bdate of (?:the|this) (?:letter|motion|document)\b"
            r"|\bdatum van (?:de|deze) (?:brief|motie|document)\b"
            r"|\bvan wanneer (?:is|dateert) (?:de|deze) (?:brief|motie|document)\b"
            r"|\bwhen did\b.*\b(?:submit|table|file|propose|put forward|sign|write|send)\b.*"
            r"\b(?:letter|motion|document)\b"
            r"|\bwanneer (?:diende|dienden|ondertekende|schreef|stuurde)\b.*"
            r"\b(?:brief|motie|document)\b"
        ),
    ),
    ("vergaderjaar", re.compile(r"\bvergaderjaar|\bparliamentary (?:year|session)|\bsession year")),
    (
        "dossier",
        re.compile(
            r"\b(?:which|what) (?:parliamentary )?(?:dossier|kamerstuk|file)\b"
            r"|\bdossier ?(?:number|nummer)"
            r"|\bwelk (?:kamer)?(?:dossier|kamerstuk)|\b(?:tot|bij|in) welk (?:kamer)?dossier"
            r"|\b(?:tot|bij) welk (?:wetsvoorstel|wetsontwerp)\b.*\bmotie\b"
            r"|\b(?:to|on|under|with) which bill\b.*\bmotion\b"
            r"|\b(?:what|which) (?:is|was) the (?:kamerstuk )?number of\b.*\b(?:letter|motion)\b"
            r"|\bwat is het (?:kamerstuk)?nummer van\b.*\b(?:brief|motie)\b"
        ),
    ),
    (  # what the document is about: its opening passage, or a motion's dictum
        "about",
        re.compile(
            r"\bwhat (?:is|was)\b.*\b(?:letter|motion|document|kamerstuk)\b.*\babout\W*$"
            r"|\bwhat (?:is|was) the (?:subject|topic) of\b.*\b(?:letter|motion|document)\b"
            r"|\bwaar (?:gaat|ging)\b.*\b(?:brief|motie|document|kamerstuk)\b.*\bover\W*$"
            r"|\bwat is het onderwerp van\b.*\b(?:brief|motie|document|kamerstuk)\b"
        ),
    ),
    (
        "asks",
        re.compile(
            r"\b(?:wat|what)\b.*\b(?:vraagt|verzoekt|wil|vroeg|ask|asks|asked|request|want|call)"
        ),
    ),
]

#: A document number in a question: a five-digit dossier (``36410``, ``36 410``), an optional
#: sub-dossier (``XVI``, ``07``) and an optional number (``nr. 119``, ``-119``).
_REFERENCE = re.compile(
    r"\b(?:kst-)?(\d{2}\s?\d{3})"
    r"(?:[\s-]+([ivxlc]+|\d{1,2}|[a-z])(?=[\s,.\-?]|$))?"
    r"(?:\s*,?\s*[-\s]\s*(?:(?:nr|no|nummer|number)\.?\s*)?(\d{1,4}))?\b"
)

#: A question about a document that the text refers to, not the document itself.
_REFERS = re.compile(r"\b(?:verwijst|verwezen|verwijzen|refers?|referred|cites?|cited)\b")

#: What a motion asks: its dictum opens with one of these.
_DICTUM = re.compile(r"^\s*(?:verzoekt|spreekt uit|roept|draagt|besluit|vraagt)", re.I)


def is_dictum(text: str) -> bool:
    """Whether a passage opens a motion's dictum: what it asks ("verzoekt de regering")."""
    return bool(_DICTUM.search(text))


_MONTH = "|".join(DUTCH_MONTHS + ENGLISH_MONTHS)
#: A question that dates the document it asks about: "Wie diende in 2019 de motie in",
#: "Which MP asked in March 1989", "the 1983 letter", "de motie uit 2019".
_DATED = re.compile(
    rf"\b(?:in|uit|from|of)\s+(?:(?:{_MONTH})\s+)?((?:18|19|20)\d\d)\b(?!\s*[-/])"
    r"|(?:\b(?:the|de|het|een|a|which|what|welke)|'s)\s+((?:18|19|20)\d\d)\s+"
    r"(?:letter|motion|questions?|answer|brief|motie|vragen|antwoord)\b"
)


#: where a question's content begins: a year after it dates the content, not the document
#: ("the motion about the treaty of 2015")
_CONTENT = re.compile(
    r"\b(?:over|about|on|regarding|concerning|die|dat|that|which|whether|waarin|om|to)\b"
)


def dated_year(question: str) -> int | None:
    """The year ``question`` dates the document it asks about by ("Wie diende in 2019 de
    motie in die ..."), or None: only before the question's content begins, and not a year
    to come, which dates a goal ("de vraag naar sportaccommodaties kan in 2030 toenemen"),
    not a document."""
    first, _, rest = fold(question).partition(" ")  # "Which MP asked": not a clause
    m = _DATED.search(first + " " + _CONTENT.split(rest, maxsplit=1)[0])
    year = int(m.group(1) or m.group(2)) if m else None
    return year if year is not None and year <= date.today().year else None


def of_year(meta: DocumentMeta, year: int) -> bool:
    """Whether ``meta`` may be a document of ``year`` (its date's year or a year of its
    vergaderjaar, give or take one: questions of December are answered in January); True
    when it records neither."""
    years = [
        int(y) for y in re.findall(r"(?:18|19|20)\d\d", f"{meta.date[:4]} {meta.vergaderjaar}")
    ]
    return not years or any(abs(y - year) <= 1 for y in years)


#: a question about "the letter" or "the motion" as such: "Who signed the letter?", "Van
#: wanneer is de brief?" (the kind of document named, as written -> its ``doc_type``)
_KIND_NAMED = re.compile(r"\b(?:the|this|de|deze)\s+(letter|brief|kamerbrief|motion|motie)\b")
_KIND_TYPES = {
    "letter": "brief",
    "brief": "brief",
    "kamerbrief": "brief",
    "motion": "motie",
    "motie": "motie",
}
#: ... saying what it is about: then it is one of many, found by its content
ABOUT = re.compile(
    r"\b(?:over|about|on|regarding|concerning|inzake|betreffende|dat|die|that|which|whether|"
    r"waarin)\s+\w"
)


def named_kind(question: str) -> str | None:
    """The ``doc_type`` of the document ``question`` names only by its kind ("the letter":
    ``brief``, "de motie": ``motie``), or None when it names no kind or says more about
    the document (a topic, a name, a number, a year): "Who signed the letter?" is about the
    only letter there is, "Who signed the letter about NATO?" about the one on NATO."""
    text = fold(question)
    m = _KIND_NAMED.search(text)
    if m is None or re.search(r"\d", text) or ABOUT.search(text, m.end()):
        return None
    if not question.isupper() and any(w[:1].isupper() for w in question.split()[1:]):
        return None  # a name: "Who signed Bijleveld's letter?" (not a shouted question)
    return _KIND_TYPES[m.group(1)]


@dataclass(frozen=True)
class MetaQuestion:
    kind: Kind
    doc_ids: tuple[str, ...]  # documents the question names by number (candidate ids)


def referenced_doc_ids(question: str) -> tuple[str, ...]:
    """Candidate document ids for the numbers in ``question``, most specific first."""
    out: list[str] = []
    for m in _REFERENCE.finditer(fold(question)):
        dossier = m.group(1).replace(" ", "")
        sub, number = m.group(2), m.group(3)
        parts = [dossier] + [p.upper() if p.isalpha() else p for p in (sub, number) if p]
        for i in range(len(parts), 0, -1):
            out.append("kst-" + "-".join(parts[:i]))
    return tuple(dict.fromkeys(out))


def classify(question: str) -> MetaQuestion | None:
    """What ``question`` asks about a document, or None when it asks about its content.

    "What does motion N ask" is a metadata question only when it names the motion by number;
    "who/when/which dossier" questions count only when they are about a document.
    """
    text = fold(question)
    refs = referenced_doc_ids(question)
    for kind, pattern in _PATTERNS:
        if not pattern.search(text):
            continue
        if kind == "asks" and not (refs and re.search(r"\b(?:motie|motion)\b", text)):
            continue
        if kind == "dossier" and _REFERS.search(text):
            continue  # "naar welk Kamerstuk verwijst de minister": a document it cites
        return MetaQuestion(kind, refs)
    return None


#: the head of the answer to written questions: "ANTWOORD van de heer Lardinois, Minister
#: van Landbouw", "Antwoord van Staatssecretaris Kraaijeveld-Wouters (CRM)" (OCR: "Aniwoord")
_ANSWERED_BY = re.compile(
    r"\b(?:an|am)\w?woord van\s+"
    r"((?:de heer|de heeren|de heren|mevrouw|ministers?|staatssecretaris|minister-president)\b"
    r".{2,200}?)"
    r"\s*(?:\((?:ontvangen|ingezonden)|\.(?:\s|$)|$)",
    re.IGNORECASE,
)
#: the head of written questions: "Vragen van het lid Van der Hek (P.v.d.A.)", "VRAGEN van
#: de leden Laban en Knot (beiden P.v.d.A.)"
_ASKED_BY = re.compile(
    r"\bvra(?:gen|ag) van\s+((?:het lid|de leden|de heer|mevrouw)\s+[^()]{2,80}?\([^()]{1,30}\))",
    re.IGNORECASE,
)
#: a letter's signature: "De Minister van Verkeer en Waterstaat, N. Smit-Kroes"
_SIGNED = re.compile(
    r"\b(De (?:Minister|Staatssecretaris|Minister-President)\b[^,.]{0,80},"
    r"\s*(?:[A-Z][\w'-]*\.?\s*){1,5})"
)


#: a Kamerstuk's printed head: "Vergaderjaar 1985-1986 19 255 Intrekking van de Wet openbaar
#: lichaam Rijnmond (...) Nr. 16" -> its dossier number and title
_DOSSIER_HEAD = re.compile(
    r"\b(?:Vergaderjaar|Zitting)\s+\d{4}\s*[-–—]\s*\d{4}\s*[-–—]?\s*"
    r"(\d{2}\s?\d{3}\s+[A-Z].{4,200}?)\s+(?:Nr|Nrs|No)\.",
)
#: where each kind of fact stands when the metadata lacks it: the pattern, whether to read
#: the passages from the end (a signature), the lead in English and in Dutch
_IN_TEXT: dict[str, tuple[re.Pattern[str], bool, str, str]] = {
    "answerer": (_ANSWERED_BY, False, "The questions were answered by {}.", "Beantwoord door {}."),
    "asker": (
        _ASKED_BY,
        False,
        "The questions were asked by {}.",
        "De vragen zijn gesteld door {}.",
    ),
    "signer": (_SIGNED, True, "Signed: {}.", "Ondertekend: {}."),
    "dossier": (_DOSSIER_HEAD, False, "Dossier: {}.", "Dossier: {}."),
}


def from_text(
    kind: Kind, passages: list[Passage], language: str
) -> tuple[str, Passage, str] | None:
    """For a document without the fact in its metadata (an OCR'd historical one): the
    lead sentence, the passage and the phrase of it that state who answered or asked its
    written questions or signed it, or its dossier (its printed head); None when no
    passage states it."""
    if kind not in _IN_TEXT:
        return None
    pattern, from_end, en, nl = _IN_TEXT[kind]
    found = _first(pattern, list(reversed(passages)) if from_end else passages)
    if found is None:
        return None
    passage, who = found
    return (en if language == "en" else nl).format(who), passage, who


def is_answer_head(sentence: str) -> bool:
    """Whether ``sentence`` only heads the answer to written questions ("ANTWOORD van de heer
    Schmelzer, Minister van Buitenlandse Zaken.", "Antwoord Antwoord van minister Dales
    (Binnenlandse Zaken)."): printed furniture, never an answer sentence."""
    text = " ".join(sentence.split())
    m = _ANSWERED_BY.search(text)
    return m is not None and m.start() <= len("antwoord ") and not text[m.end() :].strip()


#: a page's printed footer: "Tweede Kamer, vergaderjaar 1984-1985, Aanhangsel 475",
#: "Tweede Kamer, zitting 1982-1983, 12 449, nr. 66"
_FOOTER = re.compile(
    r"\s*Tweede Kamer,?\s+(?:vergaderjaar|zitting)\s+\d{4}\s*[-–—/]\s*\d{2,4}"
    r"(?:,\s*[\w ]{1,30}?(?:,\s*nrs?\.\s*[\d\s,–-]{1,20})?)?\.?\s*",
    re.IGNORECASE,
)


def is_page_footer(sentence: str) -> bool:
    """Whether ``sentence`` is only a page's printed footer ("Tweede Kamer, vergaderjaar
    1984-1985, Aanhangsel 475"): furniture, never an answer sentence, though its year may
    share a question's."""
    return _FOOTER.fullmatch(sentence) is not None


def _first(pattern: re.Pattern[str], passages: list[Passage]) -> tuple[Passage, str] | None:
    """The first passage ``pattern`` matches and its first group, whitespace collapsed."""
    for p in passages:
        m = pattern.search(" ".join(p.text.split()))
        if m:
            return p, m.group(1).strip(" ,.")
    return None


def _surname(author: str) -> str:
    """``A.Th.B. Bijleveld-Schouten`` -> ``Bijleveld-Schouten``."""
    words = [w for w in re.split(r"[\s.]+", author) if w]
    return words[-1] if words else author


def evidence_passage(kind: Kind, meta: DocumentMeta, passages: list[Passage]) -> Passage | None:
    """The passage of the document that shows the fact: its signature/indieners passage
    (the last that names an author), its dictum for what a motion asks, else its first."""
    if not passages:
        return None
    if kind == "signer" or (kind == "date" and meta.doc_type != "motie"):
        names = [fold(_surname(a)) for a in meta.authors if a.strip()]
        for p in reversed(passages):
            text = fold(p.text)
            if names and any(n in text for n in names):
                return p
    if kind in ("asks", "signer", "date", "about"):
        for p in passages:
            if is_dictum(p.text):
                return p
    return passages[0]


def _date(iso: str, language: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if not m:
        return iso
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if language == "en":
        return f"{day} {ENGLISH_MONTHS[month - 1].capitalize()} {year}"
    return f"{day} {DUTCH_MONTHS[month - 1]} {year}"


def _join(names: list[str], language: str) -> str:
    names = [n for n in names if n.strip()]
    if len(names) <= 1:
        return "".join(names)
    word = " and " if language == "en" else " en "
    return ", ".join(names[:-1]) + word + names[-1]


def statement(kind: Kind, meta: DocumentMeta, language: str) -> str | None:
    """The fact from the metadata as one lead sentence (without citation), or None when the
    metadata does not hold it."""
    en = language == "en"
    what = meta.title or meta.citation()
    ref = meta.citation()
    if kind == "signer":
        if not meta.authors:
            return None
        who = _join(meta.authors, language)
        if meta.doc_type == "motie":
            return (
                f"{what} ({ref}) was submitted by {who}."
                if en
                else (f"{what} ({ref}) is ingediend door {who}.")
            )
        return (
            f"{what} ({ref}) was signed by {who}."
            if en
            else (f"{what} ({ref}) is ondertekend door {who}.")
        )
    if kind == "date":
        if not meta.date:  # undated (the bundled letter): say so, and what is known
            if not meta.vergaderjaar:
                return None
            return (
                f"{what} ({ref}) carries no date in the documents; it is from parliamentary "
                f"year {meta.vergaderjaar}."
                if en
                else f"{what} ({ref}) heeft in de documenten geen datum; het is uit "
                f"vergaderjaar {meta.vergaderjaar}."
            )
        when = _date(meta.date, language)
        return f"{what} ({ref}) is dated {when}." if en else f"{what} ({ref}) is van {when}."
    if kind == "dossier":
        if not meta.dossier:
            return None
        title = f" ({meta.dossier_title})" if meta.dossier_title else ""
        return (
            f"{what} ({ref}) belongs to dossier {meta.dossier}{title}."
            if en
            else f"{what} ({ref}) hoort bij dossier {meta.dossier}{title}."
        )
    if kind == "vergaderjaar":
        if not meta.vergaderjaar:
            return None
        return (
            f"{what} ({ref}) is from parliamentary year {meta.vergaderjaar}."
            if en
            else f"{what} ({ref}) is uit vergaderjaar {meta.vergaderjaar}."
        )
    if kind == "about":  # the opening passage (a motion's dictum) quoted says what about
        return f"{what} ({ref}):"
    if kind != "asks":
        return None  # who answered or asked written questions: in the text (from_text)
    # "asks": the dictum quoted is the answer; name the motion and who submitted it
    who = _join(meta.authors, language)
    if en:
        return f"{what} ({ref})" + (f", submitted by {who}:" if who else ":")
    return f"{what} ({ref})" + (f", ingediend door {who}:" if who else ":")
