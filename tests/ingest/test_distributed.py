"""The embedding pass on a real single-node Ray cluster on loopback (``index --ray``): the
vectors are the local build's, workers cap oneDNN as the driver does, a re-run embeds only
the documents without vectors yet, and every connection stays on 127.0.0.0/8.

Needs the ``ray`` extra (``pip install -e '.[dev,ray]'``, as ``scripts/test.sh`` does). The
kill-and-resume test is slow (two more Ray jobs):
``pytest -m slow tests/ingest/test_distributed.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.devtools.ray_cluster import (
    RAY_ENV,
    RayCluster,
    is_loopback,
    running_ray_cluster,
    tcp_sockets,
)
from qa_service.documents import DocumentMeta, Passage
from qa_service.embedding import Embedder
from qa_service.ingest.build import chunk_documents, collect_documents, local_embed
from qa_service.store.layout import VECTORS, current_build
from qa_service.store.sentence_vectors import unpack
from tests.conftest import CORPUS, KAMERBRIEF, PROJECT_ROOT

MOTIONS = ["kst-29754-673.txt", "kst-36284-6.txt", "kst-34682-141.txt", "kst-21501-07-1926.txt"]
DOCS = [KAMERBRIEF] + [CORPUS / "moties" / name for name in MOTIONS]


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[RayCluster]:
    # before Ray is imported: it reads this once (see qa_service.ingest.distributed.import_ray)
    os.environ.update(RAY_ENV)
    pytest.importorskip("ray.data", reason="needs the ray extra: pip install -e '.[dev,ray]'")
    with running_ray_cluster(num_cpus=2) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def local(
    embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[tuple[DocumentMeta, str]], list[Passage], np.ndarray, list[bytes] | None]:
    """The documents, their passages, and the vectors of the local build's embedding pass."""
    settings = Settings(index_dir=tmp_path_factory.mktemp("local") / "index")
    docs, skipped = collect_documents(DOCS, settings)
    assert not skipped
    metas, passages, _ = chunk_documents(docs, settings, embedder)
    vectors, sentences = local_embed(metas, passages, settings, embedder)
    return metas, passages, vectors, sentences


class LoopbackWatch:
    """Samples ``ss -tanp`` for the given processes while a job runs."""

    def __init__(self, pids: Callable[[], set[int]]) -> None:
        self.pids = pids
        self.seen: set[tuple[str, str, str]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.seen.update(tcp_sockets(self.pids()))
            self._stop.wait(0.5)

    def outside(self) -> list[tuple[str, str, str]]:
        return sorted(
            (state, here, there)
            for state, here, there in self.seen
            if not is_loopback(here) or (state != "LISTEN" and not is_loopback(there))
        )


@contextmanager
def watching(pids: Callable[[], set[int]]) -> Iterator[LoopbackWatch]:
    watch = LoopbackWatch(pids)
    watch._thread.start()
    try:
        yield watch
    finally:
        watch._stop.set()
        watch._thread.join()
    watch.seen.update(tcp_sockets(pids()))


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return (a * b).sum(axis=1) / np.maximum(norms, 1e-12)


def assert_sentences_equal(mine: list[bytes] | None, local: list[bytes] | None) -> None:
    assert mine is not None and local is not None and len(mine) == len(local)
    for a, b in zip(mine, local, strict=True):
        va, vb = unpack(a, 384), unpack(b, 384)
        assert va.shape == vb.shape
        real = np.linalg.norm(vb, axis=1) > 0
        assert (np.linalg.norm(va, axis=1) > 0).tolist() == real.tolist()
        assert cosines(va[real], vb[real]).min() >= 0.999  # int8 codes of the same vectors


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "qa_service.cli", "index", *args]


def cli_env() -> dict[str, str]:
    return {**os.environ, **RAY_ENV, "PYTHONPATH": str(PROJECT_ROOT)}


def test_ray_vectors_equal_the_local_build_and_a_rerun_resumes(
    ray_cluster: RayCluster,
    local: tuple[list[tuple[DocumentMeta, str]], list[Passage], np.ndarray, list[bytes] | None],
    embedder: Embedder,
    tmp_path: Path,
) -> None:
    from qa_service.ingest.distributed import RayEmbedding, Shards, settings_key

    metas, passages, local_vectors, local_sentences = local
    settings = Settings(index_dir=tmp_path / "index")
    work = tmp_path / "work"
    # small batches, so that both workers get some
    job = RayEmbedding(ray_cluster.address, work, workers=2, batch_size=4)
    with watching(lambda: ray_cluster.pids() | {os.getpid()}) as watch:
        vectors, sentences = job(metas, passages, settings, embedder)
    run = job.last
    assert (run.workers, run.device) == (2, "cpu")
    assert run.documents_embedded == len(metas) and run.passages_embedded == len(passages)
    # the workers capped oneDNN as this process did (they are processes of their own)
    assert run.worker_isa == {os.environ.get("ONEDNN_MAX_CPU_ISA", settings.onednn_max_isa)}
    assert vectors.shape == local_vectors.shape
    assert cosines(vectors, local_vectors).min() >= 0.9999
    assert_sentences_equal(sentences, local_sentences)
    assert any(state == "ESTAB" for state, _, _ in watch.seen)  # the watch saw the job talk
    assert watch.outside() == []

    # Two documents lose their vectors (as if the job had been killed before them): the CLI
    # re-run embeds those two only, and builds the index from all.
    shards = Shards(work / settings_key(settings, embedder))
    for _, digest in metas[:2]:
        shards.path(digest).unlink()
    index_dir = tmp_path / "cli-index"
    args = [*map(str, DOCS), "--index-dir", str(index_dir), "--no-uploads", "-q"]
    args += ["--ray", ray_cluster.address, "--ray-work-dir", str(work), "--ray-workers", "1"]
    proc = subprocess.Popen(
        cli(*args), env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    with watching(lambda: ray_cluster.pids() | {proc.pid}) as watch:
        out, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0, out
    assert f"reusing the vectors of {len(metas) - 2} unchanged documents" in out
    two = sum(len([p for p in passages if p.doc_id == m.doc_id]) for m, _ in metas[:2])
    assert f"Ray: embedded {two} passages of 2 documents on 1 worker(s)" in out
    assert watch.outside() == []

    import faiss

    index = faiss.read_index(str(current_build(index_dir) / VECTORS))
    built = index.reconstruct_batch(np.arange(len(passages), dtype=np.int64))
    assert cosines(built, local_vectors).min() >= 0.9999


def test_the_flag_says_which_extra_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from qa_service.ingest.distributed import RayEmbedding, RayNotInstalled

    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(RayNotInstalled, match=r"qa-service\[ray\]"):
        RayEmbedding("127.0.0.1:1", Path("work"))


def test_updates_refuse_the_flag(tmp_path: Path) -> None:
    done = subprocess.run(
        cli("--add", str(KAMERBRIEF), "--ray", "127.0.0.1:1", "--index-dir", str(tmp_path)),
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "--ray" in done.stderr


@pytest.mark.slow
def test_a_killed_build_resumes_without_embedding_again(
    ray_cluster: RayCluster,
    local: tuple[list[tuple[DocumentMeta, str]], list[Passage], np.ndarray, list[bytes] | None],
    tmp_path: Path,
) -> None:
    """Kill the driver (``qa-service index --ray``) once some documents are done; the next
    run embeds only the others."""
    metas, passages, local_vectors, _ = local
    work = tmp_path / "work"
    index_dir = tmp_path / "index"
    args = [*map(str, DOCS), "--index-dir", str(index_dir), "--no-uploads", "-q"]
    args += ["--ray", ray_cluster.address, "--ray-work-dir", str(work)]
    args += ["--ray-workers", "1", "--ray-batch-size", "2"]
    proc = subprocess.Popen(cli(*args), env=cli_env(), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while not list(work.rglob("*.npz")) and time.monotonic() < deadline:
        assert proc.poll() is None, "the build ended before the kill"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = len(list(work.rglob("*.npz")))
    assert 1 <= done < len(metas)
    assert not (index_dir / "CURRENT").exists()

    rerun = subprocess.run(cli(*args), env=cli_env(), capture_output=True, text=True, timeout=240)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"reusing the vectors of {done} unchanged documents" in rerun.stdout
    assert f"of {len(metas) - done} documents on 1 worker(s)" in rerun.stdout
    import faiss

    index = faiss.read_index(str(current_build(index_dir) / VECTORS))
    built = index.reconstruct_batch(np.arange(len(passages), dtype=np.int64))
    assert cosines(built, local_vectors).min() >= 0.9999
