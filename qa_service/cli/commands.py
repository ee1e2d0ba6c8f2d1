"""Command line: ``qa-service index | serve | mcp | ask | bulk | eval``: the parser, and the
commands that serve or answer (building and updating the index: :mod:`.indexing`; bulk
questions: :mod:`.bulk`; evaluation: :mod:`.evaluate`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from qa_service.cli.bulk import cmd_bulk
from qa_service.cli.common import add_index_dir, settings_from
from qa_service.cli.evaluate import cmd_eval
from qa_service.cli.indexing import add_ray_options, cmd_index


# -- serve ----------------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from qa_service.api.app import create_app
    from qa_service.embedding import Embedder
    from qa_service.ingest.build import build_index, default_corpus_paths
    from qa_service.service import QAService
    from qa_service.store.open import describe_store, store_has_index

    settings = settings_from(args)
    embedder = Embedder(settings)
    if not store_has_index(settings):
        if args.no_build:
            print(f"error: no index in {describe_store(settings)}", file=sys.stderr)
            return 2
        print(f"no index in {describe_store(settings)}: indexing the bundled corpus first")
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
    from qa_service.store.open import describe_store, store_has_index

    settings = settings_from(args)
    configure_logging(settings, verbose=args.verbose)  # to stderr: stdout carries MCP
    if not store_has_index(settings):
        print(
            f"error: no index in {describe_store(settings)} (run qa-service index)", file=sys.stderr
        )
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
    service = QAService(settings_from(args))
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
    p.add_argument(
        "--from-local",
        metavar="DIR",
        help=(
            "with QA_STORE=milvus: copy the local index in DIR into Milvus as a new build "
            "(its vectors are carried over, nothing is embedded again)"
        ),
    )
    add_index_dir(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    add_ray_options(p)
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("serve", help="start the API and the chat page")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    add_index_dir(p)
    p.add_argument("--no-build", action="store_true", help="fail instead of indexing")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("mcp", help="serve the tools over MCP on stdin/stdout")
    add_index_dir(p)
    p.set_defaults(func=cmd_mcp)

    p = sub.add_parser("ask", help="answer one question in the terminal")
    p.add_argument("question")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print the /api/ask JSON")
    add_index_dir(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="measure retrieval and answer quality on labelled questions")
    p.add_argument(
        "--questions",
        nargs="+",
        metavar="FILE",
        help="JSONL files of labelled questions (default: the bundled dev and calibration "
        "sets, and eval_data/heldout-questions.jsonl when present)",
    )
    add_index_dir(p)
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
    add_index_dir(p)
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
