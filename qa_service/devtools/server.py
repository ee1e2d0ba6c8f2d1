"""Start the real service in a subprocess on a free loopback port: for the end-to-end tests
over HTTP and for the benchmark scripts (``scripts/bench.py``, ``scripts/bench_bulk.py``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """``qa-service serve`` on a free loopback port. Its output goes to a file (``log``), not
    a pipe, so a long test can never block the server on a full pipe."""

    def __init__(
        self, index_dir: Path, env: dict[str, str] | None = None, log: Path | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if log is None:
            fd, name = tempfile.mkstemp(prefix="qa-server-", suffix=".log")
            os.close(fd)
            log = Path(name)
        self.log = log
        cmd = [
            sys.executable,
            "-m",
            "qa_service.cli",
            "serve",
            "--no-build",
            "--index-dir",
            str(index_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                cmd, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_healthy(self, timeout: float = 180.0) -> float:
        """Wait until ``/health`` says 200; the seconds that took."""
        start = time.monotonic()
        deadline = start + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.output()}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return time.monotonic() - start
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"server did not become healthy:\n{self.output()}")
            time.sleep(0.3)

    def kill(self) -> None:
        """``kill -9``: no clean-up, no flushing, nothing."""
        self.proc.kill()
        self.proc.wait(timeout=15)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def server_process(
    index_dir: Path,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 180.0,
) -> Iterator[ServerProcess]:
    """A healthy :class:`ServerProcess`, stopped at the end."""
    server = ServerProcess(index_dir, env, log)
    try:
        server.wait_healthy(timeout)
        yield server
    finally:
        server.stop()
        if log is None:
            server.log.unlink(missing_ok=True)


@contextmanager
def running_server(
    index_dir: Path, env: dict[str, str] | None = None, timeout: float = 180.0
) -> Iterator[str]:
    """Run ``qa-service serve`` on a free loopback port until /health says ok."""
    with server_process(index_dir, env, timeout=timeout) as server:
        yield server.url
