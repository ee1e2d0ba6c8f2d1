"""Embedding throughput: the local embedding pass against the Ray job (``index --ray``) with
1 and 2 workers, on the same documents, side by side. Starts its own single-node Ray cluster
on loopback (``qa_service.devtools.ray_cluster``). Prints figures; asserts nothing.

    python scripts/bench_ray.py                 # the first 80 motions and the Kamerbrief
    python scripts/bench_ray.py --motions 200 --out /tmp/bench-ray.json

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
from qa_service.ingest.build import chunk_documents, collect_documents, local_embed  # noqa: E402
from qa_service.ingest.distributed import RayEmbedding  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--motions", type=int, default=80)
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
    results: dict[str, dict[str, float]] = {}

    t0 = time.perf_counter()
    local_embed(metas, passages, settings, embedder)
    seconds = time.perf_counter() - t0
    results["local (2 threads)"] = {"seconds": seconds, "passages_per_s": len(passages) / seconds}
    print("local", results["local (2 threads)"])

    with running_ray_cluster(num_cpus=2) as cluster:
        for label, workers, cpus in (
            ("ray, 1 worker x 2 threads", 1, 2),
            ("ray, 2 workers x 1 thread", 2, 1),
        ):
            job = RayEmbedding(
                cluster.address,
                tmp / f"work-{workers}",
                workers=workers,
                cpus_per_worker=cpus,
                batch_size=64,
            )
            job(metas, passages, settings, embedder)
            run = job.last
            steady = (len(passages) - run.first_batch_passages) / max(
                run.seconds - run.first_batch_seconds, 1e-9
            )
            results[label] = {
                "seconds": run.seconds,
                "passages_per_s": len(passages) / run.seconds,
                "first_batch_seconds": run.first_batch_seconds,
                "passages_per_s_after_first_batch": steady,
            }
            print(label, results[label])
    print()
    print("| path | passages/s (whole job) | passages/s after the first batch | job s |")
    print("|---|---|---|---|")
    for label, r in results.items():
        after = r.get("passages_per_s_after_first_batch")
        print(
            f"| {label} | {r['passages_per_s']:.1f} | "
            f"{'' if after is None else f'{after:.1f}'} | {r['seconds']:.1f} |"
        )
    if args.out:
        args.out.write_text(json.dumps({"passages": len(passages), "results": results}, indent=1))


if __name__ == "__main__":
    main()
