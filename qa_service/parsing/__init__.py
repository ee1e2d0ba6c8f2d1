"""Turn corpus files into :class:`~qa_service.documents.ParsedDocument` objects.

Formats (one module each), recognised by content as well as by name
(:func:`~qa_service.parsing.formats.detect_format`):

* ``.txt``: text extracted from Kamerstuk PDFs, Kamerbrieven and motions
  (:mod:`~qa_service.parsing.text`);
* ``.pdf``: PDFs with a text layer, with real page numbers (:mod:`~qa_service.parsing.pdf`);
* ``.xml``: official publication XML (KOOP) with its ``metadata.xml``
  (:mod:`~qa_service.parsing.koop_xml`);
* ``.html``: the publications' web pages, body in ``div#broodtekst``
  (:mod:`~qa_service.parsing.html`);
* ``.jsonl`` / ``.jsonl.gz``: collections, one document a line (:mod:`~qa_service.parsing.jsonl`).

Public API:

* :func:`parse_documents` parses one file into its documents (a JSONL file holds many);
* :func:`parse_files` parses many files, in parallel processes where that pays;
* :func:`parse_file` parses a file that holds one document;
* :func:`load_motion_subjects` reads ``moties.jsonl`` (official subject and dossier title per
  motion file), to pass to the parsers;
* :func:`iter_corpus_files` expands files and directories to the files that can be parsed.

Anything that cannot be parsed raises :class:`ParseError` (a ``ValueError``) with the reason.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from qa_service.documents import ParsedDocument
from qa_service.parsing.cleaning import decode_bytes
from qa_service.parsing.errors import ParseError
from qa_service.parsing.formats import (
    SUPPORTED_SUFFIXES,
    Limits,
    check_size,
    detect_format,
    has_supported_suffix,
    is_sidecar,
    read_head,
    read_limited,
)
from qa_service.parsing.metadata import safe_doc_id
from qa_service.parsing.motions import MotionInfo
from qa_service.parsing.text import parse_text

__all__ = [
    "SUPPORTED_SUFFIXES",
    "FileResult",
    "Limits",
    "MotionInfo",
    "ParseError",
    "iter_corpus_files",
    "load_motion_subjects",
    "parse_documents",
    "parse_file",
    "parse_files",
]

log = logging.getLogger(__name__)

#: Below this many bytes of PDF, XML and HTML, parsing stays in this process: starting worker
#: processes (about a second) costs more than it saves. Text files never pay (about 1 ms
#: each); a JSONL collection is one file. Measurements in docs/ingestion.md.
PARALLEL_MIN_HEAVY_BYTES = 20 * 1024 * 1024


@dataclass
class FileResult:
    """The documents of one file, and the reasons for records skipped inside it."""

    path: Path
    documents: list[ParsedDocument]
    skipped: list[str] = field(default_factory=list)


def parse_documents(
    path: Path,
    subjects: dict[str, MotionInfo] | None = None,
    limits: Limits | None = None,
) -> FileResult:
    """Parse one file into its documents.

    ``subjects`` (from :func:`load_motion_subjects`, keyed by file name) supplies the official
    subject and dossier title of motions. Raises :class:`ParseError` (with the path) when the
    file is unsupported, too large, malformed or holds no usable text, and ``OSError`` when it
    cannot be read.
    """
    path = Path(path)
    limits = limits or Limits()
    try:
        result = _parse(path, subjects or {}, limits)
    except ParseError as exc:
        raise ParseError(f"{path}: {exc}") from None
    except (RecursionError, MemoryError) as exc:
        raise ParseError(f"{path}: too deeply nested or too large ({type(exc).__name__})") from None
    except OSError:
        raise
    except Exception as exc:  # a parser bug on odd input must not stop a whole run
        log.debug("parser failed on %s", path, exc_info=True)
        raise ParseError(f"{path}: cannot parse ({type(exc).__name__}: {exc})") from None
    source = _display_path(path)
    for doc in result.documents:
        doc.meta.source = source
        doc.meta.doc_id = safe_doc_id(doc.meta.doc_id) or safe_doc_id(path.stem) or "document"
    return result


def _parse(path: Path, subjects: dict[str, MotionInfo], limits: Limits) -> FileResult:
    check_size(path, limits)
    fmt = detect_format(path.name, read_head(path))
    info = subjects.get(path.name) or subjects.get(f"{path.stem}.txt")
    if fmt == "jsonl":
        from qa_service.parsing.jsonl import iter_jsonl

        docs: list[ParsedDocument] = []
        skipped: list[str] = []
        for item in iter_jsonl(path, limits):
            if isinstance(item, ParseError):
                skipped.append(str(item))
            else:
                docs.append(item)
        if not docs:
            reasons = "; ".join(skipped[:3]) or "empty file"
            raise ParseError(f"no documents in the collection ({reasons})")
        return FileResult(path, docs, skipped)
    data = read_limited(path, limits)
    if fmt == "pdf":
        from qa_service.parsing.pdf import parse_pdf

        doc = parse_pdf(data, path.name, info)
    elif fmt == "xml":
        from qa_service.parsing.koop_xml import parse_koop_xml

        doc = parse_koop_xml(data, path.name, find_koop_metadata(path, limits))
    elif fmt == "html":
        from qa_service.parsing.html import parse_html

        doc = parse_html(data, path.name)
    else:
        doc = parse_text(decode_bytes(data), path.name, info)
    return FileResult(path, [doc])


def find_koop_metadata(path: Path, limits: Limits) -> dict[str, list[str]] | None:
    """The ``metadata.xml`` of a KOOP publication ``path`` (``kst-1-2.xml``), if present:
    ``kst-1-2.metadata.xml``, ``kst-1-2_metadata.xml``, ``kst-1-2/metadata.xml``, or a
    ``metadata.xml`` beside it that names it (``DC.identifier``) or is beside no other XML."""
    from qa_service.parsing.koop_xml import read_metadata

    stem = path.name[: -len(".xml")] if path.name.lower().endswith(".xml") else path.stem
    candidates = [
        path.with_name(f"{stem}.metadata.xml"),
        path.with_name(f"{stem}_metadata.xml"),
        path.with_name(f"{stem}-metadata.xml"),
        path.parent / stem / "metadata.xml",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return read_metadata(read_limited(candidate, limits))
    shared = path.parent / "metadata.xml"
    if not shared.is_file():
        return None
    values = read_metadata(read_limited(shared, limits))
    identifiers = values.get("DC.identifier", [])
    if stem in identifiers:
        return values
    others = [
        p for p in path.parent.glob("*.xml") if p.is_file() and p != path and not is_sidecar(p.name)
    ]
    return values if not identifiers and not others else None


def parse_file(
    path: Path, subjects: dict[str, MotionInfo] | None = None, limits: Limits | None = None
) -> ParsedDocument:
    """Parse a file that holds one document (anything but a JSONL collection)."""
    result = parse_documents(path, subjects, limits)
    if len(result.documents) != 1:
        raise ParseError(f"{path}: holds {len(result.documents)} documents; use parse_documents")
    return result.documents[0]


def _parse_job(job: tuple[Path, dict[str, MotionInfo], Limits]) -> FileResult | ParseError:
    path, subjects, limits = job
    try:
        return parse_documents(path, subjects, limits)
    except ParseError as exc:
        return exc
    except OSError as exc:
        return ParseError(f"{path}: cannot read ({exc.strerror or exc})")


def _worth_parallel(files: Sequence[Path]) -> bool:
    if len(files) < 2:
        return False
    heavy = 0
    for path in files:
        if path.name.lower().endswith((".pdf", ".xml", ".html", ".htm")):
            try:
                heavy += path.stat().st_size
            except OSError:
                continue
    return heavy >= PARALLEL_MIN_HEAVY_BYTES


def parse_files(
    files: Sequence[Path],
    subjects: dict[str, MotionInfo] | None = None,
    limits: Limits | None = None,
    workers: int = 0,
) -> Iterator[FileResult | ParseError]:
    """Parse ``files`` in order, yielding each file's result or the error that skipped it.

    With ``workers`` other than 1 (0 = one per CPU core) and enough work to pay for it, the
    files are parsed in worker processes (PDF text extraction is CPU-bound pure Python).
    """
    subjects = subjects or {}
    limits = limits or Limits()
    jobs = [(Path(f), subjects, limits) for f in files]
    workers = workers or os.cpu_count() or 1
    workers = min(workers, len(jobs))
    if workers <= 1 or not _worth_parallel([j[0] for j in jobs]):
        for job in jobs:
            yield _parse_job(job)
        return
    # spawn, not fork: the parent may hold threads (torch, tokenizers) that fork would copy.
    # (Spawned workers import the main module: scripts need an `if __name__ == "__main__":`.)
    context = multiprocessing.get_context("spawn")
    chunk = max(1, len(jobs) // (workers * 8))
    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for result in pool.map(_parse_job, jobs, chunksize=chunk):
                done += 1
                yield result
    except BrokenProcessPool as exc:
        log.warning("parse workers failed (%s); parsing the remaining files here", exc)
        for job in jobs[done:]:
            yield _parse_job(job)


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
    (hidden ones and sidecar metadata files skipped). Sorted, without duplicates; a missing
    path raises FileNotFoundError."""
    found: set[Path] = set()
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.update(
                p
                for p in path.rglob("*")
                if p.is_file()
                and has_supported_suffix(p.name)
                and not is_sidecar(p.name)
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
