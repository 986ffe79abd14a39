#!/usr/bin/env bash
# Builds the StableStack VS Code extension into VSIX files under editors/vscode/vsix/:
#   stablestack-<target>-<version>.vsix  platform-specific, carries bin/stablestack[.exe]
#   stablestack-universal-<version>.vsix  no binary: runs `stablestack` from PATH
#
# The server uses tree-sitter through cgo, so every binary needs a C compiler for its
# target. What this script can build on Debian (amd64 host):
#   linux-x64    native gcc
#   linux-arm64  aarch64-linux-gnu-gcc   (apt-get install gcc-aarch64-linux-gnu)
#   win32-x64    x86_64-w64-mingw32-gcc  (apt-get install gcc-mingw-w64-x86-64)
# darwin-* and alpine-* need toolchains Debian does not ship (osxcross, a musl cross gcc
# with a static Go build); they are not built here.
#
# Env:
#   TARGETS          space-separated VS Code targets, or "auto" (default): the native one
#                    plus every cross target whose C compiler is installed.
#   STABLESTACK_BIN  a prebuilt server for the native target (skips its go build).
#   UNIVERSAL=0      skip the universal VSIX.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"

version="$(node -p 'require("./package.json").version')"
out="$here/vsix"
mkdir -p "$out"

# VS Code target -> "GOOS GOARCH CC binary-name"
target_spec() {
  case "$1" in
    linux-x64) echo "linux amd64 gcc stablestack" ;;
    linux-arm64) echo "linux arm64 aarch64-linux-gnu-gcc stablestack" ;;
    win32-x64) echo "windows amd64 x86_64-w64-mingw32-gcc stablestack.exe" ;;
    *) return 1 ;;
  esac
}

native_target() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo linux-x64 ;;
    Linux-aarch64) echo linux-arm64 ;;
    *) echo "" ;;
  esac
}

native="$(native_target)"
targets="${TARGETS:-auto}"
if [[ "$targets" == auto ]]; then
  targets="$native"
  for t in linux-x64 linux-arm64 win32-x64; do
    [[ "$t" == "$native" ]] && continue
    read -r _ _ cc _ <<<"$(target_spec "$t")"
    if command -v "$cc" >/dev/null; then
      targets="$targets $t"
    else
      echo "build.sh: skipping $t: no $cc" >&2
    fi
  done
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund >&2
fi
npx tsc --noEmit -p .
node esbuild.mjs --minify

vsce() {
  # --skip-license: the repository has no LICENSE file to ship yet.
  npx vsce package --no-dependencies --skip-license "$@" >&2
}

for t in $targets; do
  read -r goos goarch cc binname <<<"$(target_spec "$t")" || { echo "build.sh: unknown target $t" >&2; exit 1; }
  rm -rf bin && mkdir -p bin
  if [[ "$t" == "$native" && -n "${STABLESTACK_BIN:-}" ]]; then
    cp "$STABLESTACK_BIN" "bin/$binname"
  else
    echo "build.sh: go build $goos/$goarch with $cc" >&2
    (cd "$repo" && CGO_ENABLED=1 GOOS="$goos" GOARCH="$goarch" CC="$cc" \
      go build -trimpath -ldflags "-s -w -X main.version=v$version" \
      -o "$here/bin/$binname" ./cmd/stablestack)
  fi
  chmod +x "bin/$binname"
  vsce --target "$t" -o "$out/stablestack-$t-$version.vsix"
  echo "$out/stablestack-$t-$version.vsix"
done

if [[ "${UNIVERSAL:-1}" != 0 ]]; then
  rm -rf bin
  vsce -o "$out/stablestack-universal-$version.vsix"
  echo "$out/stablestack-universal-$version.vsix"
fi
rm -rf bin
