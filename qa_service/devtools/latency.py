"""Measuring a running service over HTTP: latency percentiles from concurrent clients, and
the server process's memory.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from qa_service.devtools.stats import percentile


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def rss_bytes(pid: int) -> dict[str, int]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            out[line.split(":")[0]] = int(line.split()[1]) * 1024
    return out


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50": round(percentile(values, 50), 1),
        "p95": round(percentile(values, 95), 1),
        "p99": round(percentile(values, 99), 1),
        "mean": round(statistics.fmean(values), 1),
    }


def drive(url: str, endpoint: str, qs: list[str], clients: int) -> dict[str, Any]:
    """Send every question once, from ``clients`` threads; latencies in ms."""
    import httpx

    field = "query" if endpoint == "search" else "question"
    latencies: list[float] = []
    server_ms: list[dict[str, float]] = []
    errors: list[str] = []
    answered = 0
    lock = threading.Lock()
    queue = list(qs)

    def worker() -> None:
        nonlocal answered
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    q = queue.pop()
                t0 = time.perf_counter()
                try:
                    r = client.post(f"/api/{endpoint}", json={field: q})
                    ms = (time.perf_counter() - t0) * 1000
                    ok = r.status_code == 200
                    body = r.json() if ok else None
                except httpx.HTTPError as exc:
                    ms, ok, body = 0.0, False, None
                    r = exc  # type: ignore[assignment]
                with lock:
                    if ok:
                        latencies.append(ms)
                        if endpoint == "ask" and body is not None:
                            answered += bool(body.get("answerable"))
                            server_ms.append(body.get("timings_ms", {}))
                    else:
                        errors.append(str(getattr(r, "status_code", r))[:200])

    load_before = load()
    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    out: dict[str, Any] = {
        "endpoint": endpoint,
        "clients": clients,
        "requests": len(qs),
        "errors": len(errors),
        "error_samples": errors[:3],
        "per_s": round(len(latencies) / wall, 1),
        **percentiles(latencies),
        "load_before": load_before,
        "load_after": load(),
    }
    if endpoint == "ask":
        out["answered"] = answered
        for part in ("retrieval", "answer"):
            vals = [t[part] for t in server_ms if part in t]
            if vals:
                out[f"server_{part}_p50"] = round(statistics.median(vals), 1)
    return out
