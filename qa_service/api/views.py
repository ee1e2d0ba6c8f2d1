"""Response bodies from the pipeline's results (the same dicts the CLI and bulk files use)."""

from __future__ import annotations

from qa_service.answer.answers import Citation
from qa_service.api.schemas import AskResponse, CitationOut, DocumentOut, PassageOut
from qa_service.documents import DocumentMeta
from qa_service.search.retriever import Hit
from qa_service.service import AskResult, citation_dict, hit_dict


def passage_out(hit: Hit) -> PassageOut:
    return PassageOut(**hit_dict(hit))


def citation_out(c: Citation) -> CitationOut:
    return CitationOut(**citation_dict(c))


def ask_response(result: AskResult) -> AskResponse:
    return AskResponse.model_validate(result.to_dict())


def document_out(meta: DocumentMeta, passage_count: int) -> DocumentOut:
    data = meta.to_dict()
    data["title"] = meta.title or meta.citation()
    return DocumentOut(passage_count=passage_count, **{k: data[k] for k in _DOC_FIELDS})


_DOC_FIELDS = [f for f in DocumentOut.model_fields if f != "passage_count"]
