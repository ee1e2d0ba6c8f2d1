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

The data is read by :mod:`.data`, retrieval scored by :mod:`.retrieval` (with :mod:`.metrics`),
answers by :mod:`.answers`; this module runs them all and checks the project's goals.
Rendering (terminal tables, markdown, plot) lives in :mod:`qa_service.evaluation.report`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.evaluation.answers import (
    AnswerRecord,
    AnswerScores,
    answer_questions,
    by_category,
    score_answers,
)
from qa_service.evaluation.data import MOTIONS_SET, LabelledQuestion
from qa_service.evaluation.metrics import absent_gold
from qa_service.evaluation.retrieval import (
    PLAIN_DENSE,
    RETRIEVERS,
    Miss,
    PlainDenseRetriever,
    RetrievalScores,
    diagnose_misses,
    evaluate_retrieval,
    groups_of,
)
from qa_service.service import QAService

RERANKER_NOTE = "no reranker in the pipeline yet: hybrid + reranking is not measured"


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
    answer_categories: dict[str, AnswerScores]
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
    notes = list(notes)
    absent = absent_gold(questions, service.index.store)
    if absent:
        notes.append(f"Gold documents the index lacks ({len(absent)}): {', '.join(absent)}.")
        log(notes[-1])
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
        answer_categories=by_category(records),
        answer_records=records,
        tatoeba=tatoeba_scores,
        goals=check_goals(retrieval, answers),
        notes=notes,
        seconds={k: round(v, 1) for k, v in seconds.items()},
    )


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
