"""The limiter against a real redis-server: exactly N admitted across
processes, rejected requests consume nothing, Retry-After is honest, state
survives application restarts, NOSCRIPT and Redis restarts are recovered, and
a dead Redis is survived (fail open, breaker, one warning)."""

import asyncio
import json
import logging
import math
import os
import socket
import struct
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
    def run_fleet(self, limit, extra=()):
        url, s = support.shared_redis_url(), scope()
        procs = [subprocess.Popen(
            [sys.executable, os.path.join(support.HERE, "worker_hits.py"), url, s, str(limit), "60",
             "20", "4", "3"] + list(extra), stdout=subprocess.PIPE, env=support.subprocess_env()) for _ in range(4)]
        results = []
        for p in procs:
            out, _ = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0)
            results.append(json.loads(out))
        self.assertEqual(sum(r["unavailable"] for r in results), 0, results)
        self.assertEqual(sum(r["total"] for r in results), 4 * (20 + 4) * 3)
        return sum(r["admitted"] for r in results)

    def test_exactly_n_across_processes(self):
        for rep in range(3):
            with self.subTest(repetition=rep):
                self.assertEqual(self.run_fleet(57), 57)

    def test_exactly_n_with_the_exact_log(self):
        for rep in range(2):
            with self.subTest(repetition=rep):
                self.assertEqual(self.run_fleet(31, ["exact"]), 31)


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

    def test_timeouts_default_to_100ms_or_the_environment(self):
        saved = os.environ.pop("STABLESTACK_REDIS_TIMEOUT", None)
        try:
            self.assertEqual((rl.Limiter().timeout, rl.Limiter().connect_timeout), (0.1, 0.1))
            os.environ["STABLESTACK_REDIS_TIMEOUT"] = "0.25"
            self.assertEqual((rl.Limiter().timeout, rl.Limiter(connect_timeout=1).connect_timeout), (0.25, 1))
        finally:
            os.environ.pop("STABLESTACK_REDIS_TIMEOUT", None)
            if saved is not None:
                os.environ["STABLESTACK_REDIS_TIMEOUT"] = saved

    def test_legacy_headers_follow_the_tightest_policy(self):
        limiter = support.limiter(None, legacy_headers=True)
        d = limiter.hit("ip:203.0.113.20", (rl.Limit(100, 60), rl.Limit(3, 2)), scope())
        h = dict(d.headers())
        self.assertEqual((h["X-RateLimit-Limit"], h["X-RateLimit-Remaining"]), ("3", "2"))
        self.assertRegex(h["X-RateLimit-Reset"], r"^[1-9]\d*$")
        plain = support.limiter().hit("ip:203.0.113.20", (rl.Limit(3, 2),), scope())
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


class CommandTest(unittest.TestCase):
    """The blocking client sends each route's EVALSHA pre-encoded, with only the
    identity's hash tag joined in per call: it must be byte for byte what
    redis-py would send, and behave as the generic path does."""

    def test_pre_encoded_command_is_what_redis_py_encodes(self):
        r = redis.Redis.from_url(support.shared_redis_url())
        conn = r.connection_pool.get_connection("EVALSHA")
        self.addCleanup(r.connection_pool.release, conn)
        cases = [("stablestack", (rl.Limit(5, 60),), False, 1),
                 ("app-\u00e9t\u00e9", (rl.Limit(10, 1), rl.Limit(1000, 3600.5)), False, 3),
                 ("stablestack", (rl.Limit(5, 60), rl.Limit(7, 2)), True, 0)]
        for prefix, limits, exact, cost in cases:
            limiter = support.limiter(prefix=prefix)
            s = scope()
            for identity in ("ip:203.0.113.30", "user:\u00fc42", "ip:2001:db8::/64"):
                d = limiter.hit(identity, limits, s, cost=cost, exact=exact)
                self.assertFalse(d.unavailable)
                plan = limiter._plan(s, limits, exact, cost)
                self.assertTrue(plan.parts, "no pre-encoded command for %r" % prefix)
                keys, args = limiter._call(identity, limits, s, cost, exact)
                want = b"".join(conn.pack_command("EVALSHA", plan.sha, len(keys), *keys, *args))
                self.assertEqual(rl._hash_tag(identity).join(plan.parts), want)
                for key in keys:  # the script wrote where the key schema says
                    self.assertEqual(r.exists(key), 1 if cost else 0, key)

    def test_generic_encoding_gives_the_same_decisions(self):
        fast, slow = support.limiter(), support.limiter()
        lims = (rl.Limit(3, 60), rl.Limit(5, 3600))
        got = {}
        for name, limiter in (("fast", fast), ("slow", slow)):
            s = scope()
            if name == "slow":  # as for an encoding the command cannot be cut in
                limiter._plan(s, lims, False, 1).parts = False
            got[name] = [(d.allowed, d.remaining, d.retry_after_ms > 0)
                         for d in (limiter.hit("ip:203.0.113.31", lims, s) for _ in range(4))]
        self.assertEqual(got["fast"], got["slow"])
        self.assertEqual([a for a, _, _ in got["fast"]], [True, True, True, False])
        self.assertEqual(got["fast"][2][1], [0, 2])

    def test_noscript_is_answered_by_eval_on_both_clients(self):
        r = redis.Redis.from_url(support.shared_redis_url())
        limiter = support.limiter()
        lim = (rl.Limit(2, 60),)
        for exact in (False, True):
            s = scope()
            r.script_flush()
            self.assertTrue(limiter.hit("ip:203.0.113.32", lim, s, exact=exact).allowed)
            self.assertEqual(r.script_exists(rl._LOG_SHA if exact else rl._LUA_SHA), [True])
            r.script_flush()

            async def ahit():
                d = await limiter.ahit("ip:203.0.113.32", lim, s, exact=exact)
                await limiter.aclose()
                return d
            d = asyncio.run(ahit())
            self.assertEqual((d.allowed, d.unavailable, d.remaining), (True, False, [0]))
            r.script_flush()
            d = limiter.hit("ip:203.0.113.32", lim, s, exact=exact)
            self.assertEqual((d.allowed, d.unavailable), (False, False))


class SyncTimeoutTest(unittest.TestCase):
    """The blocking client's command timeout, which on Linux the kernel enforces
    (SO_RCVTIMEO/SO_SNDTIMEO, see _kernel_timeouts): a Redis that answers too
    late costs one timeout and fails open, on fresh and reconnected connections
    and during a new connection's handshake, and a late reply is never read
    as the answer to a later check."""

    def setUp(self):
        from slowproxy import SlowProxy
        port = int(support.shared_redis_url().rsplit(":", 1)[1].split("/")[0])
        self.proxy = SlowProxy(port, delay=0).__enter__()
        self.addCleanup(self.proxy.__exit__)
        logging.getLogger("stablestack.ratelimit").disabled = True
        self.addCleanup(setattr, logging.getLogger("stablestack.ratelimit"), "disabled", False)

    def timed_hit(self, limiter, identity, lim, s):
        t0 = time.monotonic()
        d = limiter.hit(identity, lim, s)
        return d, time.monotonic() - t0

    def test_late_answers_fail_open_within_the_timeout(self):
        timeout = 0.2
        limiter = rl.Limiter(self.proxy.url, timeout=timeout, connect_timeout=timeout, breaker_threshold=1000)
        lim, s = (rl.Limit(3, 60),), scope()
        d, _ = self.timed_hit(limiter, "ip:203.0.113.40", lim, s)
        self.assertEqual((d.allowed, d.unavailable, d.remaining), (True, False, [2]))
        if sys.platform.startswith("linux"):  # the kernel holds the timeout, Python does not poll
            conn = limiter._client.connection_pool._available_connections[0]
            self.assertIsNone(conn._sock.gettimeout())
            tv = conn._sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 16)
            self.assertEqual(struct.unpack("@ll", tv), (0, 200000))
        for round_ in range(2):  # the second round runs on a reconnected socket
            self.proxy.delay = 1.5
            d, took = self.timed_hit(limiter, "ip:203.0.113.40", lim, s)
            self.assertTrue(d.allowed and d.unavailable, "round %d: not failed open" % round_)
            self.assertGreaterEqual(took, timeout * 0.9)
            self.assertLess(took, timeout + 0.6, "round %d: took %.2fs" % (round_, took))
            self.proxy.delay = 0
            # A fresh client's first check: remaining 2, where the late reply to the
            # check above (same connection, had it been kept) would say 1 or 0.
            d, _ = self.timed_hit(limiter, "ip:203.0.113.%d" % (42 + round_), lim, s)
            self.assertEqual((d.allowed, d.unavailable, d.remaining), (True, False, [2]))

    def test_only_plain_stdlib_sockets_get_kernel_timeouts(self):
        class Other(socket.socket):  # as gevent's or eventlet's sockets: timeouts in user space
            pass

        class Conn:
            def on_connect(self):  # the handshake runs with the timeout already in place
                seen.append((self._sock.gettimeout(), self.socket_timeout))

        linux = sys.platform.startswith("linux")
        for sock, want in ((Other(), (0.3, 0.3)), (socket.socket(), (None, None) if linux else (0.3, 0.3))):
            seen, conn = [], Conn()
            conn._sock, conn.socket_timeout = sock, 0.3
            sock.settimeout(None)
            rl._kernel_timeouts(0.3)(conn)
            sock.close()
            self.assertEqual(seen, [want], type(sock).__name__)

    def test_the_handshake_of_a_new_connection_is_bounded(self):
        timeout = 0.2
        self.proxy.delay = 1.5  # SELECT 1 (database 1 in the URL) answers late
        limiter = rl.Limiter(self.proxy.url[:-1] + "1", timeout=timeout, connect_timeout=timeout)
        with self.assertLogs("stablestack.ratelimit", "WARNING") as logs:
            logging.getLogger("stablestack.ratelimit").disabled = False
            d, took = self.timed_hit(limiter, "ip:203.0.113.41", (rl.Limit(3, 60),), scope())
        self.assertTrue(d.allowed and d.unavailable)
        self.assertLess(took, 2 * timeout + 0.6, "took %.2fs" % took)
        self.assertIn("TimeoutError", logs.output[0])


class RedisOutageTest(unittest.TestCase):
    def setUp(self):
        self.server = support.RedisServer().start()
        self.addCleanup(self.server.close)

    def test_restarted_redis_resumes_limiting_without_app_restart(self):
        limiter = support.limiter(self.server.url, breaker_backoff=0.05, breaker_max_backoff=0.05)
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

    def test_restart_recovered_by_a_long_lived_event_loop(self):
        limiter = support.limiter(self.server.url, breaker_backoff=0.05, breaker_max_backoff=0.05)
        lim = (rl.Limit(2, 60),)
        logging.getLogger("stablestack.ratelimit").disabled = True
        self.addCleanup(setattr, logging.getLogger("stablestack.ratelimit"), "disabled", False)

        async def main():
            hit = lambda who: limiter.ahit(who, lim, "loop")
            self.assertTrue((await hit("ip:203.0.113.40")).allowed)
            await asyncio.get_running_loop().run_in_executor(None, self.server.stop)
            d = await hit("ip:203.0.113.40")
            self.assertTrue(d.allowed and d.unavailable)
            await asyncio.get_running_loop().run_in_executor(None, self.server.start)
            deadline = time.monotonic() + 10
            while (await hit("ip:203.0.113.41")).unavailable:  # pooled connections are stale
                self.assertLess(time.monotonic(), deadline, "the async client never reconnected")
                await asyncio.sleep(0.05)
            got = [await hit("ip:203.0.113.40") for _ in range(3)]
            await limiter.aclose()
            return got
        got = asyncio.run(main())
        # The restarted Redis is empty: two admitted, then limited, on the same loop.
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

    def test_stopped_mid_load_async_fails_open_within_the_timeout(self):
        timeout = 0.1
        limiter = rl.Limiter(self.server.url, timeout=timeout, connect_timeout=timeout)
        lim = (rl.Limit(1000000, 60),)
        results = []

        async def load(stop_at):
            while time.monotonic() < stop_at:
                t0 = time.monotonic()
                d = await limiter.ahit("ip:203.0.113.15", lim, "aload")
                results.append((d.allowed, d.unavailable, time.monotonic() - t0))
                await asyncio.sleep(0)

        async def main():
            stop_at = time.monotonic() + 1.0
            tasks = [asyncio.ensure_future(load(stop_at)) for _ in range(20)]
            await asyncio.sleep(0.3)
            self.server.stop()
            await asyncio.gather(*tasks)
            await limiter.aclose()

        logging.getLogger("stablestack.ratelimit").disabled = True
        self.addCleanup(setattr, logging.getLogger("stablestack.ratelimit"), "disabled", False)
        asyncio.run(main())
        self.assertTrue(all(allowed for allowed, _, _ in results))
        self.assertTrue(any(u for _, u, _ in results) and any(not u for _, u, _ in results))
        self.assertLess(max(lat for _, _, lat in results), 2 * timeout + 1.0)

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
