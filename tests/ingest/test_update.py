"""Live updates: add, replace and remove documents without rebuilding; atomic switching while
queries run; an interrupted update leaves the previous index intact."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.embedding import Embedder
from qa_service.ingest.build import build_index
from qa_service.ingest.update import update_index
from qa_service.parsing.chunking import split_sentences
from qa_service.service import QAService
from qa_service.store.layout import (
    BM25_ROWS,
    BUILDS,
    CENTROID,
    CONTEXT_RULE,
    CURRENT,
    FORMAT_VERSION,
    MANIFEST,
    STORE,
    TERMS_RULE,
    VECTORS,
    Manifest,
    checksum_files,
    current_build,
)
from qa_service.store.loaded import load_index
from tests.conftest import CORPUS, KAMERBRIEF, PROJECT_ROOT
from tests.samples import TEST_MOTION

KOOP = PROJECT_ROOT / "tests" / "fixtures" / "koop"
MOTIONS = ["kst-29754-673.txt", "kst-36284-6.txt", "kst-34682-141.txt"]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "moties").mkdir(parents=True)
    shutil.copy(KAMERBRIEF, root / KAMERBRIEF.name)
    for name in MOTIONS:
        shutil.copy(CORPUS / "moties" / name, root / "moties" / name)
    return root


@pytest.fixture()
def built(corpus: Path, settings: Settings, embedder: Embedder) -> Settings:
    build_index([corpus], settings, embedder)
    return settings


class Spy:
    """Counts the passages an embedder is asked to embed."""

    def __init__(self, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        self.sentences: list[str] = []
        plain = embedder.encode_passages
        with_sentences = embedder.encode_passages_with_sentences

        def encode(
            texts: list[str], show_progress: bool = False, batch_invariant: bool = False
        ) -> np.ndarray:
            # batch-invariant: the passages' sentences, each embedded alone
            (self.sentences if batch_invariant else self.texts).extend(texts)
            return plain(texts, show_progress, batch_invariant)

        def encode_with_sentences(
            texts: list[str], spans: list[list[tuple[int, int]]], show_progress: bool = False
        ) -> tuple[np.ndarray, list[np.ndarray]]:
            self.texts.extend(texts)
            return with_sentences(texts, spans, show_progress)

        monkeypatch.setattr(embedder, "encode_passages", encode)
        monkeypatch.setattr(embedder, "encode_passages_with_sentences", encode_with_sentences)


def _motion(folder: Path, word: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kst-99999-1.txt"
    path.write_text(TEST_MOTION.format(word=word), encoding="utf-8")
    return path


def test_add_embeds_only_the_new_passages(
    built: Settings, embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = load_index(built.index_dir)
    centroid = (current_build(built.index_dir) / CENTROID).read_bytes()
    spy = Spy(embedder, monkeypatch)
    report = update_index(built, embedder, add=[_motion(tmp_path / "new", "zoutwinning")])
    after = load_index(built.index_dir, expected_model=embedder.model_name)
    new_passages = after.store.document_passages("kst-99999-1")
    assert report.added == ["kst-99999-1"] and report.changed
    # the two passages, and once their context (the motion's title)
    assert len(spy.texts) == len(new_passages) + 1 == 3
    assert spy.texts[-1] == after.store.document("kst-99999-1").title  # type: ignore[union-attr]
    # and their sentences alone (for the answers; a one-sentence passage's own vector serves),
    # no other passage's
    mine = [s for p in new_passages for s in split_sentences(p.text)]
    assert all(any(t.endswith(s) for s in mine) for t in spy.sentences)
    assert after.size == before.size + 2 == report.passages
    assert after.manifest.document_count == before.manifest.document_count + 1
    assert (after.build / CENTROID).read_bytes() == centroid  # the first build's centroid
    assert after.manifest.faiss_type == "IndexIDMap2"
    # the old passages keep their rows and vectors
    rows = np.arange(before.size)
    assert np.array_equal(
        np.vstack([after.vectors.reconstruct(int(r)) for r in rows]),
        np.vstack([before.vectors.reconstruct(int(r)) for r in rows]),
    )
    # BM25 and dense retrieval find the new document
    service = QAService(built, embedder)
    service.warm_up()
    for mode in ("bm25", "dense"):
        hits = service.search("zoutwinning proefpolder", 3, mode=mode).hits  # type: ignore[arg-type]
        assert hits[0].passage.doc_id == "kst-99999-1"


def test_unchanged_documents_are_skipped(
    built: Settings, corpus: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = (built.index_dir / CURRENT).read_text()
    spy = Spy(embedder, monkeypatch)
    report = update_index(built, embedder, add=[corpus])
    assert sorted(report.unchanged) == sorted(
        ["kst-28676-280", *(m.removesuffix(".txt") for m in MOTIONS)]
    )
    assert not report.changed and not report.added and not report.replaced
    assert spy.texts == [] and spy.sentences == []
    assert (built.index_dir / CURRENT).read_text() == live  # no new build


def test_a_changed_document_is_replaced(
    built: Settings, embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    update_index(built, embedder, add=[_motion(tmp_path / "v1", "zoutwinning")])
    size = load_index(built.index_dir).size
    spy = Spy(embedder, monkeypatch)
    report = update_index(built, embedder, add=[_motion(tmp_path / "v2", "bodemdaling")])
    assert report.replaced == ["kst-99999-1"] and not report.added
    assert len(spy.texts) == 3  # its two passages and their context (the title)
    index = load_index(built.index_dir)
    assert index.size == size  # two passages out, two in
    texts = " ".join(p.text for p in index.store.document_passages("kst-99999-1"))
    assert "bodemdaling" in texts and "zoutwinning" not in texts
    assert "zoutwinning" not in index.bm25.vocab_dict  # BM25 rebuilt without the old text
    assert index.store.document("kst-99999-1").source.endswith("v2/kst-99999-1.txt")


def test_remove(built: Settings, embedder: Embedder) -> None:
    before = load_index(built.index_dir)
    gone = len(before.store.document_passages("kst-29754-673"))
    report = update_index(built, embedder, remove=["kst-29754-673", "kst-0-0"])
    assert report.removed == ["kst-29754-673"] and report.not_found == ["kst-0-0"]
    index = load_index(built.index_dir)
    assert index.store.document("kst-29754-673") is None
    assert index.size == before.size - gone == int(index.bm25.scores["num_docs"])
    assert len(index.bm25_rows) == index.size
    assert set(index.bm25_rows) == {r for r, _ in index.store.all_passages()}


def test_removing_unknown_ids_changes_nothing(built: Settings, embedder: Embedder) -> None:
    live = (built.index_dir / CURRENT).read_text()
    report = update_index(built, embedder, remove=["kst-0-0"])
    assert report.not_found == ["kst-0-0"] and not report.changed
    assert (built.index_dir / CURRENT).read_text() == live


def test_interrupted_update_keeps_the_previous_index(
    built: Settings, embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = (built.index_dir / CURRENT).read_text()
    size = load_index(built.index_dir).size

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(embedder, "encode_passages", interrupted)
    monkeypatch.setattr(embedder, "encode_passages_with_sentences", interrupted)
    with pytest.raises(KeyboardInterrupt):
        update_index(built, embedder, add=[_motion(tmp_path / "new", "zoutwinning")])
    assert (built.index_dir / CURRENT).read_text() == live
    assert load_index(built.index_dir).size == size
    assert len(list((built.index_dir / BUILDS).iterdir())) == 1


def _downgrade(build: Path) -> None:
    """Rewrite a build the way the index was written before live updates: a flat FAISS
    index (row = position), no BM25 row map, no stored terms, no sentence vectors."""
    import faiss

    index = faiss.read_index(str(build / VECTORS))
    flat = faiss.IndexFlatIP(index.d)
    flat.add(np.vstack([index.reconstruct(i) for i in range(index.ntotal)]))
    faiss.write_index(flat, str(build / VECTORS))
    (build / BM25_ROWS).unlink()
    con = sqlite3.connect(build / STORE)
    con.execute("ALTER TABLE passages DROP COLUMN terms")
    con.execute("ALTER TABLE passages DROP COLUMN sentences")
    con.commit()
    con.close()
    manifest = Manifest.from_file(build / MANIFEST)
    manifest.format_version = 1
    manifest.faiss_type = "IndexFlatIP"
    manifest.files = checksum_files(build)
    (build / MANIFEST).write_text(manifest.to_json())


def test_an_index_from_before_live_updates_is_upgraded(
    built: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    _downgrade(current_build(built.index_dir))
    old = load_index(built.index_dir)
    assert old.manifest.faiss_type == "IndexFlatIP"
    assert not old.store.has_sentence_vectors and old.sentence_vectors([0, 1]) == {}
    service = QAService(built.model_copy(update={"abstain_threshold_nl": -1.0}), embedder)
    service.warm_up()
    expected = [h.passage.passage_id for h in service.search("Navo Afghanistan", 5).hits]
    # without stored sentence vectors the answerer embeds the sentences itself
    answer = service.ask("Wat heeft de minister toegezegd voor Afghanistan?", 5).answer
    assert answer.answerable and answer.citations[0].quote
    report = update_index(built, embedder, add=[_motion(tmp_path / "new", "zoutwinning")])
    assert report.added == ["kst-99999-1"]
    assert service.reload()
    assert service.index.manifest.faiss_type == "IndexIDMap2"
    assert service.index.size == old.size + 2
    assert [h.passage.passage_id for h in service.search("Navo Afghanistan", 5).hits] == expected
    # the store gained the column, and every passage (re-embedded: the build was format 1) has
    # its sentence vectors
    new_rows = [old.size, old.size + 1]
    assert sorted(service.index.sentence_vectors([0, *new_rows])) == [0, *new_rows]


def _rewrite(build: Path, sql: str, **manifest: int) -> None:
    """Run ``sql`` on ``build``'s store and set ``manifest``'s fields in its manifest, the
    checksums made anew: a build as older code wrote it."""
    con = sqlite3.connect(build / STORE)
    con.execute(sql)
    con.commit()
    con.close()
    written = Manifest.from_file(build / MANIFEST)
    for name, value in manifest.items():
        setattr(written, name, value)
    written.files = checksum_files(build)
    (build / MANIFEST).write_text(written.to_json())


def _as_format_1(build: Path) -> None:
    """Make ``build`` what the code before format 2 wrote: the same files, a manifest saying
    format 1 and a store without a schema version."""
    _rewrite(build, "PRAGMA user_version = 0", format_version=1)


def test_a_format_1_index_loads_and_an_update_writes_format_2(
    built: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    build = current_build(built.index_dir)
    before = load_index(built.index_dir).store.all_passages()
    _as_format_1(build)
    assert FORMAT_VERSION == 2
    old = load_index(built.index_dir, expected_model=embedder.model_name)
    assert old.manifest.format_version == 1
    assert old.store.all_passages() == before and old.store.has_sentence_vectors
    update_index(built, embedder, add=[_motion(tmp_path / "new", "zoutwinning")])
    new = load_index(built.index_dir)
    assert new.manifest.format_version == 2
    assert new.manifest.context_weight == built.context_weight  # vectors made anew
    con = sqlite3.connect(new.build / STORE)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 2
    con.close()
    assert new.size == old.size + 2


def test_queries_during_updates_see_one_index_or_the_other(
    built: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    """Threads query while documents are added, replaced and removed: every query succeeds
    with a full top-k from one consistent build (a mix of builds would lose hits)."""
    service = QAService(built, embedder)
    service.warm_up()
    stop = threading.Event()
    errors: list[BaseException] = []
    counts: list[int] = []
    builds: set[Path] = set()

    def query() -> None:
        while not stop.is_set():
            try:
                live = service.live
                result = live.retriever.search("regering verzoekt proefpolder", 8)
                counts.append(len(result.hits))
                builds.add(live.index.build)
                docs = live.index.store.documents(h.passage.doc_id for h in result.hits)
                assert set(docs) == {h.passage.doc_id for h in result.hits}
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return

    threads = [threading.Thread(target=query) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        service.add_documents([_motion(tmp_path / "v1", "zoutwinning")])
        service.add_documents([_motion(tmp_path / "v2", "bodemdaling")])
        service.remove_documents(["kst-99999-1", "kst-36284-6"])
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors[0]
    assert counts and all(n == 8 for n in counts)
    assert len(builds) >= 2  # the queries did run across the switches
    assert service.index.store.document("kst-99999-1") is None


def test_remove_deletes_the_uploaded_file_only(
    built: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    settings = built.model_copy(update={"upload_dir": tmp_path / "uploads"})
    service = QAService(settings, embedder)
    service.warm_up()
    uploaded = _motion(tmp_path / "uploads", "zoutwinning")
    service.add_documents([uploaded])
    service.remove_documents(["kst-99999-1"])
    assert not uploaded.exists()
    outside = service.index.store.document("kst-36284-6").source
    service.remove_documents(["kst-36284-6"])
    assert Path(outside).exists()  # not in the upload directory: left alone


def test_an_update_of_a_terms_rule_1_build_analyses_every_passage_anew(
    built: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    """A build from before terms rule 2 stored the plural's stem apart from the singular's
    ("bedraag" for "bedragen"): an update analyses every passage anew, not only the new
    ones, so that BM25 finds "bedragen" for a question's "bedrag"."""
    _rewrite(current_build(built.index_dir), "UPDATE passages SET terms = 'rule1'", terms_rule=1)
    assert load_index(built.index_dir).manifest.terms_rule == 1
    update_index(built, embedder, add=[_motion(tmp_path / "new", "zoutwinning")])
    index = load_index(built.index_dir)
    assert index.manifest.terms_rule == TERMS_RULE
    terms = index.store.terms_by_row()
    assert len(terms) == index.size and all(t and t != ["rule1"] for t in terms.values())


def test_an_update_of_a_context_rule_1_build_embeds_every_passage_anew(
    built: Settings, embedder: Embedder, tmp_path: Path
) -> None:
    """A build from before context rule 2 searched untitled passages on another scale: an
    update does not mix its vectors with new ones."""
    build = current_build(built.index_dir)
    data = json.loads((build / MANIFEST).read_text())
    del data["context_rule"]
    (build / MANIFEST).write_text(json.dumps(data))
    assert load_index(built.index_dir).manifest.context_rule == 1
    update_index(built, embedder, add=[_motion(tmp_path / "new", "zoutwinning")])
    assert load_index(built.index_dir).manifest.context_rule == CONTEXT_RULE
