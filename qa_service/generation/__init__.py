"""Generated answers: prompts, language-model backends and the citation guard.

:func:`~qa_service.generation.answerer.build_generative` assembles the pipeline (a
:class:`~qa_service.generation.answerer.GenerativeAnswerer` with its citation guard) for each
loaded build; :class:`~qa_service.service.QAService` calls it when ``QA_ANSWER_BACKEND`` is
``local`` or ``openai``.
"""
