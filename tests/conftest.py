"""Shared fixtures: settings pointing at temporary directories, one warmed-up embedder per
test session, and one index of the bundled corpus shared by the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from qa_service.config import PROJECT_ROOT, Settings
from qa_service.devtools.server import free_port
from qa_service.embedding import Embedder
from qa_service.embedding.embedder import limit_cpu_isa

# the service caps oneDNN when its embedder loads; here before any test runs a model
limit_cpu_isa(Settings().onednn_max_isa)

CORPUS = PROJECT_ROOT / "corpus"
KAMERBRIEF = CORPUS / "kamerstukken" / "kst-28676-280.txt"

# Property-based tests: no per-example deadline (the machine may be busy); 100 examples per
# property, the same ones in every run (derandomized), so the suite and CI are reproducible.
# HYPOTHESIS_PROFILE=thorough explores: 3,000 new random examples per property each run; add
# what it finds as an @example.
hypothesis_settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
hypothesis_settings.register_profile(
    "thorough",
    parent=hypothesis_settings.get_profile("suite"),
    max_examples=3000,
    derandomize=False,
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The default (bundled) embedding model, loaded once for the whole session."""
    e = Embedder(Settings())
    e.warm_up()
    return e


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index")


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """Settings whose index holds the whole bundled corpus (built once per session)."""
    from qa_service.ingest.build import build_index, default_corpus_paths

    settings = Settings(index_dir=tmp_path_factory.mktemp("corpus") / "index")
    build_index(default_corpus_paths(settings), settings, embedder)
    return settings


@pytest.fixture(scope="session")
def corpus_server(corpus_index: Settings) -> Iterator[str]:
    """The base URL of the real server (``qa-service serve``) on the bundled corpus."""
    from qa_service.devtools.server import running_server

    with running_server(corpus_index.index_dir) as url:
        yield url


@pytest.fixture(scope="session")
def gemma_dir() -> Path:
    """Gemma 3 270M as a transformers model directory (assembled and converted once)."""
    from qa_service.generation.models import GEMMA, ModelNotAvailable, resolve_model

    settings = Settings()
    try:
        return resolve_model("gemma3-270m", settings.cache_dir)
    except ModelNotAvailable as exc:  # pragma: no cover - the dev extra installs it
        pytest.fail(f"{exc} ({GEMMA.install})")


@pytest.fixture(scope="session")
def openai_server(gemma_dir: Path) -> Iterator[tuple[str, str]]:
    """A real OpenAI-compatible server (``transformers serve``) with Gemma 3 270M on loopback.

    Yields ``(base_url, model)``.
    """
    port = free_port()
    model = str(gemma_dir)
    cli = Path(sys.executable).with_name("transformers")
    cmd = [str(cli), "serve", model, "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error"}
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"transformers serve exited early:\n{out[-3000:]}")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("transformers serve did not start")
            time.sleep(0.5)
        yield base, model
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """The index directory of a small corpus (the Kamerbrief and three motions), built once
    per session; copy it before changing it."""
    import shutil

    from qa_service.ingest.build import build_index

    root = tmp_path_factory.mktemp("small")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(KAMERBRIEF, corpus / KAMERBRIEF.name)
    for name in SMALL_MOTIONS:
        shutil.copy(CORPUS / "moties" / name, corpus / name)
    build_index([corpus], Settings(index_dir=root / "index"), embedder)
    return root / "index"


SMALL_MOTIONS = ["kst-29754-673.txt", "kst-36284-6.txt", "kst-34682-141.txt"]


# -- Milvus (QA_STORE=milvus): a real milvus-lite server on loopback ----------------------------
def milvus_env(uri: str, collection: str) -> dict[str, str]:
    """The environment that points the service at a Milvus collection."""
    return {"QA_STORE": "milvus", "QA_MILVUS_URI": uri, "QA_MILVUS_COLLECTION": collection}


@pytest.fixture(scope="session")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``milvus-lite server`` on a free loopback port (a real Milvus-protocol server, from
    the ``.[milvus]`` extra), stopped at the end of the session. Skipped when the extra is
    not installed."""
    pytest.importorskip("pymilvus", reason="the .[milvus] extra (pymilvus) is not installed")
    import shutil

    cli = Path(sys.executable).with_name("milvus-lite")
    program = str(cli) if cli.is_file() else shutil.which("milvus-lite")
    if program is None:
        pytest.skip("the .[milvus] extra (milvus-lite) is not installed")
    port = free_port()
    data = tmp_path_factory.mktemp("milvus") / "data"
    log = data.parent / "milvus.log"
    cmd = [program, "server", "--data-dir", str(data), "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    uri = f"http://127.0.0.1:{port}"
    try:
        from qa_service.store.milvus.schema import connect

        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"milvus-lite exited early:\n{log.read_text()[-3000:]}")
            try:
                # through the service's connect(): pymilvus shares one connection per
                # address, made with the options of the first client (a probe with
                # pymilvus's 10 s keep-alive made milvus-lite answer "too many pings")
                connect(milvus_settings(uri, "probe")).list_collections()
                break
            except Exception:  # not listening yet
                if time.monotonic() > deadline:
                    raise TimeoutError(f"milvus-lite did not start:\n{log.read_text()}") from None
                time.sleep(0.3)
        yield uri
    finally:
        stop_process(proc)


def stop_process(proc: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    """Stop a server a fixture started: terminate, then kill what does not exit in 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def milvus_settings(uri: str, collection: str, **overrides: object) -> Settings:
    return Settings(
        store="milvus",
        milvus_uri=uri,
        milvus_collection=collection,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def corpus_milvus(corpus_index: Settings, milvus_uri: str) -> Settings:
    """Settings whose Milvus collection holds the bundled corpus: the session's local index
    copied over (no second embedding pass)."""
    from qa_service.ingest.milvus import import_local

    settings = milvus_settings(milvus_uri, "corpus", index_dir=corpus_index.index_dir)
    import_local(settings, corpus_index.index_dir)
    return settings


@pytest.fixture(scope="session")
def corpus_milvus_server(corpus_milvus: Settings, milvus_uri: str) -> Iterator[str]:
    """The base URL of the real server (``qa-service serve``) on the bundled corpus in
    Milvus."""
    from qa_service.devtools.server import running_server

    env = milvus_env(milvus_uri, corpus_milvus.milvus_collection)
    with running_server(corpus_milvus.index_dir, env=env) as url:
        yield url
