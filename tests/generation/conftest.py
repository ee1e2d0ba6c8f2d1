"""Fixtures for generated answers: a warmed-up service over the bundled corpus and a guard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.generation.guard import CitationGuard
from qa_service.service import QAService


@pytest.fixture(scope="session")
def service(corpus_index: Settings, embedder: Embedder) -> Iterator[QAService]:
    svc = QAService(corpus_index, embedder)
    svc.warm_up()
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def guard(service: QAService) -> CitationGuard:
    return CitationGuard(service.settings, service.embedder, service.index)
