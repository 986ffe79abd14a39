#!/usr/bin/env bash
# Whole-repository speed of `stablestack check` (issue 7).
#
#   bench/check/run.sh [-n RUNS] [--strict]
#
# Corpora:
#   python  /usr/lib/python3/dist-packages with Debian's python3-django,
#           python3-flask, python3-fastapi, python3-starlette and
#           python3-aiohttp installed (~3,500 files, ~34 MB here)
#   js      the typescript npm package, version 5 (the last one written in
#           JavaScript; 7 ships a native binary), node_modules/typescript checked
#           directly), installed into $BENCH_CACHE (default ~/.cache/stablestack-bench)
#
# For each corpus: RUNS timed runs with the pre-filter (wall time min and
# median, user CPU, peak RSS from /usr/bin/time -v), one run without it, and
# a comparison of the two runs' findings (they must be identical). Targets
# (issue 7): wall <= 1.5 s, peak RSS <= 200 MiB on 2 cores. --strict exits 1
# when a target is missed or the findings differ.
#
# Needs: go, /usr/bin/time (Debian package `time`), python3, npm (js corpus).
set -euo pipefail

runs=5
strict=0
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --strict) strict=1; shift ;;
    *) echo "usage: $0 [-n RUNS] [--strict]" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cache="${BENCH_CACHE:-$HOME/.cache/stablestack-bench}"

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install time" >&2; exit 2; }
echo "building..." >&2
(cd "$root" && go build -o "$work/stablestack" ./cmd/stablestack)
bin="$work/stablestack"
# Run from an empty directory: the corpora are absolute paths, and the
# working directory must not add files of its own.
cd "$work"

pycorpus=/usr/lib/python3/dist-packages
for pkg in django flask fastapi starlette aiohttp; do
  [ -d "$pycorpus/$pkg" ] || { echo "missing $pycorpus/$pkg: apt-get install python3-django python3-flask python3-fastapi python3-starlette python3-aiohttp" >&2; exit 2; }
done

jscorpus=""
if command -v npm >/dev/null; then
  if [ ! -f "$cache/node_modules/typescript/lib/typescript.js" ]; then
    echo "installing the typescript npm package into $cache..." >&2
    mkdir -p "$cache"
    (cd "$cache" && npm install --silent --no-audit --no-fund typescript@5 >/dev/null)
  fi
  jscorpus="$cache/node_modules/typescript"
else
  echo "npm not found: skipping the js corpus" >&2
fi

failed=0

# measure NAME DIR: timed runs, then the equivalence check.
measure() {
  local name="$1" dir="$2"
  local files mb
  files=$(find "$dir" -type f \( -name '*.py' -o -name '*.pyi' -o -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.jsx' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.tsx' \) ! -name '*.d.ts' ! -name '*.min.js' | wc -l)
  mb=$(find "$dir" -type f \( -name '*.py' -o -name '*.pyi' -o -name '*.js' -o -name '*.mjs' -o -name '*.cjs' -o -name '*.jsx' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.tsx' \) ! -name '*.d.ts' ! -name '*.min.js' -printf '%s\n' | awk '{s+=$1} END {printf "%.1f", s/1048576}')
  # Warm the page cache: the benchmark measures analysis, not the disk.
  "$bin" check --exit-zero "$dir" >/dev/null 2>&1 || true
  : >"$work/$name.times"
  for i in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %M' -o "$work/t" "$bin" check --exit-zero --format json "$dir" >"$work/$name.json" 2>"$work/$name.err" || true
    cat "$work/t" >>"$work/$name.times"
  done
  /usr/bin/time -f '%e %U %M' -o "$work/t" "$bin" check --exit-zero --no-prefilter --format json "$dir" >"$work/$name.nopf.json" 2>/dev/null || true
  read -r nopf_wall nopf_user nopf_rss <"$work/t"
  python3 - "$name" "$files" "$mb" "$work/$name.times" "$work/$name.json" "$work/$name.nopf.json" "$nopf_wall" "$nopf_user" "$nopf_rss" <<'PY' || failed=1
import json, statistics, sys
name, files, mb, times, with_pf, without_pf, nw, nu, nr = sys.argv[1:]
rows = [tuple(map(float, l.split())) for l in open(times) if l.strip()]
walls = sorted(r[0] for r in rows); users = [r[1] for r in rows]; rss = max(r[2] for r in rows) / 1024
a, b = json.load(open(with_pf)), json.load(open(without_pf))
same = a["findings"] == b["findings"]
s = a["summary"]
print(f"{name}: {files} files, {mb} MB; checked {s['checked']}, {s['findings']} findings, {s['problems']} problems")
print(f"  pre-filter on : wall min {walls[0]:.2f} s, median {statistics.median(walls):.2f} s, user {statistics.median(users):.2f} s, peak RSS {rss:.0f} MiB ({len(rows)} runs)")
print(f"  pre-filter off: wall {float(nw):.2f} s, user {float(nu):.2f} s, peak RSS {float(nr)/1024:.0f} MiB")
print(f"  findings identical with and without the pre-filter: {'yes' if same else 'NO'}")
ok = statistics.median(walls) <= 1.5 and rss <= 200 and same
print(f"  targets (median wall <= 1.5 s, peak RSS <= 200 MiB, same findings): {'met' if ok else 'MISSED'}")
sys.exit(0 if ok else 1)
PY
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure python "$pycorpus"
[ -n "$jscorpus" ] && measure js "$jscorpus"
if [ "$strict" = 1 ] && [ "$failed" = 1 ]; then
  exit 1
fi
exit 0
