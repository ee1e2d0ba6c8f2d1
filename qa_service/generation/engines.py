"""Which generator runs a language model: the answer backend's, and the local engine.

``QA_LOCAL_ENGINE=auto`` runs the packaged Qwen model on OpenVINO GenAI
(:mod:`qa_service.generation.openvino_engine`) when its wheel is installed, and everything else
on transformers (:class:`~qa_service.generation.backends.LocalGenerator`).
"""

from __future__ import annotations

import importlib.util
from typing import Literal

from qa_service.config import Settings
from qa_service.generation.backends import Generator, LocalGenerator, OpenAIGenerator
from qa_service.generation.models import PACKAGED, QWEN
from qa_service.generation.openvino_engine import OpenVINOGenerator

Engine = Literal["openvino", "transformers"]

#: packaged models whose GGUF OpenVINO GenAI reads (Gemma 270M's it does not)
OPENVINO_READS = {QWEN.name}


def openvino_installed() -> bool:
    return importlib.util.find_spec("openvino_genai") is not None


def choose_engine(settings: Settings) -> Engine:
    """``local_engine``; ``auto`` = OpenVINO for a packaged model it reads (Qwen) when its wheel
    is installed, else transformers (a .gguf file of your own runs on OpenVINO only when
    ``QA_LOCAL_ENGINE=openvino``: it reads some quantizations, not all)."""
    if settings.local_engine != "auto":
        return settings.local_engine
    model = PACKAGED.get(settings.local_model)
    if model is not None and model.name in OPENVINO_READS and openvino_installed():
        return "openvino"
    return "transformers"


def make_local_generator(settings: Settings) -> OpenVINOGenerator | LocalGenerator:
    """The in-process generator of ``settings.local_engine`` (see :func:`choose_engine`)."""
    if choose_engine(settings) == "openvino":
        return OpenVINOGenerator(settings)
    return LocalGenerator(settings)


def make_generator(settings: Settings) -> Generator | None:
    """The generator of ``settings.answer_backend``; None for the extractive backend."""
    if settings.answer_backend == "local":
        return make_local_generator(settings)
    if settings.answer_backend == "openai":
        return OpenAIGenerator(settings)
    return None
