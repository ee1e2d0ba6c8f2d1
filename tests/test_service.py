"""QAService.ask_batch gives exactly the answers of ask, one question at a time."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from qa_service.config import PROJECT_ROOT, Settings
from qa_service.embedding import Embedder
from qa_service.search.bm25 import bm25_search
from qa_service.service import AskResult, QAService


def eval_questions() -> list[str]:
    out = []
    for name in ("dev-questions.jsonl", "calibration-questions.jsonl"):
        with open(PROJECT_ROOT / "eval_data" / name, encoding="utf-8") as fh:
            out += [json.loads(line)["question"] for line in fh if line.strip()]
    return out


EXTRA = [
    "x",
    "Navo?",
    "What is the weather forecast for Amsterdam tomorrow?",
    "Welke motie " + "vroeg om steun " * 120,  # long, over the model's token window
]


@pytest.fixture(scope="module")
def service(corpus_index: Settings, embedder: Embedder) -> Iterator[QAService]:
    s = QAService(corpus_index, embedder)
    s.warm_up()
    yield s
    s.close()


def fingerprint(result: AskResult) -> dict[str, Any]:
    """Everything of a result except its timings."""
    a = result.answer
    return {
        "answer": a.answer,
        "answerable": a.answerable,
        "language": a.language,
        "citations": [
            (c.n, c.hit.passage.passage_id, c.quote, c.hit.score, c.hit.dense_score)
            for c in a.citations
        ],
        "hits": [(h.row, h.score, h.dense_score, h.bm25_score) for h in result.retrieval.hits],
    }


def check_batch_equals_one_by_one(service: QAService, questions: list[str]) -> None:
    one_by_one = {q: fingerprint(service.ask(q, 5)) for q in questions}
    assert sum(f["answerable"] for f in one_by_one.values()) > len(questions) // 2
    # a shuffled batch with duplicates: other neighbours, other padding, same answers
    batch = questions + random.Random(4).sample(questions, len(questions) // 3)
    random.Random(7).shuffle(batch)
    for q, result in zip(batch, service.ask_batch(batch, 5), strict=True):
        assert fingerprint(result) == one_by_one[q], q
        assert result.answer.question == q
        assert result.timings_ms["total"] > 0


def test_ask_batch_equals_ask_one_by_one(service: QAService) -> None:
    check_batch_equals_one_by_one(service, eval_questions()[:12] + EXTRA)


@pytest.mark.slow
def test_ask_batch_equals_ask_one_by_one_on_every_eval_question(service: QAService) -> None:
    check_batch_equals_one_by_one(service, eval_questions() + EXTRA)


def test_ask_batch_with_top_k_and_nothing(service: QAService) -> None:
    results = service.ask_batch(["Wat heeft de minister toegezegd voor Afghanistan?"], 2)
    assert len(results[0].retrieval.hits) == 2
    assert service.ask_batch([], 5) == []


def test_bm25_in_one_call_equals_one_query_at_a_time(service: QAService) -> None:
    queries = eval_questions()[:20] + ["zzzqqq onbekend", "de het een"]
    rows, scores = bm25_search(service.index, queries, 50)
    for i, q in enumerate(queries):
        r1, s1 = bm25_search(service.index, [q], 50)
        assert (rows[i], scores[i]) == (r1[0], s1[0])
    assert rows[-2] == [] and scores[-2] == []
