"""Answer files: rows as JSONL or CSV lines, appended and flushed one by one; reading an
earlier run's file back to resume it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from qa_service.bulk.items import BulkError, Item, Row
from qa_service.files import atomic_write_text

OUTPUT_FORMATS = (".jsonl", ".csv")

CSV_COLUMNS = ["id", "question", "answer", "answerable", "citations", "sources", "error"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def csv_row(row: Row) -> list[str]:
    """One output row as CSV fields (each on one line, so that every record is one line)."""
    if "error" in row:
        return [row["id"], _one_line(row.get("question", "")), "", "", "", "", row["error"]]
    citations = "; ".join(
        f"[{c['n']}] {c['doc_id']}" + (f" p.{c['page']}" if c.get("page") is not None else "")
        for c in row["citations"]
    )
    sources = " | ".join(
        f"[{c['n']}] {c['citation']}" + (f" {c['url']}" if c.get("url") else "")
        for c in row["citations"]
    )
    fields = [row["question"], row["answer"], str(row["answerable"]).lower(), citations, sources]
    return [str(row["id"]), *(_one_line(f) for f in fields), ""]


def _csv_line(fields: Sequence[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue()


@dataclass
class Done:
    """An output row kept from an earlier run."""

    question: str
    answerable: bool


def _parse_jsonl_line(line: str) -> tuple[str, Done | None]:
    obj = json.loads(line)
    if not isinstance(obj, dict) or "id" not in obj:
        raise ValueError("not an answer object with an id")
    if "error" in obj:
        return str(obj["id"]), None
    return str(obj["id"]), Done(obj["question"], bool(obj["answerable"]))


def _parse_csv_line(line: str) -> tuple[str, Done | None]:
    fields = next(csv.reader([line], strict=True))
    if len(fields) != len(CSV_COLUMNS):
        raise ValueError(f"{len(fields)} fields instead of {len(CSV_COLUMNS)}")
    row = dict(zip(CSV_COLUMNS, fields, strict=True))
    if row["error"]:
        return row["id"], None
    return row["id"], Done(row["question"], row["answerable"] == "true")


def prepare_output(path: Path) -> dict[str, Done]:
    """Read what an earlier run left in ``path`` and make it ready to append to.

    Returns the answered rows by id. A truncated last line (the run was killed while
    writing it) and failed rows (retried in this run) are dropped from the file.
    """
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise BulkError(f"{path}: output must be one of {', '.join(OUTPUT_FORMATS)}")
    if not path.parent.is_dir():
        raise BulkError(f"{path}: no such directory {path.parent}")
    if not path.exists() or path.stat().st_size == 0:
        return {}
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BulkError(f"cannot read {path} to resume: {exc}") from exc
    lines = text.split("\n")
    truncated = lines.pop() != ""  # the last line had no newline: the run was killed in it
    keep: list[str] = []
    done: dict[str, Done] = {}
    dropped = truncated
    if suffix == ".csv" and lines:
        if lines[0] != _csv_line(CSV_COLUMNS).rstrip("\n"):
            raise BulkError(
                f"{path} is not a `qa-service bulk` CSV output (other columns); "
                "choose another output file"
            )
        keep.append(lines.pop(0))
    parse = _parse_csv_line if suffix == ".csv" else _parse_jsonl_line
    offset = len(keep)
    for n, line in enumerate(lines, offset + 1):
        try:
            id_, row = parse(line)
        except (ValueError, KeyError, csv.Error) as exc:
            raise BulkError(
                f"{path}, line {n}: not a `qa-service bulk` output row ({exc}); "
                "choose another output file"
            ) from exc
        if row is None:
            dropped = True  # a failed row: asked again below
            continue
        done[id_] = row
        keep.append(line)
    if dropped:
        _rewrite(path, "".join(line + "\n" for line in keep))
    return done


def _rewrite(path: Path, text: str) -> None:
    """Replace ``path`` atomically: a kill during the rewrite leaves the old file."""
    atomic_write_text(path, text)


class OutputWriter:
    """Appends rows, one flushed line each."""

    def __init__(self, path: Path) -> None:
        self.csv = path.suffix.lower() == ".csv"
        self.ids: set[str] = set()  # the ids of the rows this writer wrote
        new = not path.exists() or path.stat().st_size == 0
        self._fh: TextIO = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115
        if self.csv and new:
            self._write(_csv_line(CSV_COLUMNS))

    def write(self, row: Row) -> None:
        # marked before it is written: an interruption in between loses the row (it is asked
        # again on resume) instead of writing it twice
        self.ids.add(str(row["id"]))
        if self.csv:
            self._write(_csv_line(csv_row(row)))
        else:
            self._write(json.dumps(row, ensure_ascii=False) + "\n")

    def _write(self, line: str) -> None:
        self._fh.write(line)
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def pending_items(items: list[Item], done: dict[str, Done], output: Path) -> list[Item]:
    """The items still to answer; refuses an id whose question changed since ``done``."""
    for item in items:
        earlier = done.get(item.id)
        if earlier is not None and _one_line(earlier.question) != _one_line(item.question):
            raise BulkError(
                f"{output} holds an answer for id {item.id!r} to another question "
                f"({earlier.question[:80]!r}); the input changed since that run: "
                "write to a new output file"
            )
    return [item for item in items if item.id not in done]
