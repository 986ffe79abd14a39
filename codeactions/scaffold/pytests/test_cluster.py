"""Redis Cluster: one node owning every slot (Redis itself rejects a
multi-key script whose keys span slots with CROSSSLOT) and three masters
created with redis-cli --cluster create (keys of different clients spread,
one client's keys stay together)."""

import asyncio
import subprocess
import time
import unittest
import uuid

import redis
from redis.cluster import RedisCluster

import stablestack_rate_limiter as rl
import support

LIMITS = (rl.Limit(3, 60), rl.Limit(100, 3600))


def wait_cluster_ok(server):
    deadline = time.monotonic() + 20
    while "cluster_state:ok" not in server.cli("CLUSTER", "INFO"):
        if time.monotonic() > deadline:
            raise RuntimeError("cluster did not become ok")
        time.sleep(0.05)


def cluster_node():
    # An explicit bus port: the default (port + 10000) overflows for high free ports.
    return support.RedisServer("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                               "--cluster-port", str(support.free_port()))


class SingleNodeClusterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = cluster_node().start()
        cls.server.cli("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
        wait_cluster_ok(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_untagged_multi_key_script_is_rejected(self):
        # Proves this server would catch keys that are not hash-tagged together.
        r = redis.Redis.from_url(self.server.url)
        self.addCleanup(r.close)
        with self.assertRaisesRegex(redis.ResponseError, "CROSSSLOT"):
            r.eval(rl._LUA, 2, "stablestack:a:p", "stablestack:b:p", 1, "", 3, 60000, 100, 3600000)

    def test_multi_limit_route_with_plain_client(self):
        limiter = support.limiter(self.server.url)
        s = "cluster." + uuid.uuid4().hex[:8]
        ds = [limiter.hit("ip:203.0.113.70", LIMITS, s) for _ in range(4)]
        self.assertEqual([(d.allowed, d.unavailable) for d in ds], [(True, False)] * 3 + [(False, False)])

    def test_multi_limit_route_with_cluster_client(self):
        limiter = rl.Limiter(self.server.url, cluster=True, timeout=2, connect_timeout=2)
        s = "cluster." + uuid.uuid4().hex[:8]
        ds = [limiter.hit("ip:203.0.113.71", LIMITS, s) for _ in range(4)]
        self.assertEqual([(d.allowed, d.unavailable) for d in ds], [(True, False)] * 3 + [(False, False)])

        async def async_hits():
            out = [await limiter.ahit("ip:203.0.113.72", LIMITS, s) for _ in range(4)]
            await limiter.aclose()
            return out
        ds = asyncio.run(async_hits())
        self.assertEqual([(d.allowed, d.unavailable) for d in ds], [(True, False)] * 3 + [(False, False)])


class ThreeMasterClusterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cli = support.need("redis-cli")
        cls.servers = [cluster_node().start() for _ in range(3)]
        subprocess.run([cli, "--cluster", "create"] + ["127.0.0.1:%d" % s.port for s in cls.servers] +
                       ["--cluster-replicas", "0", "--cluster-yes"], check=True, capture_output=True, timeout=60)
        for s in cls.servers:
            wait_cluster_ok(s)

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.close()

    def test_clients_spread_and_each_is_limited_exactly(self):
        limiter = rl.Limiter(self.servers[0].url, cluster=True, timeout=2, connect_timeout=2)
        s = "cluster3." + uuid.uuid4().hex[:8]
        for n in range(30):
            ds = [limiter.hit("ip:198.51.100.%d" % n, LIMITS, s) for _ in range(4)]
            self.assertEqual([(d.allowed, d.unavailable) for d in ds], [(True, False)] * 3 + [(False, False)], n)
        async def async_clients():
            out = []
            for n in range(30, 40):
                out.append([await limiter.ahit("ip:198.51.100.%d" % n, LIMITS, s) for _ in range(4)])
            await limiter.aclose()
            return out
        for ds in asyncio.run(async_clients()):
            self.assertEqual([(d.allowed, d.unavailable) for d in ds], [(True, False)] * 3 + [(False, False)])
        per_node = [int(srv.cli("DBSIZE")) for srv in self.servers]
        self.assertEqual(sum(per_node), 80)
        self.assertGreaterEqual(sum(1 for c in per_node if c > 0), 2, per_node)
        # Each client's two policy keys live on the same node.
        for n in range(30):
            tag = rl._identity_hash("ip:198.51.100.%d" % n)
            holders = [srv for srv in self.servers if srv.cli("KEYS", "stablestack:{%s}:*" % tag)]
            self.assertEqual(len(holders), 1)
            self.assertEqual(len(holders[0].cli("KEYS", "stablestack:{%s}:*" % tag)), 2)


if __name__ == "__main__":
    unittest.main()
