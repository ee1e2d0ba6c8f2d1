"""The BM25 keyword index of a build (bm25s over the analysed passage text).

bm25s numbers its documents 0..n-1; ``bm25_rows.npy`` maps them to passage rows, which stay
stable across live updates.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.store.bm25_topk import DENSE_SHARE, PRUNE_FROM, bm25_top, term_bounds
from qa_service.store.layout import BM25_DIR, BM25_ROWS, IndexCorruptError
from qa_service.text.lexical import analyze_query


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
    term_bounds(bm25)  # now, not in the first query (0.07 s at 10^7 passages)
    return bm25, bm25_rows


def top_positive(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and values of the ``k`` highest positive ``scores``, best first (ties by
    position).

    Only the positive scores are ranked: a query's BM25 terms occur in a small part of a large
    index, and ``np.argpartition`` over an array of mostly equal zeros (bm25s's top-k) took
    45 ms at 300k passages where this takes 1 ms.
    """
    positions = np.flatnonzero(scores > 0)
    values = scores[positions]
    if len(positions) > k:  # the k-th best score, and every score tied with it
        keep = values >= np.partition(values, -k)[-k]
        positions, values = positions[keep], values[keep]
    order = np.lexsort((positions, -values))[:k]
    return positions[order], values[order]


def weight_mask(bm25_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A BM25 weight mask (1.0 at the positions of passage ``rows``, else 0.0)."""
    mask = np.zeros(len(bm25_rows), dtype=np.float32)
    positions = np.searchsorted(bm25_rows, rows)
    inside = positions < len(bm25_rows)
    positions, rows = positions[inside], rows[inside]
    mask[positions[bm25_rows[positions] == rows]] = 1.0
    return mask


def allowed_positions(
    bm25_rows: np.ndarray, positions: np.ndarray, allowed: np.ndarray
) -> np.ndarray:
    """Which BM25 document ``positions`` hold one of the ``allowed`` passage rows (sorted)."""
    if len(allowed) == 0:
        return np.zeros(len(positions), dtype=bool)
    rows = bm25_rows[positions]
    at = np.minimum(np.searchsorted(allowed, rows), len(allowed) - 1)
    return np.asarray(allowed[at] == rows)


def bm25_search(
    bm25: Any,
    bm25_rows: np.ndarray,
    queries: Sequence[str],
    k: int,
    allowed: np.ndarray | None = None,
    dense_share: float = DENSE_SHARE,
    prune_from: int = PRUNE_FROM,
) -> tuple[list[list[int]], list[list[float]]]:
    """The top ``k`` passage rows and their BM25 scores for each query (queries without a
    known term get nothing), restricted to the ``allowed`` rows when given.

    The results are those of bm25s's dense scores ranked by :func:`top_positive`
    (:func:`bm25_search_dense`), found without scoring every document where the query has a
    rare term (:func:`~qa_service.store.bm25_topk.bm25_top`, MaxScore pruning). A query of
    frequent terms only (its candidates' postings above ``dense_share`` of the documents),
    an index of fewer than ``prune_from`` documents (where the dense scores cost less than
    a millisecond) and the BM25 variants that give every document a score take the dense
    scores.
    """
    if (
        getattr(bm25, "nonoccurrence_array", None) is not None  # BM25L, BM25+
        or int(bm25.scores["num_docs"]) < prune_from
    ):
        return bm25_search_dense(bm25, bm25_rows, queries, k, allowed)
    vocab = bm25.vocab_dict
    rows: list[list[int]] = [[] for _ in queries]
    scores: list[list[float]] = [[] for _ in queries]
    if allowed is not None:
        allowed = np.asarray(allowed, dtype=np.int64)
        if len(allowed) > 1 and not bool(np.all(allowed[1:] >= allowed[:-1])):
            allowed = np.sort(allowed)
    mask = None
    for i, query in enumerate(queries):
        known = [t for t in analyze_query(query) if t in vocab]
        if not known:
            continue
        ids = bm25.get_tokens_ids(known)
        found = bm25_top(
            bm25,
            ids,
            k,
            None if allowed is None else partial(allowed_positions, bm25_rows, allowed=allowed),
            dense_share,
        )
        if found is None:
            if allowed is not None and mask is None:
                mask = weight_mask(bm25_rows, allowed)
            found = top_positive(bm25.get_scores_from_ids(ids, weight_mask=mask), k)
        positions, values = found
        rows[i] = [int(r) for r in bm25_rows[positions]]
        scores[i] = [float(v) for v in values]
    return rows, scores


def bm25_search_dense(
    bm25: Any,
    bm25_rows: np.ndarray,
    queries: Sequence[str],
    k: int,
    allowed: np.ndarray | None = None,
) -> tuple[list[list[int]], list[list[float]]]:
    """:func:`bm25_search` by bm25s's dense scores (an array of every document's score per
    query, then :func:`top_positive`): time in proportion to the collection."""
    vocab = bm25.vocab_dict
    known = [[t for t in analyze_query(q) if t in vocab] for q in queries]
    rows: list[list[int]] = [[] for _ in queries]
    scores: list[list[float]] = [[] for _ in queries]
    asked = [i for i, terms in enumerate(known) if terms]
    if not asked:
        return rows, scores
    mask = weight_mask(bm25_rows, allowed) if allowed is not None else None
    for i in asked:
        positions, values = top_positive(
            bm25.get_scores_from_ids(bm25.get_tokens_ids(known[i]), weight_mask=mask), k
        )
        rows[i] = [int(r) for r in bm25_rows[positions]]
        scores[i] = [float(v) for v in values]
    return rows, scores
