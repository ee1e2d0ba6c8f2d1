"""``qa-service index``: build the index, or update it in place (add, remove, watch)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from qa_service.cli.common import settings_from
from qa_service.config import Settings

if TYPE_CHECKING:
    from qa_service.ingest.build import EmbedStep
    from qa_service.ingest.distributed import RayEmbedding

#: where ``--ray`` keeps each embedded document's vectors (inside the index folder)
SHARDS = "embed-shards"


def add_ray_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("embedding on a Ray cluster (pip install 'qa-service[ray]')")
    g.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run the embedding pass as a Ray Data job on the cluster at ADDRESS (host:port "
        "of its head, or 'auto'); the rest of the build runs here",
    )
    g.add_argument(
        "--ray-workers",
        type=int,
        default=0,
        metavar="N",
        help="model replicas (actors); 0 = one per GPU, or one per --ray-cpus-per-worker CPUs",
    )
    g.add_argument(
        "--ray-cpus-per-worker", type=int, default=1, metavar="N", help="CPU cores per replica"
    )
    g.add_argument(
        "--ray-batch-size", type=int, default=256, metavar="N", help="passages per Ray batch"
    )
    g.add_argument(
        "--ray-work-dir",
        metavar="DIR",
        help=f"vectors of the documents done, by content hash, so that a re-run resumes "
        f"(default: INDEX_DIR/{SHARDS})",
    )


# -- index ----------------------------------------------------------------------------------
def cmd_index(args: argparse.Namespace) -> int:
    from qa_service.embedding import Embedder
    from qa_service.ingest.build import build_index, default_corpus_paths, local_embed
    from qa_service.store.open import describe_store

    settings = settings_from(args)
    if args.from_local is not None:
        return _from_local(Path(args.from_local), settings, bool(args.paths or args.add))
    if args.watch is not None or args.add or args.remove:
        if args.ray:
            print("error: --ray embeds for a full build, not for updates", file=sys.stderr)
            return 2
        if args.paths:
            print("error: give paths to --add (or --watch), not both", file=sys.stderr)
            return 2
        return _update(args, settings)
    paths = [Path(p) for p in args.paths] or default_corpus_paths(settings)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    uploads = settings.upload_dir
    if not args.no_uploads and uploads.is_dir() and any(uploads.iterdir()):
        print(f"also indexing the uploaded files kept in {uploads} (--no-uploads to leave out)")
        paths.append(uploads)
    embed: EmbedStep = local_embed
    ray: RayEmbedding | None = None
    if args.ray:
        from qa_service.ingest.distributed import RayEmbedding, RayNotInstalled

        work_dir = Path(args.ray_work_dir) if args.ray_work_dir else settings.index_dir / SHARDS
        try:
            embed = ray = RayEmbedding(
                args.ray,
                work_dir,
                workers=args.ray_workers,
                cpus_per_worker=args.ray_cpus_per_worker,
                batch_size=args.ray_batch_size,
            )
        except RayNotInstalled as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    started = time.perf_counter()
    report = build_index(paths, settings, Embedder(settings), not args.quiet, embed)
    elapsed = time.perf_counter() - started
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    if ray is not None:
        run = ray.last
        print(
            f"Ray: embedded {run.passages_embedded} passages of {run.documents_embedded} "
            f"documents on {run.workers} worker(s) ({run.device}), reused the vectors of "
            f"{run.documents_reused} unchanged documents"
        )
    print(
        f"indexed {report.documents} documents, {report.passages} passages into "
        f"{describe_store(settings)} in {elapsed:.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in report.seconds.items())})"
    )
    return 0


def _update(args: argparse.Namespace, settings: Settings) -> int:
    """``index --add/--remove``: a live update; ``index --watch DIR``: follow a folder."""
    from qa_service.embedding import Embedder
    from qa_service.ingest.build import build_index
    from qa_service.ingest.update import update_index
    from qa_service.ingest.watch import describe, watch
    from qa_service.store.open import store_has_index

    embedder = Embedder(settings)
    if args.watch is not None:
        folder = Path(args.watch)
        if not folder.is_dir():
            print(f"error: not a folder: {folder}", file=sys.stderr)
            return 2
        if args.interval is not None:
            settings.watch_interval = args.interval
        if not args.once:
            print(f"watching {folder} every {settings.watch_interval:g} s (Ctrl-C to stop)")
        watch(settings, embedder, folder, once=args.once)
        return 0
    add = [Path(p) for p in args.add or []]
    missing = [str(p) for p in add if not p.exists()]
    if missing:
        print(f"error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    if not store_has_index(settings) and add and not args.remove:
        report = build_index(add, settings, embedder, progress=not args.quiet)
        for path, reason in report.skipped:
            print(f"skipped {path}: {reason}", file=sys.stderr)
        print(
            f"no index yet: built one with {report.documents} documents, {report.passages} passages"
        )
        return 0
    update = update_index(
        settings, embedder, add=add, remove=args.remove or [], progress=not args.quiet
    )
    print(describe(update))
    for doc_id in update.not_found:
        print(f"not in the index: {doc_id}", file=sys.stderr)
    return 1 if update.not_found and not update.changed else 0


def _from_local(index_dir: Path, settings: Settings, other_work: bool) -> int:
    """``index --from-local DIR``: the local build in DIR copied into Milvus."""
    from qa_service.store.layout import IndexLoadError
    from qa_service.store.open import describe_store

    if settings.store != "milvus" or other_work:
        print("error: --from-local needs QA_STORE=milvus and no other paths", file=sys.stderr)
        return 2
    from qa_service.ingest.milvus import import_local

    try:
        name, documents, passages = import_local(settings, index_dir)
    except IndexLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"copied {documents} documents, {passages} passages into {describe_store(settings)}")
    print(f"build {name}")
    return 0
