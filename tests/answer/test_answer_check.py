"""Whether an answer carries what the question asks: the checks on real passages."""

from __future__ import annotations

import pytest

from qa_service.service import QAService


@pytest.fixture(scope="module")
def service(corpus_service: QAService) -> QAService:
    return corpus_service


def test_of_the_quoted_motions_of_the_mps_asked_about_the_far_ones_are_named(
    service: QAService,
) -> None:
    """An English question naming MPs, quoting two of their motions: the one far from what
    it asks without their names (buying farms for motorways) is far, the one it asks about
    (netting on latent space stopped at once) is not. A Dutch question, one document, or a
    question naming no MP: none."""
    check = service.answerer.check
    question = "Which practice did Bromet and Thijssen want ended at once?"
    hits = service.retriever.search(question, 10).hits
    farms = next(h for h in hits if "boerderijen" in h.passage.text)
    latent = next(h for h in hits if "latente ruimte per direct" in h.passage.text)
    assert check.far_documents(question, "en", [farms, latent]) == {farms.document.doc_id}
    assert check.far_documents(question, "en", [latent]) == set()
    assert check.far_documents(question, "nl", [farms, latent]) == set()
    unnamed = "Which practice did the members want ended at once?"
    assert check.far_documents(unnamed, "en", [farms, latent]) == set()
