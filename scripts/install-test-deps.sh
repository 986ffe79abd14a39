#!/usr/bin/env bash
# Installs every system and npm package the test suite needs, on a fresh
# Debian machine. Idempotent: packages already present are skipped quickly.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_packages=(
  redis-server redis-tools  # the limiter tests start their own servers (and clusters) on loopback
  python3 python3-redis python3-fastapi python3-starlette python3-flask
  python3-flask-limiter python3-limits python3-django python3-djangorestframework
  python3-aiohttp python3-httpx python3-uvicorn
  neovim emacs-nox elpa-eglot elpa-lsp-mode   # editor tests
  chromium ripgrep libkrb5-dev build-essential pkg-config   # VS Code (code-server) tests
  time git ca-certificates
)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm packages for the Node test suites (lock files are committed; node_modules is not).
for dir in $(git ls-files '*package-lock.json' | xargs -r -n1 dirname); do
  case "$dir" in editors/*) continue ;; esac   # the editor tests install their own
  if [ ! -d "$dir/node_modules" ]; then
    echo "install-test-deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
echo "install-test-deps: done"
