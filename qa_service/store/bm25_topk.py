"""The exact BM25 top-k of a query over bm25s's CSC score matrix, without scoring every
document: MaxScore pruning.

bm25s scores a query by adding its terms' posting lists (a column of the matrix per term:
document positions ascending, float32 scores) into a dense array of every document's score;
ranking that array costs time in proportion to the collection. Here, with the terms taken
rarest first, the documents of the first ``j`` terms are scored on those terms alone: the
``k``-th best of these partial scores is a lower bound ``θ`` of the final ``k``-th best score.
A document that holds none of the first ``j`` terms scores at most the sum of the other
terms' highest scores (their *bounds*); once that sum is below ``θ``, no such document can
reach the top k, nor tie with it, and only the first ``j`` terms' documents are candidates.
Each candidate then gets every term's score (a binary search in each column) added in the
query's term order in float32, exactly as bm25s adds them: the rows, scores and tie order are
those of bm25s's dense scores ranked by :func:`~qa_service.store.bm25.top_positive`.

Where the candidates' postings would be a large share of the collection (a query of frequent
terms only), the dense scores are cheaper and :func:`bm25_top` says so (None); so they are
in a small index (:data:`PRUNE_FROM`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: candidates' postings above this share of the documents: the dense scores are cheaper
DENSE_SHARE = 0.05
#: below this many documents the dense scores cost less (measured: the same at 3·10^5
#: passages, docs/scale-out.md) and :func:`~qa_service.store.bm25.bm25_search` takes them
PRUNE_FROM = 300_000
#: relative slack of the pruning test: partial and final sums are rounded in other orders
_SLACK = 1e-5
#: queries of more terms are not pruned (float32 sums of 64 terms err by < 64 * 2**-24)
_MAX_TERMS = 64


def term_bounds(bm25: Any) -> np.ndarray:
    """Each term's highest score (0 for a term without postings), computed once per index
    (kept on the bm25s object, which a live update replaces)."""
    bounds = getattr(bm25, "_qa_term_bounds", None)
    if bounds is None:
        data, indptr = bm25.scores["data"], np.asarray(bm25.scores["indptr"])
        bounds = np.zeros(len(indptr) - 1, dtype=np.float64)
        filled = np.flatnonzero(indptr[1:] > indptr[:-1])
        if len(filled):
            bounds[filled] = np.maximum.reduceat(data, indptr[filled])
        bm25._qa_term_bounds = bounds
    return np.asarray(bounds)


@dataclass
class _Union:
    """The postings of some terms: each document once (``positions``, ascending) with its
    summed scores over the terms (``partial``, float64, repeats counted), and per posting
    (the terms' columns one after the other, ``segments``) its document's index
    (``inverse``)."""

    positions: np.ndarray
    partial: np.ndarray
    inverse: np.ndarray
    segments: list[tuple[int, int]]


def _union(bm25: Any, terms: np.ndarray, repeats: np.ndarray) -> _Union:
    data, indices, indptr = bm25.scores["data"], bm25.scores["indices"], bm25.scores["indptr"]
    parts = [(int(indptr[t]), int(indptr[t + 1])) for t in terms]
    flat = np.concatenate([indices[a:b] for a, b in parts])
    weights = np.concatenate(
        [data[a:b].astype(np.float64) * r for (a, b), r in zip(parts, repeats, strict=True)]
    )
    ends = np.cumsum([b - a for a, b in parts])
    segments = list(zip([0, *ends[:-1].tolist()], ends.tolist(), strict=True))
    if len(parts) == 1:  # a column holds each document once, ascending
        return _Union(flat.astype(np.int64), weights, np.arange(len(flat)), segments)
    order = np.argsort(flat, kind="stable")  # merges the sorted columns
    ordered = flat[order]
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(len(ordered), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    positions = ordered[first].astype(np.int64)
    return _Union(positions, np.bincount(inverse, weights, len(positions)), inverse, segments)


def essential_terms(
    bm25: Any,
    terms: np.ndarray,
    repeats: np.ndarray,
    k: int,
    allowed: Any,
    budget: float,
) -> tuple[int, _Union, float] | None:
    """How many of ``terms`` (rarest first, each counted ``repeats`` times) hold every
    document that can reach the top ``k``, their postings and the lower bound ``θ`` of the
    ``k``-th best score (0 where unknown); None where their postings exceed ``budget``."""
    indptr = bm25.scores["indptr"]
    df = (indptr[terms + 1] - indptr[terms]).astype(np.int64)
    bounds = term_bounds(bm25)[terms] * repeats
    rest = np.concatenate([np.cumsum(bounds[::-1])[::-1][1:], [0.0]])  # after term j
    reach = np.cumsum(bounds)  # the highest partial score over the first j terms
    last = len(terms) if int(repeats.sum()) <= _MAX_TERMS else 0  # else no pruning
    spent = 0
    for j in range(1, last + 1):
        if df[:j].sum() > budget or spent > 2 * budget:
            return None
        if j < len(terms) and reach[j - 1] <= rest[j - 1]:
            continue  # θ cannot exceed the other terms' bounds yet: no union needed
        spent += int(df[:j].sum())
        union = _union(bm25, terms[:j], repeats[:j])
        if j == len(terms):
            return j, union, 0.0
        partial = union.partial if allowed is None else union.partial[allowed(union.positions)]
        if len(partial) < k:
            continue
        theta = float(np.partition(partial, -k)[-k])
        if rest[j - 1] * (1 + _SLACK) < theta * (1 - _SLACK):
            return j, union, theta
    if df.sum() > budget:
        return None
    return len(terms), _union(bm25, terms, repeats), 0.0


def _may_reach(partial: np.ndarray, rest: float, theta: float) -> np.ndarray:
    """Which documents of ``partial`` scores could still reach ``θ`` with ``rest`` more."""
    return np.asarray((partial + rest) * (1 + _SLACK) >= theta * (1 - _SLACK))


def bm25_top(
    bm25: Any,
    token_ids: list[int],
    k: int,
    allowed: Any = None,
    dense_share: float = DENSE_SHARE,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Positions and scores of the ``k`` best documents for a query's term ids (in the
    query's order, repeats counted), best first, ties by position, only documents with a
    positive score; with ``allowed`` (positions -> bool mask) only the documents it keeps.
    None where the candidates' postings exceed ``dense_share`` of the documents: the dense
    scores are the cheaper way there."""
    data, indices, indptr = bm25.scores["data"], bm25.scores["indices"], bm25.scores["indptr"]
    ids = np.asarray(token_ids, dtype=np.int64)
    unique, repeats = np.unique(ids, return_counts=True)
    df = (indptr[unique + 1] - indptr[unique]).astype(np.int64)
    rarest = np.lexsort((unique, df))
    terms, repeats = unique[rarest], repeats[rarest]
    budget = dense_share * int(bm25.scores["num_docs"])
    found = essential_terms(bm25, terms, repeats, k, allowed, budget)
    if found is None:
        return None
    j, union, theta = found

    # candidates: allowed, and able to reach θ with the other terms' highest scores
    bounds = term_bounds(bm25)[terms] * repeats
    others = float(bounds[j:].sum())
    keep = np.ones(len(union.positions), dtype=bool)
    if allowed is not None:
        keep &= allowed(union.positions)
    if theta > 0:
        keep &= _may_reach(union.partial, others, theta)
    chosen = np.flatnonzero(keep)
    positions, partial = union.positions[chosen], union.partial[chosen]
    slot = np.full(len(union.positions), -1, dtype=np.int64)
    slot[chosen] = np.arange(len(chosen))

    # each term's score of each candidate: the essential terms' from the union, the others'
    # by binary search, the term of the highest bound first; after each, θ rises (the k-th
    # best partial score) and candidates that can no longer reach it are dropped
    column: dict[int, np.ndarray] = {}
    for e in range(j):
        t = int(terms[e])
        start, end = union.segments[e]
        at = slot[union.inverse[start:end]]
        inside = at >= 0
        a = int(indptr[t])
        column[t] = np.zeros(len(positions), dtype=data.dtype)
        column[t][at[inside]] = data[a : a + end - start][inside]
    alive = np.arange(len(positions))
    for e in (j + np.argsort(-bounds[j:], kind="stable")).tolist():
        t = int(terms[e])
        others -= float(bounds[e])
        a, b = int(indptr[t]), int(indptr[t + 1])
        docs, wanted = indices[a:b], positions[alive]
        at = np.minimum(np.searchsorted(docs, wanted), max(b - a - 1, 0))
        hit = docs[at] == wanted if b > a else np.zeros(len(wanted), dtype=bool)
        column[t] = np.zeros(len(positions), dtype=data.dtype)
        column[t][alive[hit]] = data[a + at[hit]]
        partial[alive[hit]] += data[a + at[hit]] * float(repeats[e])
        if len(alive) > k:
            theta = max(theta, float(np.partition(partial[alive], -k)[-k]))
            alive = alive[_may_reach(partial[alive], others, theta)]
    positions = positions[alive]
    total = np.zeros(len(positions), dtype=data.dtype)
    for t in ids.tolist():  # added in the query's order, as bm25s adds them
        total += column[t][alive]

    keep = total > 0
    positions, total = positions[keep], total[keep]
    if len(positions) > k:
        keep = total >= np.partition(total, -k)[-k]
        positions, total = positions[keep], total[keep]
    order = np.lexsort((positions, -total))[:k]
    return positions[order], total[order]
