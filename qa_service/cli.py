"""Command line: ``qa-service index | serve | ask | bulk``."""

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
    from qa_service.indexing import build_index, default_corpus_paths

    settings = _settings(args)
    paths = [Path(p) for p in args.paths] or default_corpus_paths(settings)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
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


# -- serve ----------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from qa_service.api.app import create_app
    from qa_service.embedding import Embedder
    from qa_service.index import index_exists
    from qa_service.indexing import build_index, default_corpus_paths
    from qa_service.service import QAService

    settings = _settings(args)
    embedder = Embedder(settings)
    if not index_exists(settings.index_dir):
        if args.no_build:
            print(f"error: no index in {settings.index_dir}", file=sys.stderr)
            return 2
        print(f"no index in {settings.index_dir}: indexing the bundled corpus first")
        build_index(default_corpus_paths(settings), settings, embedder, progress=True)
    app = create_app(settings, QAService(settings, embedder))
    print(f"serving on http://{settings.host}:{settings.port}/ (API docs at /docs)")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0


# -- ask ------------------------------------------------------------------------------------
def cmd_ask(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from qa_service.api.routes import citation_out
    from qa_service.api.schemas import AskRequest
    from qa_service.service import QAService

    try:
        request = AskRequest(question=args.question, top_k=args.top_k)
    except ValidationError as exc:
        print(f"error: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    service = QAService(_settings(args))
    service.warm_up()
    result = service.ask(request.question, request.top_k)
    a = result.answer
    citations = [citation_out(c) for c in a.citations]
    if args.json:
        out = {
            "question": a.question,
            "answer": a.answer,
            "answerable": a.answerable,
            "citations": [c.model_dump() for c in citations],
            "timings_ms": result.timings_ms,
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(a.answer)
    print()
    for c in citations:
        print(f"[{c.n}] {c.citation} — {c.title}" + (f" ({c.section})" if c.section else ""))
        if c.url:
            print(f"    {c.url}")
    return 0


# -- bulk -----------------------------------------------------------------------------------
def cmd_bulk(args: argparse.Namespace) -> int:
    from qa_service.api.schemas import MAX_BATCH_QUESTIONS, MAX_TOP_K
    from qa_service.bulk import (
        AnswerBatch,
        BulkError,
        RemoteAnswerer,
        ServiceError,
        default_workers,
        local_answerer,
        pending_items,
        prepare_output,
        read_questions,
        run_bulk,
    )

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
        workers = args.workers or default_workers(settings.torch_threads)
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

    p = sub.add_parser("index", help="build the index (default: the bundled corpus)")
    p.add_argument("paths", nargs="*", help="files or folders to index")
    _add_index_dir(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("serve", help="start the API and the chat page")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    _add_index_dir(p)
    p.add_argument("--no-build", action="store_true", help="fail instead of indexing")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ask", help="answer one question in the terminal")
    p.add_argument("question")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print the /api/ask JSON")
    _add_index_dir(p)
    p.set_defaults(func=cmd_ask)

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
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from qa_service.index import IndexLoadError

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
