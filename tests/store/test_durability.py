"""Crashes and damaged files: ``kill -9`` in the middle of ``qa-service index`` leaves the
previous index loading and answering as before; a damaged file of any build (a full build or
a live update) is found at start-up and named; a published build is on disk (fsync)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.ingest.update import update_index
from qa_service.service import QAService
from qa_service.store.layout import (
    BUILDS,
    CURRENT,
    MANIFEST,
    IndexCorruptError,
    Manifest,
    current_build,
)
from qa_service.store.loaded import load_index
from tests.conftest import CORPUS

QUESTIONS = [
    "Wat heeft de minister toegezegd voor Afghanistan?",
    "What did the minister pledge for Afghanistan?",
    "Wat verzoekt de Kamer de regering?",
]


@pytest.fixture()
def small(small_index: Path, tmp_path: Path) -> Settings:
    """A copy of a small index (a Kamerbrief and three motions) for one test to damage."""
    shutil.copytree(small_index, tmp_path / "index")
    return Settings(index_dir=tmp_path / "index", upload_dir=tmp_path / "uploads")


def _answers(settings: Settings, embedder: Embedder) -> list[tuple]:
    service = QAService(settings, embedder)
    service.warm_up()
    try:
        out = []
        for question in QUESTIONS:
            a = service.ask(question, 5).answer
            out.append(
                (a.answer, a.answerable, [(c.hit.passage.passage_id, c.quote) for c in a.citations])
            )
        return out
    finally:
        service.close()


def _big_folder(tmp_path: Path, count: int = 120) -> Path:
    """Enough motions that indexing them takes a while (they are killed half-way)."""
    folder = tmp_path / "many"
    folder.mkdir()
    for path in sorted((CORPUS / "moties").glob("*.txt"))[:count]:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.mark.parametrize("mode", ["rebuild", "add"])
def test_kill_9_during_index_keeps_the_previous_index(
    small: Settings, embedder: Embedder, tmp_path: Path, mode: str
) -> None:
    before = _answers(small, embedder)
    live = (small.index_dir / CURRENT).read_text()
    builds = {p.name for p in (small.index_dir / BUILDS).iterdir()}
    folder = _big_folder(tmp_path)
    cmd = [
        sys.executable,
        "-m",
        "qa_service.cli",
        "index",
        "--index-dir",
        str(small.index_dir),
    ]
    cmd += ["-q", str(folder)] if mode == "rebuild" else ["-q", "--add", str(folder)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        new: set[str] = set()
        while not new:  # the new build directory exists: it is being written
            assert proc.poll() is None, "the index command ended before it could be killed"
            assert time.monotonic() < deadline, "no new build directory appeared"
            new = {p.name for p in (small.index_dir / BUILDS).iterdir()} - builds
            time.sleep(0.02)
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    (partial,) = new
    assert not (small.index_dir / BUILDS / partial / MANIFEST).exists()  # killed mid-write
    assert (small.index_dir / CURRENT).read_text() == live
    load_index(small.index_dir, expected_model=embedder.model_name)  # checksums hold
    assert _answers(small, embedder) == before

    # the index lock died with the process, and the next update clears the half-written build
    report = update_index(small, embedder, add=[CORPUS / "moties" / "kst-36284-15.txt"])
    assert report.added == ["kst-36284-15"]
    left = {p.name for p in (small.index_dir / BUILDS).iterdir()}
    assert partial not in left and live.strip() in left  # the previous build stays as fallback


@pytest.fixture()
def updated(small: Settings, embedder: Embedder) -> Settings:
    """A build written by a live update: IndexIDMap2 vectors, BM25 rebuilt from stored terms."""
    update_index(small, embedder, add=[CORPUS / "moties" / "kst-36284-15.txt"])
    update_index(small, embedder, remove=["kst-36284-6"])
    return small


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "flip":
        path.write_bytes(
            data[: len(data) // 2]
            + bytes([data[len(data) // 2] ^ 0xFF])
            + data[len(data) // 2 + 1 :]
        )
    elif how == "truncate":
        path.write_bytes(data[: len(data) // 3])
    else:
        path.unlink()


@pytest.mark.parametrize("how", ["flip", "truncate", "delete"])
def test_every_file_of_an_updated_build_is_checked(
    updated: Settings, tmp_path: Path, how: str
) -> None:
    build = current_build(updated.index_dir)
    manifest = Manifest.from_file(build / MANIFEST)
    assert manifest.faiss_type == "IndexIDMap2"
    on_disk = {str(p.relative_to(build)) for p in build.rglob("*") if p.is_file()}
    assert set(manifest.files) == on_disk - {MANIFEST}  # every file has a checksum
    assert {"vectors.faiss", "centroid.npy", "store.sqlite", "bm25_rows.npy"} <= on_disk
    assert any(name.startswith("bm25/") for name in on_disk)
    for name in sorted(manifest.files):
        copy = tmp_path / f"copy-{how}-{name.replace('/', '_')}"
        shutil.copytree(updated.index_dir, copy)
        _damage(current_build(copy) / name, how)
        with pytest.raises(IndexCorruptError) as error:
            load_index(copy)
        message = str(error.value)
        assert str(current_build(copy) / name) in message, message
        assert ("missing" if how == "delete" else "corrupted") in message
        assert "rebuild" in message
        shutil.rmtree(copy)


def test_damaged_pointer_and_manifest_are_reported(small: Settings) -> None:
    pointer = small.index_dir / CURRENT
    live = pointer.read_text()
    pointer.write_bytes(b"\x00\xffgarbage\n")
    with pytest.raises(IndexCorruptError, match="CURRENT"):
        load_index(small.index_dir)
    pointer.write_text("../../etc\n")
    with pytest.raises(IndexCorruptError, match="missing build"):
        load_index(small.index_dir)
    pointer.write_text(live)
    manifest = current_build(small.index_dir) / MANIFEST
    manifest.write_text(manifest.read_text()[:50])
    with pytest.raises(IndexCorruptError, match=str(manifest)):
        load_index(small.index_dir)


def test_a_damaged_index_is_reported_at_start_up(
    small: Settings, embedder: Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    """The service keeps running and says which file is damaged (/health and every query
    answer 503 with it); `qa-service ask` exits with the same message."""
    from fastapi.testclient import TestClient

    from qa_service.api.app import create_app
    from qa_service.cli.commands import main

    damaged = current_build(small.index_dir) / "vectors.faiss"
    _damage(damaged, "truncate")
    app = create_app(small, QAService(small, embedder))
    with TestClient(app) as client:
        for _ in range(200):
            health = client.get("/health")
            if health.json()["status"] != "loading":
                break
            time.sleep(0.05)
        assert health.status_code == 503 and health.json()["status"] == "error"
        assert str(damaged) in health.json()["detail"]
        r = client.post("/api/ask", json={"question": "Afghanistan?"})
        assert r.status_code == 503 and str(damaged) in r.json()["detail"]
        assert "Traceback" not in r.text

    assert main(["ask", "Afghanistan?", "--index-dir", str(small.index_dir)]) == 1
    err = capsys.readouterr().err
    assert f"error: index file {damaged} is corrupted" in err


def test_publish_flushes_the_build_to_disk(
    small: Settings, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file of a new build, its directories and the pointer are fsynced before the
    update returns (what an acknowledged upload relies on after a power cut)."""
    import qa_service.store.layout as index_module

    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(index_module.os, "fsync", fsync)
    report = update_index(small, embedder, add=[CORPUS / "moties" / "kst-36284-15.txt"])
    assert report.build is not None
    files = [p for p in report.build.rglob("*")] + [report.build, report.build.parent]
    missing = [str(p) for p in files if str(p.resolve()) not in synced]
    assert not missing, missing
    pointer = [s for s in synced if Path(s).name.startswith(f".{CURRENT}.")]
    assert pointer and str(small.index_dir.resolve()) in synced
