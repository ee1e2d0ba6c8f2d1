"""Schema-driven fuzzing of the HTTP API (schemathesis): requests generated from the OpenAPI
document, valid and invalid, sent to the real server over loopback. No answer may be a 5xx
or carry a traceback. Every operation in the document is covered, so endpoints added later
are fuzzed too.

The default run is bounded (a few dozen generated requests per operation, plus schemathesis'
coverage cases); ``pytest -m slow tests/api/test_fuzz_api.py`` runs a longer fuzz.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode

from qa_service.api.app import create_app
from qa_service.config import Settings
from qa_service.devtools.server import server_process

KEY = "fuzz-key-8d0a6c41e3b2f957"

# The document the server publishes at /openapi.json, built from the same code (schemathesis
# needs it when tests are collected, before any server runs).
schema = schemathesis.openapi.from_dict(create_app(Settings(), load=False).openapi())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
writes = schema.include(path_regex=r"^/api/documents", method=["POST", "DELETE"])

FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=25)
LONG_FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=400)


def check(response: httpx.Response | object) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert status < 500, f"{status}: {text[:500]}"
    assert "Traceback" not in text and 'File "/' not in text
    if status >= 400 and status != 405:
        body = response.json()  # type: ignore[attr-defined]
        # /v1 (the OpenAI-compatible endpoint) answers in OpenAI's shape
        detail = body["error"]["message"] if "error" in body else body["detail"]
        assert isinstance(detail, str) and detail.strip()


def test_the_server_publishes_the_fuzzed_document(corpus_server: str) -> None:
    served = httpx.get(f"{corpus_server}/openapi.json", timeout=30).json()
    assert served["paths"].keys() == schema.raw_schema["paths"].keys()


@schema.parametrize()
@FUZZ
def test_fuzz_the_api(case: schemathesis.Case, corpus_server: str) -> None:
    check(case.call(base_url=corpus_server, timeout=120))


@pytest.fixture(scope="module")
def keyed_server(small_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway index with uploads and deletions enabled."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(small_index, root / "index")
    env = {"QA_API_KEY": KEY, "QA_UPLOAD_DIR": str(root / "uploads"), "QA_MAX_UPLOAD_MB": "1"}
    with server_process(root / "index", env=env) as server:
        yield server.url


@writes.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), max_examples=8)
def test_fuzz_uploads_and_deletions_with_the_key(
    case: schemathesis.Case, keyed_server: str
) -> None:
    check(case.call(base_url=keyed_server, headers={"Authorization": f"Bearer {KEY}"}, timeout=300))
    assert httpx.get(f"{keyed_server}/health", timeout=30).json()["status"] == "ok"


@pytest.mark.slow
@schema.parametrize()
@LONG_FUZZ
def test_fuzz_the_api_longer(case: schemathesis.Case, corpus_server: str) -> None:
    check(case.call(base_url=corpus_server, timeout=120))
