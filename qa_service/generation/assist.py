"""Model-assisted steps on extractive answers: the packaged model where it pays, with short
prompts (``QA_ANSWER_ASSIST``; docs/generation.md).

``verify``: after the extractive answerer has chosen its sentences, the local model reads
those few numbered sentences and the question (a prompt of at most
``assist_max_prompt_tokens`` tokens) and names the sentence that answers it, or 0 for none.
On 0 the answer is declined like any other (the documents do not answer; the closest passages
are offered). The step only ever turns an answer into a decline: it never writes answer text,
so nothing it outputs needs the citation guard. Questions about a document itself (answered
from its metadata) and answers already declined are left alone, and the answer says when the
step ran (:class:`AssistReport`).

When the model cannot be loaded (not installed), the step is switched off with a warning and
every answer is the extractive one, unchanged.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from qa_service.answer.answers import Answer
from qa_service.answer.extractive import ExtractiveAnswerer
from qa_service.answer.metadata import classify
from qa_service.config import Settings
from qa_service.generation.backends import GenerationError, Generator
from qa_service.generation.models import ModelNotAvailable
from qa_service.generation.prompt import Message
from qa_service.search.retriever import RetrievalResult

log = logging.getLogger(__name__)

SYSTEM = "Reply with one number only."

INSTRUCTION = (
    "Which sentence answers the question? Reply with its number, or 0 if no sentence answers it."
)

#: words a sentence is cut to, step by step, until the prompt fits the token budget
_CUTS = (80, 60, 45, 30, 20, 12)

_NUMBER = re.compile(r"^\W*(\d+)")


@dataclass
class AssistReport:
    """What a model-assisted step did for one answer (part of the API answer as ``assist``)."""

    step: str  # "verify"
    verdict: str  # the model's reply: "none", a sentence number ("1"), "unclear"; or "error"
    declined: bool  # the step declined the answer
    engine: str  # "openvino" or "transformers"
    prompt_tokens: int
    first_output_ms: float
    total_ms: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _cut(sentence: str, words: int) -> str:
    parts = sentence.split()
    return sentence if len(parts) <= words else " ".join(parts[:words]) + " …"


def verify_messages(question: str, sentences: list[str], words: int | None = None) -> list[Message]:
    """The verify prompt: the numbered sentences (each cut to ``words``), then the question
    (last, where a small model reads it best) and which sentence answers it, 0 for none."""
    numbered = "\n".join(
        f"[{i}] {sentence if words is None else _cut(sentence, words)}"
        for i, sentence in enumerate(sentences, 1)
    )
    user = f"Sentences (Dutch):\n{numbered}\n\nQuestion: {question.strip()}\n\n{INSTRUCTION}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def fit_budget(
    question: str,
    sentences: list[str],
    count: Callable[[list[Message]], int],
    budget: int,
) -> tuple[list[Message], int]:
    """The verify prompt cut until ``count`` (its tokens, chat template included) is within
    ``budget``: sentences are shortened first, then the last ones dropped, then the question
    cut. Returns the messages and their token count."""
    messages = verify_messages(question, sentences)
    tokens = count(messages)
    for words in _CUTS:
        if tokens <= budget:
            return messages, tokens
        messages = verify_messages(question, sentences, words)
        tokens = count(messages)
    kept = list(sentences)
    while tokens > budget and len(kept) > 1:
        kept.pop()
        messages = verify_messages(question, kept, _CUTS[-1])
        tokens = count(messages)
    words = len(question.split())
    while tokens > budget and words > 4:
        words = words * 2 // 3
        messages = verify_messages(_cut(question, words), kept, _CUTS[-1])
        tokens = count(messages)
    return messages, tokens


def answer_sentences(answer: Answer) -> list[str]:
    """The quoted sentences of an extractive answer, one per citation, each led by the title
    of its document when that is a motion (the question often asks *which* motion)."""
    out = []
    for c in answer.citations:
        if not c.quote:
            continue
        doc = c.hit.document
        lead = f"{doc.title}: " if doc.doc_type == "motie" and doc.title else ""
        out.append(lead + c.quote)
    return out


def verdict_of(reply: str) -> str:
    """``none`` when the model answered 0, the sentence number it named, else ``unclear``."""
    found = _NUMBER.match(reply)
    if found is None:
        return "unclear"
    return "none" if int(found.group(1)) == 0 else str(int(found.group(1)))


class AnswerAssist:
    """Runs ``settings.answer_assist`` on extractive answers with a local generator."""

    def __init__(self, settings: Settings, generator: Generator) -> None:
        self.settings = settings
        self.generator = generator
        self.engine = str(getattr(generator, "engine", "transformers"))
        self.available = True
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load the model; when it is not installed, switch the step off (with a warning)."""
        try:
            self.generator.warm_up()
        except (ModelNotAvailable, GenerationError) as exc:
            log.warning("answer assist %s is off: %s", self.settings.answer_assist, exc)
            self.available = False

    def count_tokens(self, messages: list[Message]) -> int:
        count = getattr(self.generator, "count_prompt_tokens", None)
        if count is None:  # a server-side model: estimate (about 4 characters a token)
            return sum(len(m["content"]) for m in messages) // 4 + 12
        return int(count(messages))

    def applies(self, question: str, answer: Answer) -> bool:
        return (
            self.available
            and self.settings.answer_assist == "verify"
            and answer.answerable
            and answer.backend == "extractive"
            and classify(question) is None  # metadata answers are not quotes to check
            and bool(answer_sentences(answer))
        )

    def run_step(self, messages: list[Message]) -> AssistReport:
        """Ask the model the verify prompt ``messages``; its verdict and timings."""
        tokens = self.count_tokens(messages)
        start = time.perf_counter()
        first: float | None = None
        pieces: list[str] = []
        try:
            for piece in self.generator.stream(messages, 2, threading.Event()):
                if first is None:
                    first = time.perf_counter()
                pieces.append(piece)
            verdict = verdict_of("".join(pieces))
        except GenerationError as exc:  # the extractive answer stands
            log.warning("answer assist failed: %s", exc)
            verdict = "error"
        end = time.perf_counter()
        return AssistReport(
            step="verify",
            verdict=verdict,
            declined=verdict == "none",
            engine=self.engine,
            prompt_tokens=tokens,
            first_output_ms=round(((first or end) - start) * 1000, 1),
            total_ms=round((end - start) * 1000, 1),
        )

    def check(
        self,
        question: str,
        retrieval: RetrievalResult,
        answer: Answer,
        extractive: ExtractiveAnswerer,
    ) -> tuple[Answer, AssistReport | None]:
        """The answer, declined when the model says its sentences do not state what is asked,
        and what the step did (None when it did not run)."""
        if not self.applies(question, answer):
            return answer, None
        messages, _ = fit_budget(
            question,
            answer_sentences(answer),
            self.count_tokens,
            self.settings.assist_max_prompt_tokens,
        )
        report = self.run_step(messages)
        declined = report.declined
        if declined:
            declined_answer = extractive.abstain(question, retrieval)
            declined_answer.question = answer.question
            return declined_answer, report
        return answer, report


def make_assist(settings: Settings, generator: Generator | None = None) -> AnswerAssist | None:
    """The assist step of ``settings.answer_assist`` (None when off), with ``generator`` or the
    local model on its engine (:func:`~qa_service.generation.engines.choose_engine`)."""
    if settings.answer_assist == "off":
        return None
    if generator is None:
        from qa_service.generation.engines import make_local_generator

        generator = make_local_generator(settings)
    return AnswerAssist(settings, generator)
