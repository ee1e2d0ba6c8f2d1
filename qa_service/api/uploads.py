"""Receiving uploaded files over HTTP: bounded multipart parsing, then a live index update.

The request body is counted while it is read (with or without a Content-Length), so an
oversized upload is refused with 413 before it fills memory or disk.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qa_service.api.schemas import SkippedFile, UpdateResponse
from qa_service.config import Settings
from qa_service.ingest.update import UpdateReport
from qa_service.ingest.uploads import UploadError, discard_unindexed, safe_name, save_upload
from qa_service.service import QAService

log = logging.getLogger(__name__)
MB = 1024 * 1024


class _TooLarge(Exception):
    pass


def _limited(receive: Callable[[], Awaitable[Any]], limit: int) -> Callable[[], Awaitable[Any]]:
    seen = 0

    async def receive_limited() -> Any:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge
        return message

    return receive_limited


def update_response(report: UpdateReport, names: dict[str, str] | None = None) -> UpdateResponse:
    """The API view of an update; ``names`` maps stored paths back to the client's names."""
    names = names or {}
    return UpdateResponse(
        added=report.added,
        replaced=report.replaced,
        unchanged=report.unchanged,
        removed=report.removed,
        skipped=[SkippedFile(file=names.get(f, Path(f).name), reason=r) for f, r in report.skipped],
        documents=report.documents,
        passages=report.passages,
    )


def upload_body_limit(settings: Settings) -> int:
    """The largest upload request body: every file at its limit, plus multipart framing."""
    return int(settings.max_upload_mb * MB) * settings.max_upload_files + MB


async def receive_uploads(request: Request, service: QAService) -> UpdateResponse:
    settings = service.settings
    per_file = int(settings.max_upload_mb * MB)
    limit = upload_body_limit(settings)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise HTTPException(status_code=413, detail=_too_large(settings.max_upload_mb))
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise HTTPException(
            status_code=415, detail="send the files as multipart/form-data, field 'files'"
        )
    limited = Request(request.scope, _limited(request.receive, limit))
    try:
        async with limited.form(
            max_files=settings.max_upload_files, max_fields=10, max_part_size=64 * 1024
        ) as form:
            uploads = [f for key in ("files", "file") for f in form.getlist(key)]
            if not uploads:
                raise HTTPException(status_code=422, detail="no files: send them in field 'files'")
            if any(not isinstance(f, UploadFile) for f in uploads):
                raise HTTPException(status_code=422, detail="field 'files' must hold files")
            upload_dir = settings.upload_dir
            saved, names = await run_in_threadpool(_save_all, uploads, upload_dir, per_file)
    except _TooLarge:
        raise HTTPException(status_code=413, detail=_too_large(settings.max_upload_mb)) from None
    except UploadError as exc:
        raise HTTPException(status_code=exc.status, detail=str(exc)) from None

    report = await run_in_threadpool(_ingest, service, saved)
    response = update_response(report, names)
    if not (report.added or report.replaced or report.unchanged):
        reasons = "; ".join(f"{s.file}: {s.reason}" for s in response.skipped) or "no text"
        raise HTTPException(status_code=422, detail=f"nothing could be indexed ({reasons})")
    return response


def _too_large(max_mb: float) -> str:
    return f"upload too large: at most {max_mb:g} MB a file (QA_MAX_UPLOAD_MB)"


def _save_all(
    uploads: list[Any], upload_dir: Path, per_file: int
) -> tuple[list[Path], dict[str, str]]:
    names = [safe_name(f.filename) for f in uploads]  # refuse bad names before writing anything
    if len(set(names)) != len(names):
        raise UploadError("two uploaded files have the same name")
    saved: list[Path] = []
    try:
        for upload, name in zip(uploads, names, strict=True):
            upload.file.seek(0)
            saved.append(save_upload(upload_dir, name, upload.file, per_file))
    except BaseException:
        for path in saved:
            path.unlink(missing_ok=True)
        raise
    return saved, {str(p): str(u.filename) for p, u in zip(saved, uploads, strict=True)}


def _ingest(service: QAService, saved: list[Path]) -> UpdateReport:
    try:
        report = service.add_documents(saved)
    except BaseException:
        discard_unindexed(saved, set(service.index.store.sources().values()))
        raise
    discard_unindexed(saved, set(service.index.store.sources().values()))
    log.info(
        "upload: added %s, replaced %s, unchanged %s, skipped %d",
        report.added,
        report.replaced,
        report.unchanged,
        len(report.skipped),
    )
    return report
