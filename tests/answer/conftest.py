"""The answering tests' service over the bundled corpus (one per test module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.service import QAService


@pytest.fixture(scope="module")
def corpus_service(corpus_index: Settings, embedder: Embedder) -> Iterator[QAService]:
    service = QAService(corpus_index, embedder)
    service.warm_up()
    yield service
    service.close()
