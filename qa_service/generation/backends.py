"""Language-model backends: each streams the text of one chat completion.

- :class:`LocalGenerator` runs a small instruction model in this process (transformers on
  the CPU; the default is Qwen2.5-Coder-1.5B-Instruct from its PyPI packages, see
  :mod:`qa_service.generation.models`);
- :class:`OpenAIGenerator` calls any OpenAI-compatible chat-completions server (vLLM,
  Ollama, llama.cpp's server, TGI, ``transformers serve``) and streams its answer.

Both are Haystack-style components: a cheap constructor, :meth:`warm_up` for the heavy part,
and :meth:`stream`, which yields text pieces as they are generated and stops generating as
soon as the ``cancel`` event is set or the caller stops iterating.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from qa_service.config import Settings
from qa_service.generation.prompt import Message

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)


class GenerationError(RuntimeError):
    """The model could not produce an answer (the message says why, for the user)."""


class GenerationCancelled(GenerationError):
    """The caller cancelled the answer (the client went away)."""


class Generator(Protocol):
    name: str

    def warm_up(self) -> None: ...

    def stream(
        self, messages: list[Message], max_tokens: int, cancel: threading.Event
    ) -> Iterator[str]: ...


# --------------------------------------------------------------------------------------------
# local (in-process, transformers)
# --------------------------------------------------------------------------------------------
class LocalGenerator:
    """A causal language model run with transformers; one generation at a time."""

    name = "local"
    engine = "transformers"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._model: PreTrainedModel | None = None
        self._tokenizer: PreTrainedTokenizerBase | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()  # the CPU runs one generation well, not two

    def warm_up(self) -> None:
        if self._model is not None:
            return
        with self._load_lock:
            if self._model is not None:
                return
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            from qa_service.embedding.embedder import configure_torch_threads, cpu_supports_bf16
            from qa_service.generation.models import resolve_model

            configure_torch_threads(self.settings.torch_threads)
            path = resolve_model(self.settings.local_model, self.settings.cache_dir)
            dtype = torch.bfloat16 if cpu_supports_bf16() else torch.float32
            log.info("loading local language model %s (%s)", path, dtype)
            tokenizer = AutoTokenizer.from_pretrained(path)
            model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
            model.eval()
            self._tokenizer = tokenizer
            self._model = model

    def count_prompt_tokens(self, messages: list[Message]) -> int:
        """Tokens of the prompt the model reads for ``messages`` (chat template included)."""
        self.warm_up()
        assert self._tokenizer is not None
        ids: Any = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=True
        )
        if isinstance(ids, dict) or hasattr(ids, "keys"):
            ids = ids["input_ids"]
        return len(ids)

    def stream(
        self, messages: list[Message], max_tokens: int, cancel: threading.Event
    ) -> Iterator[str]:
        self.warm_up()
        assert self._model is not None and self._tokenizer is not None
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        model, tokenizer = self._model, self._tokenizer
        inputs: Any = tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_dict=True, return_tensors="pt"
        )
        run_model: Any = model.generate
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        stop = threading.Event()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return stop.is_set() or cancel.is_set()

        failure: list[BaseException] = []

        def generate() -> None:
            try:
                with torch.inference_mode():
                    run_model(
                        **inputs,
                        max_new_tokens=max_tokens,
                        do_sample=False,
                        repetition_penalty=self.settings.local_repetition_penalty,
                        streamer=streamer,
                        stopping_criteria=StoppingCriteriaList([_Stop()]),
                        pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
                    )
            except BaseException as exc:  # reported to the caller below
                failure.append(exc)
                streamer.end()

        with self._run_lock:
            worker = threading.Thread(target=generate, name="qa-generate", daemon=True)
            worker.start()
            finished = False
            try:
                for piece in streamer:
                    if piece:
                        yield piece
                    if cancel.is_set():
                        break
                else:
                    finished = True
            finally:
                stop.set()  # also when the caller stops iterating (client gone)
                if not finished:
                    for _ in streamer:  # drain until generate() stops and ends the stream
                        pass
                worker.join()
        if failure and not cancel.is_set():
            raise GenerationError(f"the local model failed: {failure[0]}") from failure[0]


# --------------------------------------------------------------------------------------------
# OpenAI-compatible server
# --------------------------------------------------------------------------------------------
class OpenAIGenerator:
    """Streams ``POST {base_url}/chat/completions`` of an OpenAI-compatible server."""

    name = "openai"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.openai_base_url.rstrip("/")
        self.model = settings.openai_model

    def warm_up(self) -> None:
        """Nothing to load: the server holds the model (it may be started later)."""

    def _headers(self) -> dict[str, str]:
        key = self.settings.openai_api_key.get_secret_value()
        return {"Authorization": f"Bearer {key}"} if key else {}

    def stream(
        self, messages: list[Message], max_tokens: int, cancel: threading.Event
    ) -> Iterator[str]:
        import httpx

        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": True,
        }
        url = f"{self.base_url}/chat/completions"
        timeout = httpx.Timeout(self.settings.openai_timeout, connect=10.0)
        try:
            with (
                httpx.Client(timeout=timeout) as client,
                client.stream("POST", url, json=body, headers=self._headers()) as response,
            ):
                if response.status_code != 200:
                    detail = response.read().decode("utf-8", "replace")[:300]
                    raise GenerationError(
                        f"the model server at {self.base_url} answered "
                        f"{response.status_code}: {detail}"
                    )
                for line in response.iter_lines():
                    if cancel.is_set():
                        return
                    piece = _sse_content(line)
                    if piece is None:
                        return
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise GenerationError(
                f"cannot reach the model server at {self.base_url}: {exc}"
            ) from exc


def _sse_content(line: str) -> str | None:
    """The text in one server-sent line of a streamed completion; None at ``[DONE]``."""
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        chunk = json.loads(data)
    except ValueError:
        return ""
    if not isinstance(chunk, dict):
        return ""
    if "error" in chunk:
        raise GenerationError(f"the model server reported an error: {chunk['error']}")
    choices = chunk.get("choices") or [{}]
    delta = choices[0].get("delta") or {}
    content = delta.get("content")
    return content if isinstance(content, str) else ""
