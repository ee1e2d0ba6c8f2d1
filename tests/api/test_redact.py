"""The API key is scrubbed from every log record, whatever the logger, format or traceback."""

from __future__ import annotations

import logging

import pytest

from qa_service.api.redact import REDACTED, redact_in_logs

SECRET = "redact-me-4f1c2b9a7e"


def test_secrets_are_scrubbed_from_messages_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redact_in_logs(SECRET)
    log = logging.getLogger("qa_service.test")
    with caplog.at_level(logging.INFO):
        # the shape uvicorn's access log uses: a tuple of arguments its formatter unpacks
        log.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET", f"/x?key={SECRET}", "1.1", 200)
        log.info(f"in the message {SECRET}")
        log.info("in a mapping %(key)s", {"key": SECRET})
        log.info("in bytes %s", SECRET.encode())
        try:
            raise ValueError(f"bad key {SECRET}")
        except ValueError:
            log.exception("failed")
        log.info("nothing to hide here")
    text = caplog.text
    assert SECRET not in text
    assert text.count(REDACTED) >= 5
    access = caplog.records[0]
    assert isinstance(access.args, tuple) and len(access.args) == 5  # shape kept
    assert access.getMessage() == f'127.0.0.1:1 - "GET /x?key={REDACTED} HTTP/1.1" 200'
    assert "nothing to hide here" in text


def test_an_empty_secret_redacts_nothing(caplog: pytest.LogCaptureFixture) -> None:
    redact_in_logs("")
    with caplog.at_level(logging.INFO):
        logging.getLogger("qa_service.test").info("a b c")
    assert caplog.records[-1].getMessage() == "a b c"
