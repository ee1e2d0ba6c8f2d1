"""Generated answers: abstain, or prompt the model, stream its text, and verify every sentence.

The flow for one question (retrieval already done):

1. When retrieval is too weak, abstain exactly like the extractive answerer, without calling
   the model.
2. Build the prompt from the top ``generation_passages`` passages and stream the model's text
   to ``on_delta`` as it arrives.
3. Verify the whole text with :class:`~qa_service.generation.guard.CitationGuard`: only
   supported sentences stay, each citing passages that support it, renumbered.
4. When no sentence survives, answer with the extractive answer instead (its sentences are
   quotes, so they are supported by construction); ``removed_sentences`` says how many
   generated sentences were dropped either way.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from qa_service import deadline
from qa_service.answer.answers import Answer
from qa_service.answer.extractive import ExtractiveAnswerer
from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.generation.backends import GenerationCancelled, Generator
from qa_service.generation.guard import CitationGuard, Verified
from qa_service.generation.prompt import build_prompt
from qa_service.search.retriever import Hit, RetrievalResult
from qa_service.store.protocol import SearchIndex

log = logging.getLogger(__name__)

DeltaCallback = Callable[[str], None]


class GenerativeAnswerer:
    def __init__(
        self,
        settings: Settings,
        generator: Generator,
        extractive: ExtractiveAnswerer,
        guard: CitationGuard,
    ) -> None:
        self.settings = settings
        self.generator = generator
        self.extractive = extractive
        self.guard = guard
        #: the last raw model output and its verification (for scripts and tests)
        self.last: tuple[str, Verified] | None = None

    @property
    def backend(self) -> str:
        return self.generator.name

    def sources(self, retrieval: RetrievalResult) -> list[Hit]:
        """The passages an answer is written from (all of them when it abstains)."""
        if self.extractive.should_abstain(retrieval):
            return retrieval.hits
        return retrieval.hits[: self.settings.generation_passages]

    def run(
        self,
        question: str,
        retrieval: RetrievalResult,
        on_delta: DeltaCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[Answer, dict[str, float]]:
        """The verified answer and timings (ms) of generation and verification."""
        emit = on_delta or (lambda _text: None)
        if self.extractive.should_abstain(retrieval):
            answer = self.extractive.abstain(question, retrieval)
            answer.backend = self.backend
            emit(answer.answer)
            return answer, {}
        cancel = cancel or threading.Event()
        s = self.settings
        hits = retrieval.hits[: s.generation_passages]
        prompt = build_prompt(question, hits, retrieval.language, s.answer_max_sentences)
        t0 = time.perf_counter()
        pieces: list[str] = []
        stream = self.generator.stream(prompt.messages, s.generation_max_tokens, cancel)
        try:
            for piece in stream:
                pieces.append(piece)
                emit(piece)
                if cancel.is_set():
                    break
                deadline.check()  # a request given up by the API stops at the next token
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # stops generating when we stopped early
        if cancel.is_set():
            raise GenerationCancelled("the answer was cancelled")
        t1 = time.perf_counter()
        raw = "".join(pieces)
        verified = self.guard.verify(raw, hits)
        self.last = (raw, verified)
        t2 = time.perf_counter()
        timings = {"generation": _ms(t1 - t0), "verification": _ms(t2 - t1)}
        if verified.answer:
            answer = Answer(
                question,
                verified.answer,
                True,
                retrieval.language,
                verified.citations,
                removed_sentences=verified.removed,
                backend=self.backend,
            )
            return answer, timings
        log.info(
            "no generated sentence supported (%d removed): extractive answer", verified.removed
        )
        answer = self.extractive.run(question, retrieval)
        answer.removed_sentences = verified.removed
        return answer, timings


def build_generative(
    settings: Settings,
    generator: Generator,
    extractive: ExtractiveAnswerer,
    embedder: Embedder,
    index: SearchIndex,
) -> GenerativeAnswerer:
    """The generated-answer pipeline over one loaded build: ``generator`` writes, a
    :class:`CitationGuard` over ``index`` verifies, ``extractive`` abstains and stands in
    when no generated sentence is supported."""
    guard = CitationGuard(settings, embedder, index)
    return GenerativeAnswerer(settings, generator, extractive, guard)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)
