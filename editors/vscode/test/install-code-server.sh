#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100) from npm into a local prefix and prints the
# path of its launcher on the last line of stdout.
#
# Why this is more than `npm install -g code-server`:
# - code-server's postinstall runs `npm install` inside lib/vscode, which builds native
#   modules (node-pty, spdlog, kerberos, ...) with node-gyp: it needs build tools, krb5
#   headers and the Node headers that Debian's nodejs ships in /usr/include/node
#   (npm_config_nodedir=/usr keeps node-gyp from downloading them).
# - @vscode/ripgrep's postinstall downloads a prebuilt rg from GitHub, which this machine
#   cannot reach. It first looks in $TMPDIR/vscode-ripgrep-cache-<pkg version>/ for
#   ripgrep-<rg version>-<target>.tar.gz, so we seed that cache with a tarball holding
#   Debian's /usr/bin/rg.
# - Installing as root needs npm_config_unsafe_perm=true for the postinstall to run.
#
# Env: CODE_SERVER_PREFIX (default ~/.cache/stablestack-editors/code-server-4.100.3).
set -euo pipefail

VERSION=4.100.3
# Pinned by code-server 4.100.3's lib/vscode/npm-shrinkwrap.json and @vscode/ripgrep's
# lib/postinstall.js (VERSION and the linux-x64 target).
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

PREFIX="${CODE_SERVER_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/stablestack-editors/code-server-$VERSION}"
BIN="$PREFIX/node_modules/.bin/code-server"

if [[ -x "$BIN" ]] && [[ -f "$PREFIX/.installed" ]]; then
  echo "$BIN"
  exit 0
fi

if [[ "$(uname -m)" != x86_64 ]]; then
  echo "install-code-server: only x86_64 is wired up (ripgrep cache name)" >&2
  exit 1
fi
for tool in node npm rg make g++ pkg-config; do
  command -v "$tool" >/dev/null || { echo "install-code-server: missing $tool" >&2; exit 1; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cache="$tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
mkdir -p "$cache" "$tmp/rg"
cp "$(command -v rg)" "$tmp/rg/rg"
tar -C "$tmp/rg" -czf "$cache/$RIPGREP_ASSET" rg

rm -rf "$PREFIX"
mkdir -p "$PREFIX"
# A local (not -g) install: under `npm install -g`, npm exports npm_config_global=true to
# lifecycle scripts, so code-server's nested `npm install` in lib/vscode runs as a global
# install too and fights the outer one over the same node_modules tree (ENOENT while
# extracting). A plain project directory keeps the nested install local.
echo '{"name":"stablestack-code-server","private":true}' >"$PREFIX/package.json"
echo "install-code-server: installing code-server@$VERSION into $PREFIX (several minutes)" >&2
TMPDIR="$tmp" \
  npm_config_unsafe_perm=true \
  npm_config_yes=true \
  npm_config_nodedir=/usr \
  npm_config_update_notifier=false \
  npm_config_fund=false \
  npm_config_audit=false \
  npm install --prefix "$PREFIX" "code-server@$VERSION" >&2

# The ripgrep the editor will use must be the one we seeded: check it runs.
rgbin="$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
"$rgbin" --version >/dev/null
"$BIN" --version >&2
touch "$PREFIX/.installed"
echo "$BIN"
