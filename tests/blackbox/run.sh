#!/usr/bin/env bash
# Black-box protocol test: the built binary driven by Microsoft's client libraries.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${STABLESTACK_BIN:-}" ]; then
  (cd ../.. && go build -o bin/stablestack ./cmd/stablestack)
  export STABLESTACK_BIN="$PWD/../../bin/stablestack"
fi
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
node --test test/*.test.js
