"""Index build, reload, manifest checks, corruption detection and atomic publishing."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.ingest.build import build_index
from qa_service.parsing.chunking import split_sentences
from qa_service.store.layout import (
    BUILDS,
    CURRENT,
    MANIFEST,
    STORE,
    VECTORS,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    current_build,
)
from qa_service.store.loaded import load_index
from tests.conftest import CORPUS, KAMERBRIEF

MOTIONS = ["kst-29754-673.txt", "kst-36284-6.txt", "kst-34682-141.txt"]


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "moties").mkdir(parents=True)
    shutil.copy(KAMERBRIEF, root / KAMERBRIEF.name)
    for name in MOTIONS:
        shutil.copy(CORPUS / "moties" / name, root / "moties" / name)
    shutil.copy(CORPUS / "moties.jsonl", root / "moties.jsonl")
    return root


@pytest.fixture()
def built(small_corpus: Path, settings: Settings, embedder: Embedder) -> Settings:
    build_index([small_corpus], settings, embedder)
    return settings


def test_build_and_reload(built: Settings, embedder: Embedder) -> None:
    index = load_index(built.index_dir, expected_model=embedder.model_name)
    m = index.manifest
    assert m.document_count == 1 + len(MOTIONS)
    assert m.passage_count == index.vectors.ntotal == index.size > 20
    assert m.dimension == 384
    assert m.model == embedder.model_name
    assert len(m.corpus_hash) == 64
    assert set(m.files) >= {VECTORS, STORE}
    doc = index.store.document("kst-28676-280")
    assert doc is not None and doc.dossier == "28676"
    passages = index.store.document_passages("kst-28676-280")
    assert [p.position for p in passages] == list(range(len(passages)))
    assert index.store.document("kst-29754-673") is not None
    index.close()


def test_rebuild_is_deterministic(built: Settings, small_corpus: Path, embedder: Embedder) -> None:
    first = load_index(built.index_dir).manifest
    build_index([small_corpus], built, embedder)
    second = load_index(built.index_dir).manifest
    assert first.corpus_hash == second.corpus_hash
    assert first.passage_count == second.passage_count
    # the previous build is kept as a fallback, older ones are pruned
    assert len(list((built.index_dir / BUILDS).iterdir())) == 2


def test_sentence_vectors_are_stored_per_passage(
    built: Settings, small_corpus: Path, embedder: Embedder
) -> None:
    index = load_index(built.index_dir)
    rows = [r for r, _ in index.store.all_passages()]
    stored = index.sentence_vectors(rows)
    assert sorted(stored) == rows
    for row, passage in index.store.all_passages():
        vectors = stored[row]
        assert vectors.shape == (len(split_sentences(passage.text)), index.manifest.dimension)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=0.01)
    alone = index.sentence_vectors(rows, alone=True)  # each sentence embedded on its own
    assert sorted(alone) == rows
    assert all(alone[r].shape == stored[r].shape for r in rows)
    index.close()
    # without those embedded alone: the in-context ones only
    build_index(
        [small_corpus], built.model_copy(update={"sentence_vectors_alone": False}), embedder
    )
    index = load_index(built.index_dir)
    assert sorted(index.sentence_vectors(rows)) == rows
    assert index.sentence_vectors(rows, alone=True) == {}
    index.close()
    # off: none stored, and the index reads as one without them
    build_index([small_corpus], built.model_copy(update={"sentence_vectors": False}), embedder)
    index = load_index(built.index_dir)
    assert index.store.has_sentence_vectors and index.sentence_vectors(rows) == {}
    index.close()


def test_missing_index_is_reported(settings: Settings) -> None:
    with pytest.raises(IndexNotFoundError, match="qa-service index"):
        load_index(settings.index_dir)


def test_other_model_is_refused(built: Settings) -> None:
    with pytest.raises(IndexMismatchError, match="built with embedding model"):
        load_index(built.index_dir, expected_model="intfloat/multilingual-e5-large")


@pytest.mark.parametrize("name", [VECTORS, STORE])
def test_corrupted_file_is_detected(built: Settings, name: str) -> None:
    path = current_build(built.index_dir) / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match=name):
        load_index(built.index_dir)


def test_truncated_file_is_detected(built: Settings) -> None:
    path = current_build(built.index_dir) / VECTORS
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="corrupted"):
        load_index(built.index_dir)


def test_bad_manifest_is_reported(built: Settings) -> None:
    (current_build(built.index_dir) / MANIFEST).write_text("{not json")
    with pytest.raises(IndexCorruptError, match="manifest"):
        load_index(built.index_dir)


def test_interrupted_build_keeps_previous_index(
    built: Settings, small_corpus: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (built.index_dir / CURRENT).read_text()
    count = load_index(built.index_dir).size

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(embedder, "encode_passages", interrupted)
    monkeypatch.setattr(embedder, "encode_passages_with_sentences", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_index([small_corpus], built, embedder)
    assert (built.index_dir / CURRENT).read_text() == before
    assert load_index(built.index_dir).size == count
    assert len(list((built.index_dir / BUILDS).iterdir())) == 1


def test_nothing_to_index_is_an_error(
    tmp_path: Path, settings: Settings, embedder: Embedder
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    with pytest.raises(ValueError, match="no passages"):
        build_index([empty], settings, embedder)
