#!/usr/bin/env bash
# Install the service into .venv and serve the bundled corpus (indexing it first if needed).
# Extra arguments go to `qa-service serve`, e.g. `scripts/serve.sh --host 0.0.0.0 --port 8080`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
exec .venv/bin/qa-service serve "$@"
