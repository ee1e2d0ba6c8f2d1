"""Batch-invariant encoding: a text's vector does not depend on the other texts in its batch."""

from __future__ import annotations

import numpy as np

from qa_service.embedding import Embedder

TEXTS = [
    "Wat heeft de minister toegezegd voor Afghanistan?",
    "What did the minister pledge?",
    "Navo",
    "De Ministers spraken ook hun steun uit voor de regionale aanpak van de strategie.",
    "What did the minister pledge?",  # a duplicate
    "Een lange vraag " * 300,  # over the model's 512 tokens: truncated
    "Motie van het lid Piri c.s. over financiële steun aan Moldavië.",
    "Wat zei de minister over Mali?",  # two questions of the same token count
    "Wat zei de minister over Irak?",
]


def test_vectors_equal_those_of_each_text_alone(embedder: Embedder) -> None:
    alone_q = np.stack([embedder.encode_queries([t])[0] for t in TEXTS])
    alone_p = np.stack([embedder.encode_passages([t], batch_invariant=True)[0] for t in TEXTS])
    assert np.array_equal(embedder.encode_queries(TEXTS), alone_q)
    assert np.array_equal(embedder.encode_queries(TEXTS[::-1]), alone_q[::-1])
    assert np.array_equal(embedder.encode_passages(TEXTS, batch_invariant=True), alone_p)
    # the usual padding (used for indexing) gives the same vectors up to bfloat16 noise
    padded = embedder.encode_passages(TEXTS)
    assert np.min(np.sum(padded * alone_p, axis=1)) > 0.99
    assert embedder.encode_queries([]).shape == (0, 384)


def test_questions_are_encoded_without_padding(embedder: Embedder) -> None:
    tokenizer = embedder.model.tokenizer
    prompt = embedder.settings.query_prompt
    assert len(tokenizer(prompt + TEXTS[-1])["input_ids"]) == len(
        tokenizer(prompt + TEXTS[-2])["input_ids"]
    )
    calls: list[tuple[int | None, list[int]]] = []
    original = embedder._encode_padded

    def spy(texts: list[str], prompt: str, length: int | None) -> np.ndarray:
        calls.append(
            (length, [len(i) for i in tokenizer([prompt + t for t in texts])["input_ids"]])
        )
        return original(texts, prompt, length)

    embedder._encode_padded = spy  # type: ignore[method-assign]
    try:
        embedder.encode_queries(TEXTS[-2:])
    finally:
        del embedder._encode_padded
    n = len(tokenizer(prompt + TEXTS[-1])["input_ids"])
    assert calls == [(None, [n, n])]  # one batch of both, not padded


def test_the_kernels_are_capped_before_the_model_runs(embedder: Embedder) -> None:
    """AMX kernels would make a vector depend on its batch (see Settings.onednn_max_isa)."""
    import os

    assert embedder.settings.onednn_max_isa == "AVX512_CORE_BF16"
    assert os.environ["ONEDNN_MAX_CPU_ISA"] == "AVX512_CORE_BF16"
