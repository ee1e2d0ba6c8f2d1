"""Answer quality through QAService.ask: key facts, citations, abstention."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa_service.evaluation.data import LabelledQuestion, normalize
from qa_service.evaluation.metrics import passage_is_relevant
from qa_service.service import AskResult, QAService
from qa_service.text.language import Language


@dataclass
class AnswerRecord:
    """How one :meth:`QAService.ask` answer fared against the labels."""

    id: str
    set: str
    lang: Language
    answerable: bool  # the label
    declined: bool  # the service said the documents do not answer it
    best_similarity: float  # the abstention signal: best centred similarity among the hits
    fact_coverage: float | None = None  # share of fact groups found (answerable, with facts)
    cites_answer: bool | None = None  # some citation is a relevant passage (answered, answerable)
    citations: int = 0  # citations of an answered answerable question
    correct_citations: int = 0  # ... of which point into a gold document
    answer: str = ""
    category: str = ""  # the question's category ("" when its file gives none)


@dataclass
class AnswerScores:
    answerable: int
    unanswerable: int
    fact_coverage: float  # mean share of fact groups in the answer (declined counts as 0)
    facts_complete: float  # share of answers that hold every fact group
    cites_answer: float  # share of answered answerable questions that cite a relevant passage
    citation_precision: float  # share of their citations that point into a gold document
    declined_unanswerable: float  # abstention recall: unanswerable questions declined
    declined_answerable: float  # answerable questions wrongly declined (1 - answer rate)
    abstention_precision: float  # declined questions that were indeed unanswerable


def fact_coverage(answer: str, facts: Sequence[Sequence[str]]) -> float:
    """Share of fact groups of which the answer contains at least one alternative."""
    if not facts:
        return math.nan
    text = normalize(answer)
    return sum(any(normalize(alt) in text for alt in group) for group in facts) / len(facts)


def judge_answer(question: LabelledQuestion, result: AskResult) -> AnswerRecord:
    """Compare one :class:`~qa_service.service.AskResult` with the labels."""
    answer = result.answer
    hits = result.retrieval.hits
    best = max((h.dense_score for h in hits), default=-1.0)
    record = AnswerRecord(
        id=question.id,
        set=question.set,
        lang=question.lang,
        answerable=question.answerable,
        category=question.category,
        declined=not answer.answerable,
        best_similarity=float(best),
        answer=answer.answer,
    )
    if not question.answerable:
        return record
    if question.facts:
        record.fact_coverage = (
            0.0 if record.declined else fact_coverage(answer.answer, question.facts)
        )
    if not record.declined:
        cited = [c.hit for c in answer.citations]
        record.cites_answer = any(passage_is_relevant(question, h.passage) for h in cited)
        record.citations = len(cited)
        record.correct_citations = sum(h.passage.doc_id in question.gold_docs for h in cited)
    return record


def answer_questions(
    service: QAService,
    questions: Sequence[LabelledQuestion],
    top_k: int = 5,
    progress: Callable[[int, int], None] | None = None,
) -> list[AnswerRecord]:
    """Ask every question through ``service`` (a warmed-up QAService) and judge the answers."""
    records = []
    for i, q in enumerate(questions):
        records.append(judge_answer(q, service.ask(q.question, top_k)))
        if progress is not None:
            progress(i + 1, len(questions))
    return records


def abstention_decisions(
    service: QAService, questions: Sequence[LabelledQuestion], top_k: int = 5
) -> list[AnswerRecord]:
    """Whether the service declines each question, without judging the answers.

    The decision :meth:`QAService.ask` takes (same retrieval, same answerer: the similarity
    threshold, then whether the chosen sentences carry what the question asks), in one batch:
    for quick checks such as the test suite.
    """
    texts = [q.question for q in questions]
    results = service.retriever.search_batch(texts, top_k)
    answers = service.answerer.run_batch(texts, results)
    return [
        AnswerRecord(
            id=q.id,
            set=q.set,
            lang=q.lang,
            answerable=q.answerable,
            declined=not a.answerable,
            best_similarity=max((h.dense_score for h in r.hits), default=-1.0),
        )
        for q, r, a in zip(questions, results, answers, strict=True)
    ]


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def score_answers(records: Sequence[AnswerRecord]) -> AnswerScores:
    pos = [r for r in records if r.answerable]
    neg = [r for r in records if not r.answerable]
    with_facts = [r.fact_coverage for r in pos if r.fact_coverage is not None]
    answered = [r for r in pos if not r.declined]
    declined = [r for r in records if r.declined]
    return AnswerScores(
        answerable=len(pos),
        unanswerable=len(neg),
        fact_coverage=_ratio(sum(with_facts), len(with_facts)),
        facts_complete=_ratio(sum(c == 1.0 for c in with_facts), len(with_facts)),
        cites_answer=_ratio(sum(bool(r.cites_answer) for r in answered), len(answered)),
        citation_precision=_ratio(
            sum(r.correct_citations for r in answered), sum(r.citations for r in answered)
        ),
        declined_unanswerable=_ratio(sum(r.declined for r in neg), len(neg)),
        declined_answerable=_ratio(sum(r.declined for r in pos), len(pos)),
        # undefined without unanswerable questions (every decline would count as wrong)
        abstention_precision=(
            _ratio(sum(not r.answerable for r in declined), len(declined)) if neg else math.nan
        ),
    )


def by_category(records: Sequence[AnswerRecord]) -> dict[str, AnswerScores]:
    """Answer scores per question set and category (``heldout/metadata``), for the questions
    whose file gives categories."""
    groups: dict[str, list[AnswerRecord]] = {}
    for r in records:
        if r.category:
            groups.setdefault(f"{r.set}/{r.category}", []).append(r)
    return {key: score_answers(group) for key, group in sorted(groups.items())}
