"""Golden vectors: the Python reference model, the script as embedded in the
rendered module (on a real Redis), key schema and client identities."""

import unittest

import redis

import stablestack_rate_limiter as rl
import refmodel
import support


class VectorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.vectors = support.load_vectors()
        cls.r = redis.Redis.from_url(support.shared_redis_url())

    @classmethod
    def tearDownClass(cls):
        cls.r.close()

    def test_module_embeds_the_canonical_script(self):
        with open(support.LUA) as f:
            self.assertEqual(rl._LUA, f.read().rstrip("\n"))

    def test_reference_model(self):
        for v in self.vectors["limiter"]:
            with self.subTest(v["name"]):
                self.assertEqual(refmodel.evaluate(v["now_ms"], v["cost"], v["policies"]), v["expect"])

    def test_script_on_redis(self):
        for v in self.vectors["limiter"]:
            with self.subTest(v["name"]):
                keys = ["pyvt:{id}:p%d" % k for k in range(len(v["policies"]))]
                args = [v["cost"], v["now_ms"]]
                for key, pol in zip(keys, v["policies"]):
                    self.r.delete(key)
                    if pol["state"] is not None:
                        self.r.hset(key, mapping=pol["state"])
                    args += [pol["limit"], pol["window_ms"]]
                reply = rl._values(self.r.eval(rl._LUA, len(keys), *keys, *args))
                got = {"allowed": reply[0] == 1, "retry_after_ms": reply[1],
                       "remaining": reply[2::2], "reset_ms": reply[3::2], "state": []}
                for key in keys:
                    h = self.r.hgetall(key)
                    got["state"].append({k.decode(): int(x) for k, x in h.items()} if h else None)
                self.assertEqual(got, v["expect"])

    def test_log_reference_model(self):
        for v in self.vectors["log"]:
            with self.subTest(v["name"]):
                self.assertEqual(refmodel.evaluate_log(v["now_ms"], v["cost"], v["policies"]), v["expect"])

    def test_log_script_on_redis(self):
        for v in self.vectors["log"]:
            with self.subTest(v["name"]):
                keys = ["pylt:{id}:p%d:log" % k for k in range(len(v["policies"]))]
                args = [v["cost"], v["now_ms"]]
                for key, pol in zip(keys, v["policies"]):
                    self.r.delete(key)
                    for j, s in enumerate(pol["entries"] or []):
                        self.r.zadd(key, {"seed-%d" % j: s})
                    args += [pol["limit"], pol["window_ms"]]
                reply = rl._values(self.r.eval(rl._LOG_LUA, len(keys), *keys, *args))
                got = {"allowed": reply[0] == 1, "retry_after_ms": reply[1], "remaining": reply[2::2],
                       "reset_ms": reply[3::2],
                       "entries": [[int(s) for _, s in self.r.zrange(key, 0, -1, withscores=True)] for key in keys]}
                self.assertEqual(got, v["expect"])

    def test_module_embeds_the_log_script(self):
        with open(support.LUA.replace("sliding_window.lua", "sliding_log.lua")) as f:
            self.assertEqual(rl._LOG_LUA, f.read().rstrip("\n"))

    def test_keys(self):
        for kv in self.vectors["keys"]:
            scope, limit, window_ms = kv["policy"].rsplit(":", 2)
            lim = rl.Limit(int(limit), int(window_ms) / 1000)
            keys, _ = rl.Limiter(prefix=kv["prefix"])._call(kv["identity"], [lim], scope, 1)
            self.assertEqual(keys, [kv["key"]])

    def test_identities(self):
        for iv in self.vectors["identities"]:
            with self.subTest(iv):
                got = rl.client_identity(iv["peer"], iv["x_forwarded_for"], iv["trusted_proxies"])
                self.assertEqual(got, iv["identity"])


if __name__ == "__main__":
    unittest.main()
