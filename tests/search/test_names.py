"""English questions also search the names they ask about with BM25: a Dutch document
writes a name as the question does ("Waddenacademie"), while the dense search of an
English question can rank its one passage out of sight."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.search.retriever import Retriever
from qa_service.store.loaded import load_index


@pytest.fixture(scope="module")
def retrievers(corpus_index: Settings, embedder: Embedder) -> Iterator[tuple[Retriever, Retriever]]:
    index = load_index(corpus_index.index_dir)
    off = Retriever(index, embedder, corpus_index.model_copy(update={"name_weight_en": 0.0}))
    on = Retriever(index, embedder, corpus_index.model_copy(update={"name_weight_en": 1.0}))
    yield off, on
    index.close()


def _passages(retriever: Retriever, question: str) -> list[str]:
    return [h.passage.passage_id for h in retriever.search(question, 5).hits]


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        ("What do the documents say about Waddenacademie?", "kst-29684-239#p1"),
        ("What do the documents say about Aalsmeerbaan?", "kst-31936-1031#p0"),
    ],
)
def test_an_english_question_finds_the_passage_naming_what_it_asks_about(
    retrievers: tuple[Retriever, Retriever], question: str, passage: str
) -> None:
    off, on = retrievers
    assert passage not in _passages(off, question)
    assert passage in _passages(on, question)


def test_dutch_and_unnamed_questions_are_ranked_as_before(
    retrievers: tuple[Retriever, Retriever],
) -> None:
    off, on = retrievers
    for question in (
        "Wat vraagt de motie over de Waddenacademie?",  # Dutch: BM25 already ranks it
        "What did the minister pledge for the mission?",  # names nothing
        "What did Omtzigt ask for?",  # an author: the author search's job
    ):
        assert _passages(on, question) == _passages(off, question)


def test_a_name_word_common_in_the_corpus_is_not_searched(
    retrievers: tuple[Retriever, Retriever],
) -> None:
    """ "Plan" of "Tax Plan" is in every plan: searching it would rank motions asking for a
    plan above the one on the Belastingplan that the named MPs wrote together."""
    _, on = retrievers
    assert on._distinctive(["Tax", "Plan"]) == ["tax", "belasting"]
    assert on._distinctive(["Waddenacademie"]) == ["waddenacademie"]
    question = "What did Dassen and Koekkoek ask for in the 2024 Tax Plan?"
    assert on.search(question, 5).hits[0].passage.doc_id == "kst-36169-31"


def test_a_name_is_also_searched_by_its_dutch_form(
    retrievers: tuple[Retriever, Retriever],
) -> None:
    """ "Civil Code" is searched as "Burgerlijk Wetboek" too: "Code" alone found an SBI
    code."""
    _, on = retrievers
    assert on._distinctive(["Civil Code"]) == ["civil", "burgerlijk", "code", "wetboek"]
    question = "Which article of the Civil Code does Stoffer's motion on interest groups concern?"
    assert on.search(question, 5).hits[0].passage.doc_id == "kst-36169-36"
