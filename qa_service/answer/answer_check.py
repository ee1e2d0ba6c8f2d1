"""Whether a chosen answer carries what the question asks: its names and numbers in the
answer's own document, the kind of answer asked (a number, an amount, a time), the year it
dates the document by, and for a Dutch question enough of its terms, for an English one
naming an MP the topic asked about. What it lacks makes the answerer decline: near, but not
an answer.
"""

from __future__ import annotations

import re

from qa_service.answer.abstention import Abstention, topic_terms
from qa_service.answer.answer_types import missing_answer_type
from qa_service.answer.answers import Answer
from qa_service.answer.evidence import DocumentEvidence
from qa_service.answer.metadata import dated_year, of_year
from qa_service.answer.sentence_choice import asks_request, question_terms
from qa_service.answer.support import evidence_text, missing_numbers, missing_specifics
from qa_service.answer.topic_words import mentions, translated_terms
from qa_service.config import Settings
from qa_service.documents import DocumentMeta
from qa_service.search.authors import AuthorIndex
from qa_service.search.retriever import Hit
from qa_service.text.names import names
from qa_service.text.overlap import TermOverlap

#: "What did the minister say/pledge ...", "Wat zei/beloofde de minister ...": what a
#: minister (the writer of a letter) said or wrote
_MINISTER_SAID = re.compile(
    r"\b(?:the|de|het)\s+(?:minister|staatssecretaris|secretary of state)\s+"
    r"(?:say|said|write|wrote|state|stated|pledge|pledged|promise|promised|announce|announced|"
    r"stress|stressed|zeggen|schrijven|stellen|toezeggen|beloven)\b|"
    r"\b(?:zei|zegt|schreef|schrijft|stelde|stelt|beloofde|belooft|benadrukte|kondigde)\s+"
    r"(?:de|het)\s+(?:minister|staatssecretaris)\b",
    re.IGNORECASE,
)
#: a minister named in a sentence (a motion quoting one: "Minister Hoekstra heeft toegezegd")
_MINISTER = re.compile(r"\b(?:minister|staatssecretaris|bewindspersoon)", re.IGNORECASE)


def minister_said(question: str) -> bool:
    """Whether ``question`` asks what the minister said or wrote: a letter's words, not a
    motion's, unless the motion quotes a minister."""
    return bool(_MINISTER_SAID.search(question))


#: the topic of "What did X ask about <topic>?": after the last "about", up to a clause break
_ABOUT_EN = re.compile(r".*\babout\s+([^,;:?!]+)", re.IGNORECASE)


def topic_lacking_en(question: str, text: str) -> list[tuple[str, ...]]:
    """The policy topics of an English question with a Dutch form
    (:func:`~qa_service.answer.topic_words.translated_terms`: "wage" as "loon", not the
    procedure words "report", "fund") that ``text`` (the answer's document) lacks in every
    form, when they are too many for an answer. Of the topic a question asks what someone
    asked about ("What did Kathmann ask about the minimum wage?": her motion on "buy now,
    pay later" names no wage) or what the minister said about ("women in the armed
    forces": the letter names none), more than a third: "refugee children missing school" is
    asked of a motion on refugee children who miss "onderwijs". Of any other question's
    topics, two or more and more than a third: "Which schools already use AI in their
    lessons?" is not answered by a motion on an AI strategy for education, while one word
    the document puts otherwise ("motorway" of the A27) is no reason to decline."""
    topic = _ABOUT_EN.search(question)
    if topic is not None and (asks_request(question) or minister_said(question)):
        terms, least = translated_terms(topic.group(1), glossary=False), 1
    else:
        terms, least = topic_terms(question), 2
    lacking = [t for t in terms if not mentions(text, t)]
    return lacking if 3 * len(lacking) > len(terms) and len(lacking) >= least else []


def names_topic(question: str) -> bool:
    """Whether an English question names a topic its similarity without the MPs' names can
    measure: one after "about" or a policy topic (:func:`translated_terms`). "What did Romke
    de Jong and Boucke ask the government to draw up?" names none: without the names it is
    near nothing (0.09 to the motion asking for a vision that answers it)."""
    return _ABOUT_EN.search(question) is not None or bool(translated_terms(question, False))


def _undated(kind: str | None, own: DocumentMeta | None, evidence: str) -> str | None:
    """``kind`` (:func:`missing_answer_type`), but no "a figure for <year>" when the answer's
    document records no date and its text holds that year: "the toll levy proposed in
    1893" dates an undated report of 1893 ("Vastgesteld 16 December 1893"), not the figure."""
    if kind is None or own is None or own.date or own.vergaderjaar:
        return kind
    year = kind.removeprefix("a figure for ")
    return None if year != kind and year.isdigit() and year in evidence else kind


class AnswerCheck:
    """Checks an answer against its question, reading the cited documents once
    (:class:`DocumentEvidence`, shared with the answerer)."""

    def __init__(
        self,
        settings: Settings,
        overlap: TermOverlap,
        evidence: DocumentEvidence,
        abstention: Abstention,
        authors: AuthorIndex,
    ) -> None:
        self.settings = settings
        self.overlap = overlap
        self.evidence = evidence
        self.abstention = abstention  # topic checks of questions naming an MP
        self.authors = authors  # which names a question names are MPs

    def unsupported(self, question: str, answer: Answer) -> list[str]:
        """The names and numbers of ``question`` that the answer's own document (its text and
        metadata) does not hold, the kind of answer it asks for (a number, an amount, a
        percentage, a time) that the answer lacks (:mod:`qa_service.answer.support`), the
        year it dates the document by when the answer's document is of another, and, for a
        Dutch question, too few of its terms in its own document (``answer_term_coverage_nl``),
        for an English one naming MPs, a topic too far from their document
        (``answer_topic_threshold_en``) unless it holds two of its policy topics or more
        (:meth:`Abstention.topics_held`) and, for any English one, too many of its policy
        topics lacking (:func:`topic_lacking_en`): near, but not an answer. The answer's own
        document is the cited one closest to the question in meaning: a motion on energy up
        to 2030 cited beside it does not make the closer motion on the 2034 World Cup an
        answer on the 2030 one, nor does the letter on Afghanistan make a motion on Iran's
        ambtsbericht one on Afghanistan's."""
        closest = max(answer.citations, key=lambda c: c.hit.dense_score, default=None)
        own = closest.hit.document if closest is not None else None
        evidence = evidence_text(self.evidence.texts(own.doc_id), [own]) if own else ""
        people = set(self.authors.among(names(question)))  # named MPs: specific
        missing = missing_specifics(
            question, answer.language, evidence, self.evidence.rarity, people=people
        )
        if own is not None and answer.language == "nl":
            held = self.term_coverage(question, own.title, own.doc_id)
            if held < self.settings.answer_term_coverage_nl:
                missing.append(f"the question's terms ({held:.2f} held)")
            document = self.evidence.terms(own.doc_id, own.title)
            missing += [str(t) for t in self.abstention.topic_lacking(question, people, document)]
        floor = self.settings.answer_topic_threshold_en
        if own is not None and answer.language == "en" and people and floor > 0:
            cited = [c.hit for c in answer.citations if c.hit.document.doc_id == own.doc_id]
            topic = self.abstention.topic_similarity(question, people, cited)
            if (
                topic < floor
                and names_topic(question)
                and self.abstention.topics_held(question, cited[0]) < 2
            ):
                missing.append(f"the topic asked about ({topic:.2f} without its names)")
        if own is not None and answer.language == "en":
            text = self.evidence.text(own.doc_id, own.title)
            missing += [t[0] for t in topic_lacking_en(question, text)]
        motion = own is not None and own.doc_type == "motie"
        if motion and minister_said(question) and not _MINISTER.search(answer.answer):
            missing.append("the minister's words")  # a motion is the Kamer's, not his
        kind = _undated(missing_answer_type(question, answer.answer), own, evidence)
        year = dated_year(question)  # "de motie uit 2019" is not a 2023 one
        if kind is None and year and own is not None and not of_year(own, year):
            kind = f"a document of {year}"
        return missing + [kind] if kind else missing

    def term_coverage(self, question: str, title: str, doc_id: str) -> float:
        """The IDF-weighted share of the (Dutch) question's terms that the document (its
        title and text) holds."""
        terms = question_terms(question, "nl")
        if not terms:
            return 1.0
        return float(self.overlap.score(terms, [self.evidence.terms(doc_id, title)])[0][0])

    def misses_numbers(self, question: str, answer: Answer) -> list[str]:
        """The years, dates and figures of ``question`` that the answer's document lacks:
        "who submitted the 2019 motion on X" is not answered by a 2023 motion on X. (Only
        numbers: the words of a question about a document, "Kamerdossier", are not its text.)"""
        if not answer.citations:
            return []
        lead = answer.citations[0].hit.document
        return missing_numbers(question, evidence_text(self.evidence.texts(lead.doc_id), [lead]))

    def on_topic(self, question: str, language: str, hits: list[Hit]) -> list[int]:
        """The positions of ``hits`` (the passages of an answer's sentences, in order) to
        keep. For an English question naming an MP, quoting two or more documents: those
        under ``answer_topic_threshold_en`` without the names are left out while one is
        above it: "What did Bromet and Thijssen want stopped immediately?" quoted their
        motion on buying farms (0.08) beside the one to stop netting on latent space at
        once. Otherwise every position. (Ordering the documents by that similarity too put
        the motion answering x90 last and did not lead "What compensation did Eppink and Van
        der Plas ask for farmers?" with the compensation motion.)"""
        keep = list(range(len(hits)))
        floor = self.settings.answer_topic_threshold_en
        if language != "en" or floor <= 0 or len({h.document.doc_id for h in hits}) < 2:
            return keep
        people = set(self.authors.among(names(question)))
        if not people:
            return keep
        near = self.abstention.topic_similarities(question, people, hits)
        best: dict[str, float] = {}
        for hit, value in zip(hits, near, strict=True):
            doc = hit.document.doc_id
            best[doc] = max(best.get(doc, value), value)
        of = [best[h.document.doc_id] for h in hits]
        return [i for i in keep if of[i] >= floor] or keep  # all far: the check declines
