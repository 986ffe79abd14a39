#!/usr/bin/env bash
# Runs the issue-2 latency benchmark on the sizes it names. Numbers go to
# stdout; nothing is asserted (shared machines are noisy).
set -euo pipefail
cd "$(dirname "$0")/../.."
go build -o bin/stablestack ./cmd/stablestack
for n in 1000 5000; do
  go run ./bench/lsp -bin bin/stablestack -lang python -n "$n"
done
for n in 1000 5000; do
  go run ./bench/lsp -bin bin/stablestack -lang javascript -n "$n"
done
