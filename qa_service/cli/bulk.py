"""``qa-service bulk``: a file of questions in, a file of cited answers out."""

from __future__ import annotations

import argparse
import sys

from qa_service.cli.common import settings_from


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

        settings = settings_from(args)
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
