"""Tools for the tests and the benchmark scripts, not used by the service itself: starting
the real server on loopback (:mod:`.server`), percentiles (:mod:`.stats`), generated PDFs
(:mod:`.pdfs`, needs the ``dev`` extra's reportlab)."""
