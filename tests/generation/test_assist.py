"""The model-assisted verify step (QA_ANSWER_ASSIST=verify) with the tiny Gemma 3 270M model on
the transformers engine: the prompt stays within its token budget, the step runs and says so
in the answer, it only ever keeps the extractive answer or declines it, and without the model
the extractive answer is unchanged. The real packaged Qwen model on OpenVINO is tested in
test_assist_qwen.py (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.answer.answers import Answer, Citation
from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.generation.assist import (
    AnswerAssist,
    answer_sentences,
    fit_budget,
    verdict_of,
    verify_messages,
)
from qa_service.generation.backends import LocalGenerator
from qa_service.generation.engines import choose_engine, openvino_installed
from qa_service.search.retriever import Hit
from qa_service.service import QAService

PLEDGE = "What did the minister pledge for Afghanistan?"
LONG = " ".join(["De minister heeft de Kamer toegezegd dat Nederland bijdraagt."] * 40)


@pytest.fixture(scope="module")
def gemma(gemma_dir: Path) -> LocalGenerator:
    generator = LocalGenerator(Settings(local_model=str(gemma_dir)))
    generator.warm_up()
    return generator


@pytest.fixture(scope="module")
def small(small_index: Path) -> Settings:
    """Settings over the small corpus (the Kamerbrief and three motions)."""
    return Settings(index_dir=small_index)


@pytest.fixture(scope="module")
def plain(small: Settings, embedder: Embedder) -> QAService:
    svc = QAService(small, embedder)
    svc.warm_up()
    return svc


@pytest.fixture(scope="module")
def assisted(small: Settings, embedder: Embedder, gemma: LocalGenerator) -> QAService:
    settings = small.model_copy(update={"answer_assist": "verify"})
    svc = QAService(settings, embedder, assist_generator=gemma)
    svc.warm_up()
    return svc


def test_verdicts_are_read_from_the_first_number() -> None:
    assert verdict_of("0") == "none"
    assert verdict_of(" 0.") == "none"
    assert verdict_of("2") == "2"
    assert verdict_of("[1]") == "1"
    assert verdict_of("The") == "unclear"
    assert verdict_of("") == "unclear"


def test_the_prompt_is_cut_to_its_token_budget(gemma: LocalGenerator) -> None:
    sentences = [LONG, LONG, LONG, "Honderd militairen en een chirurgisch team."]
    whole = gemma.count_prompt_tokens(verify_messages(PLEDGE, sentences))
    assert whole > 600
    messages, tokens = fit_budget(PLEDGE, sentences, gemma.count_prompt_tokens, 300)
    assert tokens == gemma.count_prompt_tokens(messages) <= 300
    assert PLEDGE in messages[1]["content"]
    assert "[1] De minister heeft" in messages[1]["content"]
    assert messages[1]["content"].index("[1]") < messages[1]["content"].index(PLEDGE)
    # even a question far over the budget is cut to fit
    _, tokens = fit_budget(LONG, sentences, gemma.count_prompt_tokens, 120)
    assert tokens <= 120


def test_the_step_runs_on_an_extractive_answer_and_says_so(
    assisted: QAService, plain: QAService
) -> None:
    before = plain.ask(PLEDGE, 5)
    after = assisted.ask(PLEDGE, 5)
    report = after.assist
    assert report is not None and report.step == "verify"
    assert report.engine == "transformers"
    assert 0 < report.prompt_tokens <= 300
    assert report.verdict == "none" or report.verdict == "unclear" or report.verdict.isdigit()
    assert report.first_output_ms <= report.total_ms
    assert after.to_dict()["assist"]["verdict"] == report.verdict
    assert before.to_dict()["assist"] is None
    if report.declined:  # the step only declines: the closest passages are offered
        assert not after.answer.answerable
        assert after.answer.answer.startswith("The documents do not answer")
    else:  # or keeps the extractive answer word for word
        assert after.answer.answer == before.answer.answer
        assert after.answer.backend == "extractive"
    assert after.timings_ms["assist"] == report.total_ms


def test_declined_and_metadata_answers_are_not_checked(assisted: QAService) -> None:
    declined = assisted.ask("Wat is het recept voor appeltaart?", 5)
    assert not declined.answer.answerable and declined.assist is None
    about = assisted.ask("Wie heeft motie 34682-141 ingediend?", 5)
    assert about.answer.answerable
    assert about.assist is None


def test_batches_answer_one_by_one_with_the_step(assisted: QAService) -> None:
    [result] = assisted.ask_batch([PLEDGE], 5)
    assert result.assist is not None


def test_without_the_model_the_extractive_answer_is_unchanged(
    small: Settings, plain: QAService, embedder: Embedder, tmp_path: Path
) -> None:
    missing = str(tmp_path / "not-installed.gguf")
    settings = small.model_copy(
        update={"answer_assist": "verify", "local_model": missing, "local_engine": "transformers"}
    )
    svc = QAService(settings, embedder)
    svc.warm_up()  # does not fail: the step switches itself off
    assert isinstance(svc.assist, AnswerAssist) and not svc.assist.available
    for question in (PLEDGE, "Wat heeft de minister toegezegd voor Afghanistan?"):
        assisted, before = svc.ask(question, 5), plain.ask(question, 5)
        assert assisted.assist is None
        assert assisted.to_dict()["answer"] == before.to_dict()["answer"]


def test_the_engine_is_chosen_by_model_and_wheel() -> None:
    assert choose_engine(Settings(local_model="gemma3-270m")) == "transformers"
    assert choose_engine(Settings(local_model="/x/model.gguf")) == "transformers"
    qwen = choose_engine(Settings(local_model="qwen2.5-coder-1.5b-instruct"))
    assert qwen == ("openvino" if openvino_installed() else "transformers")
    forced = Settings(local_model="gemma3-270m", local_engine="openvino")
    assert choose_engine(forced) == "openvino"


def test_answer_sentences_name_the_motion(assisted: QAService) -> None:
    store = assisted.index.store
    docs = [meta for meta, _ in store.list_documents(0, 10)]
    hits = {
        d.doc_type: Hit(0, store.document_passages(d.doc_id)[0], d, 0.0, 0.0, 0.0) for d in docs
    }
    motion, letter = hits["motie"], next(h for t, h in hits.items() if t != "motie")
    answer = Answer(
        "q",
        "a",
        True,
        "nl",
        [Citation(1, motion, "Zin een."), Citation(2, letter, ""), Citation(3, letter, "Twee.")],
    )
    assert motion.document.title
    assert answer_sentences(answer) == [f"{motion.document.title}: Zin een.", "Twee."]
