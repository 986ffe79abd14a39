#!/usr/bin/env bash
# Runs editors/nvim/test/e2e.lua in headless Neovim against $STABLESTACK_BIN on a scratch
# copy of the fixture workspace. Results go to $EDITORS_RESULTS (one "ok"/"not ok" line per
# case). The timeout is the last line of defence against a headless Neovim that waits on
# an error prompt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
editors="$(cd "$here/../.." && pwd)"
: "${STABLESTACK_BIN:?STABLESTACK_BIN unset}"
: "${EDITORS_RESULTS:?EDITORS_RESULTS unset}"
NVIM="${NVIM:-nvim}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -r "$editors/test/fixtures/workspace" "$scratch/workspace"
mkdir -p "$scratch/home" "$scratch/state"

status=0
env HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" XDG_DATA_HOME="$scratch/home/.local/share" \
  XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/home/.cache" \
  NVIM_LOG_FILE="$scratch/nvim.log" \
  STABLESTACK_BIN="$STABLESTACK_BIN" EDITORS_RESULTS="$EDITORS_RESULTS" \
  NVIM_PLUGIN_DIR="$editors/nvim" WORKSPACE="$scratch/workspace" \
  timeout -k 5 120 "$NVIM" --headless -u NONE -i NONE -n \
  -c "luafile $here/e2e.lua" </dev/null >"$scratch/stdout" 2>&1 || status=$?

if [[ $status -ne 0 ]]; then
  echo "nvim exited $status; its output:" >&2
  cat "$scratch/stdout" >&2 || true
  for f in "$scratch/home/.cache/nvim/lsp.log" "$scratch/state/nvim/lsp.log"; do
    [[ -f "$f" ]] && { echo "--- $f" >&2; tail -40 "$f" >&2; }
  done
fi
exit "$status"
