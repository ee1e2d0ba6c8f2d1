"""Sweep the pipeline's settings on the labelled questions and print comparison tables.

    python scripts/calibrate.py [--index-dir index] [--variants-dir .cache/calibrate]
                                [--skip-variants] [--motion-stride 1] [--docs docs/evaluation.md]

Every sweep varies one group of settings around the current defaults (``qa_service/config.py``)
and scores each value on the aggregate of all sets: the mean over the three pools Dutch
questions (dev + calibration), English questions (dev + calibration) and motion subjects, so
that no single question and no single set decides. Sweeps:

1. fusion: ``rrf_k`` x BM25 weight (``bm25_weight_nl`` acts on Dutch queries and the motions,
   ``bm25_weight_en`` on English ones), hybrid retrieval;
2. candidates per retriever (``dense_candidates`` = ``bm25_candidates``);
3. abstention thresholds (``abstain_threshold_nl/en``) on the best centred similarity;
4. answer settings (``answer_*``), through ``QAService.ask``;
5. index variants: ``max_passage_tokens`` 100/200/300 and ``contextual_passages`` off (each
   needs its own index; they are built once into ``--variants-dir`` and reused).

With ``--docs`` the tables also replace the ``calibration`` block of that markdown file.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.config import PROJECT_ROOT, Settings
from qa_service.embedding import Embedder
from qa_service.evaluation.answers import (
    AnswerRecord,
    AnswerScores,
    answer_questions,
    score_answers,
)
from qa_service.evaluation.core import CachedEmbedder
from qa_service.evaluation.data import (
    DEFAULT_QUESTION_FILES,
    MOTIONS_SET,
    LabelledQuestion,
    all_documents,
    load_questions,
    motion_queries,
)
from qa_service.evaluation.report import fmt, table, update_docs
from qa_service.evaluation.retrieval import (
    AGGREGATE_POOLS,
    RETRIEVERS,
    Ranking,
    RetrievalScores,
    aggregate,
    groups_of,
    rank_questions,
    score_rankings,
)
from qa_service.ingest.build import build_index, default_corpus_paths
from qa_service.search.retriever import Retriever
from qa_service.service import QAService
from qa_service.store.layout import index_exists
from qa_service.store.loaded import load_index

POOLS = AGGREGATE_POOLS
RRF_KS = (5, 10, 20, 30, 60, 100, 200)
BM25_WEIGHTS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
CANDIDATES = (10, 20, 50, 100, 200)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.20, 0.451, 0.01))
ANSWER_SWEEPS: dict[str, tuple[Any, ...]] = {
    "answer_passages": (1, 2, 3, 5, 8),
    "answer_max_sentences": (1, 2, 3, 4, 5),
    "answer_sentence_margin": (0.02, 0.04, 0.08, 0.12, 0.2),
    "answer_lexical_weight_nl": (0.0, 0.15, 0.3, 0.5, 1.0),
    "answer_lexical_weight_en": (0.0, 0.15, 0.3, 0.5),
    "answer_name_weight_en": (0.0, 0.1, 0.2, 0.3),
    "answer_name_weight_nl": (0.0, 0.1, 0.2, 0.3),
    "answer_sentences_nl": ("index", "query"),
    "answer_sentences_en": ("index", "query"),
}
VARIANTS: tuple[tuple[int, bool], ...] = ((100, True), (200, True), (300, True), (200, False))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pooled(scores: dict[str, Any], metric: str) -> list[str]:
    return [fmt(getattr(scores[p], metric)) if p in scores else "–" for p in POOLS]


# -- retrieval sweeps -----------------------------------------------------------------------
def hybrid_rankings(
    index: Any, embedder: Embedder, settings: Settings, questions: Sequence[LabelledQuestion]
) -> list[Ranking]:
    return rank_questions(Retriever(index, embedder, settings), questions, "hybrid")


def scores_of(rankings: Sequence[Ranking]) -> dict[str, RetrievalScores]:
    return {name: score_rankings(rs) for name, rs in groups_of(rankings).items()}


def hybrid_scores(
    index: Any, embedder: Embedder, settings: Settings, questions: Sequence[LabelledQuestion]
) -> dict[str, RetrievalScores]:
    return scores_of(hybrid_rankings(index, embedder, settings, questions))


def paired(new: Sequence[Ranking], old: Sequence[Ranking]) -> str:
    """``+a/-b``: queries whose relevant item ranks higher / lower in ``new`` than in ``old``
    (a sign test on these counts says whether a change is more than noise)."""
    before = {r.id: r.rank or 10**6 for r in old}
    up = sum((r.rank or 10**6) < before[r.id] for r in new)
    down = sum((r.rank or 10**6) > before[r.id] for r in new)
    return f"+{up}/-{down}"


def fusion_sweep(index: Any, embedder: Embedder, base: Settings, questions: Sequence[Any]) -> str:
    """rrf_k x BM25 weight. Dutch pools use the weight as bm25_weight_nl, English as _en."""
    grid: dict[tuple[int, float], dict[str, RetrievalScores]] = {}
    ranked: dict[tuple[int, float], dict[str, list[Ranking]]] = {}
    for k in RRF_KS:
        for w in BM25_WEIGHTS:
            s = base.model_copy(update={"rrf_k": k, "bm25_weight_nl": w, "bm25_weight_en": w})
            ranked[(k, w)] = groups_of(hybrid_rankings(index, embedder, s, questions))
            grid[(k, w)] = {name: score_rankings(rs) for name, rs in ranked[(k, w)].items()}
        log(f"  fusion: rrf_k={k} done")

    def nl(k: int, w: float, metric: str) -> float:
        g = grid[(k, w)]
        return float(
            np.mean([getattr(g[p], metric) for p in ("questions/nl", "motions") if p in g])
        )

    def en(k: int, w: float, metric: str) -> float:
        g = grid[(k, w)].get("questions/en")
        return getattr(g, metric) if g is not None else math.nan

    out = []
    for metric, label in (("hit5", "hit@5"), ("mrr10", "MRR@10")):
        for name, f in (("Dutch questions + motions (mean)", nl), ("English questions", en)):
            rows = [[str(k), *(fmt(f(k, w, metric)) for w in BM25_WEIGHTS)] for k in RRF_KS]
            out += [
                f"{label}, {name}: rows rrf_k, columns BM25 weight",
                "",
                table(["rrf_k", *(str(w) for w in BM25_WEIGHTS)], rows),
                "",
            ]
    # paired: per query, better or worse than the current settings
    k0, wn0, we0 = base.rrf_k, base.bm25_weight_nl, base.bm25_weight_en
    if (k0, wn0) in ranked and (k0, we0) in ranked:
        rows = [
            [
                str(w),
                paired(ranked[(k0, w)]["questions/nl"], ranked[(k0, wn0)]["questions/nl"]),
                paired(ranked[(k0, w)]["motions"], ranked[(k0, wn0)]["motions"])
                if "motions" in ranked[(k0, w)]
                else "–",
                paired(ranked[(k0, w)]["questions/en"], ranked[(k0, we0)]["questions/en"]),
            ]
            for w in BM25_WEIGHTS
        ]
        out += [
            f"Queries ranked higher/lower than with the current weights (rrf_k={k0}, "
            f"nl={wn0}, en={we0}), by BM25 weight",
            "",
            table(["BM25 weight", "Dutch questions", "motions", "English questions"], rows),
            "",
        ]
    # the best combination by aggregate (hit@5, then MRR@10): the pools separate by weight
    best = max(
        ((k, wn, we) for k in RRF_KS for wn in BM25_WEIGHTS for we in BM25_WEIGHTS),
        key=lambda c: (
            round(2 * nl(c[0], c[1], "hit5") + en(c[0], c[2], "hit5"), 9),
            2 * nl(c[0], c[1], "mrr10") + en(c[0], c[2], "mrr10"),
        ),
    )
    cur = (base.rrf_k, base.bm25_weight_nl, base.bm25_weight_en)
    rows = []
    for label, (k, wn, we) in (("current", cur), ("best", best)):
        if (k, wn) not in grid or (k, we) not in grid:
            continue
        per_pool = {**grid[(k, wn)], "questions/en": grid[(k, we)]["questions/en"]}
        rows.append(
            [
                label,
                f"rrf_k={k}, nl={wn}, en={we}",
                *pooled(per_pool, "hit5"),
                *pooled(per_pool, "mrr10"),
                fmt(aggregate(per_pool, "hit5")),
                fmt(aggregate(per_pool, "mrr10")),
            ]
        )
    out += [
        "Current fusion settings against the best by aggregate hit@5 (ties: aggregate MRR@10)",
        "",
        table(
            [
                "",
                "settings",
                *(f"hit@5 {p}" for p in POOLS),
                *(f"MRR {p}" for p in POOLS),
                "agg hit@5",
                "agg MRR",
            ],
            rows,
        ),
        "",
    ]
    return "\n".join(out)


def candidates_sweep(
    index: Any, embedder: Embedder, base: Settings, questions: Sequence[Any]
) -> str:
    rows = []
    for n in CANDIDATES:
        s = base.model_copy(update={"dense_candidates": n, "bm25_candidates": n})
        sc = hybrid_scores(index, embedder, s, questions)
        mark = " (current)" if n == base.dense_candidates == base.bm25_candidates else ""
        rows.append(
            [
                f"{n}{mark}",
                *pooled(sc, "hit5"),
                *pooled(sc, "mrr10"),
                fmt(aggregate(sc, "hit5")),
                fmt(aggregate(sc, "mrr10")),
            ]
        )
    headers = [
        "candidates",
        *(f"hit@5 {p}" for p in POOLS),
        *(f"MRR {p}" for p in POOLS),
        "agg hit@5",
        "agg MRR",
    ]
    return "\n".join(
        ["Candidates per retriever (dense = BM25), hybrid", "", table(headers, rows), ""]
    )


# -- abstention -----------------------------------------------------------------------------
def best_similarities(
    index: Any, embedder: Embedder, settings: Settings, questions: Sequence[LabelledQuestion]
) -> list[tuple[LabelledQuestion, float]]:
    """The abstention signal of each question: the best centred similarity among the hybrid
    top 5 (what the answerer compares with the threshold)."""
    retriever = Retriever(index, embedder, settings)
    results = retriever.search_batch([q.question for q in questions], 5, "hybrid")
    return [
        (q, max((h.dense_score for h in r.hits), default=-1.0))
        for q, r in zip(questions, results, strict=True)
    ]


def choose_threshold(
    answerable: Sequence[Sequence[float]], unanswerable: Sequence[float]
) -> tuple[float, float]:
    """The threshold minimising (answerable declined rate, averaged over the given sets) +
    (unanswerable answered rate); the middle of the best run of thresholds. Returns the
    threshold and its error."""

    def error(t: float) -> float:
        false_declines = np.mean([np.mean(np.asarray(s) < t) for s in answerable if len(s)])
        missed = np.mean(np.asarray(unanswerable) >= t) if len(unanswerable) else 0.0
        return float(false_declines + missed)

    grid = [round(t, 3) for t in np.arange(0.15, 0.55, 0.005)]
    errors = [error(t) for t in grid]
    low = min(errors)
    best = [t for t, e in zip(grid, errors, strict=True) if e <= low + 1e-12]
    # the middle of the first (lowest) contiguous run of best thresholds
    run = [best[0]]
    for t in best[1:]:
        if abs(t - run[-1] - 0.005) > 1e-9:
            break
        run.append(t)
    return round(float(np.mean(run)), 3), low


def split_signal(
    sims: list[tuple[LabelledQuestion, float]], lang: str
) -> tuple[list[float], list[float], list[float]]:
    """The signal of answerable labelled questions, of motion subjects, and of unanswerable
    questions, in one language."""
    mine = [(q, s) for q, s in sims if q.lang == lang]
    return (
        [s for q, s in mine if q.answerable and q.set != MOTIONS_SET],
        [s for q, s in mine if q.set == MOTIONS_SET],
        [s for q, s in mine if not q.answerable],
    )


def abstention_sweep(sims: list[tuple[LabelledQuestion, float]], base: Settings) -> str:
    out = []
    chosen = {}
    for lang in ("nl", "en"):
        pos, motions, neg = split_signal(sims, lang)
        if not pos or not neg:
            continue
        sets = [pos, motions] if motions else [pos]
        t, err = choose_threshold(sets, neg)
        chosen[lang] = t
        current = getattr(base, f"abstain_threshold_{lang}")
        rows = []
        for th in THRESHOLDS:
            mark = " (current)" if math.isclose(th, current) else ""
            rows.append(
                [
                    f"{th:.2f}{mark}",
                    f"{sum(s < th for s in neg)}/{len(neg)}",
                    f"{sum(s < th for s in pos)}/{len(pos)}",
                    f"{sum(s < th for s in motions)}/{len(motions)}" if motions else "–",
                ]
            )
        out += [
            f"Abstention, {lang} questions: declined at each threshold",
            "",
            f"best similarity: unanswerable {describe(neg)}; answerable {describe(pos)}"
            + (f"; motion subjects {describe(motions)}" if motions else ""),
            "",
            table(
                ["threshold", "unanswerable declined", "answerable declined", "motions declined"],
                rows,
            ),
            "",
            f"lowest error (answerable declined rate{' averaged with motions' if motions else ''}"
            f" + unanswerable answered rate) = {err:.3f} at threshold {t:.3f} "
            f"(current {current})",
            "",
        ]
    return "\n".join(out)


def describe(values: Sequence[float]) -> str:
    if not values:
        return "none"
    v = np.asarray(values)
    return f"n={len(v)} min {v.min():.3f} median {np.median(v):.3f} max {v.max():.3f}"


# -- answers --------------------------------------------------------------------------------
def answer_records(
    settings: Settings, embedder: Embedder, questions: Sequence[LabelledQuestion]
) -> list[AnswerRecord]:
    service = QAService(settings, embedder)
    service.warm_up()
    try:
        return answer_questions(service, questions)
    finally:
        service.close()


def answer_scores(
    settings: Settings, embedder: Embedder, questions: Sequence[LabelledQuestion]
) -> dict[str, AnswerScores]:
    records = answer_records(settings, embedder, questions)
    return {name: score_answers(rs) for name, rs in groups_of(records).items()}


def facts_paired(new: Sequence[AnswerRecord], old: Sequence[AnswerRecord]) -> str:
    """``+a/-b``: questions whose answers hold more / fewer key facts than before."""
    before = {r.id: r.fact_coverage for r in old if r.fact_coverage is not None}
    now = {r.id: r.fact_coverage for r in new if r.fact_coverage is not None}
    up = sum(now[i] > before[i] for i in now if i in before)
    down = sum(now[i] < before[i] for i in now if i in before)
    return f"+{up}/-{down}"


def answer_composite(scores: dict[str, AnswerScores]) -> float:
    """Mean over the pools of the mean of key facts, cites answer and citation precision."""
    per_pool = []
    for pool in POOLS:
        s = scores.get(pool)
        if s is None:
            continue
        values = [s.fact_coverage, s.cites_answer, s.citation_precision]
        per_pool.append(np.nanmean([v for v in values if not math.isnan(v)] or [math.nan]))
    return float(np.mean(per_pool)) if per_pool else math.nan


def answer_row(label: str, records: list[AnswerRecord], current: list[AnswerRecord]) -> list[str]:
    scores = {name: score_answers(rs) for name, rs in groups_of(records).items()}
    q = [scores.get(p) for p in ("questions/nl", "questions/en")]
    m = scores.get(MOTIONS_SET)
    return [
        label,
        *(fmt(s.fact_coverage if s else None) for s in q),
        *(fmt(s.cites_answer if s else None) for s in q),
        fmt(m.cites_answer if m else None),
        *(fmt(s.citation_precision if s else None) for s in q),
        fmt(m.citation_precision if m else None),
        fmt(answer_composite(scores)),
        facts_paired(records, current),
    ]


ANSWER_HEADERS = [
    "setting",
    "facts nl",
    "facts en",
    "cites nl",
    "cites en",
    "cites motions",
    "precision nl",
    "precision en",
    "precision motions",
    "composite",
    "facts +/-",
]


def answer_sweep(base: Settings, embedder: Embedder, questions: Sequence[Any]) -> str:
    answerable = [q for q in questions if q.answerable]
    out = [
        "Answer settings, one at a time around the current values (answerable questions; "
        "composite = mean over the pools of key facts, cites answer and citation precision; "
        "facts +/- = questions whose answer holds more/fewer key facts than now)",
        "",
    ]
    current = answer_records(base, embedder, answerable)
    rows = [answer_row("current", current, current)]
    for name, values in ANSWER_SWEEPS.items():
        for value in values:
            if value == getattr(base, name):
                continue
            s = base.model_copy(update={name: value})
            records = answer_records(s, embedder, answerable)
            rows.append(answer_row(f"{name}={value}", records, current))
        log(f"  answers: {name} done")
    out += [table(ANSWER_HEADERS, rows), ""]
    return "\n".join(out)


# -- index variants -------------------------------------------------------------------------
def variant_index(
    base: Settings, embedder: Embedder, tokens: int, contextual: bool, root: Path
) -> Settings:
    s = base.model_copy(
        update={
            "max_passage_tokens": tokens,
            "contextual_passages": contextual,
            "index_dir": root / f"tokens{tokens}-{'ctx' if contextual else 'plain'}",
        }
    )
    if index_exists(s.index_dir):
        built = load_index(s.index_dir, verify=False)
        current = built.store.has_sentence_vectors and bool(built.sentence_vectors([0]))
        built.close()
        if current:
            return s
        log(f"  {s.index_dir} was built without sentence vectors: rebuilding it")
    log(f"  building index {s.index_dir} (a few minutes)")
    build_index(default_corpus_paths(s), s, embedder)
    return s


def variants_sweep(base: Settings, embedder: Embedder, questions: Sequence[Any], root: Path) -> str:
    rows = []
    current = load_index(base.index_dir, verify=False)
    manifest = current.manifest
    current.close()
    for tokens, contextual in VARIANTS:
        if manifest.max_passage_tokens == tokens and manifest.contextual_passages == contextual:
            s = base  # the index at hand is this variant
        else:
            s = variant_index(base, embedder, tokens, contextual, root)
        index = load_index(s.index_dir, expected_model=embedder.model_name)
        retrieval: dict[str, dict[str, RetrievalScores]] = {}
        chunking = 0
        for mode in RETRIEVERS:
            ranked = rank_questions(Retriever(index, embedder, s), questions, mode)
            retrieval[mode] = {n: score_rankings(r) for n, r in groups_of(ranked).items()}
            chunking = sum(r.n_relevant == 0 for r in ranked)
        sims = best_similarities(index, embedder, s, questions)
        errors = []
        for lang in ("nl", "en"):
            pos, motions, neg = split_signal(sims, lang)
            if pos and neg:
                errors.append(f"{choose_threshold([x for x in (pos, motions) if x], neg)[1]:.2f}")
        # answers on the labelled questions and a quarter of the motions (new sentences to
        # embed for every variant make this the slow part)
        motion_ids = {q.id for q in questions if q.set == MOTIONS_SET}
        sample = set(sorted(motion_ids)[::4])
        answers = answer_scores(
            s,
            embedder,
            [q for q in questions if q.answerable and (q.id not in motion_ids or q.id in sample)],
        )
        index.close()
        hy = retrieval["hybrid"]
        rows.append(
            [
                f"{tokens}, {'contextual' if contextual else 'plain'}",
                str(index.size),
                str(chunking),
                *(fmt(aggregate(retrieval[m], "hit5")) for m in ("bm25", "dense", "hybrid")),
                *pooled(hy, "hit5"),
                fmt(aggregate(hy, "mrr10")),
                " / ".join(errors),
                fmt(answer_composite(answers)),
            ]
        )
        log(f"  variant {tokens}/{contextual} done")
    headers = [
        "max tokens, passages",
        "passages",
        "answer split",
        "agg hit@5 bm25",
        "agg hit@5 dense",
        "agg hit@5 hybrid",
        *(f"hybrid hit@5 {p}" for p in POOLS),
        "hybrid agg MRR",
        "abstention error nl / en",
        "answer composite",
    ]
    return "\n".join(
        [
            "Index variants (answer split = labelled questions whose gold text no passage holds "
            "whole; abstention error = lowest declined-rate + answered-unanswerable-rate; "
            "answer composite on the labelled questions and every 4th motion)",
            "",
            table(headers, rows),
            "",
        ]
    )


# -- main -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--variants-dir", type=Path, default=PROJECT_ROOT / ".cache" / "calibrate")
    parser.add_argument("--skip-variants", action="store_true", help="no index rebuilds")
    parser.add_argument("--skip-answers", action="store_true", help="no answer-settings sweep")
    parser.add_argument("--motion-stride", type=int, default=1, help="use every Nth motion")
    parser.add_argument("--docs", type=Path, default=None, help="write the tables here too")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    base = Settings(**({"index_dir": args.index_dir} if args.index_dir else {}))
    embedder = CachedEmbedder(Embedder(base))
    embedder.warm_up()
    if not index_exists(base.index_dir):
        log(f"no index in {base.index_dir}: building the bundled corpus")
        build_index(default_corpus_paths(base), base, embedder)
    index = load_index(base.index_dir, expected_model=embedder.model_name)
    questions = [q for f in DEFAULT_QUESTION_FILES for q in load_questions(f)]
    motions, _ = motion_queries(base.corpus_dir / "moties.jsonl", all_documents(index.store))
    questions += motions[:: args.motion_stride]
    log(f"{len(questions)} queries; encoding them once")
    embedder.encode_queries([q.question for q in questions])

    sections: list[str] = []

    def section(title: str, text: str) -> None:
        sections.append(f"#### {title}\n\n{text}")
        print(sections[-1], flush=True)

    log("1. fusion")
    section("1. Fusion", fusion_sweep(index, embedder, base, questions))
    log("2. candidates")
    section("2. Candidates", candidates_sweep(index, embedder, base, questions))
    log("3. abstention")
    sims = best_similarities(index, embedder, base, questions)
    section("3. Abstention", abstention_sweep(sims, base))
    if not args.skip_answers:
        log("4. answers")
        section("4. Answers", answer_sweep(base, embedder, questions))
    if not args.skip_variants:
        log("5. index variants")
        section("5. Index variants", variants_sweep(base, embedder, questions, args.variants_dir))
    index.close()

    report = "\n".join(sections)
    if args.docs:
        command = shlex.join(["python", "scripts/calibrate.py", *(argv or sys.argv[1:])])
        header = (
            f"Generated {time.strftime('%Y-%m-%d %H:%M')} by `{command}` "
            f"({time.perf_counter() - started:.0f} s), {len(questions)} queries.\n\n"
        )
        update_docs(args.docs, "calibration", header + report)
        log(f"tables written to {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
