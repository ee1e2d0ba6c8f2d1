"""Compare answer backends on the evaluation questions and print the figures.

    python scripts/compare_backends.py                       # extractive and local (Qwen)
    python scripts/compare_backends.py --backends extractive,local --limit 10
    QA_OPENAI_BASE_URL=http://127.0.0.1:8080/v1 QA_OPENAI_MODEL=m \\
        python scripts/compare_backends.py --backends openai

Runs every question of eval_data/dev-questions.jsonl and calibration-questions.jsonl through
each backend (the real QAService: retrieval, abstention, generation, citation guard) and
reports per backend: key-fact coverage, abstention accuracy, citation correctness (the
answer cites a gold passage; share of cited passages from a gold document), the share of
generated sentences the guard removed, how often it fell back to the extractive answer, time
to first token and total latency (median and 90th percentile), and whether English
questions got English answers.

Raw model outputs are cached in ``--cache`` (JSONL, one line per backend, model and question,
with the measured timings), so re-running after a change to the guard re-verifies the same
outputs without generating again; ``scripts/calibrate_guard.py`` reads the same cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_service.config import Settings  # noqa: E402
from qa_service.generation.backends import Generator  # noqa: E402
from qa_service.generation.prompt import SYSTEM  # noqa: E402
from qa_service.language import detect_language  # noqa: E402
from qa_service.lexical import fold  # noqa: E402
from qa_service.service import QAService  # noqa: E402

QUESTION_FILES = ["dev-questions.jsonl", "calibration-questions.jsonl"]
DEFAULT_CACHE = ROOT / "eval_data" / "generations.jsonl"


def load_questions(limit: int | None = None) -> list[dict[str, Any]]:
    out = []
    for name in QUESTION_FILES:
        with (ROOT / "eval_data" / name).open(encoding="utf-8") as f:
            out.extend(json.loads(line) for line in f if line.strip())
    return out[:limit] if limit else out


def norm(text: str) -> str:
    return " ".join(fold(text).split())


class CachingGenerator:
    """Replays cached outputs of the wrapped generator; generates (and records) the rest."""

    def __init__(self, inner: Generator, model: str, cache: dict[tuple[str, str, str], dict]):
        self.inner = inner
        self.name = inner.name
        self.model = model
        self.cache = cache
        self.question_id = ""
        self.record: dict[str, Any] = {}

    def warm_up(self) -> None:
        self.inner.warm_up()

    def stream(self, messages: Any, max_tokens: int, cancel: threading.Event) -> Iterator[str]:
        key = (self.name, self.model, self.question_id)
        if key in self.cache:
            self.record = dict(self.cache[key], cached=True)
            yield self.record["raw"]
            return
        t0 = time.perf_counter()
        first = None
        pieces = []
        for piece in self.inner.stream(messages, max_tokens, cancel):
            if first is None:
                first = time.perf_counter() - t0
            pieces.append(piece)
            yield piece
        total = time.perf_counter() - t0
        self.record = {
            "backend": self.name,
            "model": self.model,
            "id": self.question_id,
            "raw": "".join(pieces),
            "first_token_ms": round((first if first is not None else total) * 1000, 1),
            "generation_ms": round(total * 1000, 1),
            "cached": False,
        }


def read_cache(path: Path) -> dict[tuple[str, str, str], dict]:
    cache: dict[tuple[str, str, str], dict] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                cache[(r["backend"], r["model"], r["id"])] = r
    return cache


def model_name(settings: Settings) -> str:
    """The model, and the prompt version: outputs of another prompt are not replayed."""
    prompt = hashlib.sha256(SYSTEM.encode()).hexdigest()[:8]
    if settings.answer_backend == "local":
        return f"{settings.local_model}@{prompt}"
    if settings.answer_backend == "openai":
        return f"{settings.openai_model}@{prompt}"
    return ""


def run_backend(
    backend: str, questions: list[dict[str, Any]], index_dir: Path | None, cache_path: Path
) -> dict[str, Any]:
    overrides: dict[str, Any] = {"answer_backend": backend}
    if index_dir is not None:
        overrides["index_dir"] = index_dir
    settings = Settings(**overrides)
    service = QAService(settings)
    t = time.perf_counter()
    service.warm_up()
    load_s = time.perf_counter() - t
    cache = read_cache(cache_path)
    caching: CachingGenerator | None = None
    if service.generative is not None:
        caching = CachingGenerator(service.generative.generator, model_name(settings), cache)
        service.generative.generator = caching
    rows = []
    for q in questions:
        if caching is not None:
            caching.question_id = q["id"]
            caching.record = {}
        result = service.ask(q["question"], 5)
        a = result.answer
        timings = dict(result.timings_ms)
        claims = 0
        statuses: dict[str, int] = {}
        raw = ""
        if caching is not None and caching.record:
            rec = caching.record
            raw = rec["raw"]
            if not rec["cached"]:
                with cache_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({k: v for k, v in rec.items() if k != "cached"}) + "\n")
            # report the measured generation, also when it was replayed from the cache
            timings["first_token"] = round(timings["retrieval"] + rec["first_token_ms"], 1)
            timings["total"] = round(
                timings["total"] - timings.get("generation", 0.0) + rec["generation_ms"], 1
            )
            assert service.generative is not None and service.generative.last is not None
            verified = service.generative.last[1]
            claims = len(verified.claims)
            for c in verified.claims:
                statuses[c.status] = statuses.get(c.status, 0) + 1
        rows.append(score(q, a, timings, claims, statuses, raw))
        print(
            f"{backend:10} {q['id']:4} {'answer' if a.answerable else 'abstain':7} "
            f"ttft {timings['first_token']:8.0f} ms  total {timings['total']:8.0f} ms  "
            f"removed {a.removed_sentences}/{claims}  {a.answer[:90]!r}",
            flush=True,
        )
    return {"backend": backend, "model": model_name(settings), "load_s": load_s, "rows": rows}


def score(
    q: dict[str, Any],
    a: Any,
    timings: dict[str, float],
    claims: int,
    statuses: dict[str, int],
    raw: str,
) -> dict[str, Any]:
    text = norm(a.answer)
    facts = q.get("facts") or []
    covered = sum(any(norm(alt) in text for alt in group) for group in facts)
    gold_passages = [norm(g) for g in q.get("gold_passage") or []]
    cited_gold = any(any(g in norm(c.hit.passage.text) for g in gold_passages) for c in a.citations)
    gold_docs = set(q.get("gold_docs") or [])
    from_gold_doc = [c.hit.passage.doc_id in gold_docs for c in a.citations]
    return {
        "id": q["id"],
        "lang": q["lang"],
        "gold_answerable": q["answerable"],
        "answerable": a.answerable,
        "backend_used": a.backend,
        "facts": len(facts),
        "facts_covered": covered,
        "cited_gold": cited_gold,
        "citations": len(a.citations),
        "citations_from_gold_doc": sum(from_gold_doc),
        "claims": claims,
        "removed": a.removed_sentences,
        "statuses": statuses,
        "answer_language": detect_language(a.answer),
        "first_token_ms": timings["first_token"],
        "total_ms": timings["total"],
        "answer": a.answer,
        "raw": raw,
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def summarise(run: dict[str, Any]) -> dict[str, Any]:
    rows = run["rows"]
    answerable = [r for r in rows if r["gold_answerable"]]
    answered = [r for r in answerable if r["answerable"]]
    facts = sum(r["facts"] for r in answerable)
    en_answered = [r for r in rows if r["lang"] == "en" and r["answerable"]]
    claims = sum(r["claims"] for r in rows)
    generated = [r for r in rows if r["claims"]]
    return {
        "backend": run["backend"],
        "model": run["model"],
        "questions": len(rows),
        "load_s": round(run["load_s"], 1),
        "key_fact_coverage": sum(r["facts_covered"] for r in answerable) / max(1, facts),
        "abstention_accuracy": sum(r["answerable"] == r["gold_answerable"] for r in rows)
        / len(rows),
        "gold_passage_cited": sum(r["cited_gold"] for r in answered) / max(1, len(answered)),
        "citations_from_gold_doc": sum(r["citations_from_gold_doc"] for r in answered)
        / max(1, sum(r["citations"] for r in answered)),
        "sentences_removed": sum(r["removed"] for r in rows) / claims if claims else 0.0,
        "fallbacks": sum(r["backend_used"] == "extractive" for r in generated),
        "first_token_ms_p50": statistics.median(r["first_token_ms"] for r in rows),
        "first_token_ms_p90": pct([r["first_token_ms"] for r in rows], 0.9),
        "total_ms_p50": statistics.median(r["total_ms"] for r in rows),
        "total_ms_p90": pct([r["total_ms"] for r in rows], 0.9),
        "english_answers_in_english": (
            sum(r["answer_language"] == "en" for r in en_answered) / len(en_answered)
            if en_answered
            else float("nan")
        ),
    }


def print_table(summaries: list[dict[str, Any]]) -> None:
    keys = [k for k in summaries[0] if k not in ("backend",)]
    print("\n| measure | " + " | ".join(s["backend"] for s in summaries) + " |")
    print("|---|" + "---|" * len(summaries))
    for k in keys:
        cells = []
        for s in summaries:
            v = s[k]
            if isinstance(v, float):
                cells.append(f"{v:.3f}" if abs(v) < 10 else f"{v:.0f}")
            else:
                cells.append(str(v))
        print(f"| {k} | " + " | ".join(cells) + " |")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--backends", default="extractive,local")
    p.add_argument("--index-dir", type=Path, default=None)
    p.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    p.add_argument("--limit", type=int, default=None, help="only the first N questions")
    p.add_argument("--out", type=Path, default=None, help="write all rows as JSON")
    args = p.parse_args()
    questions = load_questions(args.limit)
    runs = [
        run_backend(b.strip(), questions, args.index_dir, args.cache)
        for b in args.backends.split(",")
    ]
    summaries = [summarise(r) for r in runs]
    print_table(summaries)
    if args.out:
        args.out.write_text(
            json.dumps({"summaries": summaries, "runs": runs}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
