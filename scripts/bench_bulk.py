"""Questions per second: ``qa-service bulk`` against asking one by one through ``/api/ask``.

    python scripts/bench_bulk.py [--index-dir index] [--questions 1000] [--one-by-one 1000]

The dev questions (eval_data/dev-questions.jsonl) are repeated to ``--questions`` and
answered (1) by ``qa-service bulk`` on the local index, (2) one by one with ``POST /api/ask``
against ``qa-service serve``, (3) by ``qa-service bulk --url`` against the same server. The
same is done for the distinct questions of eval_data (dev + calibration), where batching
cannot reuse one question's work for its repeats. It also checks that the answers are the
same every way. Rates exclude loading the model (the bulk summary's own figure); the
``wall`` column includes it. Needs a built index (``qa-service index``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from qa_service.devtools.server import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval_data"


def load(name: str) -> list[str]:
    with open(EVAL / name, encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def write_jsonl(path: Path, questions: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for n, q in enumerate(questions):
            fh.write(json.dumps({"id": f"q{n:05d}", "question": q}, ensure_ascii=False) + "\n")


def bulk(args: list[str]) -> tuple[float, float]:
    """Run ``qa-service bulk``; its own questions/s (model load excluded) and the wall time."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "qa_service.cli", "bulk", *args, "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"qa-service bulk failed:\n{proc.stderr}")
    match = re.search(r"\(([\d.]+) questions/s\)", proc.stdout)
    if not match:
        sys.exit(f"no rate in the bulk summary: {proc.stdout}")
    return float(match.group(1)), wall


def one_by_one(url: str, questions: list[str]) -> tuple[float, list[dict[str, Any]]]:
    answers = []
    with httpx.Client(base_url=url, timeout=600) as client:
        started = time.perf_counter()
        for q in questions:
            r = client.post("/api/ask", json={"question": q})
            r.raise_for_status()
            answers.append(r.json())
        elapsed = time.perf_counter() - started
    return len(questions) / elapsed, answers


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process so far; 0.0 where /proc is missing.

    Less sensitive than wall time to other work on a shared machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def answers_of(path: Path) -> dict[str, tuple[str, list[str]]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out[row["id"]] = (row["answer"], [c["passage_id"] for c in row["citations"]])
    return out


def compare(path: Path, ids: list[str], http_answers: list[dict[str, Any]]) -> bool:
    bulk_answers = answers_of(path)
    return all(
        bulk_answers[i] == (a["answer"], [c["passage_id"] for c in a["citations"]])
        for i, a in zip(ids, http_answers, strict=False)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--index-dir", type=Path, default=Path(os.environ.get("QA_INDEX_DIR", "index"))
    )
    parser.add_argument("--questions", type=int, default=1000, help="dev questions repeated to N")
    parser.add_argument(
        "--one-by-one",
        type=int,
        default=0,
        help="how many to ask one by one over HTTP (default: all; the rate is per question)",
    )
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--no-distinct", action="store_true", help="skip the distinct questions")
    args = parser.parse_args()
    index_dir = args.index_dir.resolve()

    dev = load("dev-questions.jsonl")
    repeated = [dev[n % len(dev)] for n in range(args.questions)]
    distinct = list(dict.fromkeys(dev + load("calibration-questions.jsonl")))
    sets = [(f"dev x{args.questions // len(dev)} ({args.questions})", repeated)]
    if not args.no_distinct:
        sets.append((f"distinct ({len(distinct)})", distinct))
    print(f"cpus {os.cpu_count()}, index {index_dir}, batch size {args.batch_size}", flush=True)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        local = {}
        for name, questions in sets:
            source = work / f"{len(questions)}.jsonl"
            write_jsonl(source, questions)
            out = work / f"local-{len(questions)}.jsonl"
            common = [str(source), "--batch-size", str(args.batch_size)]
            rate, wall = bulk([*common, "-o", str(out), "--index-dir", str(index_dir)])
            local[name] = (source, out, rate, wall)
            print(f"{name}: bulk locally {rate:.2f} q/s ({wall:.0f} s wall)", flush=True)

        server = ServerProcess(index_dir)
        try:
            server.wait_healthy(timeout=300)
        except (RuntimeError, TimeoutError) as exc:
            server.stop()
            sys.exit(f"the server did not start (is there an index? `qa-service index`): {exc}")
        url = server.url
        try:
            for name, questions in sets:
                source, out, rate, wall = local[name]
                n = args.one_by_one or len(questions)
                cpu0 = cpu_seconds(server.proc.pid)
                http_rate, http_answers = one_by_one(url, questions[:n])
                http_cpu = (cpu_seconds(server.proc.pid) - cpu0) / n
                print(f"{name}: one by one over HTTP {http_rate:.2f} q/s ({n} asked)", flush=True)
                remote_out = work / f"remote-{len(questions)}.jsonl"
                common = [str(source), "--batch-size", str(min(args.batch_size, 100))]
                cpu0 = cpu_seconds(server.proc.pid)
                url_rate, _ = bulk([*common, "-o", str(remote_out), "--url", url])
                url_cpu = (cpu_seconds(server.proc.pid) - cpu0) / len(questions)
                print(f"{name}: bulk --url {url_rate:.2f} q/s", flush=True)
                ids = [f"q{i:05d}" for i in range(n)]
                same = compare(out, ids, http_answers) and compare(remote_out, ids, http_answers)
                rows.append((name, rate, wall, http_rate, http_cpu, url_rate, url_cpu, same))
        finally:
            server.stop()

    for name, rate, wall, http_rate, http_cpu, url_rate, url_cpu, same in rows:
        print(f"\n{name}")
        cpu = "server CPU s/question"
        print(f"  qa-service bulk (local)  {rate:8.2f} q/s  ({wall:.0f} s wall with model load)")
        print(f"  one by one via /api/ask  {http_rate:8.2f} q/s  {http_cpu:6.3f} {cpu}")
        print(f"  qa-service bulk --url    {url_rate:8.2f} q/s  {url_cpu:6.3f} {cpu}")
        print(
            f"  bulk is {rate / http_rate:.1f}x faster locally, {url_rate / http_rate:.1f}x via "
            f"--url; {http_cpu / max(url_cpu, 1e-9):.1f}x less server CPU per question"
        )
        print(f"  same answers every way: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
