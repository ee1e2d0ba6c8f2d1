"""Answering a batch of items: in this process, or through a running service's
``POST /api/ask/batch`` with retries.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qa_service.bulk.items import Item, Row, ServiceError

if TYPE_CHECKING:
    import httpx

    from qa_service.service import QAService

log = logging.getLogger(__name__)

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


def default_workers(torch_threads: int = 0) -> int:
    """Batches answered at once: the embedding model already uses ``torch_threads`` cores
    (0 = all) for each batch, so one batch per such share of the machine."""
    cores = os.cpu_count() or 1
    return max(1, cores // (torch_threads or cores))
