"""The verify step with the real packaged model (Qwen2.5-Coder-1.5B-Instruct) on OpenVINO GenAI.

Slow (loads a 1.5B model; the first start converts the GGUF, about a minute on 2 cores) and
needs the ``local-llm`` extra::

    pytest tests/generation/test_assist_qwen.py -m slow
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.generation.assist import fit_budget
from qa_service.generation.models import QWEN, ModelNotAvailable, gguf_path
from qa_service.service import QAService

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assisted(small_index: Path, embedder: Embedder) -> QAService:
    pytest.importorskip("openvino_genai", reason="needs the local-llm extra")
    try:
        gguf_path(QWEN, Settings().cache_dir)
    except ModelNotAvailable as exc:
        pytest.skip(str(exc))
    settings = Settings(index_dir=small_index, answer_assist="verify")
    svc = QAService(settings, embedder)
    svc.warm_up()
    assert svc.assist is not None and svc.assist.available
    return svc


def test_qwen_runs_on_openvino_within_the_budget(assisted: QAService) -> None:
    assert assisted.assist is not None and assisted.assist.engine == "openvino"
    for question in (
        "What did the minister pledge for Afghanistan?",
        "Wat heeft de minister toegezegd voor Afghanistan?",
    ):
        result = assisted.ask(question, 5)
        report = result.assist
        assert report is not None and report.engine == "openvino"
        assert report.prompt_tokens <= 300
        assert report.verdict.isdigit()  # names a sentence: the step keeps the answer
        assert result.answer.answerable and "[1]" in result.answer.answer


def test_qwen_declines_sentences_about_something_else(assisted: QAService) -> None:
    assert assisted.assist is not None
    sentences = [
        "Voorts spraken de Ministers over de Resolute Support Mission (RSM) in Afghanistan.",
        "Gelijktijdig deden de Ministers een oproep aan Afghanistan om zich te blijven inzetten "
        "voor tijdige verkiezingen.",
    ]
    messages, _ = fit_budget(
        "What did the minister say about the Mars rover?",
        sentences,
        assisted.assist.count_tokens,
        300,
    )
    report = assisted.assist.run_step(messages)
    assert report.verdict == "none" and report.declined


def test_qwen_stream_is_greedy_and_stops_when_cancelled(assisted: QAService) -> None:
    assert assisted.assist is not None
    generator = assisted.assist.generator
    messages, tokens = fit_budget(
        "Hoeveel militairen?", ["Ongeveer honderd militairen."], assisted.assist.count_tokens, 300
    )
    assert tokens < 100
    first = "".join(generator.stream(messages, 8, threading.Event()))
    again = "".join(generator.stream(messages, 8, threading.Event()))
    assert first == again and first.strip()
    cancel = threading.Event()
    pieces = []
    for piece in generator.stream(messages, 64, cancel):
        pieces.append(piece)
        cancel.set()
    assert len(pieces) == 1
