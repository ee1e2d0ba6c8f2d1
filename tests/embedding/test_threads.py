"""Encoding from several threads at once (bulk workers, concurrent HTTP requests).

A fast tokenizer keeps its padding settings as state that each call sets and then uses, so
two threads tokenizing at once could get each other's padding (a ragged batch that fails, seen
in CI once in a few thousand calls). The embedder serialises tokenization behind one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import pytest

from qa_service.embedding import Embedder

SHORT = "Navo"
LONG = "Wat heeft de minister toegezegd voor de wederopbouw van Afghanistan in 2010? " * 4


@pytest.mark.parametrize(
    "call",
    [
        lambda e: e.encode_queries([SHORT, LONG]),
        lambda e: e.encode_passages([SHORT, LONG]),
        lambda e: e.count_tokens(LONG),
    ],
    ids=["queries", "passages", "count_tokens"],
)
def test_tokenizing_waits_for_the_tokenizer_lock(
    embedder: Embedder, call: Callable[[Embedder], object]
) -> None:
    done = threading.Event()

    def run() -> None:
        call(embedder)
        done.set()

    embedder.warm_up()
    with embedder._tokenizer_lock:  # another thread is tokenizing
        worker = threading.Thread(target=run)
        worker.start()
        assert not done.wait(0.5), "tokenized while another thread held the tokenizer"
    assert done.wait(60)
    worker.join()


def test_concurrent_encoding_gives_the_vectors_of_each_text_alone(embedder: Embedder) -> None:
    texts = [SHORT, LONG, "Motie over Moldavië", LONG + " en meer", "kort", SHORT + " ?"]
    alone = {t: embedder.encode_queries([t])[0] for t in texts}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for n in range(15):
                batch = [texts[(k + n + i) % len(texts)] for i in range(1 + n % 3)]
                got = embedder.encode_queries(batch)
                assert all(np.array_equal(v, alone[t]) for t, v in zip(batch, got, strict=True))
                embedder.count_tokens(batch[0])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
