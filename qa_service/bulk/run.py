"""Bulk questions: a file of questions in, a file of cited answers out; fast and resumable.

Input (by extension): ``.txt`` one question a line (blank lines skipped), ``.csv`` with a
``question`` column and optionally an ``id`` column, ``.jsonl`` with ``{"id", "question"}``
per line (``id`` optional). Without an id a question gets the number of the line it starts
on, so ids stay the same from run to run and an interrupted run can resume
(:mod:`.inputs`).

Output (by extension): ``.jsonl``, one ``/api/ask`` answer object plus ``id`` per line, or a
failed row ``{"id", "question", "error"}``; or ``.csv`` (:mod:`.outputs`). Rows are appended
and flushed one by one, so an interrupted run (Ctrl-C, kill -9) leaves a valid file: at most a
truncated last line, which the next run drops. Running again with the same output skips the
ids already answered and retries the failed ones.

Questions are answered in batches (:mod:`.answerers`: :meth:`QAService.ask_batch` locally, or
``POST /api/ask/batch`` on a running service), each batch in a worker of a small pool.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from qa_service.bulk.answerers import AnswerBatch, failed_row
from qa_service.bulk.items import Item, Row
from qa_service.bulk.outputs import Done, OutputWriter, pending_items, prepare_output


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


def _chunks(items: list[Item], size: int) -> Iterator[list[Item]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


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
