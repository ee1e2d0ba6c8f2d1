"""The command line's live updates: ``index --add``, ``--remove`` and ``--watch DIR --once``."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import qa_service.embedding as embedding_module
from qa_service.cli.commands import main
from qa_service.embedding import Embedder
from qa_service.store.loaded import load_index
from tests.conftest import CORPUS, KAMERBRIEF, PROJECT_ROOT

KOOP = PROJECT_ROOT / "tests" / "fixtures" / "koop"


@pytest.fixture(autouse=True)
def shared_embedder(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI makes its own Embedder; give it the session's loaded model instead."""
    monkeypatch.setattr(embedding_module, "Embedder", lambda settings: embedder)


def _ids(index_dir: Path) -> set[str]:
    index = load_index(index_dir)
    return {meta.doc_id for meta, _ in index.store.list_documents(0, 1000)}


def test_add_and_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index_dir = tmp_path / "index"
    args = ["index", "--index-dir", str(index_dir), "-q"]
    # --add without an index builds one
    assert main([*args, "--add", str(KAMERBRIEF)]) == 0
    assert _ids(index_dir) == {"kst-28676-280"}
    motion = CORPUS / "moties" / "kst-29754-673.txt"
    assert main([*args, "--add", str(motion), str(KOOP / "kst-36410-XVI-119.xml")]) == 0
    out = capsys.readouterr().out
    assert "2 added, 0 replaced, 0 removed, 0 unchanged" in out
    assert _ids(index_dir) == {"kst-28676-280", "kst-29754-673", "kst-36410-XVI-119"}
    assert main([*args, "--remove", "kst-29754-673"]) == 0
    assert _ids(index_dir) == {"kst-28676-280", "kst-36410-XVI-119"}
    assert main([*args, "--remove", "kst-0-0"]) == 1
    assert "not in the index: kst-0-0" in capsys.readouterr().err
    assert main([*args, "--add", str(tmp_path / "nope.pdf")]) == 2


def test_rebuild_keeps_uploaded_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    shutil.copy(KOOP / "kst-36410-XVI-119.xml", uploads / "motie.xml")
    monkeypatch.setenv("QA_UPLOAD_DIR", str(uploads))
    index_dir = tmp_path / "index"
    assert main(["index", str(KAMERBRIEF), "--index-dir", str(index_dir), "-q"]) == 0
    assert _ids(index_dir) == {"kst-28676-280", "kst-36410-XVI-119"}
    args = ["index", str(KAMERBRIEF), "--index-dir", str(index_dir), "-q", "--no-uploads"]
    assert main(args) == 0
    assert _ids(index_dir) == {"kst-28676-280"}


def test_watch_once_follows_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    index_dir = tmp_path / "index"
    args = ["index", "--index-dir", str(index_dir), "-q", "--watch", str(folder), "--once"]
    assert main(args) == 0  # an empty folder and no index: nothing to do
    shutil.copy(KAMERBRIEF, folder / KAMERBRIEF.name)
    shutil.copy(CORPUS / "moties" / "kst-29754-673.txt", folder / "motie.txt")
    assert main(args) == 0  # first sync builds the index
    assert _ids(index_dir) == {"kst-28676-280", "kst-29754-673"}
    # a new file, a changed file and a deleted file, in one sync
    shutil.copy(KOOP / "kst-36410-XVI-119.xml", folder / "motie2.xml")
    brief = folder / KAMERBRIEF.name
    brief.write_text(brief.read_text(encoding="utf-8") + "\nEen nieuwe slotalinea.\n")
    future = time.time() + 5
    os.utime(brief, (future, future))
    (folder / "motie.txt").unlink()
    capsys.readouterr()
    assert main(args) == 0
    assert "1 added, 1 replaced, 1 removed" in capsys.readouterr().out
    assert _ids(index_dir) == {"kst-28676-280", "kst-36410-XVI-119"}
    texts = " ".join(p.text for p in load_index(index_dir).store.document_passages("kst-28676-280"))
    assert "Een nieuwe slotalinea." in texts
    # nothing changed: no new build
    before = (index_dir / "CURRENT").read_text()
    assert main(args) == 0
    assert (index_dir / "CURRENT").read_text() == before


def test_updates_on_milvus(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    milvus_uri: str,
    embedder: Embedder,
) -> None:
    """``--watch``, ``--add`` and ``--remove`` with ``QA_STORE=milvus``: the first sync
    builds the collections, later ones change them in place, and a service that loaded the
    index before switches to the new version."""
    from qa_service.service import QAService
    from qa_service.store.open import open_documents
    from tests.conftest import milvus_env, milvus_settings

    for name, value in milvus_env(milvus_uri, "cli_updates").items():
        monkeypatch.setenv(name, value)
    settings = milvus_settings(milvus_uri, "cli_updates", index_dir=tmp_path / "index")

    def ids() -> set[str]:
        with open_documents(settings) as store:
            return {meta.doc_id for meta, _ in store.list_documents(0, 1000)}

    folder = tmp_path / "inbox"
    folder.mkdir()
    motions = CORPUS / "moties"
    shutil.copy(motions / "kst-29754-673.txt", folder / "a.txt")
    shutil.copy(motions / "kst-36284-6.txt", folder / "b.txt")
    args = ["index", "--index-dir", str(settings.index_dir), "-q"]
    watch = [*args, "--watch", str(folder), "--once"]
    assert main(watch) == 0  # no index yet: the first sync builds it
    assert ids() == {"kst-29754-673", "kst-36284-6"}
    assert not (settings.index_dir / "CURRENT").exists()  # nothing written locally

    service = QAService(settings, embedder)
    service.warm_up()
    assert service.search("slavernijverleden", 3).hits[0].passage.doc_id == "kst-36284-6"
    # a new file, a changed file and a deleted file, in one sync
    shutil.copy(motions / "kst-34682-141.txt", folder / "c.txt")
    changed = folder / "a.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nEen nieuwe slotalinea.\n")
    future = time.time() + 5
    os.utime(changed, (future, future))
    (folder / "b.txt").unlink()
    capsys.readouterr()
    assert main(watch) == 0
    assert "1 added, 1 replaced, 1 removed" in capsys.readouterr().out
    assert ids() == {"kst-29754-673", "kst-34682-141"}
    assert service.reload() and service.index.manifest.document_count == 2
    texts = " ".join(p.text for p in service.index.store.document_passages("kst-29754-673"))
    assert "Een nieuwe slotalinea." in texts
    hits = service.search("slavernijverleden", 5).hits
    assert hits and all(h.passage.doc_id != "kst-36284-6" for h in hits)
    assert main(watch) == 0 and not service.reload()  # nothing changed: no new version

    assert main([*args, "--add", str(motions / "kst-36284-6.txt")]) == 0
    assert main([*args, "--remove", "kst-34682-141"]) == 0
    assert ids() == {"kst-29754-673", "kst-36284-6"}
    assert main([*args, "--remove", "kst-0-0"]) == 1
    assert service.reload()
    assert service.search("slavernijverleden", 3).hits[0].passage.doc_id == "kst-36284-6"
    assert service.info()["documents"] == 2


def test_from_local_copies_an_index_into_milvus(
    small_index: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    milvus_uri: str,
) -> None:
    from tests.conftest import milvus_env

    assert main(["index", "--from-local", str(small_index)]) == 2  # QA_STORE=local
    assert "needs QA_STORE=milvus" in capsys.readouterr().err
    for name, value in milvus_env(milvus_uri, "from_local").items():
        monkeypatch.setenv(name, value)
    assert main(["index", "--from-local", str(small_index)]) == 0
    assert "copied 4 documents" in capsys.readouterr().out
    from qa_service.config import Settings
    from qa_service.store.open import open_documents

    with open_documents(Settings()) as store:
        assert "kst-36284-6" in store.content_hashes()
