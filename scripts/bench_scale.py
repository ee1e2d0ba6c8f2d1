"""One box at scale: FAISS index kinds, BM25, SQLite and the served /api/search at 10^4 ...
10^6 (or more) passages, and the memory of the server process.

    python scripts/bench_scale.py faiss --sizes 10000 100000 1000000   # kinds side by side
    python scripts/bench_scale.py serve --sizes 10000 100000 1000000   # build, serve, measure
    python scripts/bench_scale.py all   --sizes 10000 100000 1000000

Data (nothing is embedded except the questions):

* **Passages**: the passages of a real build (``--source``, default: the bundled corpus,
  indexed first if needed) copied under new ids, as in ``scripts/bench.py``: the same Dutch
  text, BM25 terms and stored sentence vectors (so BM25 posting lists and the store grow as
  they would with more documents of the same kind).
* **Vectors**: shaped like the real e5 ones (:class:`ResidualTransfer`): each copy's vector
  is a real passage vector plus a random share (0.3-0.7) of the difference of two real
  vectors of its k-means cluster, at the real vector's norm.
* **Queries**: real questions embedded with the ``query:`` prompt: the labelled evaluation
  questions and spans of 6-14 words of random source passages.

``faiss``: for each size and kind, build time (one thread, the coarse quantizer trained once
and shared by the kinds), index bytes, search ms a query (k = 50 as the service asks, one
thread) and recall@10 against exact search over the same float vectors, for several nprobe.
``serve``: the full build (vectors, BM25, store) of the size with the kind ``auto`` picks (or
``--kind``), then ``qa-service serve`` on 127.0.0.1: its RSS idle and after the runs, and
``/api/search`` p50/p95 over real HTTP with one client; in-process: BM25 ms a query, SQLite
hydration and filter lookups. The machine is shared: every figure carries the load average.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import dir_bytes, merge_out, table  # noqa: E402

from qa_service.devtools.latency import drive, load, rss_bytes  # noqa: E402
from qa_service.devtools.synthetic import ResidualTransfer, settings_for, synthesise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORK = Path(tempfile.gettempdir()) / "qa-scale"
DEFAULT_OUT = ROOT / "docs" / "scale-onebox.json"
KINDS = ["ivf", "ivf_sq8", "ivf_pq", "hnsw_sq8", "hnsw_fp16"]


def source_index(work: Path, source: Path | None) -> Path:
    """The real build the synthetic indexes copy: ``source``, or the bundled corpus's."""
    if source is not None:
        return source
    from qa_service.store.layout import index_exists

    index_dir = work / "bundled"
    if not index_exists(index_dir):
        from qa_service.embedding import Embedder
        from qa_service.ingest.build import build_index

        print("indexing the bundled corpus first ...", flush=True)
        settings = settings_for(index_dir)
        build_index([], settings, Embedder(settings))
    return index_dir


def query_texts(source: Path, count: int) -> list[str]:
    """Labelled evaluation questions, then 6-14 word spans of random source passages."""
    import random

    from bench import labelled_questions

    from qa_service.store.loaded import load_index

    rng = random.Random(0)
    out = [q.question for q in labelled_questions()]
    index = load_index(source, verify=False)
    passages = [p for _, p in index.store.all_passages() if len(p.text.split()) >= 20]
    index.close()
    while len(out) < count:
        words = rng.choice(passages).text.split()
        start = rng.randrange(len(words) - 14)
        out.append(" ".join(words[start : start + rng.randint(6, 14)]))
    return out[:count]


def query_vectors(work: Path, source: Path, count: int) -> tuple[list[str], np.ndarray]:
    """The questions and their (raw, not centred) vectors, as the retriever searches them."""
    cache = work / f"queries-{count}.npz"
    texts = query_texts(source, count)
    if cache.is_file():
        data = np.load(cache)
        if list(data["texts"]) == texts:
            return texts, data["vectors"]
    from qa_service.embedding import Embedder

    vectors = Embedder(settings_for(work)).encode_queries(texts).astype(np.float32)
    np.savez(cache, texts=np.array(texts), vectors=vectors)
    return texts, vectors


def synthetic_dir(work: Path, size: int, kind: str) -> Path:
    return work / f"scale-{size}-{kind}"


def build(work: Path, source: Path, size: int, kind: str) -> dict[str, Any]:
    """The full synthetic build of ``size`` passages with index ``kind`` (kept for reuse)."""
    from qa_service.store.vectors import index_kind

    chosen = index_kind(size, settings_for(work)) if kind == "auto" else kind
    target = synthetic_dir(work, size, chosen)
    load_before = load()
    made = synthesise(source, size, target, vectors_like=ResidualTransfer, faiss_index=chosen)
    made.update(kind=chosen, load_before=load_before, disk_bytes=dir_bytes(_build(target)))
    return made


def _build(index_dir: Path) -> Path:
    from qa_service.store.layout import current_build

    return current_build(index_dir)


# -- FAISS kinds side by side -----------------------------------------------------------------
def faiss_kinds(
    vectors: np.ndarray,
    queries: np.ndarray,
    kinds: list[str],
    nprobes: list[int],
    efs: list[int] = (128, 256, 512, 1024),  # type: ignore[assignment]
    build_threads: int = 1,
) -> list[dict[str, Any]]:
    import faiss

    from qa_service.store.vectors import build_hnsw, empty_ivf, hnsw_of, ivf_nlist

    n, dim = vectors.shape
    settings = settings_for(DEFAULT_WORK)
    nlist = ivf_nlist(n, settings)
    rng = np.random.default_rng(0)
    most = max(nlist * settings.ivf_train_per_cell, 256 * 39)
    sample = vectors[np.sort(rng.choice(n, min(n, most), replace=False))]
    t0 = time.perf_counter()
    coarse = faiss.Kmeans(dim, nlist, niter=10, seed=1234, spherical=False)
    coarse.cp.max_points_per_centroid = settings.ivf_train_per_cell
    if any(not kind.startswith("hnsw") for kind in kinds):
        coarse.train(np.ascontiguousarray(sample, dtype=np.float32))
    coarse_s = time.perf_counter() - t0
    truth = _exact(vectors, queries, 10)
    out = []
    for kind in kinds:
        t0 = time.perf_counter()
        faiss.omp_set_num_threads(build_threads)  # searches below are timed on one thread
        if kind.startswith("hnsw"):
            index = build_hnsw(vectors, np.arange(n, dtype=np.int64), settings, kind)
        else:
            index = empty_ivf(kind, dim, nlist)
            index.quantizer.add(coarse.centroids)  # shared: only the codes are trained per kind
            index.train(sample)
            index.set_direct_map_type(faiss.DirectMap.Hashtable)
            for start in range(0, n, 1 << 17):
                chunk = np.ascontiguousarray(vectors[start : start + (1 << 17)], dtype=np.float32)
                index.add_with_ids(chunk, np.arange(start, start + len(chunk), dtype=np.int64))
        build_s = time.perf_counter() - t0
        faiss.omp_set_num_threads(1)
        code_bytes = len(faiss.serialize_index(index))
        row: dict[str, Any] = {
            "passages": n,
            "kind": kind,
            "nlist": 0 if kind.startswith("hnsw") else nlist,
            "coarse_train_s": 0 if kind.startswith("hnsw") else round(coarse_s, 1),
            "build_s": round(build_s, 1),
            "build_threads": build_threads,
            "hnsw_m": settings.hnsw_m if kind.startswith("hnsw") else 0,
            "hnsw_ef_construction": settings.hnsw_ef_construction if kind.startswith("hnsw") else 0,
            "index_bytes": code_bytes,
            "bytes_per_passage": round(code_bytes / n, 1),
            "load": load()[0],
            "probes": [],
        }
        hnsw = hnsw_of(index)
        steps = efs if hnsw is not None else sorted({min(p, nlist) for p in nprobes})
        for step in steps:
            if hnsw is not None:
                hnsw.hnsw.efSearch = step
            else:
                index.nprobe = step
            index.search(queries[:5], 50)
            t0 = time.perf_counter()
            for q in queries:
                index.search(q[None, :], 50)
            ms = (time.perf_counter() - t0) * 1000 / len(queries)
            _, found = index.search(queries, 10)
            row["probes"].append(
                {
                    "efSearch" if hnsw is not None else "nprobe": step,
                    "ms": round(ms, 2),
                    "recall@10": round(_recall(truth, found), 4),
                }
            )
        # the reconstructed vectors the retriever scores passages with: cosine to the original
        sample_rows = rng.choice(n, 500, replace=False)
        rec = index.reconstruct_batch(sample_rows.astype(np.int64))
        orig = np.asarray(vectors[sample_rows], dtype=np.float32)
        cos = (rec * orig).sum(1) / np.linalg.norm(rec, axis=1) / np.linalg.norm(orig, axis=1)
        row["reconstruct_cos_min"] = round(float(cos.min()), 4)
        row["reconstruct_cos_mean"] = round(float(cos.mean()), 4)
        print(json.dumps(row), flush=True)
        out.append(row)
        del index
    return out


def _exact(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact top-``k`` ids by inner product, in slices (no second copy of the vectors)."""
    import faiss

    best_d = np.full((len(queries), 0), 0, dtype=np.float32)
    best_i = np.full((len(queries), 0), 0, dtype=np.int64)
    step = 1 << 18
    for start in range(0, len(vectors), step):
        chunk = np.ascontiguousarray(vectors[start : start + step], dtype=np.float32)
        d, i = faiss.knn(queries, chunk, k, metric=faiss.METRIC_INNER_PRODUCT)
        best_d = np.hstack([best_d, d])
        best_i = np.hstack([best_i, i + start])
        order = np.argsort(-best_d, axis=1)[:, :k]
        best_d = np.take_along_axis(best_d, order, 1)
        best_i = np.take_along_axis(best_i, order, 1)
    return best_i


def _recall(truth: np.ndarray, found: np.ndarray) -> float:
    hits = sum(len(set(t) & set(f[f >= 0])) for t, f in zip(truth, found, strict=True))
    return hits / truth.size


def run_faiss(args: argparse.Namespace) -> None:
    import faiss

    faiss.omp_set_num_threads(1)
    source = source_index(args.work, args.source)
    _, queries = query_vectors(args.work, source, args.queries)
    maker = ResidualTransfer(_source_vectors(source))
    rng = np.random.default_rng(0)
    results = []
    for size in args.sizes:
        base = rng.integers(len(maker.real), size=size)
        vectors = np.vstack(
            [maker(base[s : s + 100_000], rng) for s in range(0, size, 100_000)]
        ).astype(np.float32)
        nprobes = [*args.nprobes, int(math.ceil(4 * math.sqrt(size))) // 2]
        results += faiss_kinds(vectors, queries, args.kinds, nprobes, args.efs, args.build_threads)
        merge_out(args.out, "faiss_kinds", results)
        del vectors
    rows = [
        {
            "passages": r["passages"],
            "kind": r["kind"],
            "B/passage": r["bytes_per_passage"],
            "build s": r["build_s"],
            "nprobe/ef": p.get("nprobe", p.get("efSearch")),
            "ms": p["ms"],
            "recall@10": p["recall@10"],
            "rec cos": r["reconstruct_cos_mean"],
        }
        for r in results
        for p in r["probes"]
    ]
    print(table(rows, list(rows[0])))


def _source_vectors(source: Path) -> np.ndarray:
    from qa_service.store.loaded import load_index

    src = load_index(source, verify=False)
    rows = [r for r, _ in src.store.all_passages()]
    vectors = np.vstack([src.vectors.reconstruct(int(r)) for r in rows]).astype(np.float32)
    src.close()
    return vectors


# -- the served index -------------------------------------------------------------------------
def in_process(index_dir: Path, texts: list[str], queries: np.ndarray) -> dict[str, Any]:
    """BM25 ms a query, SQLite hydration of 50 rows, a dossier filter's rows, FAISS k = 50,
    and recall@10 of the served index against exact search over ``vectors.npy``."""
    import faiss

    from qa_service.filters import Filters
    from qa_service.search.bm25 import bm25_search
    from qa_service.store.loaded import load_index
    from qa_service.store.vectors import search

    faiss.omp_set_num_threads(1)
    settings = settings_for(index_dir)
    index = load_index(index_dir, verify=False, settings=settings)
    n = index.size
    out: dict[str, Any] = {"load_before": load()}

    def ms_per(fn: Any, items: list[Any]) -> float:
        fn(items[0])
        t0 = time.perf_counter()
        for item in items:
            fn(item)
        return round((time.perf_counter() - t0) * 1000 / len(items), 2)

    out["bm25_ms"] = ms_per(lambda q: bm25_search(index, [q], 50), texts)
    rng = np.random.default_rng(3)
    row_sets = [rng.integers(n, size=50).tolist() for _ in range(50)]
    out["sqlite_50_rows_ms"] = ms_per(index.store.passages_by_rows, row_sets)
    out["faiss_k50_ms"] = ms_per(
        lambda q: search(index.vectors, q[None, :], 50, None, settings), list(queries)
    )
    first = index.store.passages_by_rows([0])[0].doc_id
    dossier = index.store.documents([first])[first].dossier
    if dossier:
        t0 = time.perf_counter()
        allowed = index.store.rows_matching(Filters(dossier=(dossier,)))
        out["filter_rows_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        out["filter_rows"] = len(allowed)
        out["filtered_faiss_ms"] = ms_per(
            lambda q: search(index.vectors, q[None, :], 50, allowed, settings), list(queries[:50])
        )
        out["filtered_bm25_ms"] = ms_per(lambda q: bm25_search(index, [q], 50, allowed), texts[:50])
    vectors = np.load(index_dir / "vectors.npy", mmap_mode="r")
    truth = _exact(vectors, queries, 10)
    _, found = search(index.vectors, queries, 10, None, settings)
    out["recall@10"] = round(_recall(truth, found), 4)
    out["nprobe"] = int(getattr(faiss.try_extract_index_ivf(index.vectors), "nprobe", 0))
    index.close()
    return out


def serve(index_dir: Path, texts: list[str], env: dict[str, str]) -> dict[str, Any]:
    """``qa-service serve`` on 127.0.0.1: RSS, and /api/search latency with one client."""
    from qa_service.devtools.server import ServerProcess

    log = index_dir / "server.log"
    server = ServerProcess(index_dir, {"QA_RELOAD_INTERVAL": "0", **env}, log)
    try:
        startup = server.wait_healthy(timeout=1800)
        idle = rss_bytes(server.proc.pid)
        drive(server.url, "search", texts[:20], 1)  # warm-up
        run = drive(server.url, "search", texts[20:], 1)
        after = rss_bytes(server.proc.pid)
    finally:
        server.stop()
    return {
        "startup_s": round(startup, 1),
        "rss_idle_bytes": idle.get("VmRSS", 0),
        "rss_bytes": after.get("VmRSS", 0),
        "rss_peak_bytes": after.get("VmHWM", 0),
        "search": run,
    }


def run_serve(args: argparse.Namespace) -> None:
    source = source_index(args.work, args.source)
    texts, queries = query_vectors(args.work, source, args.queries)
    data = json.loads(args.out.read_text()) if args.out.is_file() else {}
    results = {(r["passages"], r["kind"]): r for r in data.get("serve", [])}
    for size in args.sizes:
        print(f"index of {size} passages ({args.kind}) ...", flush=True)
        made = build(args.work, source, size, args.kind)
        print(f"  {json.dumps(made)}", flush=True)
        target = synthetic_dir(args.work, size, made["kind"])
        r: dict[str, Any] = {"passages": size, "kind": made["kind"], "build": made}
        r["in_process"] = in_process(target, texts, queries)
        print(f"  {json.dumps(r['in_process'])}", flush=True)
        r["served"] = serve(target, texts, {})
        print(f"  {json.dumps(r['served'])}", flush=True)
        results[(size, made["kind"])] = r
        merge_out(args.out, "serve", [results[k] for k in sorted(results)])
    rows = []
    for r in [results[k] for k in sorted(results)]:
        b, p, s = r["build"], r["in_process"], r["served"]
        rows.append(
            {
                "passages": r["passages"],
                "faiss": b.get("faiss"),
                "build s": b.get("seconds", ""),
                "index MB": round(
                    sum(v for k, v in b["disk_bytes"].items() if k != "store.sqlite") / 2**20
                ),
                "RSS MB": round(s["rss_bytes"] / 2**20),
                "p50": s["search"].get("p50"),
                "p95": s["search"].get("p95"),
                "recall@10": p["recall@10"],
                "bm25 ms": p["bm25_ms"],
                "faiss ms": p["faiss_k50_ms"],
                "load": s["search"]["load_before"][0],
            }
        )
    print(table(rows, list(rows[0])))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=["faiss", "serve", "all"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--kinds", nargs="+", default=KINDS, help="faiss: kinds compared")
    parser.add_argument("--kind", default="auto", help="serve: the kind built and served")
    parser.add_argument("--nprobes", type=int, nargs="+", default=[16, 32, 64, 128, 256, 512])
    parser.add_argument("--efs", type=int, nargs="+", default=[128, 256, 512, 1024])
    parser.add_argument("--queries", type=int, default=220, help="20 warm-up + the measured")
    parser.add_argument(
        "--build-threads", type=int, default=1, help="faiss: threads building (searches: 1)"
    )
    parser.add_argument("--source", type=Path, help="the real build to copy (default: bundled)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.stage in ("faiss", "all"):
        run_faiss(args)
    if args.stage in ("serve", "all"):
        run_serve(args)


if __name__ == "__main__":
    main()
