"""Reading question files (``.txt``, ``.csv``, ``.jsonl``) into items with stable ids."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from qa_service.answer.questions import clean_question
from qa_service.bulk.items import BulkError, Item

INPUT_FORMATS = (".txt", ".csv", ".jsonl")


def _readable(text: str) -> str:
    """Text with undecodable bytes (kept as lone surrogates) shown as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def make_item(id_: str, raw: object) -> Item:
    """Check one question the way ``/api/ask`` does; a bad one becomes a failed item."""
    if not isinstance(raw, str):
        return Item(id_, "" if raw is None else str(raw), "question must be a string")
    readable = _readable(raw)
    if readable != raw:
        return Item(id_, readable, "question is not valid UTF-8 text")
    try:
        return Item(id_, clean_question(raw))
    except ValueError as exc:
        return Item(id_, raw[:200], f"question {exc}")


def _lines(path: Path) -> list[str]:
    """The file's lines; undecodable bytes survive as lone surrogates (see ``_readable``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BulkError(f"cannot read {path}: {exc.strerror or exc}") from exc
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def read_questions(path: Path) -> list[Item]:
    """The questions of ``path`` (``.txt``, ``.csv`` or ``.jsonl``).

    Raises :class:`BulkError` naming the line for a malformed file; a bad question (empty,
    too long, not UTF-8) becomes an :class:`Item` with an ``error`` instead.
    """
    suffix = path.suffix.lower()
    if suffix not in INPUT_FORMATS:
        raise BulkError(f"{path}: input must be one of {', '.join(INPUT_FORMATS)}")
    if suffix == ".txt":
        items = [make_item(str(n), line) for n, line in enumerate(_lines(path), 1) if line.strip()]
    elif suffix == ".jsonl":
        items = _read_jsonl(path)
    else:
        items = _read_csv(path)
    seen: dict[str, int] = {}
    for n, item in enumerate(items):
        if item.id in seen:
            raise BulkError(
                f"{path}: id {item.id!r} occurs twice (questions {seen[item.id] + 1} "
                f"and {n + 1}); ids must be unique"
            )
        seen[item.id] = n
    if not items:
        raise BulkError(f"{path}: no questions")
    return items


def _id(value: object, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BulkError(f"{where}: id must be a string or an integer")
    text = _readable(str(value)).strip()
    if not text:
        raise BulkError(f"{where}: id is empty")
    return text


def _read_jsonl(path: Path) -> list[Item]:
    items = []
    for n, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        where = f"{path}, line {n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BulkError(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})") from exc
        if not isinstance(obj, dict) or "question" not in obj:
            raise BulkError(f'{where}: expected a JSON object with a "question" field')
        id_ = _id(obj["id"], where) if obj.get("id") is not None else str(n)
        items.append(make_item(id_, obj["question"]))
    return items


def _read_csv(path: Path) -> list[Item]:
    lines = _lines(path)
    if not lines:
        raise BulkError(f"{path}: no questions")
    header = lines[0]
    # Comma, or the semicolon (or tab) of a spreadsheet's Dutch-locale export.
    delimiter = next(
        (d for d in ",;\t" if "question" in [h.strip().lower() for h in header.split(d)]), ","
    )
    reader = csv.reader(io.StringIO("\n".join(lines) + "\n"), delimiter=delimiter, strict=True)
    try:
        columns = [c.strip().lower() for c in next(reader)]
        if "question" not in columns:
            raise BulkError(f"{path}, line 1: no 'question' column (columns: {', '.join(columns)})")
        q_col = columns.index("question")
        id_col = columns.index("id") if "id" in columns else None
        items = []
        start = reader.line_num + 1
        for record in reader:
            if any(field.strip() for field in record):
                where = f"{path}, line {start}"
                raw_id = record[id_col] if id_col is not None and id_col < len(record) else ""
                id_ = _id(raw_id, where) if raw_id.strip() else str(start)
                items.append(make_item(id_, record[q_col] if q_col < len(record) else ""))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BulkError(f"{path}, line {reader.line_num}: malformed CSV ({exc})") from exc
    return items
