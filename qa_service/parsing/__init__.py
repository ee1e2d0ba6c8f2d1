"""Turn corpus files into :class:`~qa_service.documents.ParsedDocument` objects.

Public API:

* :func:`parse_file` parses one file (for now the ``.txt`` text extracted from Kamerstuk PDFs:
  Kamerbrieven and motions, see :mod:`qa_service.parsing.text`);
* :func:`load_motion_subjects` reads ``moties.jsonl`` (official subject and dossier title per
  motion file), to pass to :func:`parse_file`;
* :func:`iter_corpus_files` expands files and directories to the files that can be parsed.

Anything that cannot be parsed raises :class:`ParseError` (a ``ValueError``) with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from qa_service.documents import ParsedDocument
from qa_service.parsing.text import MotionInfo, ParseError, decode_bytes, parse_text

__all__ = [
    "SUPPORTED_SUFFIXES",
    "MotionInfo",
    "ParseError",
    "iter_corpus_files",
    "load_motion_subjects",
    "parse_file",
]

#: File name suffixes (lower case) that :func:`parse_file` can read.
SUPPORTED_SUFFIXES = frozenset({".txt"})


def parse_file(path: Path, subjects: dict[str, MotionInfo] | None = None) -> ParsedDocument:
    """Parse one corpus file.

    ``subjects`` (from :func:`load_motion_subjects`, keyed by file name) supplies the official
    subject and dossier title of motions. Raises :class:`ParseError` when the file is not a
    supported format or holds no usable text (empty, binary, undecodable), and ``OSError`` when
    it cannot be read.
    """
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise ParseError(f"{path}: unsupported file type {path.suffix or '(none)'!r}")
    try:
        doc = parse_text(
            decode_bytes(path.read_bytes()), path.name, (subjects or {}).get(path.name)
        )
    except ParseError as exc:
        raise ParseError(f"{path}: {exc}") from None
    doc.meta.source = _display_path(path)
    return doc


def load_motion_subjects(path: Path) -> dict[str, MotionInfo]:
    """Read ``moties.jsonl``: one JSON object a line with ``file``, ``dossier_title``,
    ``subject`` and ``tk_document_url``; keyed by the file's name."""
    subjects: dict[str, MotionInfo] = {}
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                name = Path(str(row["file"])).name
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ParseError(f"{path}:{number}: not a motion record ({exc})") from None
            subjects[name] = MotionInfo(
                file=name,
                dossier_title=str(row.get("dossier_title") or ""),
                subject=str(row.get("subject") or ""),
                tk_document_url=str(row.get("tk_document_url") or ""),
            )
    return subjects


def iter_corpus_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files to parse: files as given, directories expanded recursively to supported files
    (hidden ones skipped). Sorted, without duplicates; a missing path raises FileNotFoundError."""
    found: set[Path] = set()
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.update(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            found.add(path)
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
    return sorted(found)


def _display_path(path: Path) -> str:
    """The path relative to the working directory where possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
