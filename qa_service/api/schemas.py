"""Request and response bodies of the HTTP API (the contract: keep the field names)."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_QUESTION_CHARS = 2000
MAX_TOP_K = 50


def clean_question(value: str) -> str:
    """Strip, drop control and invisible format characters; refuse empty or over-long text."""
    cleaned = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co") else " "
        for ch in value
    ).strip()
    if not cleaned:
        raise ValueError("must not be empty or only whitespace")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise ValueError(f"must be at most {MAX_QUESTION_CHARS} characters (got {len(cleaned)})")
    return cleaned


Question = Annotated[str, AfterValidator(clean_question)]
TopK = Annotated[int, Field(ge=1, le=MAX_TOP_K, description=f"1 to {MAX_TOP_K}")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SearchRequest(_Strict):
    query: Question = Field(description="Search text (Dutch or English).")
    top_k: TopK = 5


class AskRequest(_Strict):
    question: Question = Field(description="A question in Dutch or English.")
    top_k: TopK = 5


class PassageOut(BaseModel):
    passage_id: str
    doc_id: str
    title: str
    citation: str = Field(description="Official citation, e.g. Kamerstukken II 2017/18, ...")
    url: str = Field(description="Official publication page ('' when unknown).")
    section: str
    page: int | None
    text: str
    score: float


class SearchResponse(BaseModel):
    results: list[PassageOut]


class CitationOut(PassageOut):
    n: int = Field(description="The number used as [n] in the answer.")
    quote: str = Field(description="The sentence(s) of the passage quoted in the answer.")


class AskResponse(BaseModel):
    question: str
    answer: str
    answerable: bool
    citations: list[CitationOut]
    timings_ms: dict[str, float]
    backend: str = Field(
        "extractive", description="What wrote the answer: extractive, local or openai."
    )
    removed_sentences: int = Field(
        0, description="Generated sentences removed because no passage supported them."
    )


class StreamCitations(BaseModel):
    """The ``citations`` event of /api/ask/stream: the passages given to the model, numbered
    as the ``[n]`` of the streamed text (the final answer renumbers its own citations)."""

    citations: list[CitationOut]


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    doc_type: str
    dossier: str
    ondernummer: str
    vergaderjaar: str
    date: str
    authors: list[str]
    dossier_title: str
    subject: str
    citation: str
    url: str
    passage_count: int


class DocumentList(BaseModel):
    total: int
    offset: int
    limit: int
    documents: list[DocumentOut]


class PassageInDocument(BaseModel):
    passage_id: str
    position: int
    section: str
    page: int | None
    text: str


class DocumentDetail(DocumentOut):
    passages: list[PassageInDocument]


class HealthResponse(BaseModel):
    status: str
    detail: str = ""
    model: str = ""
    documents: int = 0
    passages: int = 0
