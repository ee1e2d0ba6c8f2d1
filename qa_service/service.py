"""The question-answering pipeline: retrieve passages, then answer with citations.

:class:`QAService` is what the API, the CLI and the bulk runner call. Its constructor is
cheap; :meth:`QAService.warm_up` loads the embedding model and the index once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qa_service.answering import Answer, ExtractiveAnswerer
from qa_service.config import Settings
from qa_service.documents import DocumentMeta, Passage
from qa_service.embedding import Embedder
from qa_service.index import LoadedIndex, load_index
from qa_service.retrieval import Hit, Mode, RetrievalResult, Retriever

if TYPE_CHECKING:
    from qa_service.generation.answerer import GenerativeAnswerer


@dataclass
class AskResult:
    answer: Answer
    retrieval: RetrievalResult
    timings_ms: dict[str, float] = field(default_factory=dict)


class QAService:
    """Holds the loaded index and models; every method is safe to call from many threads."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(settings)
        self._index: LoadedIndex | None = None
        self._retriever: Retriever | None = None
        self.answerer = ExtractiveAnswerer(settings, self.embedder)
        #: generated answers (qa_service.generation), only when that backend is selected
        self.generative: GenerativeAnswerer | None = None
        if settings.answer_backend != "extractive":
            from qa_service.generation import make_answerer

            self.generative = make_answerer(settings, self.embedder, self.answerer)
        self._lock = threading.Lock()

    # -- life cycle -----------------------------------------------------------------------
    def warm_up(self) -> None:
        """Load the embedding model and the live index (idempotent)."""
        with self._lock:
            if self._index is not None:
                return
            index = load_index(self.settings.index_dir, expected_model=self.embedder.model_name)
            self.embedder.warm_up()
            self.embedder.encode_queries(["warm-up"])  # first call initialises kernels
            self._index = index
            self.answerer.index = index
            if self.generative is not None:
                self.generative.guard.index = index
                self.generative.warm_up()
            self._retriever = Retriever(index, self.embedder, self.settings)

    @property
    def ready(self) -> bool:
        return self._retriever is not None

    @property
    def index(self) -> LoadedIndex:
        if self._index is None:
            raise RuntimeError("service not warmed up")
        return self._index

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            raise RuntimeError("service not warmed up")
        return self._retriever

    def close(self) -> None:
        if self._index is not None:
            self._index.close()

    # -- operations -----------------------------------------------------------------------
    def search(self, query: str, top_k: int, mode: Mode = "hybrid") -> RetrievalResult:
        return self.retriever.search(query, top_k, mode)

    def ask(
        self,
        question: str,
        top_k: int,
        on_retrieval: Callable[[RetrievalResult], None] | None = None,
        on_delta: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> AskResult:
        """Answer with the configured backend. The callbacks (used for streaming) receive the
        retrieved passages, then the answer text as it is written; ``cancel`` stops generation."""
        t0 = time.perf_counter()
        retrieval = self.retriever.search(question, top_k)
        t1 = time.perf_counter()
        if on_retrieval is not None:
            on_retrieval(retrieval)
        first: list[float] = []

        def delta(text: str) -> None:
            if not first:
                first.append(time.perf_counter())
            if on_delta is not None:
                on_delta(text)

        extra: dict[str, float] = {}
        if self.generative is None:
            answer = self.answerer.run(question, retrieval)
            delta(answer.answer)
        else:
            answer, extra = self.generative.run(question, retrieval, delta, cancel)
        t2 = time.perf_counter()
        timings = {
            "retrieval": round((t1 - t0) * 1000, 2),
            "answer": round((t2 - t1) * 1000, 2),
            "total": round((t2 - t0) * 1000, 2),
            "first_token": round(((first[0] if first else t2) - t0) * 1000, 2),
            **extra,
        }
        return AskResult(answer, retrieval, timings)

    # -- documents ------------------------------------------------------------------------
    def list_documents(self, offset: int, limit: int) -> tuple[int, list[tuple[DocumentMeta, int]]]:
        store = self.index.store
        return store.count_documents(), store.list_documents(offset, limit)

    def get_document(self, doc_id: str) -> tuple[DocumentMeta, list[Passage]] | None:
        meta = self.index.store.document(doc_id)
        if meta is None:
            return None
        return meta, self.index.store.document_passages(doc_id)

    def info(self) -> dict[str, Any]:
        m = self.index.manifest
        return {
            "model": m.model,
            "passages": m.passage_count,
            "documents": m.document_count,
            "corpus_hash": m.corpus_hash,
            "built": m.created,
        }


def hit_title(hit: Hit) -> str:
    """A document title for display; the citation where the document has no title."""
    return hit.document.title or hit.document.citation()
