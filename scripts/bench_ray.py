"""Embedding throughput: the local embedding pass against the Ray job (``index --ray``) with
1 and 2 workers, on the same documents, side by side. Starts its own single-node Ray cluster
on loopback (``qa_service.devtools.ray_cluster``). Prints figures; asserts nothing.

    python scripts/bench_ray.py             # the first 80 motions and the Kamerbrief, 2 rounds
    python scripts/bench_ray.py --motions 200 --rounds 3 --out /tmp/bench-ray.json

Each round runs the local pass (2 torch threads, then 1), then the Ray job with 1 worker
(1 thread), 2 workers (1 thread each) and 1 worker (2 threads), on fresh work directories
(nothing reused). "passages/s (embedding)"
is passages over the busiest worker's time in its batches: it leaves out starting the workers
(process, imports, model load), which a long job amortises. "passages per CPU-second" counts
the CPU time of the process(es) that embed (all threads): on a shared machine it does not
depend on the share each process gets. Start the script with `setsid` (its own session): with
the kernel's autogroup scheduling, CPU is shared out per session, and the Ray processes run
in a session of their own (``ray start`` detaches), so a local pass in a busy session would
be measured at a smaller share than the workers.

Needs the ray extra (``pip install -e '.[ray]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from qa_service.devtools.ray_cluster import RAY_ENV, running_ray_cluster

os.environ.update(RAY_ENV)  # before Ray is imported (see qa_service.ingest.distributed)

from qa_service.config import Settings  # noqa: E402
from qa_service.embedding import Embedder  # noqa: E402
from qa_service.embedding.embedder import configure_torch_threads  # noqa: E402
from qa_service.ingest.build import chunk_documents, collect_documents, local_embed  # noqa: E402
from qa_service.ingest.distributed import RayEmbedding  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--motions", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    corpus = ROOT / "corpus"
    paths = [corpus / "kamerstukken" / "kst-28676-280.txt"]
    paths += sorted((corpus / "moties").glob("*.txt"))[: args.motions]
    tmp = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    settings = Settings(index_dir=tmp / "index")
    embedder = Embedder(settings)
    embedder.warm_up()
    docs, _ = collect_documents(paths, settings)
    metas, passages, _ = chunk_documents(docs, settings, embedder)
    print(f"{len(metas)} documents, {len(passages)} passages; {os.cpu_count()} cores")
    rows: list[dict[str, object]] = []

    def record(label: str, round_: int, figures: dict[str, float]) -> None:
        figures = {k: round(v, 2) for k, v in figures.items()}
        row = {"path": label, "round": round_, "load_1min": os.getloadavg()[0], **figures}
        rows.append(row)
        print(row)

    variants = (
        ("ray, 1 worker x 1 thread", 1, 1),
        ("ray, 2 workers x 1 thread", 2, 1),
        ("ray, 1 worker x 2 threads", 1, 2),
    )
    with running_ray_cluster(num_cpus=2) as cluster:
        for round_ in range(1, args.rounds + 1):  # alternating, so that load changes hit all
            for threads in (2, 1):
                configure_torch_threads(threads)
                t0, cpu = time.perf_counter(), time.process_time()
                local_embed(metas, passages, settings, embedder)
                seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu
                record(
                    f"local ({threads} thread{'s' if threads > 1 else ''})",
                    round_,
                    {
                        "seconds": seconds,
                        "passages_per_s": len(passages) / seconds,
                        "passages_per_s_embedding": len(passages) / seconds,
                        "passages_per_cpu_s": len(passages) / cpu,
                    },
                )
            for label, workers, cpus in variants:
                job = RayEmbedding(
                    cluster.address,
                    tmp / f"work-{round_}-{workers}x{cpus}",  # fresh: nothing reused
                    workers=workers,
                    cpus_per_worker=cpus,
                    batch_size=64,
                )
                job(metas, passages, settings, embedder)
                run = job.last
                record(
                    label,
                    round_,
                    {
                        "seconds": run.seconds,
                        "passages_per_s": len(passages) / run.seconds,
                        "busiest_worker_seconds": max(run.busy.values()),
                        "passages_per_s_embedding": run.passages_per_second_embedding,
                        "passages_per_cpu_s": len(passages) / run.cpu_seconds,
                    },
                )
    print()
    print(
        "| round | path | passages/s (whole job) | passages/s (embedding) "
        "| passages per CPU-second | job s | load |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['round']} | {r['path']} | {r['passages_per_s']} | "
            f"{r['passages_per_s_embedding']} | {r['passages_per_cpu_s']} | {r['seconds']} | "
            f"{r['load_1min']:.1f} |"
        )
    if args.out:
        args.out.write_text(json.dumps({"passages": len(passages), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
