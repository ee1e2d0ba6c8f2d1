"""Measure retrieval and answer quality on labelled questions (``qa-service eval``).

Plain functions over the public parts of the pipeline (:meth:`Retriever.search_batch`,
:meth:`QAService.ask`, :meth:`Embedder.encode_queries`), returning dataclasses:

* **retrieval**: hit@1/5/10, MRR@10 and nDCG@10 of each retriever (BM25, dense, hybrid) per
  question set and language. A labelled question's relevant passages are the passages of its
  ``gold_docs`` that contain one of its ``gold_passage`` substrings (compared after collapsing
  whitespace and case folding); a motion subject's relevant item is its motion, and its
  ranking is by document (passages of one document count once).
* **answers**: key-fact coverage, citation correctness and abstention, through
  :meth:`QAService.ask` exactly as the API answers.
* **embedding model**: Tatoeba nld<->eng bitext retrieval accuracy@1.

Rendering (terminal tables, markdown, plot) lives in :mod:`qa_service.evaluation.report`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from qa_service.config import PROJECT_ROOT, Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.embedding import Embedder
from qa_service.search.retriever import Hit, Mode, RetrievalResult, Retriever
from qa_service.service import AskResult, QAService
from qa_service.store.sqlite import PassageStore
from qa_service.text.language import Language, detect_language

EVAL_DATA = PROJECT_ROOT / "eval_data"
DEFAULT_QUESTION_FILES = (
    EVAL_DATA / "dev-questions.jsonl",
    EVAL_DATA / "calibration-questions.jsonl",
)
#: Held-out questions: measured (when the file is there), never tuned on.
HELDOUT_FILE = EVAL_DATA / "heldout-questions.jsonl"
TATOEBA_DIR = EVAL_DATA / "tatoeba"
MOTIONS_SET = "motions"

#: Retrievers compared. Hybrid + reranking joins this list once the pipeline has a reranker.
RETRIEVERS: tuple[Mode, ...] = ("bm25", "dense", "hybrid")
RERANKER_NOTE = "no reranker in the pipeline yet: hybrid + reranking is not measured"
#: The baseline the service's ranking is measured against (:class:`PlainDenseRetriever`).
PLAIN_DENSE = "plain dense"
#: Deepest k of the hit@k curves; passages retrieved per question (documents for motions).
CURVE_DEPTH = 20
#: Passages retrieved for a document-level query, before merging passages of one document.
DOC_LEVEL_PASSAGES = 60


class EvalDataError(ValueError):
    """A question file that cannot be read; the message names the file and line."""


def default_question_files() -> list[Path]:
    """The bundled dev and calibration questions, and the held-out questions if present."""
    held_out = [HELDOUT_FILE] if HELDOUT_FILE.is_file() else []
    return [*DEFAULT_QUESTION_FILES, *held_out]


# --------------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LabelledQuestion:
    """One labelled question (the format of ``eval_data/dev-questions.jsonl``)."""

    id: str
    set: str  # "dev", "calibration", "motions", ... (the file name for other files)
    lang: Language
    question: str
    answerable: bool
    gold_docs: tuple[str, ...] = ()
    gold_passage: tuple[str, ...] = ()  # empty: any passage of a gold document is relevant
    facts: tuple[tuple[str, ...], ...] = ()

    @property
    def doc_level(self) -> bool:
        """Judged by document (motion subjects) rather than by passage."""
        return not self.gold_passage


def normalize(text: str) -> str:
    """Whitespace collapsed and case folded: how gold substrings and facts are compared."""
    return " ".join(text.split()).casefold()


def set_name_of(path: Path) -> str:
    """``dev-questions.jsonl`` -> ``dev``; other files keep their stem."""
    return path.stem.removesuffix("-questions")


def load_questions(path: Path, set_name: str | None = None) -> list[LabelledQuestion]:
    """Read a JSONL file of labelled questions; :class:`EvalDataError` says what is wrong."""
    path = Path(path)
    name = set_name or set_name_of(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError(f"cannot read {path}: {exc}") from exc
    out: list[LabelledQuestion] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            out.append(_question(json.loads(line), name))
        except (ValueError, TypeError, KeyError) as exc:
            raise EvalDataError(f"{where}: {exc}") from None
    if not out:
        raise EvalDataError(f"{path}: no questions")
    return out


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of strings")
    return tuple(value)


def _question(data: Any, set_name: str) -> LabelledQuestion:
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    question = data["question"]
    if not isinstance(question, str) or not question.strip():
        raise ValueError("question must be a non-empty string")
    lang = data.get("lang", "nl")
    if lang not in ("nl", "en"):
        raise ValueError(f"lang must be 'nl' or 'en', not {lang!r}")
    answerable = data.get("answerable", True)
    if not isinstance(answerable, bool):
        raise ValueError("answerable must be true or false")
    facts = data.get("facts", [])
    if not isinstance(facts, list):
        raise ValueError("facts must be a list of lists of strings")
    gold_docs = _strings(data.get("gold_docs", []), "gold_docs")
    if answerable and not gold_docs:
        raise ValueError("an answerable question needs gold_docs")
    return LabelledQuestion(
        id=str(data.get("id", question)),
        set=set_name,
        lang=lang,
        question=question,
        answerable=answerable,
        gold_docs=gold_docs,
        gold_passage=_strings(data.get("gold_passage", []), "gold_passage"),
        facts=tuple(_strings(group, "each facts group") for group in facts),
    )


def motion_queries(
    moties_jsonl: Path, documents: Iterable[DocumentMeta]
) -> tuple[list[LabelledQuestion], list[str]]:
    """Each motion's subject as a query whose relevant document is that motion.

    The file -> document id mapping comes from the indexed documents' ``source``. Returns the
    queries and the motion files not found in the index.
    """
    by_file = {Path(d.source).name: d.doc_id for d in documents if d.source}
    queries: list[LabelledQuestion] = []
    missing: list[str] = []
    for number, line in enumerate(Path(moties_jsonl).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            file, subject = str(row["file"]), str(row["subject"]).strip()
        except (ValueError, TypeError, KeyError) as exc:
            raise EvalDataError(f"{moties_jsonl}, line {number}: {exc}") from None
        doc_id = by_file.get(file)
        if doc_id is None or not subject:
            missing.append(file)
            continue
        queries.append(
            LabelledQuestion(
                id=f"m:{file.removesuffix('.txt')}",
                set=MOTIONS_SET,
                lang="nl",
                question=subject,
                answerable=True,
                gold_docs=(doc_id,),
            )
        )
    return queries, missing


def all_documents(store: PassageStore, page: int = 500) -> list[DocumentMeta]:
    out: list[DocumentMeta] = []
    while True:
        batch = store.list_documents(len(out), page)
        out.extend(meta for meta, _ in batch)
        if len(batch) < page:
            return out


#: With ``--quick``: every QUICK_STRIDE-th motion subject and QUICK_TATOEBA pairs.
QUICK_STRIDE = 4
QUICK_TATOEBA = 250


def bundled_motion_queries(
    settings: Settings, store: PassageStore, quick: bool = False
) -> tuple[list[LabelledQuestion], str]:
    """The subject -> motion queries of the bundled corpus's motions found in the index, and
    a note for the report ("" when there is nothing to say)."""
    moties = settings.corpus_dir / "moties.jsonl"
    if not moties.is_file():
        return [], f"motion subjects skipped: no {moties}"
    queries, missing = motion_queries(moties, all_documents(store))
    if not queries:
        return [], f"motion subjects skipped: none of the {len(missing)} motions is indexed"
    if quick:
        queries = queries[::QUICK_STRIDE]
        return queries, f"--quick: every {QUICK_STRIDE}th motion subject ({len(queries)})"
    return queries, ""


def bundled_tatoeba(quick: bool = False) -> tuple[tuple[list[str], list[str]] | None, str]:
    """The bundled Tatoeba bitext (its first pairs with ``quick``) and a note."""
    if not (TATOEBA_DIR / "tatoeba.nld-eng.nld").is_file():
        return None, f"Tatoeba check skipped: no bitext in {TATOEBA_DIR}"
    return load_tatoeba(TATOEBA_DIR, QUICK_TATOEBA if quick else None), ""


def load_tatoeba(folder: Path, limit: int | None = None) -> tuple[list[str], list[str]]:
    """The Dutch and English sides of the Tatoeba bitext, line-aligned."""
    folder = Path(folder)
    nld = (folder / "tatoeba.nld-eng.nld").read_text(encoding="utf-8").splitlines()
    eng = (folder / "tatoeba.nld-eng.eng").read_text(encoding="utf-8").splitlines()
    if len(nld) != len(eng):
        raise EvalDataError(f"{folder}: {len(nld)} Dutch but {len(eng)} English lines")
    return nld[:limit], eng[:limit]


# --------------------------------------------------------------------------------------------
# metrics on one ranking (``relevance[i]``: whether the item at rank i + 1 is relevant)
# --------------------------------------------------------------------------------------------
def hit_at_k(relevance: Sequence[bool], k: int) -> float:
    """1.0 when a relevant item is among the first ``k``, else 0.0."""
    return 1.0 if any(relevance[:k]) else 0.0


def reciprocal_rank(relevance: Sequence[bool], k: int = 10) -> float:
    """1 / rank of the first relevant item within the first ``k`` (0.0 when none)."""
    for rank, relevant in enumerate(relevance[:k], 1):
        if relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(relevance: Sequence[bool], k: int, n_relevant: int) -> float:
    """Binary-relevance nDCG@k; the ideal ranking puts ``n_relevant`` items first."""
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, n_relevant) + 1))
    if ideal == 0.0:
        return 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank, rel in enumerate(relevance[:k], 1) if rel)
    return dcg / ideal


def first_rank(relevance: Sequence[bool]) -> int | None:
    return next((rank for rank, rel in enumerate(relevance, 1) if rel), None)


# --------------------------------------------------------------------------------------------
# relevance judgements
# --------------------------------------------------------------------------------------------
def passage_is_relevant(question: LabelledQuestion, passage: Passage) -> bool:
    if question.gold_docs and passage.doc_id not in question.gold_docs:
        return False
    if question.doc_level:
        return bool(question.gold_docs)
    text = normalize(passage.text)
    return any(normalize(gold) in text for gold in question.gold_passage)


def count_relevant(question: LabelledQuestion, store: PassageStore) -> int:
    """Relevant items in the index: passages, or documents for a document-level question."""
    if question.doc_level:
        return sum(store.document(d) is not None for d in question.gold_docs)
    return sum(
        passage_is_relevant(question, p)
        for d in question.gold_docs
        for p in store.document_passages(d)
    )


def ranked_relevance(question: LabelledQuestion, result: RetrievalResult) -> list[bool]:
    """Relevance down the ranking; for a document-level question, one entry per document."""
    if not question.doc_level:
        return [passage_is_relevant(question, h.passage) for h in result.hits]
    seen: set[str] = set()
    out: list[bool] = []
    for hit in result.hits:
        if hit.passage.doc_id not in seen:
            seen.add(hit.passage.doc_id)
            out.append(hit.passage.doc_id in question.gold_docs)
    return out


# --------------------------------------------------------------------------------------------
# retrieval evaluation
# --------------------------------------------------------------------------------------------
@dataclass
class Ranking:
    """Where one question's relevant items landed for one retriever."""

    id: str
    set: str
    lang: Language
    relevance: list[bool]
    n_relevant: int

    @property
    def rank(self) -> int | None:
        return first_rank(self.relevance)


@dataclass
class RetrievalScores:
    n: int
    hit1: float
    hit5: float
    hit10: float
    mrr10: float
    ndcg10: float
    curve: list[float] = field(default_factory=list)  # hit@1 .. hit@CURVE_DEPTH
    mrr5: float = math.nan


class Searcher(Protocol):
    """What :func:`rank_questions` searches: the service's :class:`Retriever`, or the
    :class:`PlainDenseRetriever` baseline."""

    @property
    def store(self) -> PassageStore: ...

    def search_batch(
        self, queries: Sequence[str], top_k: int, mode: Mode = "hybrid"
    ) -> list[RetrievalResult]: ...


class PlainDenseRetriever:
    """The simplest dense baseline, as txtai or Haystack index by default: each passage's
    plain text (no title, section or speaker in front, no centring) embedded with the same
    model through the Embedder's passage encoding, searched in a flat inner-product FAISS
    index by the question's vector (embedded as the service embeds it).

    Built from the passages of an index's store, so it needs no second pass over the corpus;
    embedding them takes as long as indexing's embedding step.
    """

    def __init__(self, store: PassageStore, embedder: Embedder) -> None:
        import faiss

        self.store = store
        self.embedder = embedder
        rows_passages = store.all_passages()
        self.passages = dict(rows_passages)
        self.documents = {meta.doc_id: meta for meta in all_documents(store)}
        vectors = embedder.encode_passages([p.text for _, p in rows_passages])
        self.vectors = faiss.IndexIDMap2(faiss.IndexFlatIP(embedder.dimension))
        if len(rows_passages):
            rows = np.array([r for r, _ in rows_passages], dtype=np.int64)
            self.vectors.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), rows)

    def search_batch(
        self, queries: Sequence[str], top_k: int, mode: Mode = "dense"
    ) -> list[RetrievalResult]:
        """The ``top_k`` passages of each query by inner product (``mode`` is ignored)."""
        if not queries:
            return []
        vectors = self.embedder.encode_queries(list(queries))
        k = min(top_k, int(self.vectors.ntotal))
        scores: Any = np.zeros((len(queries), 0), dtype=np.float32)
        rows: Any = np.zeros((len(queries), 0), dtype=np.int64)
        if k > 0:
            scores, rows = self.vectors.search(np.ascontiguousarray(vectors), k)
        results = []
        for query, vector, row_list, score_list in zip(queries, vectors, rows, scores, strict=True):
            hits = []
            for row, score in zip(row_list, score_list, strict=True):
                passage = self.passages.get(int(row))
                if passage is None:
                    continue
                meta = self.documents.get(passage.doc_id) or DocumentMeta(doc_id=passage.doc_id)
                hits.append(Hit(int(row), passage, meta, float(score), float(score), 0.0))
            results.append(RetrievalResult(query, detect_language(query), hits, vector))
        return results


def rank_questions(
    retriever: Searcher,
    questions: Sequence[LabelledQuestion],
    mode: Mode,
    depth: int = CURVE_DEPTH,
    batch_size: int = 64,
) -> list[Ranking]:
    """Search every answerable question with one retriever and judge the results."""
    store = retriever.store
    todo = [q for q in questions if q.answerable]
    out: list[Ranking | None] = [None] * len(todo)
    for doc_level in (False, True):
        group = [i for i, q in enumerate(todo) if q.doc_level == doc_level]
        k = DOC_LEVEL_PASSAGES if doc_level else depth
        for start in range(0, len(group), batch_size):
            chunk = group[start : start + batch_size]
            results = retriever.search_batch([todo[i].question for i in chunk], k, mode)
            for i, result in zip(chunk, results, strict=True):
                q = todo[i]
                relevance = ranked_relevance(q, result)[:depth]
                out[i] = Ranking(q.id, q.set, q.lang, relevance, count_relevant(q, store))
    return [r for r in out if r is not None]


def score_rankings(rankings: Sequence[Ranking], depth: int = CURVE_DEPTH) -> RetrievalScores:
    n = len(rankings)
    if n == 0:
        return RetrievalScores(0, math.nan, math.nan, math.nan, math.nan, math.nan, [], math.nan)

    def mean(values: Iterable[float]) -> float:
        return float(sum(values) / n)

    return RetrievalScores(
        n=n,
        hit1=mean(hit_at_k(r.relevance, 1) for r in rankings),
        hit5=mean(hit_at_k(r.relevance, 5) for r in rankings),
        hit10=mean(hit_at_k(r.relevance, 10) for r in rankings),
        mrr10=mean(reciprocal_rank(r.relevance, 10) for r in rankings),
        ndcg10=mean(ndcg_at_k(r.relevance, 10, r.n_relevant) for r in rankings),
        curve=[mean(hit_at_k(r.relevance, k) for r in rankings) for k in range(1, depth + 1)],
        mrr5=mean(reciprocal_rank(r.relevance, 5) for r in rankings),
    )


def group_key(set_name: str, lang: str) -> str:
    return set_name if set_name == MOTIONS_SET else f"{set_name}/{lang}"


#: The three pools whose mean is the aggregate that calibration optimises.
AGGREGATE_POOLS = ("questions/nl", "questions/en", MOTIONS_SET)


def groups_of(items: Sequence[Any]) -> dict[str, list[Any]]:
    """Items (anything with ``set`` and ``lang``) per set/language, plus the pools.

    ``questions/nl`` and ``questions/en`` pool every labelled set (all but the motions) by
    language; ``all`` pools everything.
    """
    groups: dict[str, list[Any]] = {}
    for item in items:
        groups.setdefault(group_key(item.set, item.lang), []).append(item)
    for item in items:
        if item.set != MOTIONS_SET:
            groups.setdefault(f"questions/{item.lang}", []).append(item)
    groups["all"] = list(items)
    return groups


def aggregate(scores: dict[str, RetrievalScores], metric: str) -> float:
    """Mean of ``metric`` over the pools present (Dutch questions, English questions, motions).

    Each pool weighs the same, so the 484 motion subjects do not drown the labelled questions.
    """
    values = [getattr(scores[p], metric) for p in AGGREGATE_POOLS if p in scores]
    return float(np.mean(values)) if values else math.nan


def evaluate_retrieval(
    retriever: Retriever,
    questions: Sequence[LabelledQuestion],
    modes: Sequence[Mode] = RETRIEVERS,
    baseline: Searcher | None = None,
) -> tuple[dict[str, dict[str, RetrievalScores]], dict[str, list[Ranking]]]:
    """Scores per retriever and group, and the per-question rankings behind them; with a
    ``baseline`` (:class:`PlainDenseRetriever`), its scores too, as :data:`PLAIN_DENSE`."""
    scores: dict[str, dict[str, RetrievalScores]] = {}
    rankings: dict[str, list[Ranking]] = {}
    searches: list[tuple[str, Searcher, Mode]] = [(m, retriever, m) for m in modes]
    if baseline is not None:
        searches.append((PLAIN_DENSE, baseline, "dense"))
    for name, searcher, mode in searches:
        ranked = rank_questions(searcher, questions, mode)
        rankings[name] = ranked
        scores[name] = {group: score_rankings(rs) for group, rs in groups_of(ranked).items()}
    return scores, rankings


@dataclass
class Miss:
    """An answerable question whose relevant passage the hybrid retriever left out of the top 5."""

    id: str
    set: str
    lang: str
    question: str
    ranks: dict[str, int | None]  # first relevant rank per retriever (None: below the depth)
    cause: str


def diagnose_misses(
    questions: Sequence[LabelledQuestion], rankings: dict[str, list[Ranking]], k: int = 5
) -> list[Miss]:
    """Say which part limits each hybrid miss.

    ``chunking``: no indexed passage holds the answer; ``fusion``: BM25 or dense search alone
    has it in the top ``k`` but the fused ranking does not; ``retrievers``: neither has it.
    The baseline's rank (when measured) is reported beside them.
    """
    if "hybrid" not in rankings:
        return []
    by_id = {q.id: q for q in questions}
    per_mode = {m: {r.id: r for r in rs} for m, rs in rankings.items()}
    misses = []
    for r in rankings["hybrid"]:
        if hit_at_k(r.relevance, k):
            continue
        ranks = {m: per_mode[m][r.id].rank for m in per_mode}
        parts = [rank for m, rank in ranks.items() if m in ("bm25", "dense")]
        if r.n_relevant == 0:
            cause = "chunking"
        elif any(rank is not None and rank <= k for rank in parts):
            cause = "fusion"
        else:
            cause = "retrievers"
        q = by_id[r.id]
        misses.append(Miss(q.id, q.set, q.lang, q.question, ranks, cause))
    return misses


# --------------------------------------------------------------------------------------------
# answer evaluation
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# embedding model check
# --------------------------------------------------------------------------------------------
def tatoeba_accuracy(embedder: Embedder, nld: Sequence[str], eng: Sequence[str]) -> dict[str, Any]:
    """Bitext retrieval accuracy@1 in both directions among the given pairs.

    Both sides are encoded as queries (the e5 convention for symmetric tasks: the same
    ``query: `` prompt on both sides) and compared by cosine similarity.
    """
    a = embedder.encode_queries(list(nld))
    b = embedder.encode_queries(list(eng))
    sim = a @ b.T
    target = np.arange(len(nld))
    return {
        "pairs": len(nld),
        "prompt": embedder.settings.query_prompt,
        "nld->eng": float(np.mean(sim.argmax(axis=1) == target)),
        "eng->nld": float(np.mean(sim.argmax(axis=0) == target)),
    }


# --------------------------------------------------------------------------------------------
# the whole evaluation
# --------------------------------------------------------------------------------------------
@dataclass
class Goal:
    name: str
    target: str
    value: str
    met: bool


@dataclass
class EvaluationReport:
    created: str
    command: str
    index: dict[str, Any]
    settings: dict[str, Any]
    question_sets: dict[str, int]
    retrieval: dict[str, dict[str, RetrievalScores]]
    reranker: str
    misses: list[Miss]
    answers: dict[str, AnswerScores]
    answer_records: list[AnswerRecord]
    tatoeba: dict[str, Any] | None
    goals: list[Goal]
    notes: list[str]
    seconds: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return _finite(asdict(self))


def _finite(value: Any) -> Any:
    """NaN (an empty group) as null, so the JSON is standard."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


#: Settings that the evaluation reports (what calibration tunes).
TUNED_SETTINGS = (
    "max_passage_tokens",
    "contextual_passages",
    "context_weight",
    "dense_candidates",
    "bm25_candidates",
    "rrf_k",
    "bm25_weight_nl",
    "bm25_weight_en",
    "dense_weight",
    "abstain_threshold_nl",
    "abstain_threshold_en",
    "answer_passages",
    "answer_max_sentences",
    "answer_lexical_weight_nl",
    "answer_lexical_weight_en",
    "answer_sentence_margin",
)


def check_goals(
    retrieval: dict[str, dict[str, RetrievalScores]], answers: dict[str, AnswerScores]
) -> list[Goal]:
    """The project's quality goals on the bundled data (dev questions and motion subjects)."""
    goals = []
    hybrid = retrieval.get("hybrid", {})
    for lang in ("nl", "en"):
        s = hybrid.get(f"dev/{lang}")
        if s is not None:
            goals.append(
                Goal(
                    f"dev {lang}: answering passage in the top 5",
                    ">= 0.95",
                    f"{s.hit5:.3f} ({round(s.hit5 * s.n)}/{s.n})",
                    s.hit5 >= 0.95,
                )
            )
    dev = [a for key, a in answers.items() if key in ("dev/nl", "dev/en")]
    if dev:
        neg = sum(a.unanswerable for a in dev)
        pos = sum(a.answerable for a in dev)
        declined_neg = sum(
            round(a.declined_unanswerable * a.unanswerable) for a in dev if a.unanswerable
        )
        declined_pos = sum(round(a.declined_answerable * a.answerable) for a in dev if a.answerable)
        goals.append(
            Goal(
                "dev: unanswerable questions declined",
                "all",
                f"{declined_neg}/{neg}",
                declined_neg == neg,
            )
        )
        goals.append(
            Goal(
                "dev: answerable questions declined",
                "<= 5%",
                f"{declined_pos}/{pos}",
                declined_pos <= 0.05 * pos,
            )
        )
    motions = hybrid.get(MOTIONS_SET)
    if motions is not None:
        goals.append(
            Goal(
                "motion subject -> its motion in the top 5",
                ">= 0.95",
                f"{motions.hit5:.3f} ({round(motions.hit5 * motions.n)}/{motions.n})",
                motions.hit5 >= 0.95,
            )
        )
    baseline = retrieval.get(PLAIN_DENSE, {})
    groups = [g for g in hybrid if g in baseline and g != "all" and hybrid[g].n]
    if groups:
        behind = [g for g in groups if hybrid[g].mrr5 < baseline[g].mrr5]
        goals.append(
            Goal(
                "hybrid MRR@5 at least plain dense's, every set and language",
                f"{len(groups)}/{len(groups)}",
                f"{len(groups) - len(behind)}/{len(groups)}"
                + (f" (behind: {', '.join(behind)})" if behind else ""),
                not behind,
            )
        )
    return goals


def run_evaluation(
    service: QAService,
    questions: Sequence[LabelledQuestion],
    *,
    tatoeba: tuple[Sequence[str], Sequence[str]] | None = None,
    answer_sets: Iterable[str] | None = None,
    top_k: int = 5,
    command: str = "",
    notes: Sequence[str] = (),
    baseline: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> EvaluationReport:
    """Evaluate a warmed-up :class:`~qa_service.service.QAService` on ``questions``.

    ``answer_sets`` limits the (slower) answer evaluation to those question sets; all by
    default. ``top_k`` is the number of passages each answer is given, as in the API.
    ``baseline``: also rank with :class:`PlainDenseRetriever` (embeds every passage once).
    """
    seconds: dict[str, float] = {}
    plain = None
    if baseline:
        t0 = time.perf_counter()
        log(f"baseline: embedding {service.index.size} passages' plain text ({PLAIN_DENSE})")
        plain = PlainDenseRetriever(service.index.store, service.embedder)
        seconds["baseline"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    log(f"retrieval: {len(questions)} queries x {len(RETRIEVERS) + baseline} retrievers")
    retrieval, rankings = evaluate_retrieval(service.retriever, questions, baseline=plain)
    seconds["retrieval"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    wanted = set(answer_sets) if answer_sets is not None else None
    to_ask = [q for q in questions if wanted is None or q.set in wanted]
    log(f"answers: {len(to_ask)} questions through QAService.ask")
    records = answer_questions(service, to_ask, top_k)
    answers = {name: score_answers(rs) for name, rs in groups_of(records).items()}
    seconds["answers"] = time.perf_counter() - t0

    tatoeba_scores = None
    if tatoeba is not None:
        t0 = time.perf_counter()
        log(f"embedding check: Tatoeba, {len(tatoeba[0])} pairs")
        tatoeba_scores = tatoeba_accuracy(service.embedder, *tatoeba)
        seconds["tatoeba"] = time.perf_counter() - t0

    settings: Settings = service.settings
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.set] = counts.get(q.set, 0) + 1
    return EvaluationReport(
        created=time.strftime("%Y-%m-%d %H:%M"),
        command=command,
        index=service.info(),
        settings={name: getattr(settings, name) for name in TUNED_SETTINGS},
        question_sets=counts,
        retrieval=retrieval,
        reranker=RERANKER_NOTE,
        misses=diagnose_misses(questions, rankings),
        answers=answers,
        answer_records=records,
        tatoeba=tatoeba_scores,
        goals=check_goals(retrieval, answers),
        notes=list(notes),
        seconds={k: round(v, 1) for k, v in seconds.items()},
    )


# --------------------------------------------------------------------------------------------
# a memoising embedder: evaluations and sweeps encode the same texts many times
# --------------------------------------------------------------------------------------------
class CachedEmbedder(Embedder):
    """Shares another embedder's model and remembers every vector it computed."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner.settings)
        self.model_name = inner.model_name
        self._inner = inner
        self._cache: dict[tuple[str, str], np.ndarray] = {}

    def warm_up(self) -> None:
        self._model = self._inner.model

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._cached(texts, self.settings.query_prompt, super().encode_queries)

    def encode_passages(
        self, texts: list[str], show_progress: bool = False, batch_invariant: bool = False
    ) -> np.ndarray:
        def encode(missing: list[str]) -> np.ndarray:
            return super(CachedEmbedder, self).encode_passages(
                missing, batch_invariant=batch_invariant
            )

        return self._cached(texts, self.settings.passage_prompt, encode)

    def _cached(
        self, texts: list[str], prompt: str, encode: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if (prompt, t) not in self._cache]
        if missing:
            for text, vector in zip(missing, encode(missing), strict=True):
                self._cache[(prompt, text)] = vector
        if not texts:
            return encode([])
        return np.stack([self._cache[(prompt, t)] for t in texts])
