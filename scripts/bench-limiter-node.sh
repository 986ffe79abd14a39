#!/bin/sh
# Benchmark (not a test): the Node rate limiter vs express-rate-limit + rate-limit-redis on
# a local redis-server started for the run: latency per check (p50/p99), checks per second
# from one process, and the latency Express requests gain. Targets: p50 <= 0.3 ms,
# p99 <= 1 ms, throughput >= express-rate-limit + rate-limit-redis.
#   sh scripts/bench-limiter-node.sh            (BENCH_SCALE=0.2 for a quick run)
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
nodetest="$repo/codeactions/scaffold/nodetest"
cd "$nodetest"
[ -d node_modules ] || npm ci --no-audit --no-fund
out="$nodetest/.render/bench"
rm -rf "$out" && mkdir -p "$out"
(cd "$repo" && go run ./cmd/stablestack add-rate-limiter --lang node --dir "$out" >/dev/null)
exec node bench.js "$out/stablestack-rate-limiter.js"
