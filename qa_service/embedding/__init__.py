"""Embedding models: the sentence-transformers embedder and the bundled-weights conversion."""

from qa_service.embedding.embedder import Embedder

__all__ = ["Embedder"]
