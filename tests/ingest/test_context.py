"""A passage without a topical context (an OCR'd document without a title, or whose title
only names its kind: "Antwoord", "Brief van de minister van verkeer en waterstaat") is its
own context, so it is searched on the same scale as the passages of titled documents
(context rule 3)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from qa_service.config import Settings
from qa_service.documents import attributed, context_of
from qa_service.embedding import Embedder
from qa_service.ingest.build import build_index, embedded_texts, title_is_context
from qa_service.store.layout import CONTEXT_RULE, Manifest
from qa_service.store.loaded import load_index

SAMPLE = Path(__file__).parents[1] / "fixtures" / "historical-sample.jsonl"


def test_untitled_and_type_titled_passages_are_their_own_context(
    tmp_path: Path, embedder: Embedder
) -> None:
    settings = Settings(index_dir=tmp_path / "index")
    build_index([SAMPLE], settings, embedder)
    index = load_index(settings.index_dir)
    assert index.manifest.context_rule == CONTEXT_RULE == 3
    docs = {m.doc_id: m for m, _ in index.store.list_documents(0, 100)}
    titles = {d: m.title for d, m in docs.items()}
    assert titles["0000142774"] == "Brief van de minister van verkeer en waterstaat"
    assert any(len(t.split()) <= 3 for t in titles.values())  # none, or "Antwoord"
    w = settings.context_weight
    for row, passage in index.store.all_passages():
        meta = docs[passage.doc_id]
        own = embedder.encode_passages([attributed(meta, passage.text)])[0]
        context = context_of(meta, passage)
        if len(context.split()) > 3 and (passage.section or title_is_context(meta.title)):
            expected = own + w * embedder.encode_passages([context])[0]
        else:
            expected = (1 + w) * own
        assert np.allclose(index.vectors.reconstruct(row), expected, atol=0.03), passage.passage_id
    _, contexts = embedded_texts(docs, [p for _, p in index.store.all_passages()], settings)
    assert contexts and set(contexts) == {""}  # untitled, "Antwoord", "Brief van de minister"
    # the same letter titled by its topic has that title as context
    topical = "Brief van de minister van verkeer en waterstaat over de Afsluitdijk"
    meta = dataclasses.replace(docs["0000142774"], title=topical)
    passage = next(p for _, p in index.store.all_passages() if p.doc_id == "0000142774")
    assert embedded_texts({meta.doc_id: meta}, [passage], settings)[1] == [topical]
    index.close()


@pytest.mark.parametrize(
    ("title", "topical"),
    [
        ("Brief van de Minister van Defensie", False),
        ("Motie van de leden Alkaya en Van Kent", True),  # how users ask for it
        ("ANTWOORD van de heer Schmelzer, Minister van Buitenlandse Zaken", False),
        ("Koninklijke boodschap, ingekomen in de zitting van 1848", False),
        ("Memorie van toelichting", False),
        ("Antwoord", False),
        ("", False),
        ("Motie van het lid Kröger over geluidsoverlast rond Schiphol", True),
        ("Verslag: de bijeenkomst van de Navo-ministers van Defensie", True),
        ("Verslag van de bijeenkomst over Afghanistan", True),
        ("Wijziging van de Wet op het primair onderwijs", True),
        ("Regels omtrent de veiligheid van tunnels", True),
    ],
)
def test_a_title_that_only_names_a_kind_of_document_is_no_context(
    title: str, topical: bool
) -> None:
    assert title_is_context(title) is topical


@pytest.mark.parametrize(("stored", "rule"), [({}, 1), ({"context_rule": 2}, 2)])
def test_a_manifest_from_before_the_rule_reads_as_rule_1(
    tmp_path: Path, stored: dict[str, int], rule: int
) -> None:
    fields = {
        "model": "m",
        "dimension": 4,
        "passage_count": 1,
        "document_count": 1,
        "corpus_hash": "x",
        **stored,
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(fields))
    assert Manifest.from_file(path).context_rule == rule
    assert Manifest.from_file(path).terms_rule == 1  # written before terms_rule existed


def test_a_batch_of_passages_without_context_is_embedded_as_in_any_other(
    embedder: Embedder,
) -> None:
    """A live update or a distributed worker may embed a batch in which no passage has a
    context: such a passage is its own context there as well."""
    from qa_service.ingest.build import embed_texts

    settings = Settings()
    texts = ["De minister stuurt de Kamer een brief.", "Het kabinet neemt maatregelen."]
    alone, _ = embed_texts(texts, texts, ["", ""], settings, embedder)
    mixed, _ = embed_texts(
        texts, texts, ["", "Brief van de minister van Defensie"], settings, embedder
    )
    own = embedder.encode_passages(texts[:1])[0]
    assert np.allclose(alone[0], (1 + settings.context_weight) * own, atol=0.03)
    assert np.allclose(alone[0], mixed[0], atol=0.03)
