"""End to end: the README's pledge question, in Dutch and English, through the real server.

Both must quote the hundred troops with the surgical team (TAAC-North) and the trainers, each
with its [n] to page 4 of kst-28676-280, and nothing from unrelated passages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

QUESTIONS = [
    "What did the minister pledge for Afghanistan?",
    "Wat heeft de minister toegezegd voor Afghanistan?",
]
TROOPS = "honderd militairen voor 2018, inclusief een chirurgisch team aan TAAC-North."
TRAINERS = "Voorts heb ik toegezegd trainers beschikbaar te stellen"


@pytest.fixture(scope="module")
def client(corpus_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=corpus_server, timeout=60) as c:
        yield c


def _cited_by(answer: str, fragment: str) -> int:
    """The [n] of the answer sentence that holds ``fragment``."""
    start = answer.index(fragment)
    m = re.compile(r"\[(\d+)\]").search(answer, start)
    assert m is not None, f"no citation after {fragment!r}"
    return int(m.group(1))


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_pledge_is_quoted_with_its_citations(client: httpx.Client, question: str) -> None:
    body = client.post("/api/ask", json={"question": question}).json()
    assert body["answerable"] is True
    answer = body["answer"]
    citations = {c["n"]: c for c in body["citations"]}
    for fragment in (TROOPS, TRAINERS):
        assert fragment in answer, answer
        cited = citations[_cited_by(answer, fragment)]
        assert cited["doc_id"] == "kst-28676-280"
        assert cited["page"] == 4
        assert fragment in cited["text"]
    # nothing quoted from passages that do not hold the pledge
    assert all(c["doc_id"] == "kst-28676-280" and c["page"] == 4 for c in body["citations"])
    assert "oproep aan Afghanistan" not in answer
    assert "Ghani" not in answer  # the minister's support for him is no pledge
