"""Keep an index in step with a folder that grows: ``qa-service index --watch DIR``.

Every ``QA_WATCH_INTERVAL`` seconds the folder is scanned; new and changed files are parsed and
added (documents whose content did not change are skipped, so nothing is embedded twice),
documents of deleted files are removed, and documents that a changed file no longer holds are
removed. Each change is one live update (a new build, published atomically; a running service
switches to it by itself). Files modified in the last seconds are left for the next scan, so a
file that is still being copied is not read half-way.

``--once`` does one scan and exits: the cron-friendly form (``*/10 * * * * qa-service index
--watch /data/stukken --once``). Without memory of earlier scans it parses every file, but
still embeds only what changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.ingest.build import build_index, collect_documents
from qa_service.ingest.update import UpdateReport, update_index
from qa_service.parsing import iter_corpus_files
from qa_service.store.open import open_documents, store_has_index

log = logging.getLogger(__name__)

SETTLE_SECONDS = 2.0  # a file modified more recently than this is probably still being written

Fingerprint = tuple[int, int]  # (size, mtime in ns)


@dataclass
class FolderState:
    """What the watcher has seen: the fingerprint of every file it has read."""

    seen: dict[Path, Fingerprint] = field(default_factory=dict)


def _fingerprints(folder: Path, settle: float) -> dict[Path, Fingerprint]:
    now = time.time()
    out = {}
    for path in iter_corpus_files([folder]):
        try:
            stat = path.stat()
        except OSError:
            continue  # vanished while scanning
        if settle and now - stat.st_mtime < settle:
            continue
        out[path.resolve()] = (stat.st_size, stat.st_mtime_ns)
    return out


def _sources_by_file(settings: Settings) -> dict[Path, set[str]]:
    """Document ids of the live index, grouped by the (resolved) file they came from."""
    with open_documents(settings) as store:
        grouped: dict[Path, set[str]] = {}
        for doc_id, source in store.sources().items():
            if source:
                grouped.setdefault(Path(source).resolve(), set()).add(doc_id)
        return grouped


def sync_folder(
    settings: Settings,
    embedder: Embedder,
    folder: Path,
    state: FolderState | None = None,
    settle: float = 0.0,
) -> UpdateReport | None:
    """Bring the index in step with ``folder`` once. Returns the update (None: nothing to do).

    The first sync of a folder without an index builds one from it.
    """
    state = state if state is not None else FolderState()
    root = Path(folder).resolve()
    current = _fingerprints(root, settle)
    changed = [p for p, fp in current.items() if state.seen.get(p) != fp]
    if not store_has_index(settings):
        if not changed:
            return None
        built = build_index(sorted(changed), settings, embedder)
        state.seen.update(current)
        added = sorted(i for ids in _sources_by_file(settings).values() for i in ids)
        return UpdateReport(
            build=built.build,
            added=added,
            skipped=built.skipped,
            documents=built.documents,
            passages=built.passages,
            seconds=built.seconds,
        )
    by_file = _sources_by_file(settings)
    vanished = [
        doc_id
        for path, ids in by_file.items()
        if path.is_relative_to(root) and not path.exists()
        for doc_id in ids
    ]
    documents, skipped = collect_documents(sorted(changed), settings) if changed else ([], [])
    failed = {Path(f).resolve() for f, _ in skipped}
    fresh: dict[Path, set[str]] = {}
    for doc, _ in documents:
        fresh.setdefault(Path(doc.meta.source).resolve(), set()).add(doc.meta.doc_id)
    stale = [
        doc_id
        for path in changed
        if path not in failed or path in fresh  # a file that failed whole keeps its documents
        for doc_id in by_file.get(path, set()) - fresh.get(path, set())
    ]
    state.seen = {p: fp for p, fp in current.items()}
    if not documents and not vanished and not stale:
        return UpdateReport(build=None, skipped=skipped) if skipped else None
    report = update_index(settings, embedder, remove=[*vanished, *stale], documents=documents)
    report.skipped = skipped + report.skipped
    return report


def watch(
    settings: Settings,
    embedder: Embedder,
    folder: Path,
    once: bool = False,
    say: Callable[[str], None] = print,
) -> None:
    """Sync ``folder`` now and then every ``settings.watch_interval`` seconds (until
    interrupted); ``once``: a single sync."""
    state = FolderState()
    while True:
        report = sync_folder(
            settings, embedder, folder, state, settle=0 if once else SETTLE_SECONDS
        )
        if report is not None:
            say(describe(report))
        if once:
            return
        time.sleep(settings.watch_interval)


def describe(report: UpdateReport) -> str:
    parts = [
        f"{len(report.added)} added",
        f"{len(report.replaced)} replaced",
        f"{len(report.removed)} removed",
        f"{len(report.unchanged)} unchanged",
    ]
    lines = [
        f"{', '.join(parts)}; index: {report.documents} documents, {report.passages} passages"
        + ("" if report.changed else " (not changed)")
    ]
    lines += [f"  skipped {f}: {r}" for f, r in report.skipped]
    return "\n".join(lines)
