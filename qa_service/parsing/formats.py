"""File formats: recognise a file by its content (and name), and read it within limits.

Hostile or broken input must not take the service down: files over a size limit are refused
before they are read, gzip is decompressed in bounded steps (a zip bomb stops at the limit), and
JSONL lines are read with a maximum length.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qa_service.parsing.errors import ParseError

MB = 1024 * 1024

#: Name endings that directories are expanded to (lower case).
SUPPORTED_SUFFIXES = (".txt", ".pdf", ".xml", ".html", ".htm", ".jsonl", ".jsonl.gz")
#: Files that describe other files, read by the parsers that need them, never indexed on their
#: own: KOOP ``metadata.xml`` (beside an XML publication) and the motion registry.
SIDECAR_NAMES = frozenset({"metadata.xml", "moties.jsonl"})
SIDECAR_SUFFIXES = (".metadata.xml", "_metadata.xml", "-metadata.xml")

FORMATS = ("text", "pdf", "xml", "html", "jsonl")


@dataclass(frozen=True)
class Limits:
    """Size limits for one file (picklable: parse workers get a copy)."""

    max_file_bytes: int = 100 * MB
    max_uncompressed_bytes: int = 1024 * MB  # total, for a .gz
    max_record_bytes: int = 16 * MB  # one JSONL line

    @classmethod
    def from_mb(cls, file_mb: float, uncompressed_mb: float) -> Limits:
        return cls(int(file_mb * MB), int(uncompressed_mb * MB))


def has_supported_suffix(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(SUPPORTED_SUFFIXES)


def is_sidecar(name: str) -> bool:
    lower = name.lower()
    return lower in SIDECAR_NAMES or lower.endswith(SIDECAR_SUFFIXES)


def detect_format(name: str, head: bytes) -> str:
    """The format of a file from its first bytes and, where content is ambiguous, its name.

    Content wins over the name: a PDF saved as ``.txt`` is read as a PDF. A name that promises
    a binary format the content does not have (``.pdf`` without ``%PDF``, ``.gz`` without the
    gzip signature) is an error rather than a guess.
    """
    lower = name.lower()
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head[:2] == b"\x1f\x8b":
        if lower.endswith((".jsonl.gz", ".json.gz", ".ndjson.gz")):
            return "jsonl"  # gzip is accepted for JSONL collections only
        raise ParseError("gzip-compressed file; only .jsonl.gz collections are supported")
    if lower.endswith(".pdf"):
        raise ParseError("named .pdf but not a PDF (no %PDF- header)")
    if lower.endswith(".gz"):
        raise ParseError("named .gz but not gzip-compressed")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] == b"<":
        sample = text[:4096].lower()
        if b"<html" in sample or b"<!doctype html" in sample or lower.endswith((".html", ".htm")):
            return "html"
        return "xml"
    if text[:1] == b"{" and (lower.endswith((".jsonl", ".ndjson", ".json")) or b"\n{" in text):
        return "jsonl"
    return "text"


def read_head(path: Path, size: int = 8192) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def check_size(path: Path, limits: Limits) -> int:
    """The file's size; :class:`ParseError` when it is over the limit."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ParseError(
            f"file is {size / MB:.1f} MB, over the limit of {limits.max_file_bytes / MB:.0f} MB "
            f"(QA_MAX_FILE_MB)"
        )
    return size


def read_limited(path: Path, limits: Limits) -> bytes:
    """The whole file, refused when it is over the size limit."""
    check_size(path, limits)
    with open(path, "rb") as handle:
        data = handle.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:  # grew since stat
        raise ParseError(f"file is over the limit of {limits.max_file_bytes / MB:.0f} MB")
    return data


def iter_lines(path: Path, limits: Limits) -> Iterator[bytes | None]:
    """Lines of a (possibly gzip-compressed) file; ``None`` for a line over
    ``max_record_bytes`` (skipped without being held in memory).

    Decompression is bounded: past ``max_uncompressed_bytes`` in total the file is refused
    with :class:`ParseError` (a zip bomb never fills memory or disk).
    """
    check_size(path, limits)
    with open(path, "rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    total = 0
    try:
        handle = gzip.open(path, "rb") if compressed else open(path, "rb")  # noqa: SIM115
        with handle:
            too_long = False
            while True:
                line = handle.readline(limits.max_record_bytes + 1)
                if not line:
                    if too_long:
                        yield None
                    return
                total += len(line)
                if total > limits.max_uncompressed_bytes:
                    raise ParseError(
                        f"more than {limits.max_uncompressed_bytes / MB:.0f} MB after "
                        "decompression (QA_MAX_UNCOMPRESSED_MB); refusing to read further"
                    )
                if too_long or len(line) > limits.max_record_bytes:
                    too_long = not line.endswith(b"\n")  # the rest of the line follows
                    if not too_long:
                        yield None
                    continue
                yield line
    except (OSError, EOFError, zlib.error) as exc:  # unreadable, corrupt or truncated gzip
        raise ParseError(f"cannot read{' compressed' if compressed else ''} data: {exc}") from None
