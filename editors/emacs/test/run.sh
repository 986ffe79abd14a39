#!/usr/bin/env bash
# Runs editors/emacs/test/e2e.el in batch Emacs (Debian's emacs-nox + elpa-eglot) against
# $STABLESTACK_BIN on a scratch copy of the fixture workspace. `-q` rather than `-Q` so
# Debian's site-start puts the elpa-* packages (eglot 1.9) on the load path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
editors="$(cd "$here/../.." && pwd)"
: "${STABLESTACK_BIN:?STABLESTACK_BIN unset}"
: "${EDITORS_RESULTS:?EDITORS_RESULTS unset}"
EMACS="${EMACS:-emacs}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -r "$editors/test/fixtures/workspace" "$scratch/workspace"
mkdir -p "$scratch/home"

status=0
env HOME="$scratch/home" STABLESTACK_BIN="$STABLESTACK_BIN" EDITORS_RESULTS="$EDITORS_RESULTS" \
  WORKSPACE="$scratch/workspace" STABLESTACK_EL_DIR="$editors/emacs" \
  timeout -k 5 120 "$EMACS" --batch -q -l "$here/e2e.el" </dev/null >"$scratch/out" 2>&1 || status=$?

if [[ $status -ne 0 ]]; then
  echo "emacs exited $status; its output:" >&2
  grep -v '^Loading ' "$scratch/out" | tail -60 >&2 || true
fi
exit "$status"
