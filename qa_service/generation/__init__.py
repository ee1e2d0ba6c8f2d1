"""Generated answers: prompts, language-model backends and the citation guard.

:class:`~qa_service.generation.answerer.GenerativeAnswerer` is assembled by
:class:`~qa_service.service.QAService` for each loaded build when ``QA_ANSWER_BACKEND`` is
``local`` or ``openai``.
"""
