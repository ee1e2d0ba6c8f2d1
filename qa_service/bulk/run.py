"""Bulk questions: a file of questions in, a file of cited answers out; fast and resumable.

Input (by extension): ``.txt`` one question a line (blank lines skipped), ``.csv`` with a
``question`` column and optionally an ``id`` column, ``.jsonl`` with ``{"id", "question"}``
per line (``id`` optional). Without an id a question gets the number of the line it starts
on, so ids stay the same from run to run and an interrupted run can resume.

Output (by extension): ``.jsonl``, one ``/api/ask`` answer object plus ``id`` per line, or a
failed row ``{"id", "question", "error"}``; or ``.csv`` with the columns :data:`CSV_COLUMNS`.
Rows are appended and flushed one by one, so an interrupted run (Ctrl-C, kill -9) leaves a
valid file: at most a truncated last line, which the next run drops. Running again with the
same output skips the ids already answered and retries the failed ones.

Questions are answered in batches (:meth:`QAService.ask_batch` locally, or
``POST /api/ask/batch`` on a running service), each batch in a worker of a small pool.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from qa_service.answer.questions import clean_question
from qa_service.files import atomic_write_text

if TYPE_CHECKING:
    import httpx

    from qa_service.service import QAService

log = logging.getLogger(__name__)

INPUT_FORMATS = (".txt", ".csv", ".jsonl")
OUTPUT_FORMATS = (".jsonl", ".csv")
CSV_COLUMNS = ["id", "question", "answer", "answerable", "citations", "sources", "error"]

Row = dict[str, Any]  # an answer object with "id", or {"id", "question", "error"}


class BulkError(Exception):
    """A problem the user has to fix: a malformed input file, an output file that is not
    ours, an unreachable service. The message says what and where."""


class ServiceError(BulkError):
    """The service (``--url``) cannot be reached or refuses the questions."""


# --------------------------------------------------------------------------------------------
# reading questions
# --------------------------------------------------------------------------------------------
@dataclass
class Item:
    """One question of the input file."""

    id: str
    question: str  # cleaned when ``error`` is empty; as read (for the output) otherwise
    error: str = ""  # why the question cannot be asked


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


# --------------------------------------------------------------------------------------------
# output files
# --------------------------------------------------------------------------------------------
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


# --------------------------------------------------------------------------------------------
# answering a batch: locally or through a running service
# --------------------------------------------------------------------------------------------
AnswerBatch = Callable[[list[Item]], list[Row]]


def failed_row(item: Item, error: str) -> Row:
    return {"id": item.id, "question": item.question, "error": error}


def local_answerer(service: QAService, top_k: int) -> AnswerBatch:
    """Answer batches with :meth:`QAService.ask_batch` in this process."""

    def rows(items: list[Item]) -> list[Row]:
        return [
            {"id": item.id, **result.to_dict()}
            for item, result in zip(
                items, service.ask_batch([i.question for i in items], top_k), strict=True
            )
        ]

    def answer(items: list[Item]) -> list[Row]:
        try:
            return rows(items)
        except Exception:
            log.exception("a batch failed; answering its questions one by one")
        out = []
        for item in items:  # find the question that fails; the others are answered
            try:
                out.extend(rows([item]))
            except Exception as exc:
                out.append(failed_row(item, f"internal error: {type(exc).__name__}: {exc}"))
        return out

    return answer


class RemoteAnswerer:
    """Answer batches through ``POST {url}/api/ask/batch``.

    Connection errors and 502/503/504 answers are retried with exponential backoff (the
    service answers 503 while it loads); when the retries are spent, :class:`BulkError`.
    """

    RETRY_STATUS = (502, 503, 504)

    def __init__(
        self,
        url: str,
        top_k: int,
        retries: int = 5,
        backoff_s: float = 0.5,
        timeout_s: float = 300.0,
        client: httpx.Client | None = None,
    ) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.top_k = top_k
        self.retries = retries
        self.backoff_s = backoff_s
        self.client = client or httpx.Client(timeout=httpx.Timeout(timeout_s, connect=10.0))

    def __call__(self, items: list[Item]) -> list[Row]:
        body = {
            "questions": [{"id": i.id, "question": i.question} for i in items],
            "top_k": self.top_k,
        }
        results = self._post("/api/ask/batch", body).get("results")
        if not isinstance(results, list) or len(results) != len(items):
            raise ServiceError(f"{self.url} gave an unexpected answer to /api/ask/batch")
        if not all(isinstance(r, dict) and ("error" in r or "answer" in r) for r in results):
            raise ServiceError(f"{self.url} gave an unexpected answer to /api/ask/batch")
        return [
            failed_row(item, str(r["error"]))
            if "error" in r
            else {"id": item.id, **{k: v for k, v in r.items() if k != "id"}}
            for item, r in zip(items, results, strict=True)
        ]

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        import httpx

        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(self.backoff_s * 2 ** (attempt - 1), 30.0))
            try:
                response = self.client.post(self.url + path, json=body)
            except httpx.TransportError as exc:
                problem = f"cannot reach the service at {self.url} ({type(exc).__name__}: {exc})"
                continue
            if response.status_code in self.RETRY_STATUS:
                problem = (
                    f"the service at {self.url} is unavailable "
                    f"({response.status_code}: {_detail(response)})"
                )
                continue
            if response.status_code != 200:
                raise ServiceError(
                    f"the service at {self.url} refused the batch "
                    f"({response.status_code}: {_detail(response)})"
                )
            try:
                data = response.json()
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise ServiceError(f"{self.url} gave an unexpected answer to {path}")
            return data
        raise ServiceError(f"{problem}; gave up after {self.retries + 1} tries")

    def close(self) -> None:
        self.client.close()


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text[:200]))
    except ValueError:
        return response.text[:200]


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------
@dataclass
class Summary:
    total: int = 0  # questions in the input
    skipped: int = 0  # answered by an earlier run
    answered: int = 0
    declined: int = 0  # the documents do not answer it
    failed: int = 0
    seconds: float = 0.0

    @property
    def done(self) -> int:
        return self.answered + self.declined + self.failed

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def count(self, row: Row) -> None:
        if "error" in row:
            self.failed += 1
        elif row["answerable"]:
            self.answered += 1
        else:
            self.declined += 1

    def __str__(self) -> str:
        text = (
            f"{self.answered} answered, {self.declined} declined, {self.failed} failed "
            f"in {self.seconds:.1f} s ({self.rate:.2f} questions/s)"
        )
        if self.skipped:
            text += f"; {self.skipped} answered by an earlier run"
        return text


def default_workers(torch_threads: int = 0) -> int:
    """Batches answered at once: the embedding model already uses ``torch_threads`` cores
    (0 = all) for each batch, so one batch per such share of the machine."""
    cores = os.cpu_count() or 1
    return max(1, cores // (torch_threads or cores))


def _chunks(items: list[Item], size: int) -> Iterator[list[Item]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


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


def run_bulk(
    items: list[Item],
    output: Path,
    answer: AnswerBatch,
    batch_size: int = 64,
    workers: int = 1,
    progress: bool = True,
    done: dict[str, Done] | None = None,
) -> Summary:
    """Answer ``items`` into ``output``, skipping the ids an earlier run answered.

    ``done`` is what :func:`prepare_output` returned for ``output`` (read here if None).
    Rows are written in input order as batches finish. Raises :class:`BulkError` for an
    output file that is not ours or a question whose id changed since the earlier run, and
    :class:`ServiceError` when the service cannot be reached; what was written stays valid.
    """
    from tqdm import tqdm

    if done is None:
        done = prepare_output(output)
    pending = pending_items(items, done, output)
    summary = Summary(total=len(items), skipped=len(items) - len(pending))
    started = time.perf_counter()
    writer = OutputWriter(output)
    bar = tqdm(total=len(pending), unit="q", disable=not progress, dynamic_ncols=True)
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="bulk")
    futures: list[Future[list[Row]]] = []  # batches submitted and not yet written, in order
    try:
        for item in pending:
            if item.error:
                row = failed_row(item, item.error)
                writer.write(row)
                summary.count(row)
                bar.update(1)
        for chunk in _chunks([item for item in pending if not item.error], max(1, batch_size)):
            futures.append(pool.submit(answer, chunk))
        while futures:
            rows = futures[0].result()
            for row in rows:
                writer.write(row)
                summary.count(row)
            bar.update(len(rows))
            futures.pop(0)
    except KeyboardInterrupt:
        # Ctrl-C: drop the batches not started, let those in progress finish (a worker torn
        # down by interpreter shutdown fails noisily) and keep their answers, in order; rows
        # already written (a batch interrupted while it was being written) are not repeated.
        pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:
            if future.cancelled() or future.exception() is not None:
                break
            for row in future.result():
                if str(row["id"]) not in writer.ids:
                    writer.write(row)
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        bar.close()
        writer.close()
        summary.seconds = time.perf_counter() - started
    return summary
