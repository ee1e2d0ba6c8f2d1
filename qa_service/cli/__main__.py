"""``python -m qa_service.cli``: the ``qa-service`` command."""

from qa_service.cli.commands import main

raise SystemExit(main())
