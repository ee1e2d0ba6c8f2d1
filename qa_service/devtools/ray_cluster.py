"""A real single-node Ray cluster on loopback, for the tests and the benchmark of the
distributed embedding pass (:mod:`qa_service.ingest.distributed`).

``ray start --head --node-ip-address=127.0.0.1`` with ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0``
in its environment, its ports chosen here (free loopback ports), no dashboard, its files in a
fresh temporary folder. Ray's processes outlive ``ray start`` and ignore a plain kill: they
are found by that folder in their command line (and their children, the workers), killed
with SIGKILL by pid, and ``ray stop --force`` is the fallback if one survives.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from qa_service.devtools.server import free_port

RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


@dataclass
class RayCluster:
    address: str
    temp_dir: Path
    env: dict[str, str]

    def pids(self) -> set[int]:
        """The cluster's processes: those naming its folder, and their descendants."""
        parents: dict[int, int] = {}
        roots: set[int] = set()
        marker = str(self.temp_dir).encode()
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes()
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            pid = int(proc.name)
            parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
            if marker in cmdline:
                roots.add(pid)
        found = set(roots)
        changed = True
        while changed:
            changed = False
            for pid, parent in parents.items():
                if parent in found and pid not in found:
                    found.add(pid)
                    changed = True
        found.discard(os.getpid())
        return found


def ray_command() -> str:
    """The ``ray`` program beside this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).parent / "ray"
    return str(beside) if beside.exists() else "ray"


@contextmanager
def running_ray_cluster(num_cpus: int = 2, timeout: float = 90.0) -> Iterator[RayCluster]:
    temp_dir = Path(tempfile.mkdtemp(prefix="qa-ray-", dir="/tmp"))  # short: unix socket paths
    env = {**os.environ, **RAY_ENV}
    port = free_port()
    ports = {
        "--node-manager-port": free_port(),
        "--object-manager-port": free_port(),
        "--runtime-env-agent-port": free_port(),
        "--dashboard-agent-grpc-port": free_port(),
        "--dashboard-agent-listen-port": free_port(),
        "--metrics-export-port": free_port(),
    }
    cmd = [
        ray_command(),
        "start",
        "--head",
        "--node-ip-address=127.0.0.1",
        f"--port={port}",
        "--include-dashboard=false",
        "--disable-usage-stats",
        f"--num-cpus={num_cpus}",
        "--num-gpus=0",
        f"--temp-dir={temp_dir}",
        *(f"{flag}={value}" for flag, value in ports.items()),
    ]
    cluster = RayCluster(f"127.0.0.1:{port}", temp_dir, env)
    try:
        started = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if started.returncode:
            output = started.stdout[-2000:] + started.stderr[-2000:]
            raise RuntimeError(f"ray start failed: {output}")
        yield cluster
    finally:
        stop(cluster)


def stop(cluster: RayCluster) -> None:
    for _ in range(3):
        pids = cluster.pids()
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pids and time.monotonic() < deadline:
            pids = {p for p in pids if _alive(p)}
            time.sleep(0.1)
        if not cluster.pids():
            break
    else:
        subprocess.run([ray_command(), "stop", "--force"], env=cluster.env, timeout=60)
    shutil.rmtree(cluster.temp_dir, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# -- where the processes talk -----------------------------------------------------------------
def tcp_sockets(pids: Iterable[int]) -> list[tuple[str, str, str]]:
    """``(state, local address, peer address)`` of every TCP socket of ``pids`` (``ss``)."""
    wanted = set(pids)
    out = subprocess.run(
        ["ss", "-tanpH"], capture_output=True, text=True, check=True, timeout=10
    ).stdout
    found = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 6 or not any(f"pid={p}," in parts[5] for p in wanted):
            continue
        found.append((parts[0], parts[3], parts[4]))
    return found


def is_loopback(endpoint: str) -> bool:
    """``127.0.0.1:6390``, ``[::ffff:127.0.0.1]:6390``, ``*:*``... (a wildcard is not)."""
    host = endpoint.rsplit(":", 1)[0].strip("[]")
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback
