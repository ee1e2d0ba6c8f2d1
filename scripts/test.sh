#!/usr/bin/env bash
# Install the service with its test tools into .venv, then lint, type-check and run the tests.
# Extra arguments go to pytest, e.g. `scripts/test.sh -m slow` for the slow tests.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
# ray: the tests of `index --ray` start a real single-node Ray cluster on loopback;
# milvus: the Milvus client and milvus-lite, the server the QA_STORE=milvus tests start
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,ray,milvus]'
# The chat-page test drives Debian's Chromium (Playwright never downloads a browser here).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/ruff check qa_service tests scripts
.venv/bin/ruff format --check qa_service tests scripts
.venv/bin/mypy qa_service
exec .venv/bin/python -m pytest "$@"
