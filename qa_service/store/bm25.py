"""The BM25 keyword index of a build (bm25s over the analysed passage text).

bm25s numbers its documents 0..n-1; ``bm25_rows.npy`` maps them to passage rows, which stay
stable across live updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.store.layout import BM25_DIR, BM25_ROWS, IndexCorruptError


def write_bm25(build: Path, rows: np.ndarray, terms: Sequence[Sequence[str]]) -> None:
    """The BM25 index over ``terms`` (one list per passage, in ``rows`` order)."""
    import bm25s

    bm25 = bm25s.BM25()
    bm25.index([list(t) for t in terms], show_progress=False)
    bm25.save(str(build / BM25_DIR))
    np.save(build / BM25_ROWS, np.asarray(rows, dtype=np.int64), allow_pickle=False)


def load_bm25(build: Path) -> tuple[Any, np.ndarray]:
    """The BM25 index of ``build`` and the passage row of each of its documents."""
    import bm25s

    try:
        bm25 = bm25s.BM25.load(str(build / BM25_DIR), mmap=False, show_progress=False)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {build / BM25_DIR}: {exc}") from exc
    n_bm25 = int(bm25.scores["num_docs"])
    if (build / BM25_ROWS).is_file():
        try:
            bm25_rows = np.load(build / BM25_ROWS, allow_pickle=False).astype(np.int64)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"cannot read {build / BM25_ROWS}: {exc}") from exc
    else:  # format 1, built before live updates: BM25 document i is passage row i
        bm25_rows = np.arange(n_bm25, dtype=np.int64)
    if bm25_rows.shape != (n_bm25,):
        raise IndexCorruptError(f"{build / BM25_ROWS} does not match the BM25 index")
    return bm25, bm25_rows
