"""A filter's first use (``PassageStore.rows_matching``) at scale, with and without the
filter indexes, side by side.

    python scripts/bench_filters.py --sizes 100000 1000000

The store of ``n`` passages is the bundled corpus's documents and passages copied under new
ids (``<doc_id>~<copy>``, as ``qa_service.devtools.synthetic`` copies them; text, no
sentence vectors), written by :func:`write_store`. Then, for each filter: the rows by the
query before the indexes (documents joined to passages, every document's JSON read) on a
store without them, by today's query on the same store (an old index directory read by this
code) and by today's query with the indexes. The store is in the page cache (just written);
each figure is one run, the load average beside it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import table  # noqa: E402

from qa_service.devtools.latency import load  # noqa: E402
from qa_service.documents import DocumentMeta, Passage  # noqa: E402
from qa_service.filters import Filters  # noqa: E402
from qa_service.store.loaded import load_index  # noqa: E402
from qa_service.store.sqlite import (  # noqa: E402
    FILTER_INDEXES,
    PassageStore,
    filter_sql,
    write_store,
)

ROOT = Path(__file__).resolve().parent.parent


def old_rows(path: Path, filters: Filters) -> np.ndarray:
    """``rows_matching`` as it was before the filter indexes."""
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    where, params = filter_sql(filters, "d")
    cur = con.execute(
        f"SELECT p.row FROM passages p JOIN documents d ON d.doc_id = p.doc_id "
        f"WHERE {where} ORDER BY p.row",
        params,
    )
    rows = np.fromiter((r for (r,) in cur), dtype=np.int64)
    con.close()
    return rows


def make_store(source: Path, size: int, path: Path) -> dict[str, Any]:
    index = load_index(source, verify=False)
    rows_passages = index.store.all_passages()
    metas = index.store.documents({p.doc_id for _, p in rows_passages})
    index.close()
    by_doc: dict[str, list[Passage]] = {}
    for _, p in rows_passages:
        by_doc.setdefault(p.doc_id, []).append(p)
    documents: list[tuple[DocumentMeta, str]] = []
    passages: list[Passage] = []
    copy = 0
    while len(passages) < size:
        for doc_id, own in by_doc.items():
            if len(passages) >= size:
                break
            new_id = doc_id if copy == 0 else f"{doc_id}~{copy}"
            documents.append((dataclasses.replace(metas[doc_id], doc_id=new_id), ""))
            for p in own:
                pid = p.passage_id if copy == 0 else f"{p.passage_id}~{copy}"
                passages.append(dataclasses.replace(p, passage_id=pid, doc_id=new_id))
        copy += 1
    t0 = time.perf_counter()
    write_store(path, documents, passages)
    return {
        "passages": len(passages),
        "documents": len(documents),
        "write_s": round(time.perf_counter() - t0, 1),
    }


def drop_indexes(src: Path, dst: Path) -> None:
    """A copy of the store at ``src`` without the filter indexes (as written before them)."""
    con = sqlite3.connect(src)
    con.execute(f"VACUUM INTO '{dst}'")
    con.close()
    con = sqlite3.connect(dst)
    for statement in FILTER_INDEXES:
        con.execute("DROP INDEX " + statement.split()[5])
    con.commit()
    con.close()


def _ms(fn: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, round((time.perf_counter() - t0) * 1000, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--source", type=Path, default=ROOT / "index")
    parser.add_argument("--work", type=Path, default=Path("/tmp/qa-filters"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "scale-filters.json")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    filters = {
        "dossier 36410 (+ sub-dossiers)": Filters.create(dossier="36410"),
        "dossier 36410-VI": Filters.create(dossier="36410-VI"),
        "doc_type motie": Filters.create(doc_type="motie"),
        "date range, one month": Filters.create(date_from="2023-02-01", date_to="2023-02-28"),
        "date_from 2024-01-01": Filters.create(date_from="2024-01-01"),
        "vergaderjaar 2022-2023": Filters.create(vergaderjaar="2022/23"),
    }
    results, lines = [], []
    for size in args.sizes:
        new, old = args.work / f"store-{size}.sqlite", args.work / f"store-{size}-old.sqlite"
        for path in (new, old):
            path.unlink(missing_ok=True)
        made = make_store(args.source, size, new)
        drop_indexes(new, old)
        made["load"] = load()
        for label, f in filters.items():
            before, t_before = _ms(lambda f=f, p=old: old_rows(p, f))
            store_old, store_new = PassageStore(old), PassageStore(new)
            same_old, t_old = _ms(lambda f=f, s=store_old: s.rows_matching(f))
            indexed, t_new = _ms(lambda f=f, s=store_new: s.rows_matching(f))
            store_old.close()
            store_new.close()
            assert np.array_equal(before, same_old) and np.array_equal(before, indexed), label
            row = {
                "passages": made["passages"],
                "filter": label,
                "rows": len(indexed),
                "before ms": t_before,
                "old store, new query ms": t_old,
                "indexed ms": t_new,
                "load": made["load"][0],
            }
            lines.append(row)
        results.append({**made, "filters": [r for r in lines if r["passages"] == size]})
        print(json.dumps(results[-1]), flush=True)
        for path in (new, old):
            path.unlink(missing_ok=True)
    print(table(lines, list(lines[0])))
    args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
