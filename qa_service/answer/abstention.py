"""When the passages found are too far from the question to answer it.

The similarity of the best passage to the question, under a threshold calibrated per
language, says "far". Some evidence says "near" where the similarity is low: the top passage
holds every name asked, or every rare term of the question; a question about a document
itself embeds far from its text. Each such kind of evidence lowers the threshold once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import replace

import numpy as np

from qa_service.answer.evidence import DocumentEvidence
from qa_service.answer.metadata import classify, is_dictum
from qa_service.answer.sentence_choice import asks_request, flat_terms, question_terms
from qa_service.answer.support import english_renderings
from qa_service.answer.topic_words import cognate, mentions, translated_terms
from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.search.retriever import Hit, RetrievalResult
from qa_service.store.protocol import SearchIndex
from qa_service.store.vectors import center
from qa_service.text.language import Language
from qa_service.text.lexical import STOPWORDS, analyze, fold
from qa_service.text.names import names, names_only, written
from qa_service.text.overlap import Term, TermOverlap, TextTerms, alternatives

#: an English word this long may be found by its start in Dutch text (:meth:`cognates_held`)
COGNATE_WORD = 7
#: an English question that names its topic after "about" ("What did X ask about <topic>?")
_ABOUT = re.compile(r"\babout\b", re.IGNORECASE)
#: the topic of "Wat vroeg X over <topic>?": what follows the last "over", up to a clause
#: break ("... over de Holocaust, en hoeveel procent ...")
_ABOUT_TOPIC = re.compile(r".*\bover\s+([^,;:?!]+)", re.IGNORECASE)


class Abstention:
    """Decides whether a retrieval is too weak to answer from."""

    def __init__(
        self,
        settings: Settings,
        index: SearchIndex,
        overlap: TermOverlap,
        embedder: Embedder,
        evidence: DocumentEvidence,
    ) -> None:
        self.settings = settings
        self.index = index
        self.overlap = overlap
        self.embedder = embedder  # for :meth:`topic_similarity`
        self.evidence = evidence  # a document's terms, read once (shared with the answerer)

    def should_abstain(self, retrieval: RetrievalResult) -> bool:
        """Whether the best passage's similarity is under the language's threshold (a
        signature, "Eerdmans", is not a passage that says anything: it is near a question by
        the name alone). It is ``abstain_names_relief`` lower when the top passage or its
        document's title or authors hold every name asked (``Wwft``, ``Van Haga``, "the
        motion by Paul c.s.", "Vredesfaciliteit" of a motion's title for its consideration
        on "het budget"; a name they lack: no relief), once more when they hold every rare
        term of a Dutch question (:meth:`holds_rare_terms`) or, one naming someone, every
        term of it (:meth:`holds_every_term`), or an English question naming its authors is
        near it without their names (:meth:`about_authors`) or names policy topics its
        document mentions (:meth:`topics_held`; two or more: twice), and again when it asks
        about the document itself ("Bij welk dossier hoort de motie over de innovatiebox?"):
        so rare a keyword match says more than a low similarity (acronyms embed poorly; a
        dictum never names who submitted it; a question about a document embeds far from
        its text)."""
        said = [h.dense_score for h in retrieval.hits if not names_only(h.passage.text)]
        if not said:
            return True
        best = max(said)
        s = self.settings
        threshold = s.abstain_threshold_en if retrieval.language == "en" else s.abstain_threshold_nl
        named = self._names_asked(retrieval.query, retrieval.language)
        top = retrieval.hits[0]
        held = fold(" ".join([top.passage.text, top.document.title, *top.document.authors]))
        # every name it names, as asked or (English) by its Dutch name; one it lacks: none
        asked = [written(n, retrieval.language) for n in named]
        if not all(any(f in held for f in forms) for forms in asked):
            return best < threshold
        kinds = int(bool(asked))
        language = retrieval.language
        if self.holds_rare_terms(retrieval.query, top, language):
            about = language == "nl" and classify(retrieval.query) is not None
            kinds += 2 if about else 1
        else:
            kinds += self._near_otherwise(retrieval.query, language, named, top)
        return best < threshold - kinds * s.abstain_names_relief

    def _names_asked(self, question: str, language: Language) -> list[str]:
        """The names a question asks about (:func:`names`), of an English one without the
        words of an English rendering of a Dutch name (:func:`english_renderings`): "the
        Supreme Court" is the Hoge Raad, not a name its passage must hold."""
        named = names(question)
        if language != "en":
            return named
        rendered = english_renderings(question, self.evidence.rarity)
        return [n for n in named if n not in rendered]

    def _near_otherwise(self, question: str, language: Language, named: list[str], top: Hit) -> int:
        """How many reliefs ``top`` earns otherwise: one for a Dutch question naming someone
        whose every term ``top`` holds (:meth:`holds_every_term`) or an English one about
        ``top``'s authors that is near it without their names (:meth:`about_authors`) or
        asks, naming no topic, what its submitter asked (:meth:`asks_own_request`); for
        an English one naming policy topics that a document of the people it names mentions
        (:meth:`topics_held`), one, and two for two topics or more: "the recommendations of
        the committee on conduit companies" held by Alkaya's motion on the Commissie
        doorstroomvennootschappen is an answer though it embeds far from it (0.16); for one
        naming no one, one when ``top``'s document mentions two of its topics or more
        ("Where are sheep exported to on a massive scale?": schapen, export); and one for
        a document of the people it names holding none of them but a long word of it by its
        start (:meth:`cognates_held`: "Which principle did Kwint and Westerveld want made
        concrete?", 0.24). The English reliefs are off with ``abstain_topic_relief_en`` 0."""
        if language == "nl":
            return int(bool(named) and self.holds_every_term(question, top))
        if self.about_authors(question, named, top) or self.asks_own_request(question, named, top):
            return 1
        if self.settings.abstain_topic_relief_en <= 0:
            return 0  # the English reliefs are off
        if not named:  # two topics or more of a question naming no one: once
            return int(self.topics_held(question, top) >= 2)
        if not written_by(top, named):
            return 0
        held = self.topics_held(question, top)
        return min(held, 2) if held else int(self.cognates_held(question, named, top) > 0)

    def asks_own_request(self, question: str, named: list[str], top: Hit) -> bool:
        """Whether an English question asks what the MP it names first asked, naming no topic
        (none after "about", no policy topic), and ``top`` is the dictum of a motion that MP
        submitted: "What did Van den Berg ask the government to share with parliament?" is
        answered by her "verzoekt de regering de Kamer een marktoverzicht te geven en de
        voorwaarden met de Kamer te delen" (0.18), though so bare a question embeds far
        from it. Not a motion the MP only co-signed ("What did Westerveld and Kwint ask the
        government to map out?" is about their own motion, not De Hoop's they signed)."""
        authors = top.document.authors
        if not named or not authors or not is_dictum(top.passage.text):
            return False
        if _ABOUT.search(question) or topic_terms(question) or not asks_request(question):
            return False
        return any(fold(n) in fold(authors[0]) for n in named)

    def cognates_held(self, question: str, named: Collection[str], hit: Hit) -> int:
        """How many long English words of ``question`` (its names left out) ``hit``'s
        document holds by their start, all but the last two letters (a Latin word's Dutch
        form: "principle" in "nee-tenzijprincipe", "concrete" in "concretiseren")."""
        words = [
            w
            for w in re.findall(r"[a-z]+", without_names(question, named))
            if len(w) >= COGNATE_WORD and w not in STOPWORDS
        ]
        text = self.evidence.text(hit.document.doc_id, hit.document.title)
        return sum(mentions(text, (cognate(w),)) for w in words)

    def topic_held(self, question: str, hit: Hit) -> bool:
        """Whether an English question names policy topics that ``hit``'s document mentions
        (:meth:`topics_held`)."""
        return self.topics_held(question, hit) > 0

    def topics_held(self, question: str, hit: Hit) -> int:
        """How many policy topics an English question names (:data:`EN_NL_TOPICS`: "rent" as
        "huur", "self-employed" as "zzp") when ``hit``'s document (its title and text)
        mentions each of them, else 0: "What did Beckerman ask about the rent tribunal?" is
        about her motion on the Huurcommissie, though it embeds far from it (0.18)."""
        terms = topic_terms(question)
        if not terms:
            return 0
        text = self.evidence.text(hit.document.doc_id, hit.document.title)
        return len(terms) if all(mentions(text, t) for t in terms) else 0

    def topic_first(self, retrieval: RetrievalResult) -> RetrievalResult:
        """``retrieval`` with only the hits of the documents of the people an English
        question names that mention every policy topic it names (:meth:`topic_held`), when
        other hits do not: of Beckerman's motions, the one on the Huurcommissie for "What
        did Beckerman ask about the rent tribunal?", not her motion on the social domain
        that is nearer to it; with the motions' other passages after them (a motion answers
        as a whole: "How much can the compensation for coal-fired power stations rise to,
        according to Grinwis?" needs the consideration on the 730 million euros, which no
        search found). Unchanged otherwise (the answerer asks for it only for a
        question it declined: :meth:`ExtractiveAnswerer.run_batch`)."""
        hits, question = retrieval.hits, retrieval.query
        named = names(question)
        if retrieval.language != "en" or not hits or not named:
            return retrieval
        first = [h for h in hits if written_by(h, named) and self.topic_held(question, h)]
        if not first or len(first) == len(hits):
            return retrieval
        first += self.evidence.rest_of_motions(first, retrieval.query_vector)
        return replace(retrieval, hits=first)

    def about_authors(self, question: str, named: list[str], top: Hit) -> bool:
        """Whether an English question naming ``top``'s authors is, without their names,
        at least ``abstain_topic_relief_en`` near it: "By what percentage did Kops want
        rents in the social housing sector lowered?" is 0.23 near his motion with the name,
        0.33 without it (his motions on other topics: 0.18 at most)."""
        floor = self.settings.abstain_topic_relief_en
        authors = fold(" ".join(top.document.authors))
        people = [n for n in named if fold(n) in authors]
        if floor <= 0 or not people:
            return False
        return self.topic_similarity(question, people, [top]) >= floor

    def holds_rare_terms(self, question: str, top: Hit, language: Language = "nl") -> bool:
        """Whether the question has terms at least ``abstain_rare_idf`` rare that the corpus
        holds, and ``top`` (its passage and title) holds every one of them (by stem or word
        prefix): "Wie diende de motie over peer-to-peerlevering in?" is about the passage
        that names it, though a question about a document embeds far from its text; so is
        "What did Dijk say about bestaanszekerheid?" (:meth:`rare_terms`). A motion is one
        answer: the top passage of one holds them when the whole motion does ("Hoe hoog kan
        de nadeelcompensatie voor kolencentrales oplopen?": the consideration naming the
        compensation, the one before it the coal plants)."""
        rare = self.rare_terms(question, language)
        if not rare:
            return False
        if self.holds_all(rare, top):
            return True
        if top.document.doc_type != "motie":
            return False
        motion = self.evidence.terms(top.document.doc_id, top.document.title)
        _, found = self.overlap.score(rare, [motion])
        return len(found[0]) == len(set(rare))

    def holds_every_term(self, question: str, top: Hit) -> bool:
        """Whether ``top`` (its passage and title) holds every term, rare or not, of a Dutch
        question of two terms or more, but for the verbs it asks with (:data:`REQUEST_VERBS`):
        "Wat vroeg Van Haga over de salderingsregeling?" is answered by his motion titled
        with it, though so short a question embeds far from the motion's text."""
        terms = question_terms(question, "nl", frame=False)
        return len(terms) >= 2 and self.holds_all(terms, top)

    def rare_terms(self, question: str, language: Language = "nl") -> list[Term]:
        """A Dutch question's terms at least ``abstain_rare_idf`` rare that the corpus holds
        (a term it lacks, ``diende``, names nothing to look for); none when that is 0. A
        term with alternatives is rare when one of them is. The verbs it asks with are not
        its terms ("Wat vroeg ...": ``vroeg`` is rare in the documents, which write
        ``verzoekt``; :data:`REQUEST_VERBS`). Of an English question, only the
        words it writes as the documents do (:func:`literal_terms`: ``bestaanszekerheid``,
        ``import``), not the Dutch its glossary words stand for (``verzoekt`` for "ask")."""
        if self.settings.abstain_rare_idf <= 0:
            return []
        if language == "nl":
            terms = question_terms(question, "nl", frame=False)
        else:
            terms = literal_terms(question)
        flat = flat_terms(terms)
        idf = dict(zip(flat, self.index.idf(flat), strict=True))
        unknown = math.log((self.index.size + 1) / 0.5) - 1e-6
        return [
            t
            for t in terms
            if any(self.settings.abstain_rare_idf <= idf[a] < unknown for a in alternatives(t))
        ]

    def topic_similarity(self, question: str, people: Collection[str], hits: list[Hit]) -> float:
        """The best centred similarity of ``question`` without the names of ``people`` to
        the passages of ``hits``: what the question asks about, not whom. "What did Kops
        ask about wolves?" is near Kops's motion on nitrogen by its name alone (0.08
        without it); "What did Bouchallikh ask to improve air quality?" stays near hers
        (0.35). 1.0 when it names none of them."""
        return max(self.topic_similarities(question, people, hits), default=1.0)

    def topic_similarities(
        self, question: str, people: Collection[str], hits: list[Hit]
    ) -> list[float]:
        """:meth:`topic_similarity` for each of ``hits`` (the topic embedded once); 1.0
        each when the question names none of ``people``."""
        vector = self._topic_vector(question, people) if hits else None
        if vector is None:
            return [1.0] * len(hits)
        return self._near(vector, hits)

    def _topic_vector(self, question: str, people: Collection[str]) -> np.ndarray | None:
        """The centred vector of ``question`` without the names of ``people``; None when it
        names none of them."""
        topic = without_names(question, people)
        if topic == question:
            return None
        return center(self.embedder.encode_queries([topic]), self.index.centroid)[0]

    def _near(self, vector: np.ndarray, hits: list[Hit]) -> list[float]:
        """The centred similarity of ``vector`` to each hit's passage."""
        stored = self.index.passage_vectors([h.row for h in hits])
        return [float(x) for x in center(stored, self.index.centroid) @ vector]

    def nearest_topic_first(
        self, question: str, people: Collection[str], hits: list[Hit]
    ) -> list[Hit]:
        """``hits`` (one per document) ordered by :meth:`topic_similarity`, the nearest
        first; unchanged without ``people``: of Kathmann's motions, the one on basisbanen
        answers "When was Kathmann's motion on basic jobs submitted?", though the name
        makes each of them about as near to it."""
        if len(hits) < 2:
            return hits
        near = self.topic_similarities(question, people, hits)  # 1.0 each without people
        by_row = dict(zip((h.row for h in hits), near, strict=True))
        return sorted(hits, key=lambda h: -by_row[h.row])

    def topic_lacking(
        self, question: str, people: Collection[str], held: str | TextTerms
    ) -> list[Term]:
        """The terms of the topic a Dutch question asks what someone asked about ("Wat vroeg
        Ouwehand over de export van dieren?") that ``held`` (the answer's document: its text
        and title) lacks: her motion on the Mercosur treaty names export, not animals, so it
        does not answer it. The topic is what follows the last "over"; none without
        ``people`` or a question of another kind."""
        topic = _ABOUT_TOPIC.search(question)
        if not people or topic is None or not asks_request(question):
            return []
        named = {t for person in people for t in analyze(person)}
        terms = [t for t in question_terms(topic.group(1), "nl", frame=False) if t not in named]
        if not terms:
            return []
        _, found = self.overlap.score(terms, [held])
        return [t for t in terms if not set(alternatives(t)) & found[0]]

    def holds_all(self, terms: list[Term], hit: Hit) -> bool:
        """Whether ``hit``'s passage with its document's title holds all of ``terms``."""
        _, found = self.overlap.score(terms, [f"{hit.document.title} {hit.passage.text}"])
        return len(found[0]) == len(set(terms))


def topic_terms(question: str) -> list[tuple[str, ...]]:
    """The policy topics an English question names (:func:`translated_terms` without the
    glossary's procedure words), the names it names left out."""
    return translated_terms(without_names(question, names(question)), glossary=False)


def literal_terms(question: str) -> list[Term]:
    """The analysed terms of an English question's words as written (:func:`question_terms`
    without its glossary), beside its names (counted as names)."""
    named = {t for name in names(question) for t in analyze(name)}
    return [t for t in question_terms(question, "en", glossary=False) if t not in named]


def written_by(hit: Hit, named: Collection[str]) -> bool:
    """Whether one of the ``named`` is an author of ``hit``'s document."""
    authors = fold(" ".join(hit.document.authors))
    return any(fold(n) in authors for n in named)


def without_names(question: str, people: Collection[str]) -> str:
    """``question`` without the names of ``people`` (and their possessive ``'s``)."""
    for person in sorted(people, key=len, reverse=True):
        question = re.sub(rf"\b{re.escape(person)}(?:['’]s)?\b", " ", question)
    return re.sub(r"\s+", " ", question).strip()
