"""Opening the index of the configured store: ``QA_STORE=local`` (the default: the live build
in ``QA_INDEX_DIR``) or ``QA_STORE=milvus`` (the collections on ``QA_MILVUS_URI``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from qa_service.config import Settings
from qa_service.store.layout import STORE, IndexNotFoundError, current_build, index_exists
from qa_service.store.protocol import DocumentStore, SearchIndex


def open_index(
    settings: Settings,
    expected_model: str | None = None,
    verify: bool = True,
    previous: SearchIndex | None = None,
) -> SearchIndex:
    """The live index of the configured store; ``previous`` (the index loaded before, when
    reloading) lends its connection to the server.

    Raises :class:`~qa_service.store.layout.IndexLoadError` (not found, another model,
    corrupt) with a message for the user."""
    if settings.store == "milvus":
        from qa_service.store.milvus.index import MilvusIndex, load_milvus_index

        client = previous.client if isinstance(previous, MilvusIndex) else None
        return load_milvus_index(settings, expected_model, client)
    from qa_service.store.loaded import load_index

    return load_index(settings.index_dir, expected_model, verify=verify, settings=settings)


def store_has_index(settings: Settings) -> bool:
    """Whether the configured store holds a published index."""
    if settings.store == "milvus":
        from qa_service.store.milvus.index import milvus_index_exists

        return milvus_index_exists(settings)
    return index_exists(settings.index_dir)


def describe_store(settings: Settings) -> str:
    """Where the index lives, for messages: the directory or the Milvus collection."""
    if settings.store == "milvus":
        return f"Milvus collection {settings.milvus_collection!r} at {settings.milvus_uri}"
    return str(settings.index_dir)


@contextmanager
def open_documents(settings: Settings) -> Iterator[DocumentStore]:
    """The passages and documents of the live index alone (no vectors loaded)."""
    if settings.store == "milvus":
        from qa_service.store.milvus.index import live_build
        from qa_service.store.milvus.passages import MilvusStore
        from qa_service.store.milvus.schema import connect

        client = connect(settings)
        try:
            name = live_build(client, settings.milvus_collection)
            if name is None:
                raise IndexNotFoundError(f"no index in {describe_store(settings)}")
            yield MilvusStore(client, name)
        finally:
            client.close()
        return
    from qa_service.store.sqlite import PassageStore

    store = PassageStore(current_build(settings.index_dir) / STORE)
    try:
        yield store
    finally:
        store.close()
