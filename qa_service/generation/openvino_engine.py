"""OpenVINO GenAI as the engine of the packaged Qwen model: about 1.5x faster prompt processing
and 4x faster generation than transformers on a CPU (docs/generation.md).

``openvino-genai`` (the ``local-llm`` extra, pinned exactly) reads the Qwen GGUF directly. The
first load converts it into an OpenVINO model (about 11 s) written into
``<cache_dir>/llm/ov/<name>/``; later loads read that model (about 2 s). Decoding is greedy,
with the attention backend ``SDPA`` (its default u8 KV cache with the paged-attention backend
changed the greedy answer).

It cannot read every GGUF (the Gemma 270M file fails), so
:func:`qa_service.generation.engines.choose_engine` keeps transformers
(:class:`~qa_service.generation.backends.LocalGenerator`) for such models and for machines
without the wheel.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qa_service.config import Settings
from qa_service.generation.backends import GenerationError
from qa_service.generation.models import PACKAGED, gguf_path
from qa_service.generation.prompt import Message

log = logging.getLogger(__name__)

#: what a model loaded from the GGUF leaves in its folder (reused on the next load)
_SAVED = "openvino_model.xml"


def openvino_model_dir(settings: Settings) -> Path:
    """The folder the OpenVINO model is loaded from: the converted model in the cache once it
    exists, else a folder in the cache holding a link to the GGUF (the first load writes the
    converted model beside that link, never into site-packages or the GGUF's own folder)."""
    spec = settings.local_model
    if spec in PACKAGED:
        gguf = gguf_path(PACKAGED[spec], settings.cache_dir)
    else:
        gguf = Path(spec).expanduser().resolve()
        if not gguf.is_file():
            raise GenerationError(f"no such GGUF file: {gguf}")
    folder = Path(settings.cache_dir) / "llm" / "ov" / gguf.stem
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / gguf.name
    if not link.exists():
        tmp = folder / f".{gguf.name}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(gguf)
        tmp.replace(link)
    return folder


class OpenVINOGenerator:
    """A GGUF model run with OpenVINO GenAI on the CPU; one generation at a time."""

    name = "local"
    engine = "openvino"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pipe: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    def warm_up(self) -> None:
        if self._pipe is not None:
            return
        with self._load_lock:
            if self._pipe is not None:
                return
            try:
                import openvino_genai as ov_genai
            except ImportError as exc:
                raise GenerationError(
                    "openvino-genai is not installed: pip install 'qa-service[local-llm]'"
                ) from exc
            folder = openvino_model_dir(self.settings)
            saved = (folder / _SAVED).is_file()
            source = str(folder) if saved else str(next(folder.glob("*.gguf")))
            config: dict[str, Any] = {"ATTENTION_BACKEND": "SDPA"}
            if self.settings.torch_threads:
                config["INFERENCE_NUM_THREADS"] = self.settings.torch_threads
            if not saved:
                config["enable_save_ov_model"] = True
            log.info("loading %s with OpenVINO GenAI (%s)", source, "saved" if saved else "GGUF")
            try:
                pipe = ov_genai.LLMPipeline(source, "CPU", **config)
            except Exception as exc:  # the wheel's own errors are plain RuntimeErrors
                raise GenerationError(f"OpenVINO GenAI cannot load {source}: {exc}") from exc
            # the first inference compiles the model's kernels (20-30 s on 2 cores): do it now
            warm = ov_genai.GenerationConfig()
            warm.max_new_tokens = 1
            warm.apply_chat_template = False
            pipe.generate("warm-up", warm)
            self._tokenizer = pipe.get_tokenizer()
            self._pipe = pipe

    def render(self, messages: list[Message]) -> str:
        """The chat prompt as the model reads it (its own chat template)."""
        self.warm_up()
        return str(self._tokenizer.apply_chat_template(messages, add_generation_prompt=True))

    def count_prompt_tokens(self, messages: list[Message]) -> int:
        """Tokens of the prompt the model reads for ``messages`` (chat template included)."""
        encoded = self._tokenizer.encode(self.render(messages), add_special_tokens=False)
        return int(encoded.input_ids.get_shape()[-1])

    def stream(
        self, messages: list[Message], max_tokens: int, cancel: threading.Event
    ) -> Iterator[str]:
        import openvino_genai as ov_genai

        prompt = self.render(messages)
        config = ov_genai.GenerationConfig()
        config.max_new_tokens = max_tokens
        config.do_sample = False
        config.repetition_penalty = self.settings.local_repetition_penalty
        config.apply_chat_template = False
        pieces: queue.Queue[str | None] = queue.Queue()
        stop = threading.Event()
        failure: list[BaseException] = []

        def on_piece(text: str) -> Any:
            pieces.put(text)
            if stop.is_set() or cancel.is_set():
                return ov_genai.StreamingStatus.STOP
            return ov_genai.StreamingStatus.RUNNING

        def generate() -> None:
            try:
                self._pipe.generate(prompt, config, on_piece)
            except BaseException as exc:  # reported to the caller below
                failure.append(exc)
            finally:
                pieces.put(None)

        with self._run_lock:
            worker = threading.Thread(target=generate, name="qa-generate-ov", daemon=True)
            worker.start()
            try:
                while (piece := pieces.get()) is not None:
                    if piece:
                        yield piece
                    if cancel.is_set():
                        break
            finally:
                stop.set()  # also when the caller stops iterating
                worker.join()
        if failure and not cancel.is_set():
            raise GenerationError(f"the local model failed: {failure[0]}") from failure[0]
