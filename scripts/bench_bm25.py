"""Local BM25 at scale: MaxScore-pruned search against bm25s's dense scores, side by side.

    python scripts/bench_bm25.py --sizes 100000 1000000 10000000
    python scripts/bench_bm25.py --sizes 100000 --check   # the direct matrix equals bm25s's

The BM25 index of ``n`` passages is the bundled corpus's passages copied ``n / 2,144`` times
(as ``scripts/bench_scale.py`` copies them), but built directly as bm25s's CSC score matrix
(:func:`replicated`): each copy's postings are the source's, every score rescaled to the new
idf (lucene: ``log(1 + (N - df + 0.5) / (df + 0.5))``; the term-frequency part does not
change, nor does the mean passage length). bm25s itself would need about 4 GB of Python token
lists at 10^6 and more than this 24 GB machine at 10^7; ``--check`` compares the direct
matrix with bm25s's own index of the same copies at the smallest size.

For each size, the same questions (``scripts/bench_scale.py``'s: the labelled questions,
then 6-14-word spans of random passages) are searched by :func:`bm25_search` (pruned, the
service's) and :func:`bm25_search_dense` (bm25s's dense scores + ``top_positive``, before),
interleaved one query at a time, k = 50, unfiltered and with a filter allowing 5 % of the
passages at random; the results must be equal. Prints and stores ms a query (mean, median,
p95), postings a query, the share of queries pruned, the matrix's bytes and the load.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import table  # noqa: E402
from bench_scale import query_texts  # noqa: E402

from qa_service.devtools.latency import load, rss_bytes  # noqa: E402
from qa_service.store.bm25 import bm25_search, bm25_search_dense, load_bm25  # noqa: E402
from qa_service.store.bm25_topk import bm25_top  # noqa: E402
from qa_service.store.layout import current_build  # noqa: E402
from qa_service.text.lexical import analyze  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _idf(df: np.ndarray, n: int) -> np.ndarray:
    return np.log(1 + (n - df + 0.5) / (df + 0.5))


def replicated(source: Any, copies: int) -> Any:
    """bm25s's index of ``copies`` copies of ``source``'s documents (copy ``j`` of document
    ``d`` at position ``j * n + d``), its CSC matrix made directly."""
    s = source.scores
    n = int(s["num_docs"])
    indptr = np.asarray(s["indptr"], dtype=np.int64)
    df = np.diff(indptr)
    scale = (_idf(df * copies, n * copies) / np.where(df > 0, _idf(df, n), 1.0)).astype(np.float64)
    nnz = int(indptr[-1])
    data = np.empty(nnz * copies, dtype=np.float32)
    indices = np.empty(nnz * copies, dtype=np.int32)
    offsets = (np.arange(copies, dtype=np.int64) * n)[:, None]
    for t in range(len(df)):
        a, b = int(indptr[t]), int(indptr[t + 1])
        if a == b:
            continue
        col_rows = s["indices"][a:b].astype(np.int64)
        col_data = (s["data"][a:b].astype(np.float64) * scale[t]).astype(np.float32)
        indices[a * copies : b * copies] = (offsets + col_rows[None, :]).ravel()
        data[a * copies : b * copies] = np.tile(col_data, copies)
    out = copy.copy(source)
    out._qa_term_bounds = None  # the source's, computed by load_bm25: not these scores'
    out.scores = {
        "data": data,
        "indices": indices,
        "indptr": indptr * copies,
        "num_docs": n * copies,
    }
    return out


def check(source: Any, build: Path, copies: int) -> dict[str, Any]:
    """The direct matrix against bm25s's own index of the same copies of the passages'
    analysed terms (as stored)."""
    import bm25s

    from qa_service.store.loaded import load_index

    index = load_index(build.parent.parent, verify=False)
    terms = index.store.terms_by_row()
    tokens = [list(terms[r]) for r, _ in index.store.all_passages()]
    index.close()
    real = bm25s.BM25()
    real.index(tokens * copies, show_progress=False)
    direct = replicated(source, copies)
    a, b = real.scores, direct.scores
    same, rel = real.vocab_dict.keys() == source.vocab_dict.keys(), 0.0
    for term, i in real.vocab_dict.items():  # bm25s numbers the terms in set order
        if term == "":  # bm25s's padding token, the last id, has no column
            continue
        j = source.vocab_dict[term]
        ra, rb = (
            slice(a["indptr"][i], a["indptr"][i + 1]),
            slice(b["indptr"][j], b["indptr"][j + 1]),
        )
        same = same and np.array_equal(a["indices"][ra], b["indices"][rb])
        if same:
            rel = max(rel, float(np.max(np.abs(a["data"][ra] - b["data"][rb]) / a["data"][ra])))
    return {"copies": copies, "same_postings": bool(same), "max_rel_score_diff": rel}


def _ms(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - t0) * 1000


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "mean": round(statistics.fmean(times), 2),
        "p50": round(ordered[len(ordered) // 2], 2),
        "p95": round(ordered[int(len(ordered) * 0.95)], 2),
    }


def measure(bm25: Any, texts: list[str], k: int, share: float) -> dict[str, Any]:
    n = int(bm25.scores["num_docs"])
    rows = np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(5)
    allowed = np.sort(rng.choice(n, size=max(1, int(n * share)), replace=False))
    indptr = bm25.scores["indptr"]
    postings, pruned = [], []
    for q in texts:
        ids = [bm25.vocab_dict[t] for t in analyze(q) if t in bm25.vocab_dict]
        postings.append(int(sum(indptr[i + 1] - indptr[i] for i in ids)))
        if ids:
            pruned.append(bm25_top(bm25, ids, k) is not None)
    out: dict[str, Any] = {
        "passages": n,
        "matrix_mb": round(
            sum(bm25.scores[x].nbytes for x in ("data", "indices", "indptr")) / 1e6, 1
        ),
        "postings_mean": int(statistics.fmean(postings)),
        "postings_p50": int(statistics.median(postings)),
        "pruned_share": round(statistics.fmean(pruned), 3),
        "load_before": load(),
    }
    for label, filt in (("all", None), ("filter 5%", allowed)):
        new_t, old_t = [], []
        for q in texts[:3]:  # warm-up
            bm25_search(bm25, rows, [q], k, filt)
            bm25_search_dense(bm25, rows, [q], k, filt)
        for q in texts:
            new, t_new = _ms(lambda q=q, f=filt: bm25_search(bm25, rows, [q], k, f, prune_from=0))
            old, t_old = _ms(lambda q=q, f=filt: bm25_search_dense(bm25, rows, [q], k, f))
            if new != old:
                raise AssertionError(f"different results for {q!r}")
            new_t.append(t_new)
            old_t.append(t_old)
        out[label] = {"pruned": _summary(new_t), "dense": _summary(old_t)}
    out["load_after"] = load()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--source", type=Path, default=ROOT / "index")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--check", action="store_true", help="the direct matrix vs bm25s")
    parser.add_argument(
        "--dutch", action="store_true", help="only Dutch questions (hybrid skips BM25 for English)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "scale-bm25.json")
    args = parser.parse_args(argv)

    build = current_build(args.source)
    source, _ = load_bm25(build)
    n_source = int(source.scores["num_docs"])
    texts = query_texts(args.source, args.queries)
    if args.dutch:
        from qa_service.text.language import detect_language

        texts = [t for t in texts if detect_language(t) != "en"]
    results: dict[str, Any] = {"source_passages": n_source, "queries": len(texts), "sizes": []}
    if args.check:
        results["check"] = check(source, build, max(1, args.sizes[0] // n_source))
        print(results["check"], flush=True)
    lines = []
    for size in args.sizes:
        copies = max(1, round(size / n_source))
        t0 = time.perf_counter()
        bm25 = replicated(source, copies)
        made = round(time.perf_counter() - t0, 1)
        row = measure(bm25, texts, 50, 0.05)
        row.update(copies=copies, build_s=made, rss_mb=rss_bytes_mb())
        results["sizes"].append(row)
        del bm25
        print(json.dumps(row), flush=True)
        for label in ("all", "filter 5%"):
            lines.append(
                {
                    "passages": row["passages"],
                    "search": label,
                    "postings a query (mean / median)": f"{row['postings_mean']:,} / "
                    f"{row['postings_p50']:,}",
                    "pruned ms (mean / p50 / p95)": "/".join(
                        str(v) for v in row[label]["pruned"].values()
                    ),
                    "dense ms (mean / p50 / p95)": "/".join(
                        str(v) for v in row[label]["dense"].values()
                    ),
                    "load": row["load_before"][0],
                }
            )
    print(table(lines, list(lines[0])))
    args.out.write_text(json.dumps(results, indent=2) + "\n")


def rss_bytes_mb() -> int:
    import os

    return rss_bytes(os.getpid()).get("VmHWM", 0) // 1_000_000


if __name__ == "__main__":
    main()
