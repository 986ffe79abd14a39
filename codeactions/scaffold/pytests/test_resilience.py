"""Applications under Redis trouble: a slow Redis does not stall the event
loop, a Redis stopped under load yields no 5xx in fail-open mode, and
fail_open=False answers 503 with Retry-After."""

import logging
import threading
import time
import unittest
import uuid

import stablestack_rate_limiter as rl
import support
from cycle import header
from servers import Uvicorn, http_get
from slowproxy import SlowProxy


def quiet_limiter_log(test):
    log = logging.getLogger("stablestack.ratelimit")
    log.disabled = True
    test.addCleanup(setattr, log, "disabled", False)


class SlowRedisTest(unittest.TestCase):
    def test_event_loop_keeps_serving_while_redis_is_slow(self):
        support.need_module("fastapi")
        from fastapi import FastAPI
        with SlowProxy(int(support.shared_redis_url().rsplit(":", 1)[1].split("/")[0]), delay=1.5) as proxy:
            # A timeout longer than the delay: the limited request waits for Redis.
            limiter = rl.Limiter(proxy.url, timeout=5, connect_timeout=5)
            app = FastAPI()

            @app.get("/limited")
            @rl.rate_limit(requests=100, window=60, name="slow." + uuid.uuid4().hex[:8], limiter=limiter)
            async def limited():
                return {"limited": True}

            @app.get("/health")
            async def health():
                return {"ok": True}

            with Uvicorn(app) as server:
                events, lock = [], threading.Lock()

                def call(path):
                    status, headers, _ = http_get(server.url(path))
                    with lock:
                        events.append((path, status, header(headers, "RateLimit")))

                slow = threading.Thread(target=call, args=("/limited",))
                slow.start()
                time.sleep(0.2)  # the limited request is now waiting on Redis
                for _ in range(5):
                    call("/health")
                slow.join(30)
        paths = [p for p, _, _ in events]
        self.assertEqual(paths, ["/health"] * 5 + ["/limited"], "the event loop was blocked by the Redis call")
        self.assertTrue(all(status == 200 for _, status, _ in events))
        self.assertIsNotNone(events[-1][2], "the limited request was not checked against Redis")


class OutageUnderLoadTest(unittest.TestCase):
    def test_no_5xx_when_redis_stops_and_fail_closed_routes_answer_503(self):
        support.need_module("fastapi")
        from fastapi import FastAPI
        server_redis = support.RedisServer().start()
        self.addCleanup(server_redis.close)
        # A budget that a loaded test machine still meets while Redis is up.
        limiter = rl.Limiter(server_redis.url, timeout=0.5, connect_timeout=0.5)
        app = FastAPI()

        @app.get("/open")
        @rl.rate_limit(requests=1000000, window=60, name="outage.open", limiter=limiter)
        async def open_route():
            return {"ok": True}

        @app.get("/open-sync")
        @rl.rate_limit(requests=1000000, window=60, name="outage.opensync", limiter=limiter)
        def open_sync_route():
            return {"ok": True}

        @app.get("/closed")
        @rl.rate_limit(requests=1000000, window=60, name="outage.closed", limiter=limiter, fail_open=False)
        async def closed_route():
            return {"ok": True}

        with Uvicorn(app) as server:
            quiet_limiter_log(self)  # after uvicorn's logging.config, which re-enables loggers
            statuses, lock, stop = [], threading.Lock(), threading.Event()

            def load(path):
                while not stop.is_set():
                    status, headers, _ = http_get(server.url(path))
                    with lock:
                        statuses.append((status, header(headers, "RateLimit") is not None))

            threads = [threading.Thread(target=load, args=(p,)) for p in ("/open", "/open-sync") * 3]
            for t in threads:
                t.start()
            time.sleep(0.5)
            self.assertEqual(http_get(server.url("/closed"))[0], 200)
            server_redis.stop()
            time.sleep(1.0)
            status, headers, body = http_get(server.url("/closed"))
            stop.set()
            for t in threads:
                t.join(30)
        self.assertEqual(status, 503, body)
        self.assertRegex(header(headers, "Retry-After"), r"^[1-9][0-9]*$")
        self.assertTrue(statuses)
        self.assertEqual({s for s, _ in statuses}, {200})
        self.assertTrue(any(checked for _, checked in statuses), "Redis was never asked")
        self.assertTrue(any(not checked for _, checked in statuses), "the outage was never noticed")


if __name__ == "__main__":
    unittest.main()
