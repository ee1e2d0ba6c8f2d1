"""Shared fixtures for the parser tests: the real corpus files."""

from __future__ import annotations

import pytest

from qa_service.config import PROJECT_ROOT
from qa_service.documents import ParsedDocument
from qa_service.parsing import MotionInfo, load_motion_subjects, parse_file

CORPUS = PROJECT_ROOT / "corpus"
LETTER = CORPUS / "kamerstukken" / "kst-28676-280.txt"
MOTIONS = CORPUS / "moties"


@pytest.fixture(scope="session")
def subjects() -> dict[str, MotionInfo]:
    return load_motion_subjects(CORPUS / "moties.jsonl")


@pytest.fixture(scope="session")
def letter() -> ParsedDocument:
    return parse_file(LETTER)


@pytest.fixture(scope="session")
def all_motions(subjects: dict[str, MotionInfo]) -> dict[str, ParsedDocument]:
    """Every motion file, parsed with the registry's subjects, keyed by file name."""
    return {path.name: parse_file(path, subjects) for path in sorted(MOTIONS.glob("*.txt"))}
