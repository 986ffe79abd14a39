#!/bin/sh
# Runs the Node rate-limiter tests against real redis-server processes.
# The module under test is rendered by the Go scaffolder, exactly as users get it.
#   sh codeactions/scaffold/nodetest/run.sh [node --test args...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cd "$here"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
render="$here/.render"
rm -rf "$render/node" "$render/python"
mkdir -p "$render/node" "$render/python"
(cd "$repo" && go build -o "$render/stablestack" ./cmd/stablestack)
"$render/stablestack" add-rate-limiter --lang node --dir "$render/node" >/dev/null
"$render/stablestack" add-rate-limiter --lang python --dir "$render/python" >/dev/null
export STABLESTACK_NODE_LIMITER="$render/node/stablestack-rate-limiter.js"
export STABLESTACK_PYTHON_LIMITER="$render/python/stablestack_rate_limiter.py"
if [ "$#" -eq 0 ]; then
  set -- test/
fi
exec node --test --test-concurrency=2 "$@"
