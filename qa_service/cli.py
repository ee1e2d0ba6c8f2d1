"""Command line: ``qa-service index | serve | ask``."""

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
    from qa_service.generation.backends import GenerationError

    service = QAService(_settings(args))
    service.warm_up()
    try:
        result = service.ask(request.question, request.top_k)
    except GenerationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    a = result.answer
    citations = [citation_out(c) for c in a.citations]
    if args.json:
        out = {
            "question": a.question,
            "answer": a.answer,
            "answerable": a.answerable,
            "citations": [c.model_dump() for c in citations],
            "timings_ms": result.timings_ms,
            "backend": a.backend,
            "removed_sentences": a.removed_sentences,
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
