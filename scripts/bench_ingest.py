"""Benchmark ingestion: parsing per format (serial and in worker processes), BM25 rebuild
from stored terms, and a live update against a full rebuild. Prints figures; asserts nothing.

    python scripts/bench_ingest.py                 # parsing and BM25 (no model needed)
    python scripts/bench_ingest.py --updates       # also: live update vs rebuild (loads the model)
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import tempfile
import time
from pathlib import Path

from qa_service.config import Settings
from qa_service.parsing import iter_corpus_files, parse_files
from qa_service.text.lexical import analyze

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"{label}: {time.perf_counter() - t0:.2f} s")
    return result


def make_pdfs(folder: Path, count: int, pages: int) -> None:
    from qa_service.devtools.pdfs import KAMERBRIEF_PAGES, text_pdf

    words = " ".join(line for page in KAMERBRIEF_PAGES for line in page).split()
    rng = random.Random(1)
    for i in range(count):
        doc = []
        for _ in range(pages):
            lines = []
            for _ in range(45):
                lines.append(" ".join(rng.choice(words) for _ in range(12)))
                if rng.random() < 0.15:
                    lines.append("")
            doc.append(lines)
        (folder / f"doc{i}.pdf").write_bytes(text_pdf(doc))


def bench_parsing(tmp: Path) -> None:
    print("== parsing ==")
    texts = iter_corpus_files([ROOT / "corpus" / "kamerstukken", ROOT / "corpus" / "moties"])
    timed(f"{len(texts)} .txt files, serial", lambda: list(parse_files(texts, workers=1)))
    pdfs = tmp / "pdfs"
    pdfs.mkdir()
    make_pdfs(pdfs, 40, 10)
    files = iter_corpus_files([pdfs])
    mb = sum(f.stat().st_size for f in files) / 1e6
    import qa_service.parsing as parsing

    parsing.PARALLEL_MIN_HEAVY_BYTES = 1  # force the pool for the comparison
    for workers in (1, 2, 4):
        timed(
            f"40 PDFs x 10 pages ({mb:.1f} MB), workers={workers}",
            lambda w=workers: list(parse_files(files, workers=w)),
        )
    gz = [ROOT / "corpus" / "historical" / "sgd-ocr.jsonl.gz"]
    result = timed("sgd-ocr.jsonl.gz (5,023 documents)", lambda: list(parse_files(gz)))
    print(f"  documents: {len(result[0].documents)}")


def bench_bm25() -> None:
    import bm25s

    print("== BM25: rebuild from stored terms vs re-analysing the text ==")
    texts = []
    with gzip.open(ROOT / "corpus" / "historical" / "sgd-ocr.jsonl.gz", "rt") as fh:
        for line in fh:
            words = json.loads(line)["Content"].split()
            texts += [" ".join(words[i : i + 120]) for i in range(0, len(words), 120)]
    for n in (1_500, 20_000, len(texts)):
        sample = texts[:n]
        t0 = time.perf_counter()
        terms = [analyze(t) for t in sample]
        analysed = time.perf_counter() - t0
        stored = [" ".join(t) for t in terms]
        t0 = time.perf_counter()
        bm25 = bm25s.BM25()
        bm25.index([s.split() for s in stored], show_progress=False)
        rebuilt = time.perf_counter() - t0
        print(
            f"{n:>7,} passages: analyse {analysed:.2f} s; BM25 index from stored terms "
            f"{rebuilt:.2f} s"
        )


def bench_updates(tmp: Path) -> None:
    from qa_service.embedding import Embedder
    from qa_service.ingest.build import build_index, default_corpus_paths
    from qa_service.ingest.update import update_index

    print("== live update vs full rebuild (bundled corpus) ==")
    settings = Settings(index_dir=tmp / "index")
    embedder = Embedder(settings)
    embedder.warm_up()
    report = timed("full build", build_index, default_corpus_paths(settings), settings, embedder)
    print(f"  {report.documents} documents, {report.passages} passages; {report.seconds}")
    extra = tmp / "extra"
    extra.mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "koop" / "kst-28676-280.xml", extra / "a.xml")
    update = timed("live update: add one document", update_index, settings, embedder, add=[extra])
    print(
        f"  added {update.added}, replaced {update.replaced}; {update.passages} passages; "
        + ", ".join(f"{k} {v:.2f}" for k, v in update.seconds.items())
    )
    timed("live update: same document again (unchanged)", update_index, settings, embedder,
          add=[extra])  # fmt: skip
    timed("live update: remove it", update_index, settings, embedder, remove=["kst-28676-280"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", action="store_true", help="also time live updates")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_parsing(Path(tmp))
        bench_bm25()
        if args.updates:
            bench_updates(Path(tmp))


if __name__ == "__main__":
    main()
