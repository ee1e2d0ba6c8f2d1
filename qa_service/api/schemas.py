"""Request and response bodies of the HTTP API (the contract: keep the field names)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from qa_service import filters as core
from qa_service.answer.questions import (
    MAX_ANSWER_CHARS,
    MAX_BATCH_QUESTIONS,
    MAX_FILTER_VALUES,
    MAX_HISTORY_TURNS,
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    clean_question,
)

Question = Annotated[
    str,
    AfterValidator(clean_question),
    Field(json_schema_extra={"minLength": 1, "maxLength": MAX_QUESTION_CHARS}),  # documented
]
TopK = Annotated[int, Field(ge=1, le=MAX_TOP_K, description=f"1 to {MAX_TOP_K}")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


FilterValue = Annotated[str, Field(min_length=1, max_length=200)]
FilterValues = FilterValue | Annotated[list[FilterValue], Field(max_length=MAX_FILTER_VALUES)]


class Filters(_Strict):
    """Restrict retrieval to documents that match; every given condition must hold, and a
    list matches any of its values. Filtering happens inside the search, so a filtered search
    still returns a full top-k when enough passages match."""

    doc_ids: list[FilterValue] | None = Field(
        None, max_length=1000, description="Only these documents.", examples=[["kst-28676-280"]]
    )
    dossier: FilterValues | None = Field(
        None,
        description="Dossier number; one without a suffix also matches its sub-dossiers "
        "(36410 matches 36410-XVI).",
        examples=["28676", "36410-XVI"],
    )
    doc_type: FilterValues | None = Field(
        None, description="Document type: brief, motie, ...", examples=["motie"]
    )
    date_from: FilterValue | None = Field(
        None, description="Documents dated on or after (YYYY-MM-DD).", examples=["2023-09-19"]
    )
    date_to: FilterValue | None = Field(
        None, description="Documents dated on or before (YYYY-MM-DD).", examples=["2024-12-31"]
    )
    vergaderjaar: FilterValues | None = Field(
        None, description="Parliamentary year, 2023-2024 (or 2023/24).", examples=["2023-2024"]
    )

    @model_validator(mode="after")
    def _readable(self) -> Filters:
        self.to_core()  # raises ValueError (a 422) for dates or years it cannot read
        return self

    def to_core(self) -> core.Filters:
        return core.Filters.create(**self.model_dump())


class SearchRequest(_Strict):
    query: Question = Field(description="Search text (Dutch or English).")
    top_k: TopK = 5
    filters: Filters | None = Field(None, description="Optional: which documents to search.")


class Turn(_Strict):
    question: Question
    answer: str = Field("", max_length=MAX_ANSWER_CHARS)


class AskRequest(_Strict):
    question: Question = Field(description="A question in Dutch or English.")
    top_k: TopK = 5
    history: list[Turn] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_TURNS,
        description=(
            f"Earlier turns of the conversation, oldest first (at most {MAX_HISTORY_TURNS}); "
            "a follow-up question is searched together with the question it follows."
        ),
    )
    filters: Filters | None = Field(None, description="Optional: which documents to draw on.")


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
    search_query: str = Field(
        "", description="What was searched: the question, or a follow-up with its context."
    )
    backend: str = Field(
        "extractive", description="What wrote the answer: extractive, local or openai."
    )
    removed_sentences: int = Field(
        0, description="Generated sentences removed because no passage supported them."
    )
    assist: dict[str, str | int | float | bool] | None = Field(
        None,
        description="The model-assisted step when one ran (QA_ANSWER_ASSIST): step, the "
        "model's verdict, whether it declined the answer, engine, prompt tokens and timings.",
    )


class BatchAnswer(AskResponse):
    id: str | int


class BatchError(BaseModel):
    id: str | int
    error: str


class BatchAskResponse(BaseModel):
    results: list[BatchAnswer | BatchError] = Field(description="In the order of the questions.")


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


class DossierFacet(BaseModel):
    dossier: str
    dossier_title: str
    documents: int


class DocTypeFacet(BaseModel):
    doc_type: str
    documents: int


class VergaderjaarFacet(BaseModel):
    vergaderjaar: str
    documents: int


class FacetsResponse(BaseModel):
    """What the filters can choose from in this index."""

    dossiers: list[DossierFacet]
    doc_types: list[DocTypeFacet]
    vergaderjaren: list[VergaderjaarFacet]
    date_from: str = Field(description="Earliest document date ('' when none is dated).")
    date_to: str = Field(description="Latest document date.")


class SkippedFile(BaseModel):
    file: str
    reason: str


class UpdateResponse(BaseModel):
    """What an upload or deletion changed; the index has switched when this is returned."""

    added: list[str] = Field(description="Ids of new documents.")
    replaced: list[str] = Field(description="Ids of documents whose content changed.")
    unchanged: list[str] = Field(description="Ids of documents already indexed as they are.")
    removed: list[str] = Field(description="Ids of removed documents.")
    skipped: list[SkippedFile] = Field(description="Files (or records) not indexed, and why.")
    documents: int = Field(description="Documents in the index now.")
    passages: int = Field(description="Passages in the index now.")


class HealthResponse(BaseModel):
    status: str
    detail: str = ""
    model: str = ""
    documents: int = 0
    passages: int = 0
