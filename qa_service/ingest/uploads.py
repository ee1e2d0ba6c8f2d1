"""Uploaded files: safe names, bounded writes into the upload directory, and clean-up.

Uploads are kept in ``settings.upload_dir`` (outside the index, so a rebuild can index them
again). A client's file name never reaches the filesystem as given: a name with a path
(``../x.pdf``, ``/etc/x.pdf``, ``C:\\x.pdf``) is refused, the rest is reduced to letters,
digits, ``.``, ``-`` and ``_``, and the resolved target must lie directly in the upload
directory.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from qa_service.files import atomic_file
from qa_service.parsing.formats import SUPPORTED_SUFFIXES, has_supported_suffix

MAX_NAME = 150
_UNSAFE = re.compile(r"[^\w.\-]+")


class UploadError(ValueError):
    """An upload that is refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def safe_name(raw: str | None) -> str:
    """The name an upload is stored under, or :class:`UploadError` saying why not."""
    if not raw or not raw.strip():
        raise UploadError("an uploaded file has no name")
    if "/" in raw or "\\" in raw or raw.strip() in (".", "..") or "\x00" in raw:
        raise UploadError(f"file name {raw!r} must be a plain name, without a path")
    name = unicodedata.normalize("NFC", raw.strip())
    name = _UNSAFE.sub("_", name).strip("._ ")
    if not name:
        raise UploadError(f"file name {raw!r} has no usable characters")
    if not has_supported_suffix(name):
        raise UploadError(
            f"{name}: unsupported file type; supported: {', '.join(SUPPORTED_SUFFIXES)}",
            status=415,
        )
    if len(name) > MAX_NAME:
        suffix = ".jsonl.gz" if name.lower().endswith(".jsonl.gz") else Path(name).suffix
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name


def target_path(upload_dir: Path, name: str) -> Path:
    """``upload_dir / name``, checked to lie directly inside ``upload_dir``."""
    root = Path(upload_dir).resolve()
    target = (root / name).resolve()
    if target.parent != root:
        raise UploadError(f"file name {name!r} leads outside the upload directory")
    return target


def save_upload(upload_dir: Path, name: str, source: BinaryIO, max_bytes: int) -> Path:
    """Copy ``source`` to ``upload_dir/name`` (atomically; refused over ``max_bytes``)."""
    target = target_path(upload_dir, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    # on disk (file and directory entry) before the upload is acknowledged
    with atomic_file(target, "wb") as out:
        while block := source.read(1 << 20):
            written += len(block)
            if written > max_bytes:
                raise UploadError(
                    f"{name}: larger than the limit of {max_bytes // (1024 * 1024)} MB "
                    "(QA_MAX_UPLOAD_MB)",
                    status=413,
                )
            out.write(block)
        if written == 0:
            raise UploadError(f"{name}: empty file", status=422)
    return target


def discard_unindexed(paths: Iterable[Path], indexed_sources: set[str]) -> None:
    """Delete uploaded files from which no document in the index comes (they failed to parse
    or held nothing new), so a rebuild does not trip over them again."""
    resolved = {Path(s).resolve() for s in indexed_sources if s}
    for path in paths:
        if path.resolve() not in resolved:
            path.unlink(missing_ok=True)
