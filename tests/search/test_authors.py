"""Author-aware retrieval: a question that names a document's author ("the motion by
Leijten") also searches that author's documents, fused with the hybrid ranking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.filters import Filters
from qa_service.search.authors import AuthorIndex, name_words
from qa_service.search.retriever import Retriever
from qa_service.store.loaded import load_index


def test_name_words_leave_out_particles_and_initials() -> None:
    assert name_words("A.Th.B. Bijleveld-Schouten") == ["bijleveld", "schouten"]
    assert name_words("Jasper van Dijk") == ["jasper", "dijk"]
    assert name_words("Van der Plas") == ["plas"]
    assert name_words("Kröger") == ["kroger"]
    assert name_words("Van") == []


def test_each_author_word_finds_its_documents(small_index: Path) -> None:
    index = load_index(small_index)
    authors = AuthorIndex(index.store)
    assert set(authors.documents(["Omtzigt"], 100)) == {"kst-29754-673", "kst-34682-141"}
    assert authors.documents(["Bijleveld-Schouten"], 100) == ["kst-28676-280"]
    assert authors.documents(["Leijten", "Afghanistan"], 100) == ["kst-36284-6"]
    assert authors.documents(["Afghanistan", "Van"], 100) == []
    # a name heading more documents than allowed picks nobody out
    assert authors.documents(["Omtzigt"], 1) == []
    assert authors.documents(["Omtzigt", "Leijten"], 1) == ["kst-36284-6"]
    # authors named together: the documents they wrote together, else any of theirs
    assert authors.documents(["Omtzigt", "Boswijk"], 100) == ["kst-34682-141"]
    assert authors.documents(["Omtzigt", "Boswijk", "Afghanistan"], 100) == ["kst-34682-141"]
    assert len(authors.documents(["Omtzigt", "Leijten"], 100)) == 3
    # only what they wrote together: nothing for one name, or for two who wrote nothing
    assert authors.together(["Omtzigt", "Boswijk", "Afghanistan"], 100) == {"kst-34682-141"}
    assert authors.together(["Omtzigt"], 100) == set()
    assert authors.together(["Omtzigt", "Leijten"], 100) == set()
    # the names that are authors', and the others (places, things, people who wrote none)
    asked = ["Omtzigt", "Afghanistan", "Bijleveld-Schouten", "Wateringen"]
    assert authors.among(asked) == ["Omtzigt", "Bijleveld-Schouten"]
    assert authors.others(asked) == ["Afghanistan", "Wateringen"]
    assert authors.among([]) == []
    index.close()


@pytest.fixture()
def retrievers(small_index: Path, embedder: Embedder) -> Iterator[tuple[Retriever, Retriever]]:
    index = load_index(small_index)
    off = Retriever(index, embedder, Settings(index_dir=small_index, author_weight=0))
    on = Retriever(index, embedder, Settings(index_dir=small_index, author_weight=0.5))
    yield off, on
    index.close()


def _docs(retriever: Retriever, question: str, filters: Filters | None = None) -> list[str]:
    return [h.passage.doc_id for h in retriever.search(question, 5, filters=filters).hits]


def test_a_named_author_lifts_their_documents(retrievers: tuple[Retriever, Retriever]) -> None:
    off, on = retrievers
    question = "What did Leijten want?"
    assert _docs(off, question).count("kst-36284-6") == 1  # the letter fills the rest
    assert _docs(on, question).count("kst-36284-6") == 4  # every passage of her motion
    # a question that names no author is ranked as before
    for question in ("What did the ministers say about Afghanistan?", "Wat vraagt de motie?"):
        assert _docs(on, question) == _docs(off, question)


def test_filters_still_hold(retrievers: tuple[Retriever, Retriever]) -> None:
    """The author's documents are searched inside the question's filters."""
    off, on = retrievers
    others = Filters.create(doc_ids=["kst-28676-280", "kst-29754-673"])
    assert _docs(on, "What did Leijten want?", others) == _docs(
        off, "What did Leijten want?", others
    )
    assert set(_docs(on, "What did Omtzigt want?", others)) <= {"kst-28676-280", "kst-29754-673"}


def test_the_authors_signatures_are_not_lifted(small_index: Path, embedder: Embedder) -> None:
    """A signature passage ("Leijten") matches the name, not the question: the author
    search ranks only passages that say something, so the motion's clauses come first."""
    index = load_index(small_index)
    only_authors = Settings(index_dir=small_index, author_weight=100)
    hits = Retriever(index, embedder, only_authors).search("What did Leijten want?", 5).hits
    top = [h.passage.passage_id for h in hits[:3]]
    assert sorted(top) == ["kst-36284-6#p0", "kst-36284-6#p1", "kst-36284-6#p2"]
    index.close()


def test_the_documents_the_named_authors_wrote_together_come_first(
    corpus_index: Settings, embedder: Embedder
) -> None:
    """ "... according to Jasper van Dijk and Omtzigt" asks about their motion on the
    European Peace Facility, not the one Omtzigt wrote with Michon-Derkzen that the name
    search ranked first; without the passages they wrote together, nothing moves."""
    index = load_index(corpus_index.index_dir)
    retriever = Retriever(index, embedder, corpus_index)
    question = (
        "Under which body should the European Peace Facility be placed, according to "
        "Jasper van Dijk and Omtzigt?"
    )
    hits = retriever.search(question, 5).hits
    assert hits[0].passage.doc_id == "kst-21501-20-1907"
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)  # the scores still fall in the new order
    ranking = [(1, 0.5), (2, 0.4)]
    assert retriever._together_first(["Nobody", "Else"], ranking, 5) == ranking
    index.close()
