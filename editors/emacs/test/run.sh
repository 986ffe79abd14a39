#!/usr/bin/env bash
# Runs editors/emacs/test/e2e.el (Eglot) and e2e-lsp-mode.el in batch Emacs (Debian's
# emacs-nox + elpa-eglot + elpa-lsp-mode) against $STABLESTACK_BIN, each on a scratch copy
# of the fixture workspace. `-q` rather than `-Q` so
# Debian's site-start puts the elpa-* packages (eglot 1.9) on the load path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
editors="$(cd "$here/../.." && pwd)"
: "${STABLESTACK_BIN:?STABLESTACK_BIN unset}"
: "${EDITORS_RESULTS:?EDITORS_RESULTS unset}"
EMACS="${EMACS:-emacs}"

# Runs one test file on a fresh copy of the workspace; prints its output if it fails.
run_one() {
  local file="$1" scratch status=0
  scratch="$(mktemp -d)"
  cp -r "$editors/test/fixtures/workspace" "$scratch/workspace"
  mkdir -p "$scratch/home"
  env HOME="$scratch/home" STABLESTACK_BIN="$STABLESTACK_BIN" EDITORS_RESULTS="$EDITORS_RESULTS" \
    WORKSPACE="$scratch/workspace" STABLESTACK_EL_DIR="$editors/emacs" \
    timeout -k 5 120 "$EMACS" --batch -q -l "$here/$file" </dev/null >"$scratch/out" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    echo "emacs ($file) exited $status; its output:" >&2
    grep -v -e '^Loading ' -e 'is not in lsp-enabled-clients' "$scratch/out" | tail -60 >&2 || true
  fi
  rm -rf "$scratch"
  return "$status"
}

status=0
run_one e2e.el || status=1
if "$EMACS" --batch -q --eval "(require 'lsp-mode)" >/dev/null 2>&1; then
  run_one e2e-lsp-mode.el || status=1
else
  echo "emacs: lsp-mode is not installed (apt-get install elpa-lsp-mode)" >&2
  status=1
fi
exit "$status"
