"""The answer to a question about a document itself, once its document is known.

The fact (who signed or submitted it, its date, dossier, vergaderjaar, what a motion asks)
comes from the document's metadata (:func:`metadata.statement`), or, where the metadata
lacks it (OCR'd historical documents), from the passage that states it
(:func:`metadata.from_text`: who answered or asked written questions, who signed a letter).
Either way the answer quotes, with its ``[1]``, that passage of the document, and with
``[2]`` the passage of it that matched the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from qa_service.answer.answers import Answer, Citation
from qa_service.answer.metadata import (
    MetaQuestion,
    evidence_passage,
    from_text,
    is_dictum,
    named_kind,
    statement,
)
from qa_service.answer.support import evidence_text
from qa_service.documents import DocumentMeta, Passage
from qa_service.filters import Filters
from qa_service.parsing.chunking import split_sentences
from qa_service.search.retriever import Hit, RetrievalResult
from qa_service.store.protocol import DocumentStore
from qa_service.text.lexical import fold
from qa_service.text.names import names

#: a matched passage longer than this is quoted by its first sentence
LONG_QUOTE = 400


def document_answer(
    asked: MetaQuestion,
    meta: DocumentMeta,
    question: str,
    retrieval: RetrievalResult,
    store: DocumentStore,
) -> Answer | None:
    """The answer to ``asked`` about the document ``meta``; None when neither its metadata
    nor its text states the fact."""
    passages = store.document_passages(meta.doc_id)
    lead = statement(asked.kind, meta, retrieval.language)
    passage = evidence_passage(asked.kind, meta, passages) if lead is not None else None
    if lead is not None and passage is not None:
        quote = _quote(asked, passage)
    else:
        found = from_text(asked.kind, passages, retrieval.language)
        if found is None:
            return None
        lead, passage, phrase = found
        sentences = split_sentences(passage.text) or [passage.text]
        quote = next((s for s in sentences if phrase[:12] in " ".join(s.split())), passage.text)
    hit = hit_of(passage, meta, retrieval, store)
    text = f"{lead} {quote.strip()} [1]"
    citations = [Citation(1, hit, quote.strip())]
    # found by its content: quote the passage of it that matched the question as well, a
    # motion's dictum first (what it asks identifies it; the fused ranking may put a
    # keyword-rich consideration above it)
    own = [h for h in retrieval.hits if h.document.doc_id == meta.doc_id]
    top = next((h for h in own if is_dictum(h.passage.text)), own[0] if own else None)
    if asked.kind == "about":
        top = None  # its opening says what it is about; a passage the question matched does not
    if top is not None and top.passage.passage_id != hit.passage.passage_id:
        matched = top.passage.text.strip()
        if len(matched) > LONG_QUOTE:
            matched = (split_sentences(matched) or [matched])[0]
        text += f" {matched} [2]"
        citations.append(Citation(2, top, matched))
    return Answer(question, text, True, retrieval.language, citations)


def _quote(asked: MetaQuestion, passage: Passage) -> str:
    """What of the evidence passage the answer quotes: a motion's whole dictum, the
    signature (the passage's last sentence), else its first sentence."""
    sentences = split_sentences(passage.text) or [passage.text]
    if asked.kind == "asks" or (asked.kind == "about" and is_dictum(passage.text)):
        return passage.text
    if asked.kind == "signer":
        return sentences[-1]
    return sentences[0]


def hit_of(
    passage: Passage, meta: DocumentMeta, retrieval: RetrievalResult, store: DocumentStore
) -> Hit:
    """``passage`` as a hit: the retrieved one, else looked up by its row (score 0)."""
    hit = next((h for h in retrieval.hits if h.passage.passage_id == passage.passage_id), None)
    if hit is not None:
        return hit
    rows = store.rows_matching(Filters.create(doc_ids=[meta.doc_id]))
    by_row = store.passages_by_rows([int(r) for r in rows])
    row = next((r for r, p in by_row.items() if p.passage_id == passage.passage_id), -1)
    return Hit(row, passage, meta, 0.0, 0.0, 0.0)


def only_document(question: str, searched: Filters, store: DocumentStore) -> DocumentMeta | None:
    """The one document of the kind ``question`` names as such ("the letter", "de motie":
    :func:`named_kind`) among those ``searched`` (the question's filters), or None when
    there are none or several of that kind: then "the letter" says nothing."""
    kind = named_kind(question)
    if kind is None or (searched.doc_type and kind not in searched.doc_type):
        return None
    found = store.list_documents(0, 2, replace(searched, doc_type=(kind,)))
    return found[0][0] if len(found) == 1 else None


def most_named(
    question: str, hits: list[Hit], texts: Callable[[str], tuple[str, ...]]
) -> list[Hit]:
    """One hit per document of ``hits`` (in rank order), only those whose document (its
    ``texts`` and metadata) holds the most of the names ``question`` asks about: "which
    minister answered Van der Hek's questions on Badger Belgium" is about the document that
    names them, wherever it ranks, and about no document that names fewer."""
    first: dict[str, Hit] = {}
    for hit in hits:
        first.setdefault(hit.document.doc_id, hit)
    asked = [fold(n) for n in names(question)]
    if not asked:
        return list(first.values())
    held = {
        d: sum(n in evidence_text(texts(d), [h.document]) for n in asked) for d, h in first.items()
    }
    most = max(held.values())
    return [h for d, h in first.items() if held[d] == most]


#: "Who is the Minister of Defence?", "Wie is de staatssecretaris van Financiën?": the
#: writer of a letter by the office its title names ("Brief van de Minister van Defensie")
_OFFICE_ASKED = re.compile(
    r"^\W*(?:who (?:is|was)|wie (?:is|was)) (?:the|de) (?P<office>(?:minister|state secretary|"
    r"staatssecretaris|secretary of state)\b.*?)\W*$"
)  # matched on the folded question
#: English names of offices and ministries, as Dutch titles write them
_OFFICES_NL = (
    ("state secretary", "staatssecretaris"),
    ("secretary of state", "staatssecretaris"),
    (" of ", " van "),
    (" for ", " van "),
    ("defence", "defensie"),
    ("defense", "defensie"),
    ("foreign affairs", "buitenlandse zaken"),
    (
        "foreign trade and development cooperation",
        "buitenlandse handel en ontwikkelingssamenwerking",
    ),
    ("finance", "financien"),
    ("justice and security", "justitie en veiligheid"),
    ("justice", "justitie"),
    ("the interior", "binnenlandse zaken"),
    ("interior", "binnenlandse zaken"),
    ("education", "onderwijs"),
    ("health", "volksgezondheid"),
    ("economic affairs", "economische zaken"),
    ("agriculture", "landbouw"),
    ("social affairs", "sociale zaken"),
    ("infrastructure", "infrastructuur"),
)


def office_holder(question: str, retrieval: RetrievalResult, store: DocumentStore) -> Answer | None:
    """ "Who is the Minister of Defence?": the signer of a retrieved letter whose title names
    that office ("Brief van de Minister van Defensie"), as "Who signed it?" is answered;
    None when the question asks no office or no retrieved letter is from it (the
    "Amerikaanse minister van Defensie" is not the letter's writer)."""
    m = _OFFICE_ASKED.search(fold(question))
    if m is None:
        return None
    office = f" {m.group('office')}"
    for english, dutch in _OFFICES_NL:
        office = office.replace(english, dutch)
    office = office.strip()
    for hit in retrieval.hits:
        meta = hit.document
        if meta.doc_type != "motie" and meta.authors and f"van de {office}" in fold(meta.title):
            return document_answer(MetaQuestion("signer", ()), meta, question, retrieval, store)
    return None
