#!/usr/bin/env bash
# The one command that installs what the tests need and runs them all.
# Every step runs even if an earlier one failed; the script exits non-zero if
# any failed, and says which.
set -uo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-}"
export GOFLAGS="${GOFLAGS:-}"

bash scripts/install-test-deps.sh || { echo "FAIL: installing test dependencies"; exit 1; }

failed=()
step() {
  local name=$1; shift
  echo
  echo "=== $name"
  if "$@"; then echo "--- ok: $name"; else echo "--- FAIL: $name"; failed+=("$name"); fi
}

gofmt_check() {
  local bad
  bad=$(gofmt -l $(git ls-files '*.go'))
  if [ -n "$bad" ]; then echo "gofmt would change:"; echo "$bad"; return 1; fi
}

export STABLESTACK_BIN="$PWD/bin/stablestack"
step "build" go build -o bin/stablestack ./cmd/stablestack
step "gofmt" gofmt_check
step "go vet" go vet ./...
# staticcheck, pinned: unused code and suspicious constructs go vet does not report.
step "staticcheck" go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
step "go test -race" go test -race -count=1 -timeout 30m ./...
step "Node rate limiter module (real Redis)" bash codeactions/scaffold/nodetest/run.sh
[ -f tests/blackbox/run.sh ] && step "black-box LSP test (vscode-languageserver-protocol)" bash tests/blackbox/run.sh
[ -f editors/test/run.sh ] && step "editor tests (Neovim, Emacs, VS Code)" bash editors/test/run.sh

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED steps: ${failed[*]}"
  exit 1
fi
echo "all test steps passed"
