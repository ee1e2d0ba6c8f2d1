"""``qa-service eval``: retrieval and answer quality, or answer backends compared."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qa_service.cli.common import settings_from


# -- eval -----------------------------------------------------------------------------------
def cmd_eval(args: argparse.Namespace) -> int:
    import shlex

    from qa_service.embedding import Embedder
    from qa_service.evaluation.core import CachedEmbedder, run_evaluation
    from qa_service.evaluation.data import (
        DEFAULT_QUESTION_FILES,
        EvalDataError,
        bundled_motion_queries,
        bundled_tatoeba,
        default_question_files,
        load_questions,
    )
    from qa_service.evaluation.report import render_text, write_outputs
    from qa_service.ingest.build import build_index, default_corpus_paths
    from qa_service.service import QAService
    from qa_service.store.open import describe_store, store_has_index

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
    settings = settings_from(args)
    if args.questions:
        files = [Path(p) for p in args.questions]
    else:  # the held-out questions too, except for the (slow) backend comparison
        files = list(DEFAULT_QUESTION_FILES) if backends else default_question_files()
    try:
        questions = [q for f in files for q in load_questions(Path(f))][: args.limit]
    except EvalDataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    plain = Embedder(settings)
    embedder = CachedEmbedder(plain)
    if not store_has_index(settings):
        log(f"no index in {describe_store(settings)}: indexing the bundled corpus first")
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
        motions, note = bundled_motion_queries(settings, service.index.store, args.quick)
        questions += motions
        notes += [note] if note else []
    tatoeba, note = bundled_tatoeba(args.quick)
    notes += [note] if note else []

    report = run_evaluation(
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
