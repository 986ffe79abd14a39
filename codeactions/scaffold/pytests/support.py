"""Shared helpers of the limiter tests: real redis-server processes, the
rendered module, the golden vectors.

The Go test (python_test.go) renders stablestack_rate_limiter.py into a temp
directory, puts it on PYTHONPATH and sets STABLESTACK_TEST_* variables. Run by
hand, render it yourself (stablestack add-rate-limiter --lang python --dir D)
and set PYTHONPATH=D.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCAFFOLD = os.path.dirname(HERE)
VECTORS = os.environ.get("STABLESTACK_TEST_VECTORS", os.path.join(SCAFFOLD, "testdata", "vectors.json"))
LUA = os.environ.get("STABLESTACK_TEST_LUA", os.path.join(SCAFFOLD, "templates", "sliding_window.lua"))
IN_CI = os.environ.get("CI") == "true"


def need(tool):
    """Skip loudly when a tool is missing, fail in CI."""
    path = shutil.which(tool)
    if path is None:
        if IN_CI:
            raise AssertionError("%s is required in CI but not installed" % tool)
        raise unittest.SkipTest("SKIPPING: %s not installed" % tool)
    return path


def need_module(name):
    import importlib
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        if IN_CI:
            raise AssertionError("python module %s is required in CI: %s" % (name, exc))
        raise unittest.SkipTest("SKIPPING: python module %s not installed (%s)" % (name, exc))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_vectors():
    with open(VECTORS) as f:
        return json.load(f)


class RedisServer:
    """A redis-server on a free loopback port, without persistence. It can be
    stopped and started again on the same port (a restart loses all data and
    the script cache, like a real one)."""

    def __init__(self, *extra, port=None):
        self.bin = need("redis-server")
        self.port = port or free_port()
        self.extra = list(extra)
        self.dir = tempfile.mkdtemp(prefix="stablestack-redis-")
        self.proc = None

    @property
    def url(self):
        return "redis://127.0.0.1:%d/0" % self.port

    def start(self):
        args = [self.bin, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.dir,
                "--logfile", os.path.join(self.dir, "redis.log")] + self.extra
        self.proc = subprocess.Popen(args)
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.cli("PING") == "PONG":
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server on %d did not start" % self.port)
            time.sleep(0.02)

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def cli(self, *args):
        """One command over a fresh socket (RESP), so tests need no client state."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            payload = "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(str(a).encode()), a) for a in args)
            s.sendall(payload.encode())
            f = s.makefile("rb")
            return _read_reply(f)


def _read_reply(f):
    line = f.readline().rstrip(b"\r\n").decode()
    kind, body = line[:1], line[1:]
    if kind == "+":
        return body
    if kind == "-":
        raise RuntimeError(body)
    if kind == ":":
        return int(body)
    if kind == "$":
        n = int(body)
        if n < 0:
            return None
        data = f.read(n + 2)[:n]
        return data.decode()
    if kind == "*":
        n = int(body)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    raise RuntimeError("bad reply %r" % line)


_shared = None


def shared_redis_url():
    """The redis-server started by the Go test, else one started here."""
    global _shared
    url = os.environ.get("STABLESTACK_TEST_REDIS_URL")
    if url:
        return url
    if _shared is None:
        _shared = RedisServer().start()
        import atexit
        atexit.register(_shared.close)
    return _shared.url


def subprocess_env():
    env = dict(os.environ)
    env.setdefault("STABLESTACK_REDIS_TIMEOUT", str(TEST_TIMEOUT))
    paths = [p for p in sys.path if p]
    env["PYTHONPATH"] = os.pathsep.join([HERE] + paths)
    return env


# Framework and counting tests are about behaviour, not latency: on a loaded
# machine the production 100 ms budget would make them fail open at random.
TEST_TIMEOUT = 2.0


def limiter(url=None, **options):
    import stablestack_rate_limiter as rl
    options.setdefault("timeout", TEST_TIMEOUT)
    options.setdefault("connect_timeout", TEST_TIMEOUT)
    return rl.Limiter(url or shared_redis_url(), **options)
