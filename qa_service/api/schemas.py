"""Request and response bodies of the HTTP API (the contract: keep the field names)."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

MAX_QUESTION_CHARS = 2000
MAX_TOP_K = 50
MAX_BATCH_QUESTIONS = 100


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


class BatchQuestion(_Strict):
    id: str | int = Field(description="Echoed in the result.")
    question: str = Field(description="Checked like /api/ask's; a bad one gets an error entry.")


class BatchAskRequest(_Strict):
    questions: list[BatchQuestion] = Field(
        description=(
            f"At most {MAX_BATCH_QUESTIONS} questions: {{id, question}} objects or plain "
            "strings (whose id is their position, from 0)."
        )
    )
    top_k: TopK = 5

    @field_validator("questions", mode="before", json_schema_input_type=list[str | BatchQuestion])
    @classmethod
    def _strings_and_limit(cls, value: object) -> object:
        if not isinstance(value, list):
            return value
        if len(value) > MAX_BATCH_QUESTIONS:
            raise ValueError(
                f"at most {MAX_BATCH_QUESTIONS} questions per call (got {len(value)}); "
                "split them over several calls"
            )
        out = []
        for i, q in enumerate(value):
            if isinstance(q, str):
                out.append({"id": i, "question": q})
            elif isinstance(q, dict):
                out.append(q)
            else:
                raise ValueError(f"question {i} must be a string or an {{id, question}} object")
        return out


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


class BatchAnswer(AskResponse):
    id: str | int


class BatchError(BaseModel):
    id: str | int
    error: str


class BatchAskResponse(BaseModel):
    results: list[BatchAnswer | BatchError] = Field(description="In the order of the questions.")


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
