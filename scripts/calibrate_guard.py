"""Calibrate the citation guard's thresholds on real model outputs; print the figures.

    qa-service eval --backends local    # generates and caches outputs (eval_data/generations.jsonl)
    python scripts/calibrate_guard.py [--cache eval_data/generations.jsonl]

Labelled pairs come from the cached answers of a model to the evaluation questions and from
the questions' own labels (never from the guard's measure):

- positive: a generated sentence that states one of the question's key facts, paired with the
  gold passage (the retrieved passage that answers the question);
- negative: the same sentence paired with the gold passage of another question that does not
  contain that fact (mostly passages of the same letter: hard negatives), and every sentence
  of an answer to a question the documents do not answer, paired with its retrieved passages.

For each lexical weight of a grid, and for Dutch and English sentences apart (English
sentences are compared with Dutch passages through the multilingual embedding, so their
similarities are lower), it prints the score distributions and the threshold that maximises
balanced accuracy (with the true and false positive rates there). Set the chosen values as
``QA_GUARD_THRESHOLD_NL``, ``QA_GUARD_THRESHOLD_EN`` and ``QA_GUARD_LEXICAL_WEIGHT`` defaults.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.config import Settings
from qa_service.evaluation.backends import DEFAULT_GENERATIONS_CACHE as DEFAULT_CACHE
from qa_service.evaluation.backends import model_key as model_name
from qa_service.evaluation.backends import read_cache
from qa_service.evaluation.data import EVAL_DATA, LabelledQuestion, load_questions
from qa_service.generation.guard import CitationGuard, Claim, split_claims
from qa_service.search.retriever import Hit
from qa_service.service import QAService
from qa_service.text.language import detect_language
from qa_service.text.lexical import fold

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
QUESTION_FILES = ["dev-questions.jsonl", "calibration-questions.jsonl"]


def load_labelled() -> list[LabelledQuestion]:
    return [q for name in QUESTION_FILES for q in load_questions(EVAL_DATA / name)]


def norm(text: str) -> str:
    return " ".join(fold(text).split())


def gold_hit(q: LabelledQuestion, hits: list[Hit]) -> Hit | None:
    golds = [norm(g) for g in q.gold_passage]
    for hit in hits:
        if any(g in norm(hit.passage.text) for g in golds):
            return hit
    return None


def states_fact(text: str, q: dict[str, Any]) -> str | None:
    t = norm(text)
    for group in q.facts:
        for alt in group:
            if norm(alt) in t:
                return alt
    return None


def collect(service: QAService, guard: CitationGuard, cache_path: Path, backend: str) -> list:
    """(language, semantic, lexical, label) for every labelled (sentence, passage) pair."""
    questions = {q.id: q for q in load_labelled()}
    model = model_name(service.settings.model_copy(update={"answer_backend": backend}))
    records = [
        r for r in read_cache(cache_path).values() if (r["backend"], r["model"]) == (backend, model)
    ]
    if not records:
        raise SystemExit(f"no cached {backend} outputs in {cache_path}: qa-service eval --backends")
    k = service.settings.generation_passages
    golds: dict[str, Hit] = {}
    hits_of: dict[str, list[Hit]] = {}
    for r in records:
        q = questions.get(r["id"])
        if q is None:
            continue
        hits = service.search(q.question, 5).hits[:k]
        hits_of[q.id] = hits
        if q.answerable:
            g = gold_hit(q, hits)
            if g is not None:
                golds[q.id] = g
    pairs = []
    for r in records:
        q = questions.get(r["id"])
        if q is None or q.id not in hits_of:
            continue
        claims = split_claims(r["raw"])
        for claim in claims:
            if len(claim.text.split()) < 3:
                continue
            if q.answerable:
                fact = states_fact(claim.text, q)
                if fact is None or q.id not in golds:
                    continue  # unlabelled: the sentence may or may not be supported
                targets = [(golds[q.id], 1)]
                targets += [
                    (h, 0)
                    for other, h in golds.items()
                    if other != q.id and norm(fact) not in norm(h.passage.text)
                ]
            else:
                targets = [(h, 0) for h in hits_of[q.id]]
            pairs.extend(measure(guard, claim, targets))
    return pairs


def measure(guard: CitationGuard, claim: Claim, targets: list[tuple[Hit, int]]) -> list:
    hits = [h for h, _ in targets]
    one = Claim(claim.text, [])
    saved = guard.settings.guard_lexical_weight
    guard.settings.guard_lexical_weight = 0.0
    try:
        guard.support([one], hits)
    finally:
        guard.settings.guard_lexical_weight = saved
    lexical = guard.lexical([claim.text], hits)[0]
    language = detect_language(claim.text)
    return [
        (language, sem, lex, label)
        for sem, lex, (_, label) in zip(one.scores, lexical, targets, strict=True)
    ]


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float, float, float]:
    """(threshold, balanced accuracy, true positive rate, false positive rate).

    Candidates are the midpoints between consecutive distinct scores; of those that reach the
    best balanced accuracy, the middle one is returned (the centre of the gap, not its edge).
    """
    pos, neg = labels == 1, labels == 0
    values = np.unique(scores)
    candidates = (values[:-1] + values[1:]) / 2 if len(values) > 1 else values
    rated = []
    for t in candidates:
        tpr = float((scores[pos] >= t).mean()) if pos.any() else 0.0
        fpr = float((scores[neg] >= t).mean()) if neg.any() else 0.0
        rated.append((float(t), (tpr + 1 - fpr) / 2, tpr, fpr))
    top = max(r[1] for r in rated)
    best = [r for r in rated if r[1] >= top - 1e-9]
    return best[len(best) // 2]


def precision_first(
    scores: np.ndarray, labels: np.ndarray, max_fpr: float
) -> tuple[float, float, float]:
    """The lowest threshold whose false positive rate is at most ``max_fpr``: (t, TPR, FPR).

    A kept unsupported sentence breaks the promise of the service; a removed supported one
    costs little (other sentences, or the extractive answer, remain). So this is the point
    the defaults use.
    """
    pos, neg = labels == 1, labels == 0
    values = np.unique(scores)
    candidates = np.concatenate([(values[:-1] + values[1:]) / 2, [values[-1] + 1e-6]])
    for t in candidates:
        fpr = float((scores[neg] >= t).mean()) if neg.any() else 0.0
        if fpr <= max_fpr:
            tpr = float((scores[pos] >= t).mean()) if pos.any() else 0.0
            return float(t), tpr, fpr
    return float("nan"), 0.0, 0.0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--backend", default="local")
    p.add_argument("--index-dir", type=Path, default=None)
    args = p.parse_args()
    settings = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    service = QAService(settings)
    service.warm_up()
    guard = CitationGuard(settings.model_copy(), service.embedder, service.index)
    pairs = collect(service, guard, args.cache, args.backend)
    for language in ("nl", "en"):
        rows = [p for p in pairs if p[0] == language]
        if not rows:
            continue
        sem = np.array([r[1] for r in rows])
        lex = np.array([r[2] for r in rows])
        labels = np.array([r[3] for r in rows])
        print(
            f"\n== {language}: {int(labels.sum())} positive, {int((labels == 0).sum())} "
            "negative pairs"
        )
        for name, values in (("semantic", sem), ("lexical", lex)):
            for label in (1, 0):
                v = values[labels == label]
                if len(v):
                    q = np.percentile(v, [10, 50, 90])
                    print(
                        f"  {name:8} {'pos' if label else 'neg'}: p10 {q[0]:.3f} "
                        f"p50 {q[1]:.3f} p90 {q[2]:.3f}"
                    )
        print(
            "  weight | best balanced accuracy: threshold  bal   TPR   FPR | FPR<=2%: thresh. TPR"
        )
        for w in WEIGHTS:
            scores = sem + w * lex
            t, bal, tpr, fpr = best_threshold(scores, labels)
            t2, tpr2, _ = precision_first(scores, labels, 0.02)
            print(
                f"  {w:5.1f}  |  {t:8.3f}  {bal:.3f} {tpr:.3f} {fpr:.3f}  |  {t2:8.3f}  {tpr2:.3f}"
            )
        t = settings.guard_threshold_en if language == "en" else settings.guard_threshold_nl
        w = settings.guard_lexical_weight
        scores = sem + w * lex
        print(
            f"  the settings (weight {w}, threshold {t}): "
            f"TPR {(scores[labels == 1] >= t).mean():.3f}, "
            f"FPR {(scores[labels == 0] >= t).mean():.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
