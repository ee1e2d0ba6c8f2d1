"""Benchmark: indexing throughput, query latency over HTTP, bulk throughput, memory and disk.

Prints a table per stage and writes everything to one JSON file (merged across runs, so the
stages can be run separately, e.g. the latency part again when the machine is quiet)::

    python scripts/bench.py index  --docs 1000 5023        # indexing + the model's own ceiling
    python scripts/bench.py serve  --sizes 1000 30000 300000   # /api/search, /api/ask latency
    python scripts/bench.py bulk                           # questions per second
    python scripts/bench.py assist --index-dir index       # the model-assisted step (local-llm)
    python scripts/bench.py all                            # everything (about an hour on 2 cores)
    python scripts/bench_report.py plot                    # docs/performance.png from the JSON
    python scripts/bench_report.py report                  # the JSON as markdown tables

Indexing uses the historical OCR corpus (``corpus/historical/sgd-ocr.jsonl.gz``): its first N
documents. The latency indexes are made from the vectors of the full historical build (see
``qa_service.devtools.synthetic``): about 1k passages is a real subset, larger sizes re-use
the historical passages under new ids with slightly perturbed vectors (nothing is embedded
again). Every figure is stored with the load average at the time it was taken; the machine
is shared.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from qa_service.devtools.latency import drive, load, rss_bytes
from qa_service.devtools.synthetic import settings_for, synthesise

ROOT = Path(__file__).resolve().parent.parent

HISTORICAL = ROOT / "corpus" / "historical" / "sgd-ocr.jsonl.gz"

DEFAULT_OUT = ROOT / "docs" / "performance.json"

DEFAULT_WORK = Path(tempfile.gettempdir()) / "qa-bench"


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


def bench_index(docs: int, work: Path, ceiling: bool, sample: int = 0) -> dict[str, Any]:
    """Build an index of the first ``docs`` historical documents; then encode the same
    passage texts with plain ``SentenceTransformer.encode`` (same batch size and dtype): all
    of them, or a random ``sample`` of them when given (to save time on the full corpus)."""
    from qa_service.embedding import Embedder
    from qa_service.ingest.build import build_index, embedded_texts
    from qa_service.store.layout import current_build
    from qa_service.store.loaded import load_index

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


def source_build(work: Path, docs: int) -> Path:
    """The index of the first ``docs`` historical documents (built by the ``index`` stage,
    else now)."""
    index_dir = work / f"index-docs-{docs}"
    from qa_service.store.layout import index_exists

    if not index_exists(index_dir):
        print(f"building the index of {docs} historical documents first ...", flush=True)
        bench_index(docs, work, ceiling=False)
    return index_dir


def questions(index_dir: Path, count: int) -> list[str]:
    """Distinct questions: the labelled evaluation questions (about the bundled corpus, mostly
    abstained on here) and, for most, 6-14 consecutive words of random passages of the index
    (answered: the answer path runs in full)."""
    import random

    from qa_service.store.loaded import load_index

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
    from qa_service.evaluation.data import DEFAULT_QUESTION_FILES, load_questions

    return [q for path in DEFAULT_QUESTION_FILES for q in load_questions(path)]


def english_questions(count: int) -> list[str]:
    """The labelled English questions (the answerer embeds their candidate sentences at
    query time, ``answer_sentences_en=query``)."""
    return [q.question for q in labelled_questions() if q.lang == "en"][:count]


def bench_serve(
    index_dir: Path, requests: int, ask_requests: int, env: dict[str, str] | None
) -> dict[str, Any]:
    from qa_service.store.layout import MANIFEST, Manifest, current_build

    build = current_build(index_dir)
    manifest = Manifest.from_file(build / MANIFEST)
    # every run gets questions of its own: none is answered from the sentence cache of an
    # earlier run, except the last one, which repeats questions on purpose
    # the English questions are asked once, in a run of their own
    english = english_questions(ask_requests)
    qs = questions(index_dir, 20 + 2 * requests + 2 * ask_requests + len(english))
    qs = [q for q in qs if q not in english][: 20 + 2 * requests + 2 * ask_requests]
    warm, qs = qs[:20], qs[20:]
    from qa_service.devtools.server import ServerProcess

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
    from qa_service.store.layout import STORE
    from qa_service.store.sqlite import PassageStore

    store = PassageStore(build / STORE)
    try:
        return store.column_bytes(column)
    finally:
        store.close()


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


def run_faiss(args: argparse.Namespace) -> None:
    """Search time per query (1 thread) of exact and IVF indexes over growing subsets of the
    largest synthetic index's vectors, and recall@10 of IVF against exact, with real
    questions (embedded) as queries; also on the real historical vectors alone."""
    import faiss
    import numpy as np

    from qa_service.embedding import Embedder
    from qa_service.store.loaded import load_index
    from qa_service.store.vectors import build_vector_index, center, recall_at_k

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
                from qa_service.store.layout import VECTORS, current_build
                from qa_service.store.vectors import prepare_for_search

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


def run_bulk(args: argparse.Namespace) -> None:
    """Questions per second answered in one process, one after the other
    (``QAService.ask``), at each index size; ``scripts/bench_bulk.py`` measures
    ``qa-service bulk`` and ``/api/ask/batch`` against asking one by one."""
    from qa_service.service import QAService
    from qa_service.store.vectors import configure_faiss_threads

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "stage", choices=["index", "serve", "faiss", "bulk", "assist", "plot", "report", "all"]
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
    parser.add_argument(
        "--assist-questions", type=int, default=30, help="assist: distinct questions per engine"
    )
    parser.add_argument(
        "--assist-engines", nargs="+", default=["openvino"], help="assist: engines to measure"
    )
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
    if args.stage == "assist":  # not in `all`: needs the local-llm extra
        from bench_assist import bench_latency  # scripts/ is on the path of a script

        index_dir = args.index_dir or ROOT / "index"
        rows = [bench_latency(index_dir, e, args.assist_questions) for e in args.assist_engines]
        print(table(rows, list(rows[0])), flush=True)
        merge_out(args.out, "assist", rows)
    if args.stage in ("plot", "report", "all"):  # kept here too: `bench.py all` does everything
        from bench_report import run_plot, run_report  # scripts/ is on the path of a script

        if args.stage in ("plot", "all"):
            run_plot(args.out)
        if args.stage in ("report", "all"):
            run_report(args.out)


if __name__ == "__main__":
    main()
