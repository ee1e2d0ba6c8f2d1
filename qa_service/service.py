"""The question-answering pipeline: retrieve passages, then answer with citations.

:class:`QAService` is what the API, the CLI and the bulk runner call. Its constructor is
cheap; :meth:`QAService.warm_up` loads the embedding model and the index once.

The loaded index, its retriever and its answerer form one snapshot that is swapped whole when
a newer build is published (:meth:`QAService.reload`, after a live update): every query takes
the snapshot once, so it sees either the old or the new index, never a mix.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa_service import deadline
from qa_service.answer.answers import Answer, Citation
from qa_service.answer.extractive import ExtractiveAnswerer
from qa_service.answer.followup import Turn, resolve
from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.embedding import Embedder
from qa_service.embedding.embedder import configure_torch_threads
from qa_service.filters import NO_FILTERS, Filters
from qa_service.ingest.update import UpdateReport, update_index
from qa_service.search.retriever import Hit, Mode, RetrievalResult, Retriever
from qa_service.store.open import open_index
from qa_service.store.protocol import SearchIndex
from qa_service.store.vectors import configure_faiss_threads

if TYPE_CHECKING:
    from qa_service.generation.answerer import GenerativeAnswerer
    from qa_service.generation.assist import AnswerAssist, AssistReport
    from qa_service.generation.backends import Generator


@dataclass
class AskResult:
    answer: Answer
    retrieval: RetrievalResult
    timings_ms: dict[str, float] = field(default_factory=dict)
    search_query: str = ""  # what retrieval searched: the question, or with its context
    assist: AssistReport | None = None  # the model-assisted step, when one ran (QA_ANSWER_ASSIST)

    def to_dict(self) -> dict[str, Any]:
        """The answer as the API, the CLI (``--json``) and bulk output files give it."""
        a = self.answer
        out = {
            "question": a.question,
            "answer": a.answer,
            "answerable": a.answerable,
            "citations": [citation_dict(c) for c in a.citations],
            "timings_ms": self.timings_ms,
            "search_query": self.search_query,
            "backend": a.backend,
            "removed_sentences": a.removed_sentences,
            # the model-assisted step, when one ran; null as in the API's response otherwise
            "assist": self.assist.to_dict() if self.assist is not None else None,
        }
        return out


@dataclass(frozen=True)
class LoadedService:
    """One loaded build with the retriever and answerer that read it."""

    index: SearchIndex
    retriever: Retriever
    answerer: ExtractiveAnswerer
    #: generated answers (qa_service.generation), only when that backend is selected
    generative: GenerativeAnswerer | None = None


class QAService:
    """Holds the loaded index and models; every method is safe to call from many threads."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
        assist_generator: Generator | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(settings)
        self._live: LoadedService | None = None
        self._lock = threading.Lock()  # loading and swapping the index
        self._update_lock = threading.Lock()  # one live update at a time
        #: seconds the first warm-up took (loading the index and the models)
        self.load_seconds: float | None = None
        #: called with every answer (e.g. to record its stage timings as metrics)
        self.observers: list[Callable[[AskResult], None]] = []
        #: the language model of a generated-answer backend (loaded once, shared by builds)
        self._generator: Generator | None = generator  # given: used instead of the backend's
        if generator is None and settings.answer_backend != "extractive":
            from qa_service.generation.engines import make_generator

            self._generator = make_generator(settings)
        #: a short model-assisted step on extractive answers (QA_ANSWER_ASSIST), or None
        self.assist: AnswerAssist | None = None
        if settings.answer_assist != "off" and self._generator is None:
            from qa_service.generation.assist import make_assist

            self.assist = make_assist(settings, assist_generator)

    # -- life cycle -----------------------------------------------------------------------
    def warm_up(self) -> None:
        """Load the embedding model and the live index (idempotent)."""
        with self._lock:
            if self._live is not None:
                return
            start = time.perf_counter()
            configure_faiss_threads(self.settings.faiss_threads)
            index = self._load_index()
            self.embedder.warm_up()
            configure_torch_threads(self.settings.serving_torch_threads)
            self.embedder.encode_queries(["warm-up"])  # first call initialises kernels
            if self._generator is not None:
                self._generator.warm_up()
            if self.assist is not None:
                self.assist.warm_up()  # switches itself off when the model is not installed
            self._live = self._snapshot(index)
            self.load_seconds = time.perf_counter() - start

    def _load_index(self) -> SearchIndex:
        """The live index of the configured store (``QA_STORE``)."""
        previous = self._live.index if self._live is not None else None
        return open_index(self.settings, self.embedder.model_name, previous=previous)

    def _snapshot(self, index: SearchIndex) -> LoadedService:
        retriever = Retriever(index, self.embedder, self.settings)
        answerer = ExtractiveAnswerer(self.settings, self.embedder, index, retriever.authors)
        generative = None
        if self._generator is not None:
            from qa_service.generation.answerer import build_generative

            generative = build_generative(
                self.settings, self._generator, answerer, self.embedder, index
            )
        return LoadedService(index, retriever, answerer, generative)

    def reload(self) -> bool:
        """Switch to the live build of the index if another one than the loaded build was
        published (locally a new build directory, on Milvus a new version of the collections).
        Queries running meanwhile finish on the build they started with. Returns whether it
        switched."""
        if self._live is None or self._live.index.is_current():
            return False
        with self._lock:
            if self._live.index.is_current():
                return False
            index = self._load_index()
            self._live = self._snapshot(index)  # one assignment: atomic for readers
            # the old build's store closes when the last query holding it finishes
        return True

    @property
    def ready(self) -> bool:
        return self._live is not None

    @property
    def live(self) -> LoadedService:
        """The current snapshot; take it once per operation."""
        if self._live is None:
            raise RuntimeError("service not warmed up")
        return self._live

    @property
    def index(self) -> SearchIndex:
        return self.live.index

    @property
    def retriever(self) -> Retriever:
        return self.live.retriever

    @property
    def answerer(self) -> ExtractiveAnswerer:
        return self.live.answerer

    @property
    def generative(self) -> GenerativeAnswerer | None:
        return self.live.generative

    def close(self) -> None:
        if self._live is not None:
            self._live.index.close()

    # -- operations -----------------------------------------------------------------------
    def search(
        self, query: str, top_k: int, mode: Mode = "hybrid", filters: Filters | None = None
    ) -> RetrievalResult:
        deadline.check()  # the request may have been given up while this waited for a thread
        return self.live.retriever.search(query, top_k, mode, filters)

    def ask(
        self,
        question: str,
        top_k: int,
        *,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        on_retrieval: Callable[[list[Hit]], None] | None = None,
        on_delta: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> AskResult:
        """Answer ``question`` with the configured backend; earlier turns (oldest first)
        resolve a follow-up question. The callbacks (used for streaming) receive the passages
        the answer draws on, then the answer text as it is written; ``cancel`` stops
        generation."""
        live = self.live
        deadline.check()  # stop early when the request was given up (see qa_service.deadline)
        t0 = time.perf_counter()
        resolved = resolve(question, history)
        retrieval = live.retriever.search(resolved.query, top_k, filters=filters)
        retrieval.language = resolved.language
        deadline.check()
        t1 = time.perf_counter()
        if on_retrieval is not None:
            on_retrieval(
                retrieval.hits if live.generative is None else live.generative.sources(retrieval)
            )
        first: list[float] = []

        def delta(text: str) -> None:
            if not first:
                first.append(time.perf_counter())
            if on_delta is not None:
                on_delta(text)

        extra: dict[str, float] = {}
        report: AssistReport | None = None
        if live.generative is None:
            # a follow-up ("En hoeveel militairen?") is answered with what it refers to: its
            # sentences are chosen for the question together with the one it follows
            answer = live.answerer.run(resolved.query, retrieval)
            answer.question = question
            if self.assist is not None:
                answer, report = self.assist.check(resolved.query, retrieval, answer, live.answerer)
                if report is not None:
                    extra["assist"] = report.total_ms
            delta(answer.answer)
        else:
            answer, extra = live.generative.run(question, retrieval, delta, cancel)
        t2 = time.perf_counter()
        timings = {
            "retrieval": round((t1 - t0) * 1000, 2),
            "answer": round((t2 - t1) * 1000, 2),
            "total": round((t2 - t0) * 1000, 2),
            "first_token": round(((first[0] if first else t2) - t0) * 1000, 2),
            **extra,
        }
        result = AskResult(answer, retrieval, timings, resolved.query, report)
        self._notify([result])
        return result

    def ask_batch(self, questions: Sequence[str], top_k: int) -> list[AskResult]:
        """Answer many questions at once: the same answers as :meth:`ask`, several times faster.

        Questions are embedded and searched in one batch, and the candidate sentences of all
        answers are embedded together. Each result's timings are its share of the batch.
        """
        if not questions:
            return []
        live = self.live
        if live.generative is not None or self.assist is not None:
            return [self.ask(q, top_k) for q in questions]  # a language model: one at a time
        t0 = time.perf_counter()
        retrievals = live.retriever.search_batch(questions, top_k)
        t1 = time.perf_counter()
        answers = live.answerer.run_batch(questions, retrievals)
        t2 = time.perf_counter()
        n = len(questions)
        timings = {
            "retrieval": round((t1 - t0) * 1000 / n, 2),
            "answer": round((t2 - t1) * 1000 / n, 2),
            "total": round((t2 - t0) * 1000 / n, 2),
        }
        results = [
            AskResult(a, r, dict(timings), q)
            for q, a, r in zip(questions, answers, retrievals, strict=True)
        ]
        self._notify(results)
        return results

    def _notify(self, results: list[AskResult]) -> None:
        for observe in self.observers:
            for result in results:
                observe(result)

    # -- documents ------------------------------------------------------------------------
    def list_documents(
        self, offset: int, limit: int, filters: Filters = NO_FILTERS
    ) -> tuple[int, list[tuple[DocumentMeta, int]]]:
        store = self.index.store
        return store.count_documents(filters), store.list_documents(offset, limit, filters)

    def get_document(self, doc_id: str) -> tuple[DocumentMeta, list[Passage]] | None:
        store = self.index.store
        meta = store.document(doc_id)
        if meta is None:
            return None
        return meta, store.document_passages(doc_id)

    def facets(self) -> dict[str, Any]:
        """Dossiers, document types, vergaderjaren and dates to filter on."""
        return self.index.store.facets()

    # -- live updates ---------------------------------------------------------------------
    def add_documents(self, paths: list[Path]) -> UpdateReport:
        """Add or replace the documents in ``paths`` (unchanged ones are skipped), publish a
        new build and switch to it. Queries keep being answered meanwhile."""
        with self._update_lock:
            report = update_index(self.settings, self.embedder, add=paths)
            self.reload()
        return report

    def remove_documents(self, doc_ids: list[str], delete_uploads: bool = True) -> UpdateReport:
        """Remove documents, publish a new build and switch to it. Uploaded files (under
        ``upload_dir``) that no remaining document comes from are deleted too, so that a
        rebuild does not bring the documents back."""
        with self._update_lock:
            sources = self.index.store.sources()
            report = update_index(self.settings, self.embedder, remove=doc_ids)
            self.reload()
            if delete_uploads and report.removed:
                remaining = set(self.index.store.sources().values())
                for doc_id in report.removed:
                    _delete_upload(sources.get(doc_id, ""), remaining, self.settings.upload_dir)
        return report

    def info(self) -> dict[str, Any]:
        m = self.index.manifest
        return {
            "model": m.model,
            "passages": m.passage_count,
            "documents": m.document_count,
            "corpus_hash": m.corpus_hash,
            "built": m.created,
        }


def _delete_upload(source: str, remaining: set[str], upload_dir: Path) -> None:
    """Delete the uploaded file ``source`` if it lies in ``upload_dir`` and no document in the
    index still comes from it."""
    if not source or source in remaining:
        return
    path = Path(source).resolve()
    root = Path(upload_dir).resolve()
    if path.is_file() and path.is_relative_to(root):
        path.unlink(missing_ok=True)


def hit_title(hit: Hit) -> str:
    """A document title for display; the citation where the document has no title."""
    return hit.document.title or hit.document.citation()


def hit_dict(hit: Hit) -> dict[str, Any]:
    """A retrieved passage with what a reader needs to check it (citation, link)."""
    p, d = hit.passage, hit.document
    return {
        "passage_id": p.passage_id,
        "doc_id": p.doc_id,
        "title": hit_title(hit),
        "citation": d.citation(p.page),
        "url": d.url,
        "section": p.section,
        "page": p.page,
        "text": p.text,
        "score": round(hit.score, 6),
    }


def citation_dict(c: Citation) -> dict[str, Any]:
    return {"n": c.n, "quote": c.quote, **hit_dict(c.hit)}
