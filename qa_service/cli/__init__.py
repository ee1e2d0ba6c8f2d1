"""The ``qa-service`` command (``qa_service.cli:main``)."""

from qa_service.cli.commands import main

__all__ = ["main"]
