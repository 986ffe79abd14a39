#!/bin/sh
# Runs the JavaScript/TypeScript rules over large, well-known trees from the
# npm registry (express, typescript, typescript@5's compiler, fastify, koa,
# hono, @koa/router), with and without the text pre-filter: no crash, no
# leaked tree, identical findings, and no finding outside the directories
# reviewed in docs/real-codebases-js.md; and the direct syntax-tree walk gives
# the same nodes as tree-sitter's cursor on every file.
#
# The packages are installed with npm into $STABLESTACK_JS_CODEBASES_DIR
# (default: a cache directory), once. Needs: node and npm.
set -eu
cd "$(dirname "$0")/.."
dir="${STABLESTACK_JS_CODEBASES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stablestack/real-js}"
mkdir -p "$dir"
if [ ! -d "$dir/node_modules/ts5" ] || [ ! -d "$dir/node_modules/hono" ]; then
  (cd "$dir" && [ -f package.json ] || echo '{"private":true}' > "$dir/package.json")
  npm install --prefix "$dir" --no-audit --no-fund \
    express typescript ts5@npm:typescript@5 fastify koa hono @koa/router
fi
STABLESTACK_JS_CODEBASES="$dir/node_modules" exec go test ./analysis/javascript ./analysis/syntax -run "TestRealCodebases|TestSubtreeWalkRealCode" -count=1 -v "$@"
