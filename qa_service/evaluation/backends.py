"""Compare answer backends on labelled questions (``qa-service eval --backends``).

Every question goes through the real :class:`~qa_service.service.QAService` of each backend
(retrieval, abstention, generation, citation guard), and each backend gets the answer
measures of :mod:`qa_service.evaluation.core` (key-fact coverage, citation correctness,
abstention) plus what only generated answers have: the share of generated sentences the
guard removed, how often nothing survived and the extractive answer was given, time to first
token and total latency, and whether English questions got English answers.

Raw model outputs are cached in a JSONL file (one line per backend, model + prompt version
and question, with the timings measured when it was generated), so a rerun after a change to
the guard or the scoring re-verifies the same outputs instead of generating again, and only
missing questions are generated (and appended). The language model is only loaded when
something has to be generated.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

from qa_service.config import Settings
from qa_service.devtools.stats import percentile
from qa_service.embedding import Embedder
from qa_service.evaluation.answers import AnswerRecord, AnswerScores, judge_answer, score_answers
from qa_service.evaluation.core import _finite
from qa_service.evaluation.data import EVAL_DATA, LabelledQuestion
from qa_service.evaluation.report import fmt, table, update_docs, write_json
from qa_service.generation.backends import Generator
from qa_service.generation.engines import make_generator
from qa_service.generation.prompt import SYSTEM, Message
from qa_service.service import QAService
from qa_service.text.language import detect_language

BACKENDS: tuple[str, ...] = get_args(Settings.model_fields["answer_backend"].annotation)
DEFAULT_GENERATIONS_CACHE = EVAL_DATA / "generations.jsonl"
DOCS_BLOCK = "qa-service eval --backends"

CacheKey = tuple[str, str, str]  # backend, model (with prompt version), question id


class BackendError(ValueError):
    """A --backends list that cannot be run (the message says why)."""


def parse_backends(text: str) -> list[str]:
    """``"extractive,local"`` -> ``["extractive", "local"]``; :class:`BackendError` for an
    unknown or repeated name or an empty list."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise BackendError("--backends needs at least one backend")
    for name in names:
        if name not in BACKENDS:
            raise BackendError(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
    if len(set(names)) != len(names):
        raise BackendError(f"a backend is named twice in {text!r}")
    return names


# --------------------------------------------------------------------------------------------
# the generation cache
# --------------------------------------------------------------------------------------------
def model_key(settings: Settings) -> str:
    """The model and the prompt version: outputs of another model or prompt are not replayed."""
    prompt = hashlib.sha256(SYSTEM.encode()).hexdigest()[:8]
    if settings.answer_backend == "local":
        return f"{settings.local_model}@{prompt}"
    if settings.answer_backend == "openai":
        return f"{settings.openai_model}@{prompt}"
    return ""


def read_cache(path: Path) -> dict[CacheKey, dict[str, Any]]:
    """The cached outputs by (backend, model, question id); empty when the file is missing.
    A later line for the same key wins."""
    cache: dict[CacheKey, dict[str, Any]] = {}
    if Path(path).is_file():
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                cache[(r["backend"], r["model"], r["id"])] = r
    return cache


def append_cache(path: Path, record: dict[str, Any]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


class CachingGenerator:
    """Replays the cached output of the current question; generates (and records, with its
    timings) the others. The wrapped model is only warmed up when it has to generate."""

    def __init__(self, inner: Generator, model: str, cache: dict[CacheKey, dict[str, Any]]):
        self.inner = inner
        self.name = inner.name
        self.model = model
        self.cache = cache
        self.question_id = ""
        self.question = ""  # a cached output of another question under the same id is not used
        #: the output of the last question: raw text, timings, whether it was replayed
        self.record: dict[str, Any] = {}

    def warm_up(self) -> None:
        """Nothing: the model is loaded on the first question that is not cached."""

    def stream(
        self, messages: list[Message], max_tokens: int, cancel: threading.Event
    ) -> Iterator[str]:
        key = (self.name, self.model, self.question_id)
        cached = self.cache.get(key)
        if cached is not None and cached.get("question", self.question) == self.question:
            self.record = dict(cached, cached=True)
            yield self.record["raw"]
            return
        self.inner.warm_up()
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
            "question": self.question,
            "raw": "".join(pieces),
            "first_token_ms": round((first if first is not None else total) * 1000, 1),
            "generation_ms": round(total * 1000, 1),
            "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
            "cached": False,
        }
        self.cache[key] = self.record


# --------------------------------------------------------------------------------------------
# running and scoring
# --------------------------------------------------------------------------------------------
@dataclass
class BackendRow:
    """One question answered by one backend."""

    judged: AnswerRecord  # key facts, citations, abstention (as in qa-service eval)
    backend_used: str  # "extractive" where the generated answer fell back to it
    answer_language: str
    first_token_ms: float
    total_ms: float
    generated: bool = False  # the model wrote an answer (not declined before generation)
    cached: bool = False  # ... replayed from the cache
    claims: int = 0  # generated sentences
    removed: int = 0  # ... removed by the guard
    statuses: dict[str, int] = field(default_factory=dict)  # guard status -> sentences
    raw: str = ""


@dataclass
class BackendSummary:
    backend: str
    model: str
    questions: int
    answers: AnswerScores
    abstention_accuracy: float  # declined exactly the unanswerable questions
    answered: int
    generated: int  # questions the model answered (not declined first)
    replayed: int  # ... of which from the cache
    claims: int
    removed: int
    fallbacks: int  # generated answers where nothing survived: the extractive answer
    statuses: dict[str, int]
    first_token_ms_p50: float
    first_token_ms_p90: float
    total_ms_p50: float
    total_ms_p90: float
    english_answered: int
    english_in_english: float  # share of answered English questions answered in English

    @property
    def removed_share(self) -> float:
        return self.removed / self.claims if self.claims else math.nan


@dataclass
class BackendComparison:
    created: str
    command: str
    top_k: int
    cache: str
    summaries: list[BackendSummary]
    rows: dict[str, list[BackendRow]]
    load_s: dict[str, float]
    #: the machine's 1-minute load average at the start and the end (latency grows with it)
    load_average: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for s, d in zip(self.summaries, out["summaries"], strict=True):
            d["removed_share"] = s.removed_share
        return dict(_finite(out))


def ask_one(
    service: QAService, caching: CachingGenerator | None, q: LabelledQuestion, top_k: int
) -> BackendRow:
    if caching is not None:
        caching.question_id, caching.question = q.id, q.question
        caching.record = {}
    generative = service.generative
    if generative is not None:
        generative.last = None
    result = service.ask(q.question, top_k)
    answer = result.answer
    timings = dict(result.timings_ms)
    row = BackendRow(
        judged=judge_answer(q, result),
        backend_used=answer.backend,
        answer_language=detect_language(answer.answer) if answer.answerable else "",
        first_token_ms=timings["first_token"],
        total_ms=timings["total"],
    )
    if caching is not None and caching.record and generative is not None and generative.last:
        rec = caching.record
        # the generation as measured when it was generated, also when it is replayed
        row.first_token_ms = round(timings["retrieval"] + rec["first_token_ms"], 1)
        row.total_ms = round(
            timings["total"] - timings.get("generation", 0.0) + rec["generation_ms"], 1
        )
        raw, verified = generative.last
        row.generated, row.cached, row.raw = True, bool(rec["cached"]), raw
        row.claims, row.removed = len(verified.claims), verified.removed
        for c in verified.claims:
            row.statuses[c.status] = row.statuses.get(c.status, 0) + 1
    return row


def summarise(backend: str, model: str, rows: Sequence[BackendRow]) -> BackendSummary:
    judged = [r.judged for r in rows]
    answered = [r for r in rows if not r.judged.declined]
    generated = [r for r in rows if r.generated]
    english = [r for r in answered if r.judged.lang == "en"]
    statuses: dict[str, int] = {}
    for r in rows:
        for status, n in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    ttft = [r.first_token_ms for r in rows]
    total = [r.total_ms for r in rows]
    return BackendSummary(
        backend=backend,
        model=model,
        questions=len(rows),
        answers=score_answers(judged),
        abstention_accuracy=sum(j.declined != j.answerable for j in judged) / max(1, len(rows)),
        answered=len(answered),
        generated=len(generated),
        replayed=sum(r.cached for r in generated),
        claims=sum(r.claims for r in rows),
        removed=sum(r.removed for r in rows),
        fallbacks=sum(r.backend_used == "extractive" for r in generated),
        statuses=statuses,
        first_token_ms_p50=statistics.median(ttft) if ttft else math.nan,
        first_token_ms_p90=percentile(ttft, 90),
        total_ms_p50=statistics.median(total) if total else math.nan,
        total_ms_p90=percentile(total, 90),
        english_answered=len(english),
        english_in_english=(
            sum(r.answer_language == "en" for r in english) / len(english) if english else math.nan
        ),
    )


def compare_backends(
    settings: Settings,
    backends: Sequence[str],
    questions: Sequence[LabelledQuestion],
    *,
    cache_path: Path = DEFAULT_GENERATIONS_CACHE,
    embedder: Embedder | None = None,
    top_k: int = 5,
    command: str = "",
    make: Callable[[Settings], Generator | None] = make_generator,
    log: Callable[[str], None] = lambda _m: None,
) -> BackendComparison:
    """Answer ``questions`` with each backend (over the index of ``settings``) and measure.

    Model outputs are replayed from ``cache_path`` where it has them; new ones are appended
    to it as soon as each is verified (an interrupted run keeps what it generated).
    ``make`` builds a backend's generator (tests pass a fake one).
    """
    embedder = embedder or Embedder(settings)
    cache = read_cache(cache_path)
    load_before = _load_average()
    summaries, all_rows, load_s = [], {}, {}
    for backend in backends:
        s = settings.model_copy(update={"answer_backend": backend})
        model = model_key(s)
        inner = make(s)
        caching = CachingGenerator(inner, model, cache) if inner is not None else None
        service = QAService(s, embedder, generator=caching)
        t = time.perf_counter()
        service.warm_up()
        load_s[backend] = round(time.perf_counter() - t, 1)
        rows = []
        try:
            for i, q in enumerate(questions, 1):
                row = ask_one(service, caching, q, top_k)
                if caching is not None and row.generated and not row.cached:
                    append_cache(
                        cache_path, {k: v for k, v in caching.record.items() if k != "cached"}
                    )
                rows.append(row)
                j = row.judged
                source = "cached" if row.cached else "new" if row.generated else ""
                log(
                    f"{backend:10} {i:3}/{len(questions)} {q.id:6} "
                    f"{'declined' if j.declined else 'answered':8} {source:6} "
                    f"ttft {row.first_token_ms / 1000:6.1f} s  total {row.total_ms / 1000:6.1f} s"
                    f"  removed {row.removed}/{row.claims}  {j.answer[:70]!r}"
                )
        finally:
            service.close()
        summaries.append(summarise(backend, model, rows))
        all_rows[backend] = rows
    load_after = _load_average()
    return BackendComparison(
        created=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        command=command,
        top_k=top_k,
        cache=str(cache_path),
        summaries=summaries,
        rows=all_rows,
        load_s=load_s,
        load_average=(
            (load_before, load_after)
            if load_before is not None and load_after is not None
            else None
        ),
    )


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 1)
    except (AttributeError, OSError):  # not on every platform
        return None


# --------------------------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------------------------
def _seconds(ms: float) -> str:
    return "–" if math.isnan(ms) else f"{ms / 1000:.1f} s"


def _column(s: BackendSummary) -> str:
    model = s.model.split("@")[0]
    return f"{s.backend} ({model})" if model else s.backend


def comparison_table(summaries: Sequence[BackendSummary]) -> str:
    def gen(s: BackendSummary, text: str) -> str:
        return text if s.generated else "–"

    measures: list[tuple[str, Callable[[BackendSummary], str]]] = [
        (
            "questions (answerable / unanswerable)",
            lambda s: f"{s.questions} ({s.answers.answerable} / {s.answers.unanswerable})",
        ),
        ("key-fact coverage", lambda s: fmt(s.answers.fact_coverage)),
        ("abstention accuracy", lambda s: fmt(s.abstention_accuracy)),
        ("cites an answering passage (answered)", lambda s: fmt(s.answers.cites_answer)),
        ("citations into a gold document", lambda s: fmt(s.answers.citation_precision)),
        (
            "generated sentences removed by the guard",
            lambda s: gen(s, f"{fmt(s.removed_share)} ({s.removed} of {s.claims})"),
        ),
        (
            "fallbacks to the extractive answer",
            lambda s: gen(s, f"{s.fallbacks} of {s.generated} generated"),
        ),
        (
            "time to first token, median / p90",
            lambda s: f"{_seconds(s.first_token_ms_p50)} / {_seconds(s.first_token_ms_p90)}",
        ),
        (
            "total latency, median / p90",
            lambda s: f"{_seconds(s.total_ms_p50)} / {_seconds(s.total_ms_p90)}",
        ),
        (
            "English questions answered in English",
            lambda s: f"{fmt(s.english_in_english)} (of {s.english_answered})",
        ),
        (
            "model outputs replayed / generated now",
            lambda s: gen(s, f"{s.replayed} / {s.generated - s.replayed}"),
        ),
    ]
    rows = [[name, *(cell(s) for s in summaries)] for name, cell in measures]
    return table(["measure", *(_column(s) for s in summaries)], rows)


def status_lines(summaries: Sequence[BackendSummary]) -> list[str]:
    """What the guard decided about the generated sentences, per generating backend."""
    return [
        f"Guard statuses of {_column(s)}'s sentences: "
        + ", ".join(f"{k} {v}" for k, v in sorted(s.statuses.items()))
        + "."
        for s in summaries
        if s.statuses
    ]


def render_text(comparison: BackendComparison) -> str:
    return "\n".join(
        [
            f"Answer backends (top {comparison.top_k} passages)",
            comparison_table(comparison.summaries),
            *status_lines(comparison.summaries),
        ]
    )


def render_markdown(comparison: BackendComparison) -> str:
    """The generated "Extractive vs generated answers" section of ``docs/evaluation.md``."""
    s0 = comparison.summaries[0]
    generated = [s for s in comparison.summaries if s.generated]
    replay = ""
    if generated:
        replayed = sum(s.replayed for s in generated)
        new = sum(s.generated - s.replayed for s in generated)
        replay = (
            f" Model outputs: {replayed} replayed from `{Path(comparison.cache).name}`, {new} "
            "generated in this run; the timings of a generated answer are those measured when "
            "it was generated (retrieval, verification and the rest are measured in this run)."
        )
    return "\n".join(
        [
            "## Extractive vs generated answers",
            "",
            f"Generated {comparison.created} by `{comparison.command}`: {s0.questions} "
            f"questions, top {comparison.top_k} passages, through each backend's "
            f"`QAService.ask` (retrieval, abstention, generation, citation guard).{replay}",
            "",
            "Key facts, citations and abstention are measured as in the answer table above. "
            "Removed sentences: generated sentences the citation guard dropped as unsupported, "
            "duplicate or too short; fallback: nothing survived, so the extractive answer was "
            "given. Latency is wall-clock per question (declined questions included); "
            "English answers are detected by function words."
            + (
                f" The machine's load average was {comparison.load_average[0]:.1f} at the start "
                f"of this run and {comparison.load_average[1]:.1f} at the end "
                f"({os.cpu_count()} CPUs)."
                if comparison.load_average
                else ""
            ),
            "",
            comparison_table(comparison.summaries),
            *(["", *status_lines(comparison.summaries)] if generated else []),
        ]
    )


def write_outputs(comparison: BackendComparison, out: Path | None, docs: Path | None) -> list[Path]:
    written = []
    if out is not None:
        write_json(out, comparison.to_dict())
        written.append(out)
    if docs is not None:
        update_docs(docs, DOCS_BLOCK, render_markdown(comparison))
        written.append(docs)
    return written
