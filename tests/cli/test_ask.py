"""`qa-service ask`: the terminal answer and its JSON, which is the /api/ask object."""

from __future__ import annotations

import json

import pytest

from qa_service.cli import main
from qa_service.config import Settings
from qa_service.service import QAService


def test_ask_json_is_the_api_answer(
    corpus_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    question = "Wat heeft de minister toegezegd voor Afghanistan?"
    args = ["ask", question, "--json", "--index-dir", str(corpus_index.index_dir)]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    service = QAService(corpus_index)
    service.warm_up()
    expected = service.ask(question, 5).to_dict()
    assert out["search_query"] == question
    assert set(out) == set(expected)
    assert out["answer"] == expected["answer"]
    assert out["citations"] == expected["citations"]


def test_ask_prints_the_answer_and_its_sources(
    corpus_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["ask", "Wat heeft de minister toegezegd voor Afghanistan?"]
    assert main([*args, "--index-dir", str(corpus_index.index_dir)]) == 0
    out = capsys.readouterr().out
    assert "[1]" in out and "Kamerstukken II 2017/18, 28676, nr. 280" in out


@pytest.mark.parametrize("question", ["", "   ", "x" * 2001])
def test_ask_refuses_a_bad_question(question: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", question]) == 2
    assert "error: the question must" in capsys.readouterr().err
