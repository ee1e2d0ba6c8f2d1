"""Benchmark: indexing throughput, query latency over HTTP, bulk throughput, memory and disk.

Prints a table per stage and writes everything to one JSON file (merged across runs, so the
stages can be run separately, e.g. the latency part again when the machine is quiet)::

    python scripts/bench.py index  --docs 1000 5023        # indexing + the model's own ceiling
    python scripts/bench.py serve  --sizes 1000 30000 300000   # /api/search, /api/ask latency
    python scripts/bench.py bulk                           # questions per second
    python scripts/bench.py all                            # everything (about an hour on 2 cores)
    python scripts/bench.py plot                           # docs/performance.png from the JSON
    python scripts/bench.py report                         # the JSON as markdown tables

Indexing uses the historical OCR corpus (``corpus/historical/sgd-ocr.jsonl.gz``): its first N
documents. The latency indexes are made from the vectors of the full historical build (see
``synthesise``): about 1k passages is a real subset, larger sizes re-use the historical
passages under new ids with slightly perturbed vectors (nothing is embedded again). Every
figure is stored with the load average at the time it was taken; the machine is shared.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HISTORICAL = ROOT / "corpus" / "historical" / "sgd-ocr.jsonl.gz"
DEFAULT_OUT = ROOT / "docs" / "performance.json"
DEFAULT_WORK = Path(tempfile.gettempdir()) / "qa-bench"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, Any]:
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) * 1024
    except OSError:
        pass
    import faiss
    import torch

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(mem / 2**30, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "faiss": faiss.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def merge_out(path: Path, key: str, value: Any) -> None:
    data = json.loads(path.read_text()) if path.is_file() else {}
    data[key] = value
    data.setdefault("machine", {})
    data["machine"] = machine()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    cells = [[str(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def dir_bytes(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in path.rglob("*"):
        if p.is_file():
            top = p.relative_to(path).parts[0]
            out[top] = out.get(top, 0) + p.stat().st_size
    return out


def settings_for(index_dir: Path, **overrides: Any):  # type: ignore[no-untyped-def]
    from qa_service.config import Settings

    return Settings(index_dir=index_dir, reload_interval=0, **overrides)


def subset_corpus(docs: int, folder: Path) -> Path:
    """The first ``docs`` documents of the historical corpus as a JSONL file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"historical-{docs}.jsonl"
    with gzip.open(HISTORICAL, "rt", encoding="utf-8") as src, open(path, "w") as dst:
        for i, line in enumerate(src):
            if i >= docs:
                break
            dst.write(line)
    return path


# --------------------------------------------------------------------------------------------
# indexing
# --------------------------------------------------------------------------------------------
def bench_index(docs: int, work: Path, ceiling: bool, sample: int = 0) -> dict[str, Any]:
    """Build an index of the first ``docs`` historical documents; then encode the same
    passage texts with plain ``SentenceTransformer.encode`` (same batch size and dtype): all
    of them, or a random ``sample`` of them when given (to save time on the full corpus)."""
    from qa_service.embedding import Embedder
    from qa_service.index import current_build, load_index
    from qa_service.indexing import build_index, embedded_texts

    corpus = subset_corpus(docs, work / "corpora")
    index_dir = work / f"index-docs-{docs}"
    settings = settings_for(index_dir)
    embedder = Embedder(settings)
    load_before = load()
    t0 = time.perf_counter()
    report = build_index([corpus], settings, embedder)
    total = time.perf_counter() - t0
    load_after = load()
    seconds = {k: round(v, 2) for k, v in report.seconds.items()}
    work_s = total - report.seconds.get("load_model", 0.0)
    result: dict[str, Any] = {
        "documents": report.documents,
        "passages": report.passages,
        "seconds_total": round(work_s, 1),
        "seconds": seconds,
        "share": {k: round(v / work_s, 3) for k, v in report.seconds.items() if k != "load_model"},
        "passages_per_s": round(report.passages / work_s, 1),
        "dtype": embedder.dtype,
        "batch_size": settings.embedding_batch_size,
        "load_before": load_before,
        "load_after": load_after,
        "build": str(current_build(index_dir)),
        "disk_bytes": dir_bytes(current_build(index_dir)),
    }
    if ceiling:
        index = load_index(index_dir)
        rows = index.store.all_passages()
        metas = index.store.documents({p.doc_id for _, p in rows})
        # what indexing embeds: each passage's text and each distinct context once
        texts, contexts = embedded_texts(metas, [p for _, p in rows], settings)
        texts += sorted({c for c in contexts if c})
        index.close()
        if 0 < sample < len(texts):
            import random

            texts = random.Random(0).sample(texts, sample)
        import torch

        model = embedder.model  # the same loaded SentenceTransformer, same dtype and threads
        load_before = load()
        t0 = time.perf_counter()
        with torch.inference_mode():
            model.encode(
                texts,
                prompt=settings.passage_prompt,
                batch_size=settings.embedding_batch_size,
                normalize_embeddings=True,
            )
        enc = time.perf_counter() - t0
        result["ceiling"] = {
            "passages": len(texts),
            "seconds": round(enc, 1),
            "passages_per_s": round(len(texts) / enc, 1),
            "load_before": load_before,
            "load_after": load(),
        }
        result["ratio_to_ceiling"] = round(result["passages_per_s"] / (len(texts) / enc), 3)
    return result


def run_index(args: argparse.Namespace) -> None:
    data = json.loads(args.out.read_text()) if args.out.is_file() else {}
    by_docs = {r["documents"]: r for r in data.get("indexing", [])}  # other sizes are kept
    results = []
    for docs in args.docs:
        print(f"indexing the first {docs} historical documents ...", flush=True)
        sample = args.ceiling_sample if docs > 1000 else 0
        r = bench_index(docs, args.work, ceiling=not args.no_ceiling, sample=sample)
        results.append(r)
        by_docs[r["documents"]] = r
        merge_out(args.out, "indexing", [by_docs[k] for k in sorted(by_docs)])
        print(json.dumps(r, indent=1), flush=True)
    rows = []
    for r in results:
        share = r["share"]
        rows.append(
            {
                "docs": r["documents"],
                "passages": r["passages"],
                "s": r["seconds_total"],
                "passages/s": r["passages_per_s"],
                "ceiling/s": r.get("ceiling", {}).get("passages_per_s", ""),
                "ratio": r.get("ratio_to_ceiling", ""),
                "parse%": round(100 * share.get("parse", 0)),
                "embed%": round(100 * share.get("embed", 0)),
                "faiss%": round(100 * share.get("faiss", 0)),
                "bm25%": round(100 * share.get("bm25", 0)),
                "write%": round(100 * share.get("write", 0)),
                "load": r["load_before"][0],
            }
        )
    print(table(rows, list(rows[0])))


# --------------------------------------------------------------------------------------------
# synthetic indexes of any size from the historical build
# --------------------------------------------------------------------------------------------
def source_build(work: Path, docs: int) -> Path:
    """The index of the first ``docs`` historical documents (built by the ``index`` stage,
    else now)."""
    index_dir = work / f"index-docs-{docs}"
    from qa_service.index import index_exists

    if not index_exists(index_dir):
        print(f"building the index of {docs} historical documents first ...", flush=True)
        bench_index(docs, work, ceiling=False)
    return index_dir


def synthesise(source: Path, size: int, target: Path, noise: float = 0.02) -> dict[str, Any]:
    """An index of about ``size`` passages made from the built index in ``source``.

    Up to the source's size: its first documents (real passages, real vectors). Beyond it:
    copies of every document under new ids (``<doc_id>~<copy>``); each copy's vectors are the
    source vectors plus Gaussian noise (``noise`` per dimension, re-normalised: cosine about
    0.9 to the original), its text, BM25 terms and stored sentence vectors are the same.
    Nothing is embedded. The FAISS index type follows the settings, as in a real build.
    """
    import dataclasses

    import faiss
    import numpy as np

    from qa_service.documents import Passage
    from qa_service.index import (
        CENTROID,
        MANIFEST,
        STORE,
        VECTORS,
        Manifest,
        checksum_files,
        current_build,
        index_exists,
        load_index,
        new_build_dir,
        publish,
        write_store,
    )
    from qa_service.indexing import write_bm25
    from qa_service.vector_index import build_vector_index, describe

    if index_exists(target):
        manifest = Manifest.from_file(current_build(target) / MANIFEST)
        return {"passages": manifest.passage_count, "faiss": manifest.faiss_type}
    t0 = time.perf_counter()
    src = load_index(source, verify=False)
    rows_passages = src.store.all_passages()
    con = src.store._con
    terms_by_row = {r: t.split() for r, t in con.execute("SELECT row, terms FROM passages")}
    sentences_by_row = dict(
        con.execute("SELECT row, sentences FROM passages WHERE sentences IS NOT NULL")
        if src.store.has_sentence_vectors
        else []
    )
    metas = src.store.documents({p.doc_id for _, p in rows_passages})
    hashes = src.store.content_hashes()
    vectors = np.vstack([src.vectors.reconstruct(int(r)) for r, _ in rows_passages])
    centroid = src.centroid
    src.close()

    by_doc: dict[str, list[int]] = {}
    for i, (_, p) in enumerate(rows_passages):
        by_doc.setdefault(p.doc_id, []).append(i)
    doc_order = list(by_doc)
    rng = np.random.default_rng(0)
    documents: list[tuple[Any, str]] = []
    passages: list[Passage] = []
    terms: list[list[str]] = []
    sentences: list[bytes | None] = []
    chunks: list[np.ndarray] = []
    copy = 0
    while len(passages) < size:
        for doc_id in doc_order:
            if len(passages) >= size:
                break
            new_id = doc_id if copy == 0 else f"{doc_id}~{copy}"
            documents.append((dataclasses.replace(metas[doc_id], doc_id=new_id), hashes[doc_id]))
            idx = by_doc[doc_id]
            for i in idx:
                p = rows_passages[i][1]
                pid = p.passage_id if copy == 0 else f"{p.passage_id}~{copy}"
                passages.append(dataclasses.replace(p, passage_id=pid, doc_id=new_id))
                terms.append(terms_by_row[rows_passages[i][0]])
                sentences.append(sentences_by_row.get(rows_passages[i][0]))
            v = vectors[idx]
            if copy:
                v = v + rng.normal(scale=noise, size=v.shape).astype(np.float32)
                v /= np.linalg.norm(v, axis=1, keepdims=True)
            chunks.append(v)
        copy += 1
    all_vectors = np.vstack(chunks).astype(np.float32)
    rows = np.arange(len(passages), dtype=np.int64)
    settings = settings_for(target)
    build = new_build_dir(target)
    np.save(build / CENTROID, centroid, allow_pickle=False)
    t1 = time.perf_counter()
    index = build_vector_index(all_vectors, rows, settings)
    faiss.write_index(index, str(build / VECTORS))
    t_faiss = time.perf_counter() - t1
    t1 = time.perf_counter()
    write_bm25(build, rows, terms)
    t_bm25 = time.perf_counter() - t1
    write_store(build / STORE, documents, passages, terms, sentences)
    from qa_service.indexing import corpus_hash

    manifest = Manifest(
        model=settings.embedding_model,
        dimension=int(all_vectors.shape[1]),
        passage_count=len(passages),
        document_count=len(documents),
        corpus_hash=corpus_hash(documents),
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        faiss_type=describe(index),
        contextual_passages=settings.contextual_passages,
        max_passage_tokens=settings.max_passage_tokens,
        files=checksum_files(build),
    )
    (build / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    publish(target, build)
    np.save(target / "vectors.npy", all_vectors)  # for the recall measurement
    return {
        "passages": len(passages),
        "documents": len(documents),
        "copies": copy,
        "faiss": describe(index),
        "seconds": round(time.perf_counter() - t0, 1),
        "seconds_faiss": round(t_faiss, 1),
        "seconds_bm25": round(t_bm25, 1),
    }


# --------------------------------------------------------------------------------------------
# latency through HTTP
# --------------------------------------------------------------------------------------------
def questions(index_dir: Path, count: int) -> list[str]:
    """Distinct questions: the labelled evaluation questions (about the bundled corpus, mostly
    abstained on here) and, for most, 6-14 consecutive words of random passages of the index
    (answered: the answer path runs in full)."""
    import random

    from qa_service.index import load_index

    out = [q.question for q in labelled_questions()]
    rng = random.Random(0)
    out = rng.sample(out, min(len(out), count // 5))
    index = load_index(index_dir, verify=False)
    n = index.size
    while len(out) < count:
        rows = [rng.randrange(n) for _ in range(64)]
        for p in index.store.passages_by_rows(rows).values():
            words = p.text.split()
            if len(words) < 20 or len(out) >= count:
                continue
            start = rng.randrange(len(words) - 14)
            out.append(" ".join(words[start : start + rng.randint(6, 14)]))
    index.close()
    rng.shuffle(out)
    return out


def labelled_questions() -> list[Any]:
    """The labelled evaluation questions (dev + calibration), about the bundled corpus."""
    from qa_service.evaluation import DEFAULT_QUESTION_FILES, load_questions

    return [q for path in DEFAULT_QUESTION_FILES for q in load_questions(path)]


def english_questions(count: int) -> list[str]:
    """The labelled English questions (the answerer embeds their candidate sentences at
    query time, ``answer_sentences_en=query``)."""
    return [q.question for q in labelled_questions() if q.lang == "en"][:count]


def rss_bytes(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            out[line.split(":")[0]] = int(line.split()[1]) * 1024
    return out


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    qs = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": round(qs[49], 1),
        "p95": round(qs[94], 1),
        "p99": round(qs[98], 1),
        "mean": round(statistics.fmean(values), 1),
    }


def drive(url: str, endpoint: str, qs: list[str], clients: int) -> dict[str, Any]:
    """Send every question once, from ``clients`` threads; latencies in ms."""
    import httpx

    field = "query" if endpoint == "search" else "question"
    latencies: list[float] = []
    server_ms: list[dict[str, float]] = []
    errors: list[str] = []
    answered = 0
    lock = threading.Lock()
    queue = list(qs)

    def worker() -> None:
        nonlocal answered
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    q = queue.pop()
                t0 = time.perf_counter()
                try:
                    r = client.post(f"/api/{endpoint}", json={field: q})
                    ms = (time.perf_counter() - t0) * 1000
                    ok = r.status_code == 200
                    body = r.json() if ok else None
                except httpx.HTTPError as exc:
                    ms, ok, body = 0.0, False, None
                    r = exc  # type: ignore[assignment]
                with lock:
                    if ok:
                        latencies.append(ms)
                        if endpoint == "ask" and body is not None:
                            answered += bool(body.get("answerable"))
                            server_ms.append(body.get("timings_ms", {}))
                    else:
                        errors.append(str(getattr(r, "status_code", r))[:200])

    load_before = load()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out: dict[str, Any] = {
        "endpoint": endpoint,
        "clients": clients,
        "requests": len(qs),
        "errors": len(errors),
        "error_samples": errors[:3],
        "per_s": round(len(latencies) / wall, 1),
        **percentiles(latencies),
        "load_before": load_before,
        "load_after": load(),
    }
    if endpoint == "ask":
        out["answered"] = answered
        for part in ("retrieval", "answer"):
            vals = [t[part] for t in server_ms if part in t]
            if vals:
                out[f"server_{part}_p50"] = round(statistics.median(vals), 1)
    return out


def bench_serve(
    index_dir: Path, requests: int, ask_requests: int, env: dict[str, str] | None
) -> dict[str, Any]:
    from qa_service.index import MANIFEST, Manifest, current_build

    build = current_build(index_dir)
    manifest = Manifest.from_file(build / MANIFEST)
    # every run gets questions of its own: none is answered from the sentence cache of an
    # earlier run, except the last one, which repeats questions on purpose
    # the English questions are asked once, in a run of their own
    english = english_questions(ask_requests)
    qs = questions(index_dir, 20 + 2 * requests + 2 * ask_requests + len(english))
    qs = [q for q in qs if q not in english][: 20 + 2 * requests + 2 * ask_requests]
    warm, qs = qs[:20], qs[20:]
    from tests.server import ServerProcess

    log = Path(tempfile.gettempdir()) / "qa-bench-server.log"
    server = ServerProcess(index_dir, {"QA_RELOAD_INTERVAL": "0", **(env or {})}, log)
    try:
        startup = server.wait_healthy(timeout=900)
        rss_idle = rss_bytes(server.proc.pid)
        drive(server.url, "ask", warm, 1)
        # first, so that none of their sentences comes from the cache of an earlier run
        first = drive(server.url, "ask", english, 1)
        first["english_questions"] = True
        runs = []
        plan = [("search", 1, requests), ("search", 8, requests)]
        plan += [("ask", 1, ask_requests), ("ask", 8, ask_requests)]
        start = 0
        for endpoint, clients, count in plan:
            batch, start = qs[start : start + count], start + count
            runs.append(drive(server.url, endpoint, batch, clients))
        repeat = drive(server.url, "ask", qs[-ask_requests:][: ask_requests // 2], 1)
        repeat["repeated_questions"] = True
        runs.append(repeat)
        runs.append(first)
        for r in runs:
            again = " (repeated questions)" if r.get("repeated_questions") else ""
            again += " (English questions)" if r.get("english_questions") else ""
            print(
                f"  {r['endpoint']:6} {r['clients']} client(s){again}: "
                f"p50 {r.get('p50')} ms, p95 {r.get('p95')} ms, errors {r['errors']}, "
                f"load {r['load_before']}",
                flush=True,
            )
        rss = rss_bytes(server.proc.pid)
    finally:
        server.stop()
    disk = dir_bytes(build)
    n = manifest.passage_count
    text_bytes = _column_bytes(build, "text")
    return {
        "passages": n,
        "documents": manifest.document_count,
        "faiss": manifest.faiss_type,
        "startup_s": round(startup, 1),
        "rss_idle_bytes": rss_idle.get("VmRSS", 0),
        "rss_bytes": rss.get("VmRSS", 0),
        "rss_peak_bytes": rss.get("VmHWM", 0),
        "disk_bytes": disk,
        "disk_bytes_per_passage": round(sum(disk.values()) / n),
        "index_bytes_per_passage": round(
            (disk.get("vectors.faiss", 0) + disk.get("bm25", 0) + disk.get("bm25_rows.npy", 0)) / n
        ),
        "text_bytes_per_passage": round(text_bytes / n),
        "sentence_vector_bytes_per_passage": round(_column_bytes(build, "sentences") / n),
        "runs": runs,
    }


def _column_bytes(build: Path, column: str) -> int:
    """Bytes of one column of the passages in the store (0 when absent)."""
    import sqlite3

    con = sqlite3.connect(f"file:{build / 'store.sqlite'}?mode=ro", uri=True)
    try:
        query = f"SELECT sum(length(CAST({column} AS BLOB))) FROM passages"
        return int(con.execute(query).fetchone()[0] or 0)
    except sqlite3.OperationalError:  # a store from before that column
        return 0
    finally:
        con.close()


def run_serve(args: argparse.Namespace) -> None:
    data = json.loads(args.out.read_text()) if args.out.is_file() else {}
    if args.index_dir is not None:  # an existing index (e.g. the bundled corpus)
        r = bench_serve(args.index_dir, args.requests, args.ask_requests, None)
        r["size"] = r["passages"]
        r["synthetic"] = {}
        merge_out(args.out, "latency_real", [*data.get("latency_real", []), r])
        print_latency([r])
        return
    source = source_build(args.work, args.source_docs)
    results = {r["size"]: r for r in data.get("latency", [])}
    for size in args.sizes:
        target = args.work / f"synthetic-{size}-from-{args.source_docs}"
        print(f"index of about {size} passages ...", flush=True)
        made = synthesise(source, size, target)
        print(f"  {made}", flush=True)
        r = bench_serve(target, args.requests, args.ask_requests, None)
        r["size"] = size
        r["synthetic"] = made
        results[size] = r
        merge_out(args.out, "latency", [results[k] for k in sorted(results)])
    print_latency([results[k] for k in sorted(results)])


def print_latency(results: list[dict[str, Any]]) -> None:
    rows = []
    for r in results:
        for run in r["runs"]:
            rows.append(
                {
                    "passages": r["passages"],
                    "faiss": r["faiss"],
                    "endpoint": run["endpoint"],
                    "clients": f"{run['clients']}{' repeat' * bool(run.get('repeated_questions'))}"
                    f"{' en' * bool(run.get('english_questions'))}",
                    "p50 ms": run.get("p50"),
                    "p95 ms": run.get("p95"),
                    "p99 ms": run.get("p99"),
                    "req/s": run["per_s"],
                    "errors": run["errors"],
                    "load": run["load_before"][0],
                }
            )
    print(table(rows, list(rows[0])))
    rows = [
        {
            "passages": r["passages"],
            "RSS MB": round(r["rss_bytes"] / 2**20),
            "disk B/passage": r["disk_bytes_per_passage"],
            "index B/passage": r["index_bytes_per_passage"],
            "text B/passage": r["text_bytes_per_passage"],
        }
        for r in results
    ]
    print(table(rows, list(rows[0])))


# --------------------------------------------------------------------------------------------
# FAISS: exact against IVF by size (the threshold), recall@10
# --------------------------------------------------------------------------------------------
def run_faiss(args: argparse.Namespace) -> None:
    """Search time per query (1 thread) of exact and IVF indexes over growing subsets of the
    largest synthetic index's vectors, and recall@10 of IVF against exact, with real
    questions (embedded) as queries; also on the real historical vectors alone."""
    import faiss
    import numpy as np

    from qa_service.embedding import Embedder
    from qa_service.index import center, load_index
    from qa_service.vector_index import build_vector_index, recall_at_k

    faiss.omp_set_num_threads(1)
    largest = args.work / f"synthetic-{max(args.sizes)}-from-{args.source_docs}"
    if not (largest / "vectors.npy").is_file():
        raise SystemExit(f"run the serve stage first ({largest} is missing)")
    vectors = np.load(largest / "vectors.npy", mmap_mode="r")
    source = source_build(args.work, args.source_docs)
    real = load_index(source, verify=False)
    real_n = real.size
    centroid = real.centroid
    real.close()
    settings = settings_for(args.work)
    embedder = Embedder(settings)
    qs = questions(source, 300)
    queries = center(embedder.encode_queries(qs), centroid)
    results = []
    sizes = sorted({real_n, *[n for n in (100_000,) if n < len(vectors)]})
    sizes.append(len(vectors))
    for n in sizes:
        v = np.ascontiguousarray(vectors[:n])
        row: dict[str, Any] = {"passages": n, "load_before": load()}
        for kind in ("flat", "ivf"):
            s = settings.model_copy(update={"faiss_index": kind})
            t0 = time.perf_counter()
            if kind == "ivf" and n == len(vectors):  # the IVF index the serve stage built
                from qa_service.index import VECTORS, current_build
                from qa_service.vector_index import prepare_for_search

                index = faiss.read_index(str(current_build(largest) / VECTORS))
                prepare_for_search(index, settings)
            else:
                index = build_vector_index(v, np.arange(n, dtype=np.int64), s)
            row[f"{kind}_build_s"] = round(time.perf_counter() - t0, 1)
            index.search(queries[:5], 50)
            t0 = time.perf_counter()
            for q in queries:
                index.search(q[None, :], 50)
            row[f"{kind}_ms"] = round((time.perf_counter() - t0) * 1000 / len(queries), 2)
            if kind == "ivf":
                ivf = faiss.extract_index_ivf(index)
                row["nlist"], row["nprobe"] = ivf.nlist, ivf.nprobe
                row["recall@10"] = round(recall_at_k(index, v, queries, 10), 4)
                row["recall@50"] = round(recall_at_k(index, v, queries, 50), 4)
            del index
        row["synthetic"] = n > real_n
        print(row, flush=True)
        results.append(row)
        merge_out(args.out, "faiss", results)
    cols = ["passages", "flat_ms", "ivf_ms", "nlist", "nprobe", "recall@10", "recall@50"]
    print(table(results, cols))


# --------------------------------------------------------------------------------------------
# bulk throughput
# --------------------------------------------------------------------------------------------
def run_bulk(args: argparse.Namespace) -> None:
    """Questions per second answered in one process, one after the other
    (``QAService.ask``), at each index size; ``scripts/bench_bulk.py`` measures
    ``qa-service bulk`` and ``/api/ask/batch`` against asking one by one."""
    from qa_service.service import QAService
    from qa_service.vector_index import configure_faiss_threads

    results = []
    for size in args.sizes:
        target = args.work / f"synthetic-{size}-from-{args.source_docs}"
        if not target.is_dir():
            continue
        settings = settings_for(target)
        configure_faiss_threads(settings.faiss_threads)
        service = QAService(settings)
        service.warm_up()
        qs = questions(target, args.requests)
        load_before = load()
        t0 = time.perf_counter()
        answered = sum(service.ask(q, 5).answer.answerable for q in qs)
        wall = time.perf_counter() - t0
        service.close()
        r = {
            "passages": service.index.size,
            "questions": len(qs),
            "answered": answered,
            "seconds": round(wall, 1),
            "questions_per_s": round(len(qs) / wall, 2),
            "load_before": load_before,
            "load_after": load(),
        }
        print(r, flush=True)
        results.append(r)
        merge_out(args.out, "bulk", results)


# --------------------------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------------------------
def run_plot(args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(args.out.read_text())
    latency = sorted(data.get("latency", []), key=lambda r: r["passages"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, endpoint in zip(axes, ("search", "ask"), strict=True):
        for clients, style in ((1, "-o"), (8, "--s")):
            for stat, alpha in (("p50", 1.0), ("p95", 0.5)):
                xs, ys = [], []
                for r in latency:
                    for run in r["runs"]:
                        if run.get("repeated_questions") or run.get("english_questions"):
                            continue
                        if run["endpoint"] == endpoint and run["clients"] == clients:
                            xs.append(r["passages"])
                            ys.append(run[stat])
                label = f"{stat}, {clients} client{'s' if clients > 1 else ''}"
                ax.plot(xs, ys, style, alpha=alpha, label=label)
        target = 30 if endpoint == "search" else 60
        ax.axhline(target, color="grey", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"/api/{endpoint}")
        ax.set_xlabel("passages in the index")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("latency over HTTP (ms)")
    axes[1].legend(fontsize=8)
    fig.suptitle("Query latency on 2 CPU cores (dotted: p50 target with one client)")
    fig.tight_layout()
    path = args.out.with_suffix(".png")
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


# --------------------------------------------------------------------------------------------
# markdown tables for docs/performance.md
# --------------------------------------------------------------------------------------------
def markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def fmt_load(load_avg: list[float]) -> str:
    return "/".join(f"{x:.1f}" for x in load_avg)


def run_report(args: argparse.Namespace) -> None:
    data = json.loads(args.out.read_text())
    out = []
    rows = []
    for r in data.get("indexing", []):
        share = r["share"]
        ceiling = r.get("ceiling", {})
        rows.append(
            {
                "documents": r["documents"],
                "passages": r["passages"],
                "seconds": r["seconds_total"],
                "passages/s": r["passages_per_s"],
                "parse": f"{100 * share.get('parse', 0):.1f}%",
                "embed": f"{100 * share.get('embed', 0):.1f}%",
                "FAISS": f"{100 * share.get('faiss', 0):.2f}%",
                "BM25": f"{100 * share.get('bm25', 0):.1f}%",
                "write": f"{100 * share.get('write', 0):.2f}%",
                "model alone, passages/s": ceiling.get("passages_per_s", ""),
                "load": fmt_load(r["load_before"]) + " → " + fmt_load(r["load_after"]),
            }
        )
    out += ["### Indexing", "", markdown(rows), ""]
    rows = []
    for r in sorted(
        data.get("latency", []) + data.get("latency_real", []), key=lambda r: r["passages"]
    ):
        for run in r["runs"]:
            clients = str(run["clients"])
            if run.get("repeated_questions"):
                clients += " (repeated questions)"
            if run.get("english_questions"):
                clients += " (English questions)"
            row = {
                "passages": f"{r['passages']:,}",
                "FAISS": r["faiss"],
                "endpoint": f"/api/{run['endpoint']}",
                "clients": clients,
                "requests": run["requests"],
                "p50 ms": run.get("p50"),
                "p95 ms": run.get("p95"),
                "p99 ms": run.get("p99"),
                "req/s": run["per_s"],
                "errors": run["errors"],
                "server: retrieval / answer p50 ms": (
                    f"{run.get('server_retrieval_p50', '')} / {run.get('server_answer_p50', '')}"
                    if run["endpoint"] == "ask"
                    else ""
                ),
                "answered": run.get("answered", ""),
                "load": fmt_load(run["load_before"]),
            }
            rows.append(row)
    out += ["### Query latency over HTTP", "", markdown(rows), ""]
    rows = []
    for r in sorted(
        data.get("latency", []) + data.get("latency_real", []), key=lambda r: r["passages"]
    ):
        disk = r["disk_bytes"]
        n = r["passages"]
        rows.append(
            {
                "passages": f"{n:,}",
                "server RSS after the runs (MB)": round(r["rss_bytes"] / 2**20),
                "peak RSS (MB)": round(r["rss_peak_bytes"] / 2**20),
                "vectors B/passage": round(disk.get("vectors.faiss", 0) / n),
                "BM25 B/passage": round((disk.get("bm25", 0) + disk.get("bm25_rows.npy", 0)) / n),
                "store B/passage (text, metadata, terms, sentence vectors)": round(
                    disk.get("store.sqlite", 0) / n
                ),
                "of which sentence vectors": r.get("sentence_vector_bytes_per_passage", ""),
                "passage text B/passage": r["text_bytes_per_passage"],
                "disk B/passage": r["disk_bytes_per_passage"],
                "start-up s": r["startup_s"],
            }
        )
    out += ["### Memory and disk", "", markdown(rows), ""]
    rows = [
        {
            "passages": f"{r['passages']:,}" + (" (synthetic)" if r["synthetic"] else " (real)"),
            "exact ms/query": r["flat_ms"],
            "IVF ms/query": r["ivf_ms"],
            "IVF cells / probed": f"{r['nlist']} / {r['nprobe']}",
            "recall@10": r["recall@10"],
            "recall@50": r["recall@50"],
            "IVF build s": r["ivf_build_s"],
            "load": fmt_load(r["load_before"]),
        }
        for r in data.get("faiss", [])
    ]
    out += ["### FAISS: exact against IVF (1 thread, k = 50)", "", markdown(rows), ""]
    rows = [
        {
            "passages": f"{r['passages']:,}",
            "questions": r["questions"],
            "answered": r["answered"],
            "seconds": r["seconds"],
            "questions/s": r["questions_per_s"],
            "load": fmt_load(r["load_before"]),
        }
        for r in data.get("bulk", [])
    ]
    out += ["### Bulk (QAService.ask, one process, one question after the other)", ""]
    out += [markdown(rows), ""]
    print("\n".join(out))


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "stage", choices=["index", "serve", "faiss", "bulk", "plot", "report", "all"]
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--docs", type=int, nargs="+", default=[1000, 5023])
    parser.add_argument("--no-ceiling", action="store_true")
    parser.add_argument(
        "--ceiling-sample",
        type=int,
        default=4000,
        help="beyond 1,000 documents, measure the model's ceiling on this many random passages",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 30000, 300000])
    parser.add_argument(
        "--source-docs",
        type=int,
        default=5023,
        help="the synthetic indexes re-use the index of this many historical documents",
    )
    parser.add_argument("--index-dir", type=Path, help="serve: measure this existing index instead")
    parser.add_argument("--requests", type=int, default=200, help="searches per run")
    parser.add_argument("--ask-requests", type=int, default=100, help="questions per run")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.stage in ("index", "all"):
        run_index(args)
    if args.stage in ("serve", "all"):
        run_serve(args)
    if args.stage in ("faiss", "all"):
        run_faiss(args)
    if args.stage in ("bulk", "all"):
        run_bulk(args)
    if args.stage in ("plot", "all"):
        run_plot(args)
    if args.stage in ("report", "all"):
        run_report(args)


if __name__ == "__main__":
    main()
