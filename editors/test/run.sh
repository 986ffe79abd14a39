#!/usr/bin/env bash
# One entry point for every editor test: the StableStack server driven by real editors.
#
#   editors/test/run.sh                 # all suites
#   EDITORS="nvim emacs" editors/test/run.sh
#
# Suites: readme (README snippets parse), vscode-unit (node --test), nvim (headless Neovim),
# emacs (batch Emacs: Eglot and lsp-mode), vscode (code-server + Chromium via playwright-core).
#
# It installs what is missing: Debian packages with apt-get (only those not installed),
# code-server 4.100.3 into ~/.cache/stablestack-editors (editors/vscode/test/install-code-server.sh),
# and the extension's npm dependencies (npm ci). STABLESTACK_BIN names the server binary;
# unset, it is built from this checkout with `go build ./cmd/stablestack`.
#
# Each suite writes "ok - ..." / "not ok - ..." lines; a suite that dies without reporting,
# or reports nothing, counts as a failure. The last line is `editors: N passed, M failed`
# and the exit status is non-zero if anything failed. With CI=true nothing is skipped: a tool
# that cannot be installed is a failure. Locally such a suite is skipped with a loud message.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
editors="$(cd "$here/.." && pwd)"
repo="$(cd "$editors/.." && pwd)"
suites="${EDITORS:-readme vscode-unit nvim emacs vscode}"
ci="${CI:-false}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
results="$work/results"
: >"$results"
skipped=()

log() { printf 'editors: %s\n' "$*" >&2; }

# --- prerequisites -------------------------------------------------------------------

apt_updated=0
# ensure_apt PKG...: installs the Debian packages that are not installed yet.
ensure_apt() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
    log "missing Debian packages ${missing[*]} and cannot apt-get install them"
    return 1
  fi
  log "apt-get install ${missing[*]}"
  if [[ $apt_updated == 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# unavailable SUITE REASON: a failure in CI, a loud skip elsewhere.
unavailable() {
  if [[ "$ci" == true ]]; then
    echo "not ok - $1: cannot run: $2" >>"$results"
  else
    log "SKIPPING $1: $2"
    skipped+=("$1")
  fi
}

build_server() {
  if [[ -n "${STABLESTACK_BIN:-}" ]]; then
    [[ -x "$STABLESTACK_BIN" ]] || { log "STABLESTACK_BIN=$STABLESTACK_BIN is not executable"; return 1; }
    STABLESTACK_BIN="$(cd "$(dirname "$STABLESTACK_BIN")" && pwd)/$(basename "$STABLESTACK_BIN")"
    return 0
  fi
  log "building the server (go build ./cmd/stablestack)"
  (cd "$repo" && go build -o "$work/stablestack" ./cmd/stablestack) || return 1
  STABLESTACK_BIN="$work/stablestack"
}

# --- running a suite -----------------------------------------------------------------

# run_suite NAME CMD...: runs CMD with EDITORS_RESULTS pointing at a file of its own,
# copies its lines into the summary, and turns a silent death into a failure.
run_suite() {
  local name="$1" out status=0 start
  shift
  out="$work/$name.results"
  : >"$out"
  start=$(date +%s)
  log "running $name"
  EDITORS_RESULTS="$out" STABLESTACK_BIN="$STABLESTACK_BIN" "$@" >&2 || status=$?
  if [[ ! -s "$out" ]]; then
    echo "not ok - $name: reported no results (exit $status)" >>"$out"
  elif [[ $status -ne 0 ]] && ! grep -q '^not ok' "$out"; then
    echo "not ok - $name: exited $status after reporting only passes" >>"$out"
  fi
  cat "$out"
  cat "$out" >>"$results"
  log "$name took $(( $(date +%s) - start ))s"
}

suite_readme() {
  if ! command -v python3 >/dev/null || ! python3 -c 'import tomllib' 2>/dev/null; then
    ensure_apt python3 || true
  fi
  local py=python3
  /usr/bin/python3 -c 'import tomllib' 2>/dev/null && py=/usr/bin/python3
  "$py" -c 'import tomllib' 2>/dev/null || { unavailable readme "no python3 with tomllib (3.11+)"; return; }
  run_suite readme "$py" "$here/readme_snippets_test.py" "$editors/README.md"
}

npm_deps() {
  (cd "$editors/vscode" &&
    if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
      npm ci --no-audit --no-fund >&2
    fi)
}

suite_vscode_unit() {
  command -v node >/dev/null && command -v npm >/dev/null || { unavailable vscode-unit "node/npm missing"; return; }
  npm_deps || { unavailable vscode-unit "npm ci failed"; return; }
  run_suite vscode-unit bash -c '
    cd "$1" && npx tsc --noEmit -p . && node esbuild.mjs >&2 &&
    node --test --test-reporter=tap out/unit/ >"$2.tap"; status=$?
    grep -E "^(not )?ok " "$2.tap" | sed -E "s/^(not ok|ok) [0-9]+ - /\1 - vscode unit: /" >>"$EDITORS_RESULTS"
    exit $status' _ "$editors/vscode" "$work/vscode-unit"
}

suite_nvim() {
  ensure_apt neovim || true
  command -v nvim >/dev/null || { unavailable nvim "nvim missing"; return; }
  run_suite nvim "$editors/nvim/test/run.sh"
}

suite_emacs() {
  ensure_apt emacs-nox elpa-eglot elpa-lsp-mode || true
  command -v emacs >/dev/null || { unavailable emacs "emacs missing"; return; }
  run_suite emacs "$editors/emacs/test/run.sh"
}

suite_vscode() {
  # chromium: the browser; ripgrep: seeds @vscode/ripgrep; the rest builds code-server's
  # native modules (node-pty, spdlog, kerberos, ...) with node-gyp.
  ensure_apt chromium ripgrep libkrb5-dev build-essential pkg-config python3 || true
  local tool
  for tool in node npm rg /usr/bin/chromium make g++; do
    command -v "$tool" >/dev/null || { unavailable vscode "$tool missing"; return; }
  done
  npm_deps || { unavailable vscode "npm ci failed"; return; }
  local code_server vsix
  code_server="$("$editors/vscode/test/install-code-server.sh" | tail -1)" || code_server=""
  [[ -x "$code_server" ]] || { unavailable vscode "code-server could not be installed"; return; }
  vsix="$(cd "$editors/vscode" && TARGETS=linux-x64 UNIVERSAL=0 STABLESTACK_BIN="$STABLESTACK_BIN" ./build.sh | tail -1)" || vsix=""
  [[ -f "$vsix" ]] || { echo "not ok - vscode: build.sh produced no linux-x64 VSIX" >>"$results"; return; }
  local shots="$editors/vscode/test/screenshots/run-latest"
  rm -rf "$shots"
  local ws="$work/vscode-workspace"
  cp -r "$here/fixtures/workspace" "$ws"
  run_suite vscode env CODE_SERVER="$code_server" STABLESTACK_VSIX="$vsix" WORKSPACE="$ws" \
    SCREENSHOT_DIR="$shots" timeout -k 10 900 node "$editors/vscode/test/e2e.mjs"
  log "vscode screenshots and code-server log: $shots"
}

# --- main ----------------------------------------------------------------------------

started=$(date +%s)
if ! build_server; then
  echo "not ok - editors: could not build the server" >>"$results"
else
  log "server: $STABLESTACK_BIN"
  for suite in $suites; do
    case "$suite" in
      readme) suite_readme ;;
      vscode-unit) suite_vscode_unit ;;
      nvim) suite_nvim ;;
      emacs) suite_emacs ;;
      vscode) suite_vscode ;;
      *) echo "not ok - editors: unknown suite $suite" >>"$results" ;;
    esac
  done
fi

passed=$(grep -c '^ok ' "$results")
failed=$(grep -c '^not ok ' "$results")
log "took $(( $(date +%s) - started ))s"
if [[ ${#skipped[@]} -gt 0 ]]; then
  log "SKIPPED (tools missing, not in CI): ${skipped[*]}"
fi
if [[ $failed -gt 0 ]]; then
  echo "failures:"
  grep '^not ok ' "$results" | sed 's/^/  /'
fi
echo "editors: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
