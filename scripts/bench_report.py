"""The benchmark figures (``docs/performance.json``, written by ``scripts/bench.py``) as a plot
and as the markdown tables of docs/performance.md::

    python scripts/bench_report.py plot      # docs/performance.png
    python scripts/bench_report.py report    # the tables
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "docs" / "performance.json"


def run_plot(out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(out.read_text())
    latency = sorted(data.get("latency", []), key=lambda r: r["passages"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, endpoint in zip(axes, ("search", "ask"), strict=True):
        for clients, style in ((1, "-o"), (8, "--s")):
            for stat, alpha in (("p50", 1.0), ("p95", 0.5)):
                xs, ys = [], []
                for r in latency:
                    for run in r["runs"]:
                        if run.get("repeated_questions") or run.get("english_questions"):
                            continue
                        if run["endpoint"] == endpoint and run["clients"] == clients:
                            xs.append(r["passages"])
                            ys.append(run[stat])
                label = f"{stat}, {clients} client{'s' if clients > 1 else ''}"
                ax.plot(xs, ys, style, alpha=alpha, label=label)
        target = 30 if endpoint == "search" else 60
        ax.axhline(target, color="grey", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"/api/{endpoint}")
        ax.set_xlabel("passages in the index")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("latency over HTTP (ms)")
    axes[1].legend(fontsize=8)
    fig.suptitle("Query latency on 2 CPU cores (dotted: p50 target with one client)")
    fig.tight_layout()
    path = out.with_suffix(".png")
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def fmt_load(load_avg: list[float]) -> str:
    return "/".join(f"{x:.1f}" for x in load_avg)


def run_report(out: Path) -> None:
    data = json.loads(out.read_text())
    out = []
    rows = []
    for r in data.get("indexing", []):
        share = r["share"]
        ceiling = r.get("ceiling", {})
        rows.append(
            {
                "documents": r["documents"],
                "passages": r["passages"],
                "seconds": r["seconds_total"],
                "passages/s": r["passages_per_s"],
                "parse": f"{100 * share.get('parse', 0):.1f}%",
                "embed": f"{100 * share.get('embed', 0):.1f}%",
                "FAISS": f"{100 * share.get('faiss', 0):.2f}%",
                "BM25": f"{100 * share.get('bm25', 0):.1f}%",
                "write": f"{100 * share.get('write', 0):.2f}%",
                "model alone, passages/s": ceiling.get("passages_per_s", ""),
                "load": fmt_load(r["load_before"]) + " → " + fmt_load(r["load_after"]),
            }
        )
    out += ["### Indexing", "", markdown(rows), ""]
    rows = []
    for r in sorted(
        data.get("latency", []) + data.get("latency_real", []), key=lambda r: r["passages"]
    ):
        for run in r["runs"]:
            clients = str(run["clients"])
            if run.get("repeated_questions"):
                clients += " (repeated questions)"
            if run.get("english_questions"):
                clients += " (English questions)"
            row = {
                "passages": f"{r['passages']:,}",
                "FAISS": r["faiss"],
                "endpoint": f"/api/{run['endpoint']}",
                "clients": clients,
                "requests": run["requests"],
                "p50 ms": run.get("p50"),
                "p95 ms": run.get("p95"),
                "p99 ms": run.get("p99"),
                "req/s": run["per_s"],
                "errors": run["errors"],
                "server: retrieval / answer p50 ms": (
                    f"{run.get('server_retrieval_p50', '')} / {run.get('server_answer_p50', '')}"
                    if run["endpoint"] == "ask"
                    else ""
                ),
                "answered": run.get("answered", ""),
                "load": fmt_load(run["load_before"]),
            }
            rows.append(row)
    out += ["### Query latency over HTTP", "", markdown(rows), ""]
    rows = []
    for r in sorted(
        data.get("latency", []) + data.get("latency_real", []), key=lambda r: r["passages"]
    ):
        disk = r["disk_bytes"]
        n = r["passages"]
        rows.append(
            {
                "passages": f"{n:,}",
                "server RSS after the runs (MB)": round(r["rss_bytes"] / 2**20),
                "peak RSS (MB)": round(r["rss_peak_bytes"] / 2**20),
                "vectors B/passage": round(disk.get("vectors.faiss", 0) / n),
                "BM25 B/passage": round((disk.get("bm25", 0) + disk.get("bm25_rows.npy", 0)) / n),
                "store B/passage (text, metadata, terms, sentence vectors)": round(
                    disk.get("store.sqlite", 0) / n
                ),
                "of which sentence vectors": r.get("sentence_vector_bytes_per_passage", ""),
                "passage text B/passage": r["text_bytes_per_passage"],
                "disk B/passage": r["disk_bytes_per_passage"],
                "start-up s": r["startup_s"],
            }
        )
    out += ["### Memory and disk", "", markdown(rows), ""]
    rows = [
        {
            "passages": f"{r['passages']:,}" + (" (synthetic)" if r["synthetic"] else " (real)"),
            "exact ms/query": r["flat_ms"],
            "IVF ms/query": r["ivf_ms"],
            "IVF cells / probed": f"{r['nlist']} / {r['nprobe']}",
            "recall@10": r["recall@10"],
            "recall@50": r["recall@50"],
            "IVF build s": r["ivf_build_s"],
            "load": fmt_load(r["load_before"]),
        }
        for r in data.get("faiss", [])
    ]
    out += ["### FAISS: exact against IVF (1 thread, k = 50)", "", markdown(rows), ""]
    rows = [
        {
            "passages": f"{r['passages']:,}",
            "questions": r["questions"],
            "answered": r["answered"],
            "seconds": r["seconds"],
            "questions/s": r["questions_per_s"],
            "load": fmt_load(r["load_before"]),
        }
        for r in data.get("bulk", [])
    ]
    out += ["### Bulk (QAService.ask, one process, one question after the other)", ""]
    out += [markdown(rows), ""]
    print("\n".join(out))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["plot", "report"])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the benchmark JSON")
    args = parser.parse_args(argv)
    (run_plot if args.what == "plot" else run_report)(args.out)


if __name__ == "__main__":
    main()
