"""The Milvus collections of one build, their schema and analyzer, and filters as boolean
expressions.

One build is three collections named after the passages collection ``<alias>__<stamp>``:

* the passages (``<name>``): row (primary key), passage fields, the document fields filters
  use (doc id, dossier, type, date, vergaderjaar), the passage's search vector (inner
  product), the text BM25 scores (``keyword_text``: the passage with its title and section,
  as the local store indexes it) and its sparse BM25 vector, made by Milvus's own BM25
  function; the analysed terms (``terms``: the service's own Dutch analysis, for the IDF the
  answerer weighs question words by: ``TEXT_MATCH`` counts) and the packed sentence vectors;
* the documents (``<name>_documents``): metadata JSON, content hash, source file;
* the build's manifest and centroid (``<name>_meta``; the centroid is that row's vector).

The alias ``QA_MILVUS_COLLECTION`` names the live build: a full build fills new collections
and then moves the alias (:class:`~qa_service.store.milvus.writer.MilvusWriter`).
"""

from __future__ import annotations

import time
from typing import Any

from qa_service.config import Settings
from qa_service.filters import Filters
from qa_service.text.lexical import STOPWORDS, fold

#: longest VARCHAR Milvus stores (bytes)
MAX_VARCHAR = 65_535
DOCUMENTS = "_documents"
META = "_meta"
META_KEY = "manifest"
#: the most entities one query returns
QUERY_WINDOW = 16_384
#: the vector a collection needs when nothing in it is searched by vector
PLACEHOLDER_DIM = 2
#: the analyzer of ``keyword_text``: Dutch stems and stop words, in the engine. milvus-lite
#: (3.2) applies the stop words and lower-casing but has no stemmer or ASCII folding filter;
#: a Milvus cluster applies them all (docs/scale-out.md).
DUTCH_ANALYZER: dict[str, Any] = {
    "tokenizer": "standard",
    "filter": [
        "lowercase",
        "asciifolding",
        {"type": "stop", "stop_words": sorted({fold(w) for w in STOPWORDS})},
        {"type": "stemmer", "language": "dutch"},
    ],
}
#: the analyzer of text the service analysed itself (its terms, separated by spaces: the
#: standard tokenizer keeps them whole, and milvus-lite has no whitespace tokenizer)
TERMS_ANALYZER: dict[str, Any] = {"tokenizer": "standard"}


#: gRPC keep-alive pings at most every 6 minutes and only during calls. With pymilvus's
#: default (every 10 s, also when idle) milvus-lite's gRPC server answered GOAWAY
#: "too_many_pings" in a test run on a loaded machine (pings while slow calls sent no data),
#: and every later call on the connection failed. A Milvus cluster accepts either.
GRPC_OPTIONS: dict[str, Any] = {
    "grpc.keepalive_time_ms": 360_000,
    "grpc.keepalive_permit_without_calls": False,
}


class MilvusNotInstalled(RuntimeError):
    pass


def connect(settings: Settings) -> Any:
    """A ``pymilvus.MilvusClient`` for ``QA_MILVUS_URI`` (token and database when set)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise MilvusNotInstalled(
            "QA_STORE=milvus needs the Milvus client: pip install 'qa-service[milvus]'"
        ) from exc
    if not settings.milvus_uri:
        raise ValueError("QA_STORE=milvus needs QA_MILVUS_URI (e.g. http://127.0.0.1:19530)")
    kwargs: dict[str, Any] = {"uri": settings.milvus_uri, "grpc_options": GRPC_OPTIONS}
    token = settings.milvus_token.get_secret_value()
    if token:
        kwargs["token"] = token
    if settings.milvus_db:
        kwargs["db_name"] = settings.milvus_db
    return MilvusClient(**kwargs)


def new_build_name(alias: str) -> str:
    return f"{alias}__{time.strftime('%Y%m%dT%H%M%S')}{time.time_ns() % 1_000_000:06d}"


def build_collections(name: str) -> tuple[str, str, str]:
    """The passages, documents and meta collection of the build ``name``."""
    return name, name + DOCUMENTS, name + META


def builds_of(client: Any, alias: str) -> list[str]:
    """The passages collections of every build of ``alias`` (oldest first)."""
    prefix = f"{alias}__"
    return sorted(
        c
        for c in client.list_collections()
        if c.startswith(prefix) and not c.endswith((DOCUMENTS, META))
    )


def create_build(client: Any, name: str, dimension: int, analyzer: str) -> None:
    """Create the three collections of a build (strong consistency: a write is visible to
    the next read, as a published local build is)."""
    from pymilvus import DataType, Function, FunctionType

    passages, documents, meta = build_collections(name)
    keyword_analyzer = DUTCH_ANALYZER if analyzer == "dutch" else TERMS_ANALYZER
    s = client.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field("row", DataType.INT64, is_primary=True)
    s.add_field("passage_id", DataType.VARCHAR, max_length=1024)
    s.add_field("doc_id", DataType.VARCHAR, max_length=512)
    s.add_field("position", DataType.INT64)
    s.add_field("page", DataType.INT64)  # -1: none
    s.add_field("section", DataType.VARCHAR, max_length=MAX_VARCHAR)
    s.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR)
    for field in ("dossier", "doc_type", "date", "vergaderjaar"):
        s.add_field(field, DataType.VARCHAR, max_length=256)
    s.add_field(
        "keyword_text",
        DataType.VARCHAR,
        max_length=MAX_VARCHAR,
        enable_analyzer=True,
        analyzer_params=keyword_analyzer,
    )
    s.add_field(
        "terms",
        DataType.VARCHAR,
        max_length=MAX_VARCHAR,
        enable_analyzer=True,
        analyzer_params=TERMS_ANALYZER,
        enable_match=True,
    )
    s.add_field("sentences", DataType.VARCHAR, max_length=MAX_VARCHAR)  # base64; "" none
    s.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    s.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["keyword_text"],
            output_field_names=["sparse"],
        )
    )
    index = client.prepare_index_params()
    index.add_index("vector", index_type="AUTOINDEX", metric_type="IP")
    index.add_index(
        "sparse",
        index_type="SPARSE_INVERTED_INDEX",
        metric_type="BM25",
        params={"bm25_k1": 1.5, "bm25_b": 0.75},  # bm25s's defaults, as the local store
    )
    client.create_collection(passages, schema=s, index_params=index, consistency_level="Strong")

    d = client.create_schema(auto_id=False, enable_dynamic_field=False)
    d.add_field("doc_id", DataType.VARCHAR, max_length=512, is_primary=True)
    d.add_field("meta", DataType.VARCHAR, max_length=MAX_VARCHAR)
    d.add_field("content_hash", DataType.VARCHAR, max_length=128)
    for field in ("dossier", "doc_type", "date", "vergaderjaar"):
        d.add_field(field, DataType.VARCHAR, max_length=256)
    d.add_field("placeholder", DataType.FLOAT_VECTOR, dim=PLACEHOLDER_DIM)
    index = client.prepare_index_params()
    index.add_index("placeholder", index_type="FLAT", metric_type="L2")
    client.create_collection(documents, schema=d, index_params=index, consistency_level="Strong")

    m = client.create_schema(auto_id=False, enable_dynamic_field=False)
    m.add_field("key", DataType.VARCHAR, max_length=64, is_primary=True)
    m.add_field("value", DataType.VARCHAR, max_length=MAX_VARCHAR)
    m.add_field("version", DataType.INT64)
    m.add_field("centroid", DataType.FLOAT_VECTOR, dim=dimension)
    index = client.prepare_index_params()
    index.add_index("centroid", index_type="FLAT", metric_type="IP")
    client.create_collection(meta, schema=m, index_params=index, consistency_level="Strong")


def drop_build(client: Any, name: str) -> None:
    for collection in build_collections(name):
        if client.has_collection(collection):
            client.drop_collection(collection)


def query_all(client: Any, collection: str, expr: str, fields: list[str]) -> list[dict[str, Any]]:
    """Every entity of ``collection`` matching ``expr``: one query when they fit in Milvus's
    result window (16,384), else paged with a query iterator."""
    found = client.query(collection, filter=expr, output_fields=fields, limit=QUERY_WINDOW)
    if len(found) < QUERY_WINDOW:
        return list(found)
    iterator = client.query_iterator(collection, batch_size=4096, filter=expr, output_fields=fields)
    out: list[dict[str, Any]] = []
    try:
        while batch := iterator.next():
            out.extend(batch)
    finally:
        iterator.close()
    return out


# --------------------------------------------------------------------------------------------
# values and filters
# --------------------------------------------------------------------------------------------
def clip(text: str, limit: int = MAX_VARCHAR) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (at a character boundary)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def literal(value: str) -> str:
    """A Milvus string literal (double quotes, backslash escapes)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch >= " " else " " for ch in escaped)
    return f'"{escaped}"'


def literals(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(literal(v) for v in values) + "]"


def filter_expression(filters: Filters | None) -> str:
    """A boolean expression over the filter fields (of passages and documents alike) that
    holds for the documents ``filters`` allow ("" for no filters); the same semantics as
    :func:`qa_service.store.sqlite.filter_sql`."""
    if filters is None or not filters.active:
        return ""
    clauses: list[str] = []
    if filters.doc_ids:
        clauses.append(f"doc_id in {literals(filters.doc_ids)}")
    if filters.dossier:
        parts = []
        for dossier in filters.dossier:
            if "-" in dossier:
                parts.append(f"dossier == {literal(dossier)}")
            else:  # the dossier and its sub-dossiers (36410 -> 36410-XVI)
                like = dossier.replace("%", "").replace("_", "") + "-%"
                parts.append(f"(dossier == {literal(dossier)} or dossier like {literal(like)})")
        clauses.append("(" + " or ".join(parts) + ")")
    if filters.doc_type:
        clauses.append(f"doc_type in {literals(filters.doc_type)}")
    if filters.date_from:
        clauses.append(f"date >= {literal(filters.date_from)}")
    if filters.date_to:
        clauses.append(f'(date >= "0001" and date <= {literal(filters.date_to)})')
    if filters.vergaderjaar:
        clauses.append(f"vergaderjaar in {literals(filters.vergaderjaar)}")
    return " and ".join(clauses)


def filter_fields(dossier: str, doc_type: str, date: str, vergaderjaar: str) -> dict[str, str]:
    """The filter fields of a document as stored (dossier upper-, type lower-case)."""
    return {
        "dossier": clip(dossier.upper(), 256),
        "doc_type": clip(doc_type.lower(), 256),
        "date": clip(date, 256),
        "vergaderjaar": clip(vergaderjaar, 256),
    }
