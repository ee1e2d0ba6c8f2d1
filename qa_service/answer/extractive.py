"""Extractive answers: quote the sentences of the retrieved passages that answer the question.

Every sentence of an answer is a verbatim sentence of a passage followed by its ``[n]``, so
nothing in an answer lacks a citation. When the evidence is too weak (the best passage's
similarity to the question is under a calibrated threshold) the answerer abstains and says
so in the question's language, offering the closest passages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from qa_service.answer import about_document as about
from qa_service.answer.about_document import document_answer, most_named, only_document
from qa_service.answer.abstention import Abstention, topic_terms
from qa_service.answer.answer_check import AnswerCheck
from qa_service.answer.answer_kind import with_answer_kind, with_pledge
from qa_service.answer.answers import Answer, Citation
from qa_service.answer.by_author import motions_by
from qa_service.answer.by_topic import motions_about, the_motion_about
from qa_service.answer.evidence import DocumentEvidence
from qa_service.answer.metadata import (
    MetaQuestion,
    classify,
    dated_year,
    is_answer_head,
    is_page_footer,
    of_year,
)
from qa_service.answer.sentence_choice import (
    LATE_WEIGHT_EN,
    PASSAGE_WEIGHT,
    QUESTION_PENALTY,
    WRITER_WEIGHT,
    Candidate,
    asks_back,
    asks_list,
    asks_opinion,
    asks_pledge,
    asks_reason,
    asks_request,
    asks_writer,
    choose,
    follows,
    only_motions,
    only_pledges,
    question_terms,
    with_dictum,
    with_others,
    with_reason,
    writer_speaks,
)
from qa_service.answer.support import name_terms
from qa_service.config import Settings
from qa_service.documents import attributed
from qa_service.embedding import Embedder
from qa_service.embedding.cache import VectorCache
from qa_service.parsing.chunking import split_sentences
from qa_service.search.authors import AuthorIndex
from qa_service.search.retriever import Hit, RetrievalResult
from qa_service.store.protocol import SearchIndex
from qa_service.store.vectors import center
from qa_service.text.language import Language
from qa_service.text.names import names, names_only
from qa_service.text.overlap import TermOverlap

ABSTAIN = {
    "nl": "De documenten geven geen antwoord op deze vraag.",
    "en": "The documents do not answer this question.",
}
CLOSEST = {
    "nl": "De passages die er het dichtst bij komen staan hieronder.",
    "en": "The closest passages are listed below.",
}
QUOTE_GAP = " … "

_WORD = re.compile(r"\w+")
#: printed furniture, never an answer: when a document was sent or received ("(Ingezonden
#: 10 april 1972.)", which OCR glues to the sentence after it; see also is_answer_head)
_RECEIVED = re.compile(r"\s*\((?:ingezonden|ontvangen)\b[^)]*\)\.?\s*", re.IGNORECASE)


@dataclass
class _Sentence:
    text: str
    hit_rank: int
    order: int  # position of the sentence within its passage
    score: float = 0.0
    of: int = 0  # sentences in its passage


def _lead(hit: Hit) -> str:
    """Name a motion before quoting it: the question is often *which* motion said so."""
    doc = hit.document
    if doc.doc_type == "motie" and doc.title:
        return f"{doc.title}: "
    return ""


def _unit(hit: Hit) -> str:
    """What one answer is drawn from: a motion as a whole, else the passage."""
    if hit.document.doc_type == "motie":
        return hit.document.doc_id
    return hit.passage.passage_id


class ExtractiveAnswerer:
    """Picks answer sentences from the top passages; no model beyond the embedder."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        index: SearchIndex,
        authors: AuthorIndex | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        #: the loaded index answers are drawn from: its documents, centroid, stored sentence
        #: vectors and term statistics
        self.index = index
        #: the IDF-weighted share of the question's terms a sentence or passage holds (by stem,
        #: or half by a 5-letter word prefix: ``Afghanistan``/``Afghaanse``)
        self.overlap = TermOverlap(index.idf)
        #: the cited documents' texts and terms, read once, for the support check
        self.evidence = DocumentEvidence(index)
        #: whether a retrieval is too weak to answer from
        self.abstention = Abstention(settings, index, self.overlap, embedder, self.evidence)
        #: sentence vectors of recently quoted passages (centred with this index's centroid)
        self.sentence_cache = VectorCache(settings.answer_sentence_cache)
        #: each author word -> the documents, for "which motions did X submit" (built at the
        #: first such question; the retriever's, when the service shares it)
        self.authors = authors if authors is not None else AuthorIndex(index.store)
        #: whether an answer carries what the question asks (names, numbers, kind, topic)
        self.check = AnswerCheck(
            settings, self.overlap, self.evidence, self.abstention, self.authors
        )

    def should_abstain(self, retrieval: RetrievalResult) -> bool:
        """Whether the retrieval is too weak to answer from (:class:`Abstention`)."""
        return self.abstention.should_abstain(retrieval)

    def run(self, question: str, retrieval: RetrievalResult) -> Answer:
        return self.run_batch([question], [retrieval])[0]

    def run_batch(
        self, questions: Sequence[str], retrievals: Sequence[RetrievalResult]
    ) -> list[Answer]:
        """Answer many questions (:meth:`_run_batch`). A question declined, or answered from
        a document that lacks a policy topic it names (:meth:`_off_topic`), is answered once
        more from the documents of the MPs it names on the policy topics it names, where
        the retrieval holds such (:meth:`Abstention.topic_first`): "What did Beckerman ask
        about the rent tribunal?" from her motion on the Huurcommissie, though another of
        her motions is nearer to it; "What did Nijboer and Klaver want investigated
        regarding landlords?" from their motion on a permit duty for verhuurders, not from
        Nijboer's on normhuren, which names no landlord. Only then: a glossary word
        ("housing" for "woning") is too loose to overrule an answer whose document holds
        it."""
        answers = self._run_batch(questions, retrievals)
        focused = {
            i: again
            for i, (question, answer, retrieval) in enumerate(
                zip(questions, answers, retrievals, strict=True)
            )
            if (not answer.answerable or self._off_topic(question, answer))
            and (again := self.abstention.topic_first(retrieval)) is not retrieval
        }
        if focused:
            asked = [questions[i] for i in focused]
            for i, answer in zip(focused, self._run_batch(asked, [*focused.values()]), strict=True):
                if answer.answerable:
                    answers[i] = answer
        return answers

    def _off_topic(self, question: str, answer: Answer) -> bool:
        """Whether an English ``answer`` leads with a document that lacks a policy topic
        its question names (:meth:`Abstention.topic_held`); never for a question naming
        none."""
        if answer.language != "en" or not answer.citations or not topic_terms(question):
            return False
        return not self.abstention.topic_held(question, answer.citations[0].hit)

    def _run_batch(
        self, questions: Sequence[str], retrievals: Sequence[RetrievalResult]
    ) -> list[Answer]:
        """Answer many questions, embedding all their candidate sentences in one batch.

        A candidate sentence is scored with a vector stored with its passage at index time:
        read in the passage's context when the question's language is set to ``index``
        (``answer_sentences_nl/en``), or embedded on its own (``query``; then blended with
        the in-context one). Where the passage has no such vector (an index built without
        ``sentence_vectors_alone``, or before), the sentence is embedded now, alone and
        batch-invariantly (see :meth:`Embedder.encode_queries`): the same vector. Either way
        every answer is the one :meth:`run` gives for its question alone.
        """
        plans: list[
            tuple[list[_Sentence], list[str], list[np.ndarray | None], list[np.ndarray | None]]
            | None
        ] = []
        about_document = [
            self.metadata_answer(q, r) for q, r in zip(questions, retrievals, strict=True)
        ]
        answered = list(retrievals)  # with the dictums of the motions they quote
        for i, (retrieval, known) in enumerate(zip(retrievals, about_document, strict=True)):
            if known is not None or self.should_abstain(retrieval):
                plans.append(None)
                continue
            top = retrieval.hits[: self.settings.answer_passages]
            hits = top + self.evidence.missing_dictums(top, retrieval.query_vector)
            hits += self.evidence.missing_antecedents(hits, retrieval.query_vector)
            answered[i] = replace(retrieval, hits=hits + retrieval.hits[len(top) :])
            candidates = self._candidates(hits)
            texts = [attributed(hits[c.hit_rank].document, c.text) for c in candidates]
            in_context = self._stored_vectors(hits, candidates)
            s = self.settings
            mode = s.answer_sentences_en if retrieval.language == "en" else s.answer_sentences_nl
            if mode == "index":
                plans.append((candidates, texts, in_context, [None] * len(candidates)))
            else:  # each sentence alone (stored, or embedded now), blended with in-context
                alone = self._stored_vectors(hits, candidates, alone=True)
                plans.append((candidates, texts, alone, in_context))
        everything = list(
            dict.fromkeys(
                t
                for plan in plans
                if plan is not None
                for t, v in zip(plan[1], plan[2], strict=True)
                if v is None
            )
        )
        encoded = self.sentence_cache.encode(everything, self._embed_sentences)
        by_text = dict(zip(everything, encoded, strict=True))
        answers = []
        for question, retrieval, searched, plan, known in zip(
            questions, answered, retrievals, plans, about_document, strict=True
        ):
            if known is not None:
                answers.append(known)
                continue
            if plan is None:
                answers.append(self.abstain(question, searched))
                continue
            candidates, texts, stored, blend = plan
            vectors = [
                v if v is not None else by_text[t] for t, v in zip(texts, stored, strict=True)
            ]
            chosen = self._select(question, retrieval, candidates, texts, vectors, blend)
            quoted = [retrieval.hits[c.hit_rank] for c in chosen]
            chosen = [chosen[i] for i in self.check.on_topic(question, retrieval.language, quoted)]
            answer = self._compose(question, retrieval.language, retrieval.hits, chosen)
            floor = (
                self.settings.answer_support_threshold_en
                if retrieval.language == "en"
                else self.settings.answer_support_threshold_nl
            )
            if (chosen and max(c.score for c in chosen) < floor) or self.check.unsupported(
                question, answer
            ):
                answer = self.abstain(question, searched)
            answers.append(answer)
        return answers

    def abstain(self, question: str, retrieval: RetrievalResult) -> Answer:
        language = retrieval.language
        text = ABSTAIN[language]
        if retrieval.hits:
            text += " " + CLOSEST[language]
        citations = [Citation(n=i + 1, hit=h, quote="") for i, h in enumerate(retrieval.hits)]
        return Answer(question, text, False, language, citations)

    # -- questions about the document itself ------------------------------------------------
    def metadata_answer(self, question: str, retrieval: RetrievalResult) -> Answer | None:
        """The answer to a question about a document itself (who signed or submitted it,
        its date, dossier, vergaderjaar, what motion N asks) from its metadata, citing a
        passage of it (:mod:`qa_service.answer.metadata`); None for other questions."""
        listed = motions_by(question, retrieval, self.index.store, self.authors) or (
            motions_about(question, retrieval, self.index)
        )
        if listed is not None:  # "Welke moties heeft Eerdmans ingediend / gaan over X?"
            return listed
        store = self.index.store
        one = the_motion_about(question, retrieval, self.index)  # "Wat vraagt de motie over X?"
        if one is not None:
            return document_answer(MetaQuestion("asks", ()), one, question, retrieval, store)
        asked = classify(question)
        if asked is None:
            return about.office_holder(question, retrieval, store)
        meta = next((m for d in asked.doc_ids if (m := store.document(d)) is not None), None)
        if meta is None:
            if any(d.count("-") >= 2 for d in asked.doc_ids):
                return self.abstain(question, retrieval)  # names a document that is not here
            only = only_document(question, retrieval.filters, store)
            if only is not None:  # "Who signed the letter?" with one letter to search
                return document_answer(asked, only, question, retrieval, store)
            if asked.kind == "about":
                return None  # "what is the letter about" of many letters: by its content
            if self.should_abstain(retrieval):
                return None
            # the first hit that holds every rare term asked about ("paasvuren"), not one
            # that BM25 ranked first for the common ones ("landelijk verbod")
            rare = self.abstention.rare_terms(question) if retrieval.language == "nl" else []
            holding = [h for h in retrieval.hits if rare and self.abstention.holds_all(rare, h)]
            year = dated_year(question)
            dated_out = False
            named = most_named(question, holding or retrieval.hits, self.evidence.texts)
            if retrieval.language == "en":  # "When was Kathmann's motion on basic jobs ...?"
                people = set(self.authors.among(names(question)))
                named = self.abstention.nearest_topic_first(question, people, named)
            for hit in named:
                if year and not of_year(hit.document, year):
                    dated_out = True  # "the 2019 motion on X" is not a 2023 motion on X
                    continue
                answer = document_answer(asked, hit.document, question, retrieval, store)
                if answer is not None and not self.check.misses_numbers(question, answer):
                    return answer  # the best-named document that states the fact
            return self.abstain(question, retrieval) if dated_out else None
        return document_answer(asked, meta, question, retrieval, store)

    # -- sentence selection ----------------------------------------------------------------
    def _candidates(self, hits: list[Hit]) -> list[_Sentence]:
        out = []
        for rank, hit in enumerate(hits):
            sentences = split_sentences(hit.passage.text)
            for order, sentence in enumerate(sentences):
                if is_answer_head(sentence) or is_page_footer(sentence):
                    continue  # printed furniture
                if received := _RECEIVED.match(sentence):
                    sentence = sentence[received.end() :]  # still a substring of the passage
                if len(_WORD.findall(sentence)) >= 3 and not names_only(sentence):
                    out.append(_Sentence(sentence, rank, order, of=len(sentences)))
        return out

    def _stored_vectors(
        self, hits: list[Hit], candidates: list[_Sentence], alone: bool = False
    ) -> list[np.ndarray | None]:
        """Each candidate's vector stored with its passage (centred): read in the passage's
        context, or with ``alone`` the sentence embedded on its own; None where the passage
        has none (the answerer then embeds the sentence now)."""
        if not candidates:
            return []
        rows = sorted({hits[c.hit_rank].row for c in candidates})
        stored = self.index.sentence_vectors(rows, alone=alone)
        out: list[np.ndarray | None] = []
        for c in candidates:
            vectors = stored.get(hits[c.hit_rank].row)
            # the passage's sentences must be those its vectors were stored for (same splitter);
            # a zero row: the sentence lay beyond the model's window when indexed
            if vectors is None or len(vectors) != c.of or not vectors[c.order].any():
                out.append(None)
            else:
                out.append(center(vectors[c.order][None, :], self.index.centroid)[0])
        return out

    def _select(
        self,
        question: str,
        retrieval: RetrievalResult,
        candidates: list[_Sentence],
        texts: list[str],
        vectors: list[np.ndarray],
        late: list[np.ndarray | None] | None = None,
    ) -> list[_Sentence]:
        """Score the candidates and choose among them (:mod:`qa_service.answer.sentence_choice`);
        ``texts`` are their texts with the speaker named, ``vectors`` their centred vectors,
        ``late`` the in-context vectors of those scored alone (or None), blended in."""
        if not candidates:
            return []
        language = retrieval.language
        semantic = np.stack(vectors) @ retrieval.query_vector
        if late is not None:  # English: blend with the vectors stored in context at index time
            for i, v in enumerate(late):
                if v is not None:
                    semantic[i] = (1 - LATE_WEIGHT_EN) * semantic[i] + LATE_WEIGHT_EN * float(
                        v @ retrieval.query_vector
                    )
        terms = question_terms(question, language)
        lexical, found = self.overlap.score(terms, texts)
        weight = (
            self.settings.answer_lexical_weight_en
            if language == "en"
            else self.settings.answer_lexical_weight_nl
        )
        # the passage as a whole: does it hold all the question asks (prefer the passage that
        # answers over sentences scattered across passages that share words)
        hits = retrieval.hits
        ranks = sorted({c.hit_rank for c in candidates})
        whole, _ = self.overlap.score(
            terms, [attributed(hits[r].document, hits[r].passage.text) for r in ranks]
        )
        passage_lexical = dict(zip(ranks, whole, strict=True))
        named = self._name_shares(question, retrieval)
        writer = WRITER_WEIGHT if asks_writer(question) else 0.0
        # "Wat vindt de minister van ...": not the sentence that restates the question
        penalty = QUESTION_PENALTY if asks_opinion(question) else 0.0
        for c, sem, lex in zip(candidates, semantic, lexical, strict=True):
            c.score = (
                float(sem)
                + weight * lex
                + named.get(c.hit_rank, 0.0)
                + PASSAGE_WEIGHT * passage_lexical[c.hit_rank]
                + 0.02 / (1 + c.hit_rank)
                + (writer if writer and writer_speaks(c.text, hits[c.hit_rank].document) else 0.0)
                - (penalty if penalty and asks_back(c.text) else 0.0)
            )
        authored = self._authors_named(question, hits, ranks)
        pool = [
            Candidate(
                c.hit_rank,
                c.order,
                c.text,
                c.score,
                found[i] | authored.get(c.hit_rank, set()),
                _unit(hits[c.hit_rank]),
                hits[c.hit_rank].document.doc_id,
            )
            for i, c in enumerate(candidates)
        ]
        sentence_margin = self.settings.answer_sentence_margin
        picked = choose(
            pool,
            margin=sentence_margin,
            max_sentences=self.settings.answer_max_sentences,
            follows=follows({r: (hits[r].passage, hits[r].document) for r in ranks}),
        )
        if asks_reason(question):
            picked = with_reason(picked, pool)
        elif asks_request(question):
            picked = with_dictum(picked, pool)
        if asks_pledge(terms):  # a sentence holding the pledge, nearly tied (twice the margin)
            picked = with_pledge(only_pledges(picked, pool), pool, 2 * sentence_margin)
        documents = {r: hits[r].document.doc_id for r in ranks}
        margins = (self.settings.answer_type_margin, self.settings.answer_type_document_margin)
        picked = with_answer_kind(question, picked, pool, documents, *margins)
        if asks_list(question):
            picked = with_others(picked, pool, sentence_margin)
        picked = only_motions(question, picked, lambda r: hits[r].document.doc_type == "motie")
        by_position = {(c.hit_rank, c.order): c for c in candidates}
        return [by_position[(p.passage, p.order)] for p in picked]

    def _authors_named(
        self, question: str, hits: list[Hit], ranks: list[int]
    ) -> dict[int, set[str]]:
        """The terms of the question's names that each hit's document's authors hold, by
        hit rank: a sentence of Van Haga's motion covers "Van Haga" of the question, so a
        sentence of another of his motions that names him adds nothing to it."""
        terms = name_terms(question)
        if not terms:
            return {}
        _, held = self.overlap.score(terms, [" ".join(hits[r].document.authors) for r in ranks])
        return dict(zip(ranks, held, strict=True))

    def _name_shares(self, question: str, retrieval: RetrievalResult) -> dict[int, float]:
        """``answer_name_weight_en/nl`` times the IDF-weighted share of the question's names
        (:func:`~qa_service.answer.support.name_terms`) that each hit's document names, by
        hit rank: "the motion by Kat c.s." is one of Kat's motions, though its sentences do
        not name Kat. English questions: in its title or authors (the other words of an
        English question share nothing with the Dutch text). Dutch questions: in its
        authors only (their other names, ``Caribisch Nederland``, count among all their
        terms already; a title naming the same place is no better an answer). Not the
        sentence text: a topic's name (``Afghanistan``) in many sentences says nothing
        about which one answers."""
        s = self.settings
        english = retrieval.language == "en"
        weight = s.answer_name_weight_en if english else s.answer_name_weight_nl
        terms = name_terms(question) if weight else []
        if not terms:
            return {}
        docs = [h.document for h in retrieval.hits]
        named = [" ".join(d.authors) for d in docs]
        if english:
            named = [f"{d.title} {n}" for d, n in zip(docs, named, strict=True)]
        shares, _ = self.overlap.score(terms, named)
        return {rank: weight * share for rank, share in enumerate(shares) if share}

    def _embed_sentences(self, texts: list[str]) -> np.ndarray:
        """Centred sentence vectors, batch-invariant: the same in any batch and any cache state."""
        vectors = self.embedder.encode_passages(texts, batch_invariant=True)
        return center(vectors, self.index.centroid)

    # -- output ---------------------------------------------------------------------------
    def _compose(
        self, question: str, language: Language, hits: list[Hit], chosen: list[_Sentence]
    ) -> Answer:
        if not chosen:  # passages without usable sentences: cite the best passage whole
            chosen = [_Sentence(hits[0].passage.text, 0, 0)]
        numbers: dict[int, int] = {}
        quotes: dict[int, list[_Sentence]] = {}
        parts = []
        named: set[str] = set()  # documents already named (a motion once, not per passage)
        for sentence in chosen:
            n = numbers.setdefault(sentence.hit_rank, len(numbers) + 1)
            quotes.setdefault(sentence.hit_rank, []).append(sentence)
            doc_id = hits[sentence.hit_rank].document.doc_id
            lead = "" if doc_id in named else _lead(hits[sentence.hit_rank])
            named.add(doc_id)
            parts.append(f"{lead}{sentence.text} [{n}]")
        citations = []
        for rank, n in numbers.items():
            sentences = sorted(quotes[rank], key=lambda s: s.order)
            quote = sentences[0].text
            for prev, cur in zip(sentences, sentences[1:], strict=False):
                quote += (" " if cur.order == prev.order + 1 else QUOTE_GAP) + cur.text
            citations.append(Citation(n=n, hit=hits[rank], quote=quote))
        return Answer(question, " ".join(parts), True, language, citations)
