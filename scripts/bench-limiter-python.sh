#!/bin/sh
# Benchmark (not a test) of the scaffolded Python limiter against a local
# redis-server, side by side with `limits` (MovingWindowRateLimiter on
# RedisStorage, the library a Python user would otherwise pick).
#
# Reports, per library: added latency per check (p50/p99, one request at a
# time) and checks/second from one process. Targets (docs/limiter.md):
# p50 <= 0.3 ms, p99 <= 1 ms, checks/s >= limits.
#
# usage: scripts/bench-limiter-python.sh [checks]     (default 20000)
# needs: redis-server, go, /usr/bin/python3 with python3-redis and python3-limits
set -eu
checks=${1:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
redis_pid=
cleanup() {
	[ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" --logfile "$work/redis.log" &
redis_pid=$!
(cd "$root" && go run ./cmd/stablestack add-rate-limiter --lang python --dir "$work" >/dev/null)
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done

PYTHONPATH="$work" /usr/bin/python3 - "$port" "$checks" <<'PY'
import asyncio
import gc
import statistics
import sys
import time

import redis
from limits import RateLimitItemPerMinute
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

import stablestack_rate_limiter as rl

port, n = int(sys.argv[1]), int(sys.argv[2])
url = "redis://127.0.0.1:%d/0" % port
ids = ["ip:10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255) for i in range(1000)]


ROUNDS = 20


def run_rounds(cases):
    """Run the sync cases in interleaved rounds, so load from other processes
    on the machine hits every library alike: each round runs every case once,
    in reverse order every other round. Latencies are pooled; checks/s is the
    median of the per-round rates, and a comparison of two cases the median of
    their per-round ratios (rounds a few hundred ms apart see the same machine)."""
    per_round = max(1, n // ROUNDS)
    lat = {name: [] for name, _ in cases}
    rates = {name: [] for name, _ in cases}
    for name, check in cases:
        for i in range(500):  # warm up connections and script caches
            check(i)
    for r in range(ROUNDS):
        for name, check in (cases if r % 2 == 0 else cases[::-1]):
            gc.disable()
            samples = lat[name]
            t0 = time.perf_counter()
            for i in range(r * per_round, (r + 1) * per_round):
                s = time.perf_counter()
                check(i)
                samples.append(time.perf_counter() - s)
            rates[name].append(per_round / (time.perf_counter() - t0))
            gc.enable()
    for name, _ in cases:
        report(name, lat[name], statistics.median(rates[name]))
    return rates


def ratio(rates, a, b):
    return statistics.median(x / y for x, y in zip(rates[a], rates[b]))


def report(name, lat, rate):
    lat = sorted(lat)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
    print("%-44s p50 %.3f ms  p99 %.3f ms  max %6.2f ms  %8.0f checks/s"
          % (name, p(0.50), p(0.99), lat[-1] * 1000, rate))


def measure_async(name, check, concurrency):
    async def main():
        for i in range(200):
            await check(i)
        per = n // concurrency
        lat = []

        async def worker(w):
            for i in range(per):
                s = time.perf_counter()
                await check(w * per + i)
                lat.append(time.perf_counter() - s)
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        report(name, lat, per * concurrency / (time.perf_counter() - t0))
    asyncio.run(main())


print("redis-server on 127.0.0.1:%d, %d checks each, limit never reached, 1000 clients" % (port, n))
r = redis.Redis.from_url(url)
ours = rl.Limiter(url)
lim = (rl.Limit(10 ** 9, 60),)
lim2 = (rl.Limit(10 ** 9, 1), rl.Limit(10 ** 9, 3600))
storage = RedisStorage(url)  # limits keeps only a weak reference to it
moving = MovingWindowRateLimiter(storage)
item = RateLimitItemPerMinute(10 ** 9)
OURS, LIMITS = "stablestack sliding window (sync)", "limits MovingWindowRateLimiter (sync)"
HEADERS = "limits hit + get_window_stats (headers)"
rates = run_rounds([
    ("baseline: redis-py PING round trip", lambda i: r.ping()),
    (OURS, lambda i: ours.hit(ids[i % 1000], lim, "bench")),
    ("stablestack, two limits in one call (sync)", lambda i: ours.hit(ids[i % 1000], lim2, "bench2")),
    (LIMITS, lambda i: moving.hit(item, ids[i % 1000])),
    # What a limits user needs for RateLimit headers (Flask-Limiter does this):
    # hit() answers only yes/no, the remaining quota and reset take a second call.
    (HEADERS, lambda i: (moving.hit(item, ids[i % 1000]), moving.get_window_stats(item, ids[i % 1000]))),
    # The exact log keeps one entry per request: a small limit, as it is meant for.
    ("stablestack exact log, limit 100 (sync)", lambda i: ours.hit(ids[i % 1000], (rl.Limit(100, 60),), "benchlog", exact=True)),
])
# A loaded event loop delays reading replies; give the async runs a 1 s budget
# so they measure Redis round trips, not fail-open shortcuts.
aours = rl.Limiter(url, timeout=1, connect_timeout=1)
measure_async("stablestack (redis.asyncio, 1 task)", lambda i: aours.ahit(ids[i % 1000], lim, "bench"), 1)
measure_async("stablestack (redis.asyncio, 50 tasks)", lambda i: aours.ahit(ids[i % 1000], lim, "bench"), 50)
for name, limiter in (("sync", ours), ("async", aours)):
    if limiter._breaker._failures or limiter._last_warning > float("-inf"):
        print("WARNING: the %s limiter saw Redis failures during the run; its numbers include fail-open shortcuts" % name)

print("memory per client and policy: stablestack %s bytes (one hash); limits moving window %s bytes (list of %d entries)"
      % (r.memory_usage("stablestack:{%s}:bench:%d:60000" % (rl._identity_hash(ids[0]), 10 ** 9)),
         r.memory_usage(next(iter(r.scan_iter("LIMITER/*")))), r.llen(next(iter(r.scan_iter("LIMITER/*"))))))
print("throughput stablestack / limits hit(): %.2fx; / limits with header data: %.2fx (medians of per-round ratios)"
      % (ratio(rates, OURS, LIMITS), ratio(rates, OURS, HEADERS)))
print("  per round: %s; ratio of the median rates: %.2fx"
      % (" ".join("%.2f" % (x / y) for x, y in zip(rates[OURS], rates[LIMITS])),
         statistics.median(rates[OURS]) / statistics.median(rates[LIMITS])))
print("load average during the run: %s" % open("/proc/loadavg").read().split()[:3])
PY
