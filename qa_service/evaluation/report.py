"""Render an :class:`~qa_service.evaluation.core.EvaluationReport`: terminal tables, the generated
block of ``docs/evaluation.md`` and the hit@k plot (matplotlib, imported only when plotting)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from qa_service.evaluation.answers import AnswerScores
from qa_service.evaluation.core import EvaluationReport
from qa_service.evaluation.data import MOTIONS_SET
from qa_service.evaluation.retrieval import AGGREGATE_POOLS, CURVE_DEPTH, RetrievalScores, aggregate

RETRIEVAL_METRICS = (
    ("hit1", "hit@1"),
    ("hit5", "hit@5"),
    ("hit10", "hit@10"),
    ("mrr5", "MRR@5"),
    ("mrr10", "MRR@10"),
    ("ndcg10", "nDCG@10"),
)
AGGREGATE_ROW = "aggregate"
DOCS_BLOCK = "qa-service eval"


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A padded pipe table: readable in a terminal and valid markdown."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def group_order(groups: Sequence[str]) -> list[str]:
    """Per-set groups first (as they came), then the pools, then the motions, then ``all``."""
    pools = [g for g in ("questions/nl", "questions/en") if g in groups]
    tail = [g for g in (MOTIONS_SET, "all") if g in groups]
    return [g for g in groups if g not in pools and g not in tail] + pools + tail


# -- tables ---------------------------------------------------------------------------------
def retrieval_table(retrieval: dict[str, dict[str, RetrievalScores]]) -> str:
    modes = list(retrieval)
    groups = group_order(list(next(iter(retrieval.values()), {})))
    rows = []
    for group in groups:
        for mode in modes:
            s = retrieval[mode].get(group)
            if s is None:
                continue
            rows.append(
                [group, mode, str(s.n), *(fmt(getattr(s, m)) for m, _ in RETRIEVAL_METRICS)]
            )
    for mode in modes:
        rows.append(
            [
                AGGREGATE_ROW,
                mode,
                "",
                *(fmt(aggregate(retrieval[mode], m)) for m, _ in RETRIEVAL_METRICS),
            ]
        )
    return table(["questions", "retriever", "n", *(h for _, h in RETRIEVAL_METRICS)], rows)


ANSWER_COLUMNS = (
    ("fact_coverage", "key facts"),
    ("facts_complete", "all facts"),
    ("cites_answer", "cites answer"),
    ("citation_precision", "citation precision"),
    ("declined_unanswerable", "unanswerable declined"),
    ("declined_answerable", "answerable declined"),
    ("abstention_precision", "abstention precision"),
)


def answer_table(answers: dict[str, AnswerScores], order: bool = True) -> str:
    rows = []
    for group in group_order(list(answers)) if order else list(answers):
        a = answers[group]
        rows.append(
            [
                group,
                str(a.answerable),
                str(a.unanswerable),
                *(fmt(getattr(a, name)) for name, _ in ANSWER_COLUMNS),
            ]
        )
    return table(["questions", "answerable", "unanswerable", *(h for _, h in ANSWER_COLUMNS)], rows)


def misses_table(report: EvaluationReport) -> str:
    if not report.misses:
        return "Every answerable question has a relevant passage in the hybrid top 5."
    modes = list(report.retrieval)
    rows = []
    for m in report.misses:
        ranks = [str(m.ranks.get(mode) or f">{CURVE_DEPTH}") for mode in modes]
        rows.append([m.id, group_label(m.set, m.lang), m.question, *ranks, m.cause])
    return table(["id", "set", "question", *(f"rank {mode}" for mode in modes), "limited by"], rows)


def group_label(set_name: str, lang: str) -> str:
    return set_name if set_name == MOTIONS_SET else f"{set_name}/{lang}"


def goals_table(report: EvaluationReport) -> str:
    rows = [[g.name, g.target, g.value, "met" if g.met else "NOT met"] for g in report.goals]
    return table(["goal", "target", "now", ""], rows)


def tatoeba_line(report: EvaluationReport) -> str:
    t = report.tatoeba
    if not t:
        return "Tatoeba check not run."
    return (
        f"Tatoeba bitext retrieval ({t['pairs']} pairs, prompt {t['prompt']!r} on both sides): "
        f"accuracy@1 nld->eng {t['nld->eng']:.3f}, eng->nld {t['eng->nld']:.3f}"
    )


def render_text(report: EvaluationReport) -> str:
    """The terminal report."""
    parts = [
        f"Retrieval (relevant passage; motions: relevant document) — {report.reranker}",
        retrieval_table(report.retrieval),
        f"'{AGGREGATE_ROW}' = mean of {', '.join(AGGREGATE_POOLS)}",
        "",
        "Hybrid misses (no relevant item in the top 5)",
        misses_table(report),
        "",
        "Answers (QAService.ask)",
        answer_table(report.answers),
        "",
        *(
            ["Answers by category", answer_table(report.answer_categories, order=False), ""]
            if report.answer_categories
            else []
        ),
        tatoeba_line(report),
        "",
        "Goals",
        goals_table(report),
    ]
    parts += ["", *report.notes] if report.notes else []
    return "\n".join(parts)


# -- markdown -------------------------------------------------------------------------------
def render_markdown(report: EvaluationReport, plot_name: str | None) -> str:
    """The generated part of ``docs/evaluation.md``."""
    idx = report.index
    settings = ", ".join(f"`{k}={v}`" for k, v in report.settings.items())
    sets = ", ".join(f"{name} {n}" for name, n in report.question_sets.items())
    out = [
        f"Generated {report.created} by `{report.command}` "
        f"({', '.join(f'{k} {v:.0f} s' for k, v in report.seconds.items())}).",
        "",
        f"Index: {idx.get('documents')} documents, {idx.get('passages')} passages, model "
        f"`{idx.get('model')}`. Queries: {sets}. Settings: {settings}.",
        "",
        "### Retrieval",
        "",
        "Relevant = a passage of a gold document that contains a `gold_passage` substring; for "
        "motion subjects, the motion itself (ranked by document). Unanswerable questions are "
        f"left out. `{AGGREGATE_ROW}` is the mean of {', '.join(AGGREGATE_POOLS)} "
        f"(each pool weighs the same). {report.reranker[0].upper()}{report.reranker[1:]}.",
        "",
        retrieval_table(report.retrieval),
        "",
    ]
    if plot_name:
        out += [f"![hit@k per retriever]({plot_name})", ""]
    out += [
        "Hybrid misses (no relevant item in the top 5) and the part that limits each: "
        "`fusion` = BM25 or dense alone has it in the top 5; `retrievers` = neither has; "
        "`chunking` = no passage holds the answer.",
        "",
        misses_table(report),
        "",
        "### Answers",
        "",
        "Through `QAService.ask` (top 5 passages, as the API). Key facts: share of fact groups "
        "of which the answer contains an alternative (a declined answerable question counts "
        "0); cites answer: share of answered answerable questions citing a relevant passage; "
        "citation precision: share of their citations that point into a gold document.",
        "",
        answer_table(report.answers),
        "",
        *(
            [
                "By category (the held-out questions; `unanswerable` counts the in-domain "
                "questions the documents do not answer, of which the share declined is the "
                "last but one column):",
                "",
                answer_table(report.answer_categories, order=False),
                "",
            ]
            if report.answer_categories
            else []
        ),
        "### Embedding model",
        "",
        tatoeba_line(report) + ".",
        "",
        "### Goals",
        "",
        goals_table(report),
    ]
    if report.notes:
        out += ["", *(f"- {n}" for n in report.notes)]
    return "\n".join(out)


def replace_block(text: str, name: str, content: str) -> str:
    """Replace the text between ``<!-- BEGIN name -->`` and ``<!-- END name -->`` (appending
    the marked block when the text has none)."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = f"{begin}\n{content.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return text.rstrip() + ("\n\n" if text.strip() else "") + block + "\n"


def update_docs(path: Path, name: str, content: str, title: str = "# Evaluation") -> None:
    """Write ``content`` into the named generated block of a markdown file (kept otherwise)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else f"{title}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(replace_block(text, name, content), encoding="utf-8")


# -- plot -----------------------------------------------------------------------------------
def plot_hit_curves(report: EvaluationReport, path: Path) -> None:
    """hit@k for k = 1..20, one line per retriever, one panel per pool."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pools = [p for p in AGGREGATE_POOLS if any(p in r for r in report.retrieval.values())]
    fig, axes = plt.subplots(1, len(pools), figsize=(4.2 * len(pools), 3.6), squeeze=False)
    for ax, pool in zip(axes[0], pools, strict=True):
        n = 0
        for mode, groups in report.retrieval.items():
            s = groups.get(pool)
            if s is None or not s.curve:
                continue
            n = s.n
            ax.plot(range(1, len(s.curve) + 1), s.curve, marker=".", label=mode)
        ax.set_title(f"{pool} (n={n})")
        ax.set_xlabel("k")
        ax.set_xticks([1, 5, 10, 15, 20])
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("hit@k")
    axes[0][-1].legend(loc="lower right")
    fig.suptitle("Relevant item in the top k")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")


def write_outputs(report: EvaluationReport, out: Path | None, docs: Path | None) -> list[Path]:
    """The JSON of all figures, and the docs block with its plot; returns the files written."""
    written = []
    if out is not None:
        write_json(out, report.to_dict())
        written.append(out)
    if docs is not None:
        plot = docs.with_name(f"{docs.stem}-hitk.png")
        plot_hit_curves(report, plot)
        update_docs(docs, DOCS_BLOCK, render_markdown(report, plot.name))
        written += [docs, plot]
    return written
