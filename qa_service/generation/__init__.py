"""Generated answers: prompts, language-model backends and the citation guard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa_service.config import Settings

if TYPE_CHECKING:
    from qa_service.answer.extractive import ExtractiveAnswerer
    from qa_service.embedding import Embedder
    from qa_service.generation.answerer import GenerativeAnswerer


def make_answerer(
    settings: Settings, embedder: Embedder, extractive: ExtractiveAnswerer
) -> GenerativeAnswerer | None:
    """The generated-answer pipeline of ``settings.answer_backend`` (None when extractive).

    Cheap: nothing is loaded until :meth:`GenerativeAnswerer.warm_up`.
    """
    from qa_service.generation.answerer import GenerativeAnswerer
    from qa_service.generation.backends import make_generator
    from qa_service.generation.guard import CitationGuard

    generator = make_generator(settings)
    if generator is None:
        return None
    return GenerativeAnswerer(settings, generator, extractive, CitationGuard(settings, embedder))
