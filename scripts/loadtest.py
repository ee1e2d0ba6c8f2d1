#!/usr/bin/env python
"""Load test: concurrent clients asking questions of a running service, over loopback only.

    python scripts/loadtest.py --url http://127.0.0.1:8000                  # 16 clients, 60 s
    python scripts/loadtest.py --clients 4 --duration 10 --json            # smaller, as JSON

Each client sends its next request as soon as the previous one is answered (closed loop),
cycling through Dutch and English questions (``/api/ask``; ``--endpoint search`` or ``mixed``
for ``/api/search`` too). The run is bounded: it stops after ``--duration`` seconds or
``--max-requests`` requests, whichever comes first, and no request waits longer than
``--timeout``. It refuses any address that is not loopback.

Reported: requests, throughput, latency percentiles (p50/p90/p95/p99/max) of the answered
requests, requests shed by the service (503 with ``Retry-After``) and errors (anything else
that is not a 200, or no answer at all). Exit status 0 when there were no errors and, unless
``--allow-shed``, nothing was shed.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from qa_service.devtools.stats import percentile

QUESTIONS = [
    "Wat heeft de minister toegezegd voor Afghanistan?",
    "What did the minister pledge for Afghanistan?",
    "Hoeveel militairen stuurt Nederland naar Afghanistan?",
    "Welke motie vroeg om financiële steun voor Moldavië?",
    "Which motion asked for support for Moldova?",
    "Wat vraagt de Kamer over voetbalclubs en Rusland?",
    "Wat verzoekt de Kamer de regering over stikstof?",
    "What did parliament ask about nitrogen emissions?",
    "Welke moties gaan over de energietransitie?",
    "Wat zei de minister over de verkiezingen in Afghanistan?",
    "Which motions are about housing?",
    "Wat vraagt de motie over de woningbouw?",
    "Wat is de positie van Nederland over Oekraïne?",
    "What was asked about Ukraine?",
    "Wat wordt er gevraagd over de zorgkosten?",
    "Is er een motie over het klimaatakkoord aangenomen?",
]


class NotReady(Exception):
    pass


@dataclass
class Results:
    started: float = 0.0
    finished: float = 0.0
    latencies: list[float] = field(default_factory=list)  # answered (200) requests, seconds
    statuses: Counter[str] = field(default_factory=Counter)
    shed: int = 0  # 503 with Retry-After
    errors: int = 0
    error_examples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_examples) < 10:
            self.error_examples.append(what)

    def summary(self, args: argparse.Namespace) -> dict[str, Any]:
        seconds = max(self.finished - self.started, 1e-9)
        total = sum(self.statuses.values())
        lat = sorted(self.latencies)
        return {
            "url": args.url,
            "endpoint": args.endpoint,
            "clients": args.clients,
            "duration_s": round(seconds, 2),
            "requests": total,
            "ok": len(lat),
            "shed_503": self.shed,
            "errors": self.errors,
            "error_examples": self.error_examples,
            "statuses": dict(sorted(self.statuses.items())),
            "throughput_rps": round(total / seconds, 2),
            "latency_ms": {
                name: round(percentile(lat, q) * 1000, 1)
                for name, q in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99), ("max", 100))
            }
            if lat
            else {},
        }


def loopback_error(url: str) -> str | None:
    """Why ``url`` may not be loaded (this script only loads this machine), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url}"
    host = parts.hostname
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror as exc:
        return f"cannot resolve {host}: {exc}"
    if not all(ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses):
        return (
            f"{host} is not a loopback address ({', '.join(sorted(map(str, addresses)))}); "
            "this load test only runs against this machine"
        )
    return None


def request_for(i: int, endpoint: str) -> tuple[str, dict[str, Any]]:
    question = QUESTIONS[i % len(QUESTIONS)]
    if endpoint == "search" or (endpoint == "mixed" and i % 2):
        return "/api/search", {"query": question, "top_k": 5}
    return "/api/ask", {"question": question}


async def client(
    http: httpx.AsyncClient,
    n: int,
    args: argparse.Namespace,
    results: Results,
    end: float,
    budget: list[int],
) -> None:
    i = n
    while time.monotonic() < end and budget[0] > 0:
        budget[0] -= 1
        path, body = request_for(i, args.endpoint)
        i += args.clients
        t0 = time.perf_counter()
        try:
            r = await http.post(path, json=body)
        except httpx.HTTPError as exc:
            results.statuses[type(exc).__name__] += 1
            results.error(f"{path}: {type(exc).__name__}: {exc}")
            continue
        took = time.perf_counter() - t0
        results.statuses[str(r.status_code)] += 1
        if r.status_code == 200:
            results.latencies.append(took)
        elif r.status_code == 503 and r.headers.get("retry-after", "").isdigit():
            results.shed += 1
            await asyncio.sleep(min(float(r.headers["retry-after"]), 0.2))  # back off a little
        else:
            results.error(f"{path}: HTTP {r.status_code}: {r.text[:200]}")


async def run(args: argparse.Namespace) -> Results:
    results = Results()
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    timeout = httpx.Timeout(args.timeout)
    async with httpx.AsyncClient(base_url=args.url, limits=limits, timeout=timeout) as http:
        try:
            health = await http.get("/health")
        except httpx.HTTPError as exc:
            raise NotReady(f"cannot reach {args.url}: {exc}") from None
        if health.status_code != 200:
            raise NotReady(f"the service is not ready: {health.status_code} {health.text}")
        results.started = time.monotonic()
        end = results.started + args.duration
        budget = [args.max_requests]
        tasks = [client(http, n, args, results, end, budget) for n in range(args.clients)]
        # a hard stop even if something hangs: duration + one request timeout + slack
        await asyncio.wait_for(asyncio.gather(*tasks), args.duration + args.timeout + 10)
        results.finished = time.monotonic()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="service (loopback only)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds to run at most")
    parser.add_argument("--max-requests", type=int, default=100_000, help="requests at most")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    parser.add_argument("--endpoint", choices=["ask", "search", "mixed"], default="ask")
    parser.add_argument("--allow-shed", action="store_true", help="503s do not fail the run")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.max_requests < 1 or args.timeout <= 0:
        parser.error("--clients, --duration, --max-requests and --timeout must be positive")
    problem = loopback_error(args.url)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        summary = asyncio.run(run(args)).summary(args)
    except NotReady as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        lat = summary["latency_ms"]
        print(
            f"{summary['requests']} requests in {summary['duration_s']} s from "
            f"{summary['clients']} clients ({summary['endpoint']}): "
            f"{summary['throughput_rps']} requests/s"
        )
        if lat:
            print("latency ms: " + ", ".join(f"{k} {v}" for k, v in lat.items()))
        print(f"ok {summary['ok']}, shed (503) {summary['shed_503']}, errors {summary['errors']}")
        for example in summary["error_examples"]:
            print(f"  error: {example}")
    failed = summary["errors"] > 0 or (summary["shed_503"] > 0 and not args.allow_shed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
