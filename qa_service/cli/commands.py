"""Command line: ``qa-service index | serve | mcp | ask | bulk | eval``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from qa_service.config import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    for name in ("index_dir", "host", "port"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Settings(**overrides)


def _add_index_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="index directory (default: $QA_INDEX_DIR or ./index)",
    )


# -- index ----------------------------------------------------------------------------------
def cmd_index(args: argparse.Namespace) -> int:
    from qa_service.embedding import Embedder
    from qa_service.ingest.build import build_index, default_corpus_paths

    settings = _settings(args)
    if args.watch is not None or args.add or args.remove:
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
    started = time.perf_counter()
    report = build_index(paths, settings, Embedder(settings), progress=not args.quiet)
    elapsed = time.perf_counter() - started
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    print(
        f"indexed {report.documents} documents, {report.passages} passages into "
        f"{settings.index_dir} in {elapsed:.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in report.seconds.items())})"
    )
    return 0


def _update(args: argparse.Namespace, settings: Settings) -> int:
    """``index --add/--remove``: a live update; ``index --watch DIR``: follow a folder."""
    from qa_service.embedding import Embedder
    from qa_service.ingest.build import build_index
    from qa_service.ingest.update import update_index
    from qa_service.ingest.watch import describe, watch
    from qa_service.store.layout import index_exists

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
    if not index_exists(settings.index_dir) and add and not args.remove:
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


# -- serve ----------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from qa_service.api.app import create_app
    from qa_service.embedding import Embedder
    from qa_service.ingest.build import build_index, default_corpus_paths
    from qa_service.service import QAService
    from qa_service.store.layout import index_exists

    settings = _settings(args)
    embedder = Embedder(settings)
    if not index_exists(settings.index_dir):
        if args.no_build:
            print(f"error: no index in {settings.index_dir}", file=sys.stderr)
            return 2
        print(f"no index in {settings.index_dir}: indexing the bundled corpus first")
        paths = default_corpus_paths(settings)
        if settings.upload_dir.is_dir() and any(settings.upload_dir.iterdir()):
            paths.append(settings.upload_dir)  # and the documents uploaded before
        build_index(paths, settings, embedder, progress=True)
    app = create_app(settings, QAService(settings, embedder))
    print(f"serving on http://{settings.host}:{settings.port}/ (API docs at /docs)")
    from qa_service.api.request_log import configure_logging

    configure_logging(settings, verbose=args.verbose)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,  # one line per request from qa_service.api.request_log instead
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
    )
    return 0


# -- mcp ------------------------------------------------------------------------------------
def cmd_mcp(args: argparse.Namespace) -> int:
    """Serve the tools over MCP on stdin/stdout (for desktop assistants)."""
    from qa_service.api.mcp import run_stdio
    from qa_service.api.request_log import configure_logging
    from qa_service.store.layout import index_exists

    settings = _settings(args)
    configure_logging(settings, verbose=args.verbose)  # to stderr: stdout carries MCP
    if not index_exists(settings.index_dir):
        print(f"error: no index in {settings.index_dir} (run qa-service index)", file=sys.stderr)
        return 2
    run_stdio(settings)
    return 0


# -- ask ------------------------------------------------------------------------------------
def cmd_ask(args: argparse.Namespace) -> int:
    from qa_service.answer.questions import MAX_TOP_K, clean_question
    from qa_service.generation.backends import GenerationError
    from qa_service.service import QAService

    try:
        question = clean_question(args.question)
    except ValueError as exc:
        print(f"error: the question {exc}", file=sys.stderr)
        return 2
    if not 1 <= args.top_k <= MAX_TOP_K:
        print(f"error: --top-k must be 1 to {MAX_TOP_K}", file=sys.stderr)
        return 2
    service = QAService(_settings(args))
    service.warm_up()
    try:
        result = service.ask(question, args.top_k)
    except GenerationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = result.to_dict()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(out["answer"])
    print()
    for c in out["citations"]:
        section = f" ({c['section']})" if c["section"] else ""
        print(f"[{c['n']}] {c['citation']} — {c['title']}{section}")
        if c["url"]:
            print(f"    {c['url']}")
    return 0


# -- eval -----------------------------------------------------------------------------------
def cmd_eval(args: argparse.Namespace) -> int:
    import shlex

    from qa_service.embedding import Embedder
    from qa_service.evaluation import core as ev
    from qa_service.evaluation.report import render_text, write_outputs
    from qa_service.ingest.build import build_index, default_corpus_paths
    from qa_service.service import QAService
    from qa_service.store.layout import index_exists

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    if not 1 <= args.top_k <= 50:
        print("error: --top-k must be between 1 and 50", file=sys.stderr)
        return 2
    if args.limit is not None and args.limit < 1:
        print("error: --limit must be at least 1", file=sys.stderr)
        return 2
    backends: list[str] = []
    if args.backends is not None:
        from qa_service.evaluation.backends import BackendError, parse_backends

        try:
            backends = parse_backends(args.backends)
        except BackendError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    elif args.generations_cache is not None:
        print("error: --generations-cache needs --backends", file=sys.stderr)
        return 2
    settings = _settings(args)
    if args.questions:
        files = [Path(p) for p in args.questions]
    else:  # the held-out questions too, except for the (slow) backend comparison
        files = list(ev.DEFAULT_QUESTION_FILES) if backends else ev.default_question_files()
    try:
        questions = [q for f in files for q in ev.load_questions(Path(f))][: args.limit]
    except ev.EvalDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    plain = Embedder(settings)
    embedder = ev.CachedEmbedder(plain)
    if not index_exists(settings.index_dir):
        log(f"no index in {settings.index_dir}: indexing the bundled corpus first")
        build_index(default_corpus_paths(settings), settings, embedder, progress=True)
    argv = getattr(args, "argv", None)
    command = shlex.join(["qa-service", *(argv if argv is not None else sys.argv[1:])])
    if backends:
        from qa_service.evaluation import backends as eb
        from qa_service.generation.backends import GenerationError
        from qa_service.generation.models import ModelNotAvailable

        try:
            comparison = eb.compare_backends(
                settings,
                backends,
                questions,
                cache_path=args.generations_cache or eb.DEFAULT_GENERATIONS_CACHE,
                embedder=plain,  # not cached: every backend's latency includes its retrieval
                top_k=args.top_k,
                command=command,
                log=log,
            )
        except (GenerationError, ModelNotAvailable) as exc:  # answers so far stay cached
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(eb.render_text(comparison))
        for written in eb.write_outputs(comparison, args.out, args.docs):
            log(f"wrote {written}")
        return 0
    service = QAService(settings, embedder)
    service.warm_up()

    notes: list[str] = []
    if not args.no_motions:
        motions, note = ev.bundled_motion_queries(settings, service.index.store, args.quick)
        questions += motions
        notes += [note] if note else []
    tatoeba, note = ev.bundled_tatoeba(args.quick)
    notes += [note] if note else []

    report = ev.run_evaluation(
        service,
        questions,
        tatoeba=tatoeba,
        top_k=args.top_k,
        command=command,
        notes=notes,
        baseline=not args.no_baseline,
        log=log,
    )
    print(render_text(report))
    for written in write_outputs(report, args.out, args.docs):
        log(f"wrote {written}")
    return 0


# -- bulk -----------------------------------------------------------------------------------
def cmd_bulk(args: argparse.Namespace) -> int:
    from qa_service.answer.questions import MAX_BATCH_QUESTIONS, MAX_TOP_K
    from qa_service.bulk.answerers import (
        AnswerBatch,
        RemoteAnswerer,
        default_workers,
        local_answerer,
    )
    from qa_service.bulk.inputs import read_questions
    from qa_service.bulk.items import BulkError, ServiceError
    from qa_service.bulk.outputs import pending_items, prepare_output
    from qa_service.bulk.run import run_bulk

    if not 1 <= args.top_k <= MAX_TOP_K:
        print(f"error: --top-k must be 1 to {MAX_TOP_K}", file=sys.stderr)
        return 2
    if args.batch_size < 1 or args.workers < 0 or args.retries < 0:
        print(
            "error: --batch-size must be at least 1, --workers and --retries at least 0",
            file=sys.stderr,
        )
        return 2
    if args.url and args.batch_size > MAX_BATCH_QUESTIONS:
        print(
            f"error: a service takes at most {MAX_BATCH_QUESTIONS} questions per call "
            "(--batch-size)",
            file=sys.stderr,
        )
        return 2
    if args.output.resolve() == args.input.resolve():
        print("error: the output must be another file than the input", file=sys.stderr)
        return 2
    try:
        items = read_questions(args.input)
        done = prepare_output(args.output)
        if not pending_items(items, done, args.output):
            print(f"all {len(items)} questions are already answered in {args.output}")
            return 0
    except BulkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    answer: AnswerBatch
    remote: RemoteAnswerer | None = None
    if args.url:
        answer = remote = RemoteAnswerer(args.url, args.top_k, retries=args.retries)
        workers = args.workers or 2  # one batch on the wire while the service answers another
    else:
        from qa_service.service import QAService

        settings = _settings(args)
        service = QAService(settings)
        service.warm_up()
        answer = local_answerer(service, args.top_k)
        workers = args.workers or default_workers(settings.serving_torch_threads)
    try:
        summary = run_bulk(
            items, args.output, answer, args.batch_size, workers, not args.quiet, done
        )
    except ServiceError as exc:
        print(
            f"error: {exc}\nthe answers so far are in {args.output}; run the same command "
            "again to resume",
            file=sys.stderr,
        )
        return 1
    except BulkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"interrupted: the answers so far are in {args.output}; run the same command "
            "again to resume",
            file=sys.stderr,
        )
        return 130
    finally:
        if remote is not None:
            remote.close()  # also ends requests still in flight after an interruption
    print(f"{summary} -> {args.output}")
    if summary.failed:
        print("failed rows carry their error; running again retries them", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa-service", description="Cited answers over Dutch parliamentary documents."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "index",
        help="build the index (default: the bundled corpus), or update it live",
        description=(
            "Build a new index from files and folders (.txt, .pdf, KOOP .xml, .html, .jsonl, "
            ".jsonl.gz), or update the existing one without rebuilding it: --add, --remove, "
            "--watch."
        ),
    )
    p.add_argument("paths", nargs="*", help="files or folders to build the index from")
    p.add_argument(
        "--add",
        nargs="+",
        metavar="PATH",
        help="add or replace the documents in these files/folders (unchanged ones are skipped)",
    )
    p.add_argument("--remove", nargs="+", metavar="DOC_ID", help="remove these documents")
    p.add_argument(
        "--watch", metavar="DIR", help="follow a folder: add new and changed files, drop deleted"
    )
    p.add_argument("--once", action="store_true", help="with --watch: one scan, then exit (cron)")
    p.add_argument(
        "--interval", type=float, default=None, help="with --watch: seconds between scans"
    )
    p.add_argument(
        "--no-uploads", action="store_true", help="leave the uploaded files out of a rebuild"
    )
    _add_index_dir(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("serve", help="start the API and the chat page")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    _add_index_dir(p)
    p.add_argument("--no-build", action="store_true", help="fail instead of indexing")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("mcp", help="serve the tools over MCP on stdin/stdout")
    _add_index_dir(p)
    p.set_defaults(func=cmd_mcp)

    p = sub.add_parser("ask", help="answer one question in the terminal")
    p.add_argument("question")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print the /api/ask JSON")
    _add_index_dir(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="measure retrieval and answer quality on labelled questions")
    p.add_argument(
        "--questions",
        nargs="+",
        metavar="FILE",
        help="JSONL files of labelled questions (default: the bundled dev and calibration "
        "sets, and eval_data/heldout-questions.jsonl when present)",
    )
    _add_index_dir(p)
    p.add_argument("--out", type=Path, metavar="JSON", help="write every figure to this file")
    p.add_argument(
        "--docs",
        type=Path,
        metavar="MD",
        help="regenerate the tables of this markdown file (e.g. docs/evaluation.md) and its plot",
    )
    p.add_argument(
        "--quick", action="store_true", help="a quarter of the motion subjects, 250 Tatoeba pairs"
    )
    p.add_argument("--no-motions", action="store_true", help="skip the motion subject queries")
    p.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip the plain dense baseline (it embeds every passage's plain text once)",
    )
    p.add_argument("--top-k", type=int, default=5, help="passages per answer (as the API)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N labelled questions")
    p.add_argument(
        "--backends",
        metavar="LIST",
        help="compare answer backends instead (e.g. extractive,local): key facts, citations, "
        "removed sentences, latency, answer language; with --docs, its section of the file",
    )
    p.add_argument(
        "--generations-cache",
        type=Path,
        metavar="JSONL",
        help="model outputs replayed by --backends and extended with new ones "
        "(default: eval_data/generations.jsonl)",
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "bulk",
        help="answer a file of questions (.txt, .csv, .jsonl) into .jsonl or .csv; resumable",
    )
    p.add_argument("input", type=Path, help="questions: .txt (one a line), .csv, .jsonl")
    p.add_argument("-o", "--output", type=Path, required=True, help="answers: .jsonl or .csv")
    p.add_argument("--url", default=None, help="ask a running service instead of the index")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64, help="questions per batch (64)")
    p.add_argument("--workers", type=int, default=0, help="batches at once (0 = automatic)")
    p.add_argument(
        "--retries", type=int, default=5, help="with --url: tries again on 503 or no connection"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    _add_index_dir(p)
    p.set_defaults(func=cmd_bulk)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = argv
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from qa_service.store.layout import IndexLoadError

    try:
        return int(args.func(args))
    except IndexLoadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
