"""The limiter against a real redis-server: exactly N admitted across
processes, rejected requests consume nothing, Retry-After is honest, state
survives application restarts, NOSCRIPT and Redis restarts are recovered, and
a dead Redis is survived (fail open, breaker, one warning)."""

import asyncio
import json
import logging
import math
import os
import subprocess
import sys
import threading
import time
import unittest
import uuid

import redis

import stablestack_rate_limiter as rl
import support


def scope():
    return "test." + uuid.uuid4().hex[:12]


class ExactlyNTest(unittest.TestCase):
    def test_exactly_n_across_processes(self):
        url = support.shared_redis_url()
        for rep in range(3):
            with self.subTest(repetition=rep):
                s, limit = scope(), 57
                procs = [subprocess.Popen(
                    [sys.executable, os.path.join(support.HERE, "worker_hits.py"), url, s, str(limit), "60",
                     "20", "4", "3"], stdout=subprocess.PIPE, env=support.subprocess_env()) for _ in range(4)]
                results = []
                for p in procs:
                    out, _ = p.communicate(timeout=120)
                    self.assertEqual(p.returncode, 0)
                    results.append(json.loads(out))
                self.assertEqual(sum(r["unavailable"] for r in results), 0, results)
                self.assertEqual(sum(r["total"] for r in results), 4 * (20 + 4) * 3)
                self.assertEqual(sum(r["admitted"] for r in results), limit, results)


class LimiterTest(unittest.TestCase):
    def setUp(self):
        self.url = support.shared_redis_url()
        self.limiter = rl.Limiter(self.url)
        self.r = redis.Redis.from_url(self.url)
        self.addCleanup(self.r.close)

    def test_rejected_requests_consume_nothing(self):
        s = scope()
        tight, loose = rl.Limit(2, 60), rl.Limit(100, 60)
        for _ in range(2):
            self.assertTrue(self.limiter.hit("ip:203.0.113.1", (loose, tight), s).allowed)
        for _ in range(5):
            d = self.limiter.hit("ip:203.0.113.1", (loose, tight), s)
            self.assertFalse(d.allowed)
        # Only the two admitted requests were counted on the loose policy.
        d = self.limiter.hit("ip:203.0.113.1", (loose,), s)
        self.assertEqual(d.remaining, [97])

    def test_keys_follow_the_schema_and_expire(self):
        s = scope()
        self.limiter.hit("ip:203.0.113.2", (rl.Limit(5, 30), rl.Limit(50, 3600)), s)
        keys = sorted(k.decode() for k in self.r.keys("stablestack:*:%s:*" % s))
        tag = rl._identity_hash("ip:203.0.113.2")
        self.assertEqual(keys, sorted(["stablestack:{%s}:%s:5:30000" % (tag, s), "stablestack:{%s}:%s:50:3600000" % (tag, s)]))
        self.assertNotIn("203.0.113.2", "".join(keys))
        self.assertTrue(0 < self.r.pttl(keys[1]) <= 60000)
        self.assertTrue(0 < self.r.pttl(keys[0]) <= 7200000)

    def test_retry_after_is_whole_seconds_and_enough(self):
        s, lim = scope(), (rl.Limit(3, 2),)
        for _ in range(3):
            self.assertTrue(self.limiter.hit("ip:203.0.113.3", lim, s).allowed)
        d = self.limiter.hit("ip:203.0.113.3", lim, s)
        self.assertFalse(d.allowed)
        self.assertIsInstance(d.retry_after, int)
        self.assertGreaterEqual(d.retry_after, 1)
        self.assertEqual(d.retry_after, max(1, math.ceil(d.retry_after_ms / 1000)))
        headers = dict(d.headers())
        self.assertEqual(headers["Retry-After"], str(d.retry_after))
        self.assertEqual(headers["RateLimit-Policy"], '"default";q=3;w=2')
        self.assertRegex(headers["RateLimit"], r'^"default";r=0;t=[1-9][0-9]*$')
        time.sleep(d.retry_after)
        self.assertTrue(self.limiter.hit("ip:203.0.113.3", lim, s).allowed)

    def test_exact_log(self):
        s, lim = scope(), (rl.Limit(3, 2), rl.Limit(100, 60))
        ds = [self.limiter.hit("ip:203.0.113.30", lim, s, exact=True) for _ in range(4)]
        self.assertEqual([d.allowed for d in ds], [True, True, True, False])
        self.assertEqual(ds[2].remaining, [0, 97])
        self.assertEqual(ds[3].remaining, [0, 97])  # the rejected request was not logged
        keys = sorted(k.decode() for k in self.r.keys("stablestack:*:%s:*" % s))
        self.assertTrue(all(k.endswith(":log") for k in keys), keys)
        self.assertEqual(self.r.zcard(keys[0]), 3)
        time.sleep(ds[3].retry_after)
        self.assertTrue(self.limiter.hit("ip:203.0.113.30", lim, s, exact=True).allowed)
        with self.assertRaises(ValueError):
            rl.rate_limit(requests=100000, window=60, exact=True)

    def test_multi_limit_headers(self):
        s = scope()
        d = self.limiter.hit("ip:203.0.113.4", (rl.Limit(10, 1), rl.Limit(1000, 3600, name="hourly")), s)
        h = dict(d.headers())
        self.assertEqual(h["RateLimit-Policy"], '"10-per-1s";q=10;w=1, "hourly";q=1000;w=3600')
        self.assertRegex(h["RateLimit"], r'^"10-per-1s";r=9;t=\d+, "hourly";r=999;t=\d+$')

    def test_async_and_sync_share_counters(self):
        s, lim = scope(), (rl.Limit(4, 60),)

        async def two():
            return [await self.limiter.ahit("ip:203.0.113.5", lim, s) for _ in range(2)]
        self.assertTrue(all(d.allowed for d in asyncio.run(two())))
        self.assertEqual(self.limiter.hit("ip:203.0.113.5", lim, s).remaining, [1])

    def test_app_restart_keeps_counts(self):
        s = scope()
        code = ("import stablestack_rate_limiter as rl, sys, json; l = rl.Limiter(sys.argv[1]);"
                "print(json.dumps([l.hit('ip:203.0.113.6', (rl.Limit(5, 60),), sys.argv[2]).allowed for _ in range(int(sys.argv[3]))]))")
        run = lambda n: json.loads(subprocess.check_output([sys.executable, "-c", code, self.url, s, str(n)], env=support.subprocess_env()))
        self.assertEqual(run(3), [True, True, True])
        # A new process (the app restarted) continues the same window.
        self.assertEqual(run(3), [True, True, False])

    def test_script_flush_is_recovered(self):
        s, lim = scope(), (rl.Limit(5, 60),)
        self.assertTrue(self.limiter.hit("ip:203.0.113.8", lim, s).allowed)
        self.r.script_flush()
        self.assertEqual(self.r.script_exists(rl._LUA_SHA), [False])
        d = self.limiter.hit("ip:203.0.113.8", lim, s)
        self.assertTrue(d.allowed and not d.unavailable)
        self.assertEqual(d.remaining, [3])
        self.assertEqual(self.r.script_exists(rl._LUA_SHA), [True])


class ApiTest(unittest.TestCase):
    def test_duplicate_limits_are_rejected(self):
        with self.assertRaisesRegex(ValueError, "twice"):
            rl.rate_limit(limits=[rl.Limit(5, 60), rl.Limit(5, 60.0)])

    def test_invalid_arguments(self):
        for bad in (dict(requests=0, window=60), dict(requests=5, window=0), dict(requests=5),
                    dict(requests=1.5, window=60), dict(requests=5, window=60, cost=-1)):
            with self.subTest(bad), self.assertRaises((ValueError, TypeError)):
                rl.rate_limit(**bad)
        with self.assertRaises(ValueError):
            rl.Limiter(prefix="app:{x}")

    def test_legacy_headers_follow_the_tightest_policy(self):
        limiter = rl.Limiter(support.shared_redis_url(), legacy_headers=True)
        d = limiter.hit("ip:203.0.113.20", (rl.Limit(100, 60), rl.Limit(3, 2)), scope())
        h = dict(d.headers())
        self.assertEqual((h["X-RateLimit-Limit"], h["X-RateLimit-Remaining"]), ("3", "2"))
        self.assertRegex(h["X-RateLimit-Reset"], r"^[1-9]\d*$")
        plain = rl.Limiter(support.shared_redis_url()).hit("ip:203.0.113.20", (rl.Limit(3, 2),), scope())
        self.assertNotIn("X-RateLimit-Limit", dict(plain.headers()))

    def test_cancelled_probe_does_not_wedge_the_breaker(self):
        from slowproxy import SlowProxy
        port = int(support.shared_redis_url().rsplit(":", 1)[1].split("/")[0])
        with SlowProxy(port, delay=2.0) as proxy:
            limiter = rl.Limiter(proxy.url, timeout=5, connect_timeout=5, breaker_threshold=1,
                                 breaker_backoff=0.01, breaker_max_backoff=0.01)
            limiter._breaker.failure()  # open, as after an outage
            time.sleep(0.05)

            async def main():
                probe = asyncio.ensure_future(limiter.ahit("ip:203.0.113.21", (rl.Limit(5, 60),), scope()))
                await asyncio.sleep(0.2)  # the probe now waits on the slow Redis
                probe.cancel()
                with self.assertRaises(asyncio.CancelledError):
                    await probe
                proxy.delay = 0
                d = await limiter.ahit("ip:203.0.113.21", (rl.Limit(5, 60),), scope())
                await limiter.aclose()
                return d
            d = asyncio.run(main())
        self.assertFalse(d.unavailable, "the breaker stayed half-open after a cancelled probe")


class RedisOutageTest(unittest.TestCase):
    def setUp(self):
        self.server = support.RedisServer().start()
        self.addCleanup(self.server.close)

    def test_restarted_redis_resumes_limiting_without_app_restart(self):
        limiter = rl.Limiter(self.server.url, breaker_backoff=0.05, breaker_max_backoff=0.05)
        lim = (rl.Limit(2, 60),)
        for _ in range(2):
            self.assertTrue(limiter.hit("ip:203.0.113.9", lim, "r").allowed)

        async def async_hits(n):
            return [await limiter.ahit("ip:203.0.113.10", lim, "r") for _ in range(n)]
        self.assertEqual([d.allowed for d in asyncio.run(async_hits(3))], [True, True, False])
        self.server.stop()
        with self.assertLogs("stablestack.ratelimit", "WARNING"):
            d = limiter.hit("ip:203.0.113.9", lim, "r")
        self.assertTrue(d.allowed and d.unavailable)
        self.server.start()  # empty, with no scripts cached
        deadline = time.monotonic() + 10
        while limiter.hit("ip:203.0.113.11", lim, "probe").unavailable:
            self.assertLess(time.monotonic(), deadline, "limiter never reconnected")
            time.sleep(0.05)
        got = [limiter.hit("ip:203.0.113.9", lim, "r") for _ in range(3)]
        self.assertEqual([(d.allowed, d.unavailable) for d in got], [(True, False), (True, False), (False, False)])

    def test_stopped_mid_load_fails_open_within_the_timeout(self):
        timeout = 0.1
        limiter = rl.Limiter(self.server.url, timeout=timeout, connect_timeout=timeout)
        lim = (rl.Limit(1000000, 60),)
        stop = threading.Event()
        results, lock = [], threading.Lock()

        def load():
            while not stop.is_set():
                t0 = time.monotonic()
                d = limiter.hit("ip:203.0.113.12", lim, "load")
                with lock:
                    results.append((d.allowed, d.unavailable, time.monotonic() - t0))

        threads = [threading.Thread(target=load) for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        self.server.stop()
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join()
        self.assertTrue(all(allowed for allowed, _, _ in results), "a request was refused while failing open")
        self.assertTrue(any(u for _, u, _ in results), "Redis outage not noticed")
        self.assertTrue(any(not u for _, u, _ in results))
        # Generous bound: one connect + one command timeout, plus scheduling slack.
        worst = max(lat for _, _, lat in results)
        self.assertLess(worst, 2 * timeout + 1.0)

    def test_breaker_stops_calling_and_warns_once_per_interval(self):
        limiter = rl.Limiter(self.server.url, breaker_threshold=3, breaker_backoff=30)
        self.server.stop()
        with self.assertLogs("stablestack.ratelimit", "WARNING") as logs:
            ds = [limiter.hit("ip:203.0.113.13", (rl.Limit(5, 60),), "b") for _ in range(50)]
        self.assertEqual(len(logs.records), 1)
        self.assertTrue(all(d.allowed and d.unavailable for d in ds))
        self.assertEqual(limiter._breaker._failures, 3, "breaker kept calling a dead Redis")

    def test_fail_closed_rejects_with_retry_after(self):
        limiter = rl.Limiter(self.server.url, fail_open=False, breaker_threshold=1, breaker_backoff=5)
        self.server.stop()
        logging.getLogger("stablestack.ratelimit").disabled = True
        self.addCleanup(setattr, logging.getLogger("stablestack.ratelimit"), "disabled", False)
        d = limiter.hit("ip:203.0.113.14", (rl.Limit(5, 60),), "c")
        self.assertFalse(d.allowed)
        self.assertTrue(d.unavailable)
        self.assertGreaterEqual(d.retry_after, 1)
        self.assertIn(("Retry-After", str(d.retry_after)), d.headers())


if __name__ == "__main__":
    unittest.main()
