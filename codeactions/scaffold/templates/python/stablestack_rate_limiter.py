"""Redis-backed sliding-window rate limiting for Python web handlers.

Written into this project by `stablestack add-rate-limiter`; needs only
``redis>=4.2``. Works on sync and async handlers of FastAPI, Starlette, Flask,
Django (function views and class-based view methods) and aiohttp, without
changing handler signatures::

    from stablestack_rate_limiter import rate_limit, Limit

    @app.get("/items")
    @rate_limit(requests=100, window=60)          # 100 requests / 60 s per client
    async def items(): ...

    @rate_limit(limits=[Limit(10, 1), Limit(1000, 3600)])   # checked in one call
    @rate_limit(requests=5, window=60, name="login",
                key=lambda request: request.headers.get("X-Api-Key"))
    @rate_limit(requests=5, window=300, exact=True)   # exact sliding log, small limits

Behaviour (see docs/limiter.md of StableStack for the shared specification):

- One Lua script per request (EVALSHA, EVAL on NOSCRIPT) computes a sliding
  window counter with the Redis server clock; rejected requests consume nothing.
- Keys are ``<prefix>:{<sha256(identity)[:16]>}:<policy>``: cluster-safe, no raw
  IP addresses, every key expires after at most two windows.
- Rejected requests get 429 with an integer ``Retry-After`` (>= 1) and the IETF
  ``RateLimit-Policy`` / ``RateLimit`` fields, which allowed responses carry too.
- If Redis is unreachable the request is served (fail open) after at most the
  connect + command timeouts (100 ms each by default), a circuit breaker stops
  asking Redis for a while, and one warning per minute is logged.
  ``fail_open=False`` answers 503 with ``Retry-After`` instead.
- The client is the peer address (IPv6 grouped by /64). ``X-Forwarded-For`` is
  only believed when the peer is a configured trusted proxy.

Configuration: ``configure(...)`` or the environment: ``REDIS_URL``,
``STABLESTACK_TRUSTED_PROXIES`` (comma-separated addresses or networks),
``STABLESTACK_REDIS_CLUSTER=1``, ``STABLESTACK_REDIS_TIMEOUT`` (seconds, for both
the connect and the command timeout; default 0.1).
"""

import asyncio
import functools
import hashlib
import inspect
import ipaddress
import json
import logging
import math
import os
import re
import socket
import struct
import sys
import threading
import time
import typing
import weakref

import redis
import redis.asyncio
from redis.exceptions import NoScriptError

__all__ = ["rate_limit", "Limit", "Limiter", "Decision", "configure", "get_limiter", "client_identity"]

logger = logging.getLogger("stablestack.ratelimit")

def _script_sha(script):
    # EVALSHA names scripts by SHA-1; not a security use (FIPS builds refuse that).
    try:
        return hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()
    except TypeError:  # Python < 3.9
        return hashlib.sha1(script.encode()).hexdigest()


# The canonical script of StableStack (templates/sliding_window.lua), shared by
# every language so mixed fleets share counters. [1:-1] drops the newlines
# around it, so the text (and SHA-1) is the same as in the Node module.
_LUA = r"""
__STABLESTACK_SLIDING_WINDOW_LUA__
"""[1:-1]
_LUA_SHA = _script_sha(_LUA)

# The opt-in exact sliding log (templates/sliding_log.lua): same protocol, one
# sorted-set entry per admitted unit, for small limits such as logins.
_LOG_LUA = r"""
__STABLESTACK_SLIDING_LOG_LUA__
"""[1:-1]
_LOG_SHA = _script_sha(_LOG_LUA)
_LOG_MAX_REQUESTS = 10000  # the log keeps one entry per request

# Injected keyword parameters through which FastAPI hands the wrapper its
# Request and a Response to put headers on; removed before the handler runs.
_REQ_PARAM = "stablestack_request__"
_RESP_PARAM = "stablestack_response__"


class Limit:
    """One policy: at most ``requests`` per ``window`` seconds; ``name`` labels
    it in the RateLimit headers."""

    __slots__ = ("requests", "window", "name", "window_ms")

    def __init__(self, requests, window, name=None):
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
            raise ValueError("requests must be a positive integer, got %r" % (requests,))
        if isinstance(window, bool) or not isinstance(window, (int, float)) or window <= 0:
            raise ValueError("window must be a positive number of seconds, got %r" % (window,))
        window_ms = max(1, int(round(window * 1000)))
        if requests * window_ms >= 2 ** 53:
            raise ValueError("requests * window (ms) must stay below 2**53")
        self.requests = requests
        self.window = window
        self.name = name
        self.window_ms = window_ms

    def __repr__(self):
        return "Limit(%d, %r)" % (self.requests, self.window)


class Decision:
    """The answer for one request. ``remaining``/``reset_ms`` are per limit and
    None when Redis could not be asked."""

    __slots__ = ("allowed", "retry_after_ms", "limits", "remaining", "reset_ms", "unavailable", "legacy")

    def __init__(self, allowed, retry_after_ms, limits, remaining=None, reset_ms=None, unavailable=False,
                 legacy=False):
        self.allowed = allowed
        self.retry_after_ms = retry_after_ms
        self.limits = limits
        self.remaining = remaining
        self.reset_ms = reset_ms
        self.unavailable = unavailable
        self.legacy = legacy

    @property
    def retry_after(self):
        """Whole seconds until a retry can pass: rounded up, at least 1."""
        return max(1, -(-self.retry_after_ms // 1000))

    def headers(self):
        """Response header (name, value) pairs for this decision."""
        labels = _labels(self.limits)
        out = [("RateLimit-Policy", ", ".join(
            '"%s";q=%d;w=%d' % (label, lim.requests, math.ceil(lim.window))
            for label, lim in zip(labels, self.limits)))]
        if self.remaining is not None:
            out.append(("RateLimit", ", ".join(
                '"%s";r=%d;t=%d' % (label, rem, -(-reset // 1000))
                for label, rem, reset in zip(labels, self.remaining, self.reset_ms))))
            if self.legacy:  # X-RateLimit-* of the tightest policy, for old clients
                k = min(range(len(self.limits)), key=lambda i: self.remaining[i])
                out += [("X-RateLimit-Limit", str(self.limits[k].requests)),
                        ("X-RateLimit-Remaining", str(self.remaining[k])),
                        ("X-RateLimit-Reset", str(-(-self.reset_ms[k] // 1000)))]
        if not self.allowed:
            out.append(("Retry-After", str(self.retry_after)))
        return out


def _labels(limits):
    if len(limits) == 1:
        return [_header_label(limits[0].name or "default")]
    return [_header_label(lim.name or "%d-per-%ss" % (lim.requests, math.ceil(lim.window))) for lim in limits]


def _header_label(s):
    return re.sub(r'[^A-Za-z0-9._:/-]', "_", s)


# --- client identity --------------------------------------------------------

def _parse_ip(value):
    """An address from a peer or X-Forwarded-For entry (port and zone ignored)."""
    if not value:
        return None
    s = value.strip()
    if s.startswith("["):  # [v6]:port
        s = s[1:s.find("]")] if "]" in s else s[1:]
    elif s.count(":") == 1:  # v4:port
        s = s.split(":", 1)[0]
    s = s.split("%", 1)[0]
    try:
        addr = ipaddress.ip_address(s)
    except ValueError:
        return None
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def _parse_networks(trusted):
    if isinstance(trusted, str):
        trusted = [t for t in trusted.split(",")]
    nets = []
    for t in trusted or ():
        t = t.strip()
        if t:
            nets.append(ipaddress.ip_network(t, strict=False))
    return tuple(nets)


def _trusted(addr, nets):
    return any(addr.version == n.version and addr in n for n in nets)


def client_identity(peer, forwarded_for=None, trusted_proxies=()):
    """The identity string of a client: ``ip:<IPv4>`` or ``ip:<IPv6 /64 network>``.

    X-Forwarded-For is walked from the right only when the peer is a trusted
    proxy; the first untrusted hop is the client.
    """
    nets = trusted_proxies if isinstance(trusted_proxies, tuple) else _parse_networks(trusted_proxies)
    addr = _parse_ip(peer)
    if addr is None:
        return "ip:unknown"
    if forwarded_for and nets and _trusted(addr, nets):
        for hop in reversed(forwarded_for.split(",")):
            hop_addr = _parse_ip(hop)
            if hop_addr is None:
                break
            addr = hop_addr
            if not _trusted(addr, nets):
                break
    if addr.version == 6:
        return "ip:%s" % ipaddress.ip_network((addr, 64), strict=False)
    return "ip:%s" % addr


@functools.lru_cache(maxsize=65536)
def _hash_tag(identity):
    """b"{h}": the identity's hash tag, the part of its keys that varies, as sent."""
    return b"{%s}" % hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16].encode()


def _identity_hash(identity):
    return _hash_tag(identity)[1:-1].decode()


def _scope(name):
    return re.sub(r"[^A-Za-z0-9._/-]", "_", name)


# --- failure handling -------------------------------------------------------

class _Breaker:
    """Stops asking Redis after ``threshold`` consecutive failures for a backoff
    that doubles up to ``max_backoff``; then lets one probe through."""

    def __init__(self, threshold, backoff, max_backoff):
        self.threshold = threshold
        self.initial = backoff
        self.max_backoff = max_backoff
        self._lock = threading.Lock()  # guards every field below
        self._failures = 0
        self._backoff = backoff
        self._open_until = 0.0
        self._probing = False

    def allow(self):
        if self._failures < self.threshold:  # closed: no lock on the hot path
            return True
        with self._lock:
            if self._failures < self.threshold:
                return True
            if self._probing or time.monotonic() < self._open_until:
                return False
            self._probing = True
            return True

    def success(self):
        if self._failures:
            with self._lock:
                self._failures = 0
                self._backoff = self.initial
                self._probing = False

    def failure(self):
        with self._lock:
            self._failures += 1
            now = time.monotonic()
            if self._failures >= self.threshold and (self._probing or now >= self._open_until):
                self._open_until = now + self._backoff
                self._backoff = min(self._backoff * 2, self.max_backoff)
                self._probing = False

    def abandon(self):
        """A probe ended without an answer (its task was cancelled)."""
        if self._probing:
            with self._lock:
                self._probing = False

    def retry_after_ms(self):
        return max(1000, int(math.ceil((self._open_until - time.monotonic()) * 1000)))


class _Plan:
    """What one route sends: per identity the keys ``<prefix>:{h}<suffix>``, and
    the arguments (cost, "", limit_1, window_ms_1, ...)."""

    __slots__ = ("prefix", "suffixes", "args", "sha", "script", "parts")

    def __init__(self, prefix, scope, limits, exact, cost):
        end = ":log" if exact else ""
        self.prefix = prefix
        self.suffixes = tuple(":%s:%d:%d%s" % (scope, lim.requests, lim.window_ms, end) for lim in limits)
        args = [cost, ""]
        for lim in limits:
            args += [lim.requests, lim.window_ms]
        self.args = tuple(args)
        self.sha, self.script = (_LOG_SHA, _LOG_LUA) if exact else (_LUA_SHA, _LUA)
        self.parts = None  # the encoded EVALSHA command cut at the hash tags (split)

    def call(self, identity):
        head = "%s:{%s}" % (self.prefix, _identity_hash(identity))
        return [head + suffix for suffix in self.suffixes], self.args

    def split(self, conn, tag):
        """The EVALSHA command as the connection encodes it, cut around the hash
        tags, so that ``tag.join(parts)`` is the command of any identity (the
        prefix and scope hold no braces). False if the encoding does not allow
        it; checked against a real encoding of this identity's command."""
        parts = False
        try:
            blank = b"{" + b"-" * (len(tag) - 2) + b"}"
            keys = ["%s:%s%s" % (self.prefix, blank.decode(), suffix) for suffix in self.suffixes]
            cut = b"".join(conn.pack_command("EVALSHA", self.sha, len(keys), *keys, *self.args)).split(blank)
            real = ["%s:%s%s" % (self.prefix, tag.decode(), suffix) for suffix in self.suffixes]
            if (len(cut) == len(keys) + 1 and
                    tag.join(cut) == b"".join(conn.pack_command("EVALSHA", self.sha, len(real), *real, *self.args))):
                parts = tuple(cut)
        except Exception:  # an encoding that is not ASCII-compatible: no shortcut
            pass
        self.parts = parts
        return parts


def _kernel_timeouts(timeout):
    """redis_connect_func of the blocking standalone client: the command timeout
    is enforced by the kernel (SO_RCVTIMEO/SO_SNDTIMEO on a blocking socket)
    instead of Python's socket timeout, which polls the socket before every
    send and receive: two system calls of about 2 us each per check. Only on
    Linux and for plain stdlib sockets (not TLS, not gevent/eventlet sockets,
    whose timeouts live in user space); otherwise the socket keeps Python's
    timeout. Runs before the connection's handshake, which it also bounds.
    A timed-out read or write raises BlockingIOError inside redis-py, which
    disconnects and raises ConnectionError (_named_timeout names it)."""
    def connect(conn):
        sock = conn._sock
        kernel = False
        cls = type(sock)
        if (sys.platform.startswith("linux") and timeout and timeout >= 1e-6 and cls.__module__ == "socket"
                and cls.__name__ == "socket"):
            try:
                tv = struct.pack("@ll", int(timeout), int(round(timeout % 1 * 1e6)))
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)
                kernel = True
            except (OSError, struct.error, OverflowError):
                pass
        # redis-py restores conn.socket_timeout after its non-blocking peeks.
        conn.socket_timeout = None if kernel else timeout
        sock.settimeout(conn.socket_timeout)
        conn.on_connect()
    return connect


def _named_timeout(exc, timeout):
    """A kernel timeout (_kernel_timeouts) reaches redis-py as BlockingIOError,
    which it reports as a ConnectionError; the log should say what happened."""
    if isinstance(exc.__context__, BlockingIOError):
        err = redis.exceptions.TimeoutError("Redis did not answer within %gs" % timeout)
        err.__cause__ = exc
        return err
    return exc


def _values(reply):
    """The integers of a script reply, one status string (protocol 2):
    ``allowed retry_after_ms remaining_1 reset_ms_1 ...``. redis-py parses it in
    one line where an array of integers took one per element."""
    return [int(x) for x in reply.split()]


def _pool_args(pool):
    """redis-py 5.3+ deprecates the command name argument of get_connection."""
    try:
        param = inspect.signature(pool.get_connection).parameters.get("command_name")
        if param is None or param.default is not inspect.Parameter.empty:
            return ()
    except (TypeError, ValueError):
        pass
    return ("EVALSHA",)


class Limiter:
    """Talks to Redis for rate_limit; one per process is usually enough
    (``configure``/``get_limiter``). ``hit``/``ahit`` can also be used directly."""

    def __init__(self, redis_url=None, *, prefix="stablestack", trusted_proxies=None,
                 connect_timeout=None, timeout=None, fail_open=True, cluster=None,
                 breaker_threshold=3, breaker_backoff=1.0, breaker_max_backoff=30.0,
                 warn_interval=60.0, legacy_headers=False):
        if "{" in prefix or "}" in prefix:
            raise ValueError("prefix must not contain { or }: the hash tag belongs to the client")
        self.redis_url = redis_url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        self.prefix = prefix
        if trusted_proxies is None:
            trusted_proxies = os.environ.get("STABLESTACK_TRUSTED_PROXIES", "")
        self.trusted_proxies = _parse_networks(trusted_proxies)
        env_timeout = os.environ.get("STABLESTACK_REDIS_TIMEOUT")
        default_timeout = float(env_timeout) if env_timeout else 0.1
        self.connect_timeout = default_timeout if connect_timeout is None else connect_timeout
        self.timeout = default_timeout if timeout is None else timeout
        self.fail_open = fail_open
        if cluster is None:
            cluster = os.environ.get("STABLESTACK_REDIS_CLUSTER", "").lower() in ("1", "true", "yes")
        self.cluster = cluster
        self.warn_interval = warn_interval
        self.legacy_headers = legacy_headers
        self._breaker = _Breaker(breaker_threshold, breaker_backoff, breaker_max_backoff)
        self._client = None
        self._client_lock = threading.Lock()
        # redis.asyncio connections belong to the loop that opened them.
        self._aclients = weakref.WeakKeyDictionary()
        self._warn_lock = threading.Lock()
        self._last_warning = -math.inf
        self._suppressed = 0
        self.identity = functools.lru_cache(maxsize=16384)(self._identity)
        self._plans = {}
        self._pool_args = ("EVALSHA",)

    def _identity(self, peer, forwarded_for):
        return client_identity(peer, forwarded_for, self.trusted_proxies)

    def _client_options(self):
        opts = dict(socket_connect_timeout=self.connect_timeout, socket_timeout=self.timeout,
                    retry_on_timeout=False, health_check_interval=0)
        if self.cluster:
            opts["cluster_error_retry_attempts"] = 1
        return opts

    def _sync_client(self):
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    if self.cluster:
                        from redis.cluster import RedisCluster
                        client = RedisCluster.from_url(self.redis_url, **self._client_options())
                        # Load the scripts on every primary up front: redis-py's
                        # cluster client logs each NOSCRIPT with a traceback.
                        client.script_load(_LUA)
                        client.script_load(_LOG_LUA)
                        self._client = client
                    else:
                        client = redis.Redis.from_url(self.redis_url, redis_connect_func=_kernel_timeouts(self.timeout),
                                                      **self._client_options())
                        self._pool_args = _pool_args(client.connection_pool)
                        self._client = client
        return self._client

    def _async_client(self):
        loop = asyncio.get_running_loop()
        client = self._aclients.get(loop)
        if client is None:
            if self.cluster:
                from redis.asyncio.cluster import RedisCluster
                client = RedisCluster.from_url(self.redis_url, **self._client_options())
            else:
                client = redis.asyncio.Redis.from_url(self.redis_url, **self._client_options())
            self._aclients[loop] = client
        return client

    async def _async_cluster_ready(self, client):
        # As in _sync_client: scripts on every primary before the first EVALSHA.
        if not getattr(client, "_stablestack_loaded", False):
            await client.script_load(_LUA)
            await client.script_load(_LOG_LUA)
            client._stablestack_loaded = True

    def _plan(self, scope, limits, exact, cost):
        """What a route sends (key suffixes, arguments), built once per route."""
        plan = self._plans.get((scope, limits, exact, cost))
        if plan is None:
            if exact and any(lim.requests > _LOG_MAX_REQUESTS for lim in limits):
                raise ValueError("exact=True keeps one entry per request: use it for limits up to %d"
                                 % _LOG_MAX_REQUESTS)
            if len(self._plans) > 4096:  # callers of hit() building new Limits per call
                self._plans.clear()
            plan = self._plans[(scope, limits, exact, cost)] = _Plan(self.prefix, scope, limits, exact, cost)
        return plan

    def _call(self, identity, limits, scope, cost, exact=False):
        """The keys and arguments of one check."""
        if type(limits) is not tuple:
            limits = tuple(limits)
        return self._plan(scope, limits, exact, cost).call(identity)

    def hit(self, identity, limits, scope="default", cost=1, exact=False):
        """Count one request of ``identity`` against ``limits`` (blocking client).
        exact=True uses the exact sliding log instead of the counter."""
        if type(limits) is not tuple:
            limits = tuple(limits)
        if not self._breaker.allow():
            return self._unavailable(limits, None)
        plan = self._plans.get((scope, limits, exact, cost)) or self._plan(scope, limits, exact, cost)
        try:
            client = self._client
            if client is None:
                client = self._sync_client()
            if self.cluster:
                keys, args = plan.call(identity)
                try:
                    reply = client.evalsha(plan.sha, len(keys), *keys, *args)
                except NoScriptError:
                    reply = client.eval(plan.script, len(keys), *keys, *args)
            else:
                reply = self._send(client, plan, identity)
        except Exception as exc:  # any Redis trouble must not become a 500
            return self._unavailable(limits, exc)
        except BaseException:
            self._breaker.abandon()
            raise
        self._breaker.success()
        return self._decision(limits, reply)

    def _send(self, client, plan, identity):
        """EVALSHA (EVAL on NOSCRIPT) on one connection of the client's pool.

        redis-py's generic command path encodes every argument and goes through
        its retry wrapper on each call, about a third of a check's time; here the
        route's command is encoded once and only the identity's hash tag is
        joined in. Connections are taken from and returned to the pool as
        redis-py does it, and its connection methods disconnect on any error."""
        pool = client.connection_pool
        try:
            conn = pool.get_connection(*self._pool_args)  # (re)connects, handshake included
        except redis.exceptions.ConnectionError as exc:
            raise _named_timeout(exc, self.timeout)
        try:
            tag = _hash_tag(identity)
            parts = plan.parts
            if parts is None:
                parts = plan.split(conn, tag)
            if parts:
                conn.send_packed_command((tag.join(parts),))
            else:
                keys, args = plan.call(identity)
                conn.send_command("EVALSHA", plan.sha, len(keys), *keys, *args)
            try:
                return conn.read_response()
            except NoScriptError:  # the whole error reply was read: the connection is clean
                pass
            keys, args = plan.call(identity)
            conn.send_command("EVAL", plan.script, len(keys), *keys, *args)
            return conn.read_response()
        except redis.exceptions.ConnectionError as exc:
            raise _named_timeout(exc, self.timeout)
        finally:
            pool.release(conn)

    async def ahit(self, identity, limits, scope="default", cost=1, exact=False):
        """Count one request of ``identity`` against ``limits`` (redis.asyncio)."""
        if type(limits) is not tuple:
            limits = tuple(limits)
        if not self._breaker.allow():
            return self._unavailable(limits, None)
        plan = self._plans.get((scope, limits, exact, cost)) or self._plan(scope, limits, exact, cost)
        keys, args = plan.call(identity)
        try:
            client = self._async_client()
            if self.cluster:
                await self._async_cluster_ready(client)
            try:
                reply = await client.evalsha(plan.sha, len(keys), *keys, *args)
            except NoScriptError:
                reply = await client.eval(plan.script, len(keys), *keys, *args)
        except Exception as exc:
            return self._unavailable(limits, exc)
        except BaseException:  # cancelled (client went away): a probe must not stay pending
            self._breaker.abandon()
            raise
        self._breaker.success()
        return self._decision(limits, reply)

    def _decision(self, limits, reply):
        v = _values(reply)
        return Decision(v[0] == 1, v[1], limits, v[2::2], v[3::2], legacy=self.legacy_headers)

    def close(self):
        """Close the blocking client's connections."""
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def aclose(self):
        """Close the connections opened on the running event loop."""
        client = self._aclients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.close()

    def _unavailable(self, limits, exc):
        if exc is not None:
            self._breaker.failure()
            self._warn(exc)
        if self.fail_open:
            return Decision(True, 0, limits, unavailable=True, legacy=self.legacy_headers)
        return Decision(False, self._breaker.retry_after_ms(), limits, unavailable=True, legacy=self.legacy_headers)

    def _warn(self, exc):
        now = time.monotonic()
        with self._warn_lock:
            if now - self._last_warning < self.warn_interval:
                self._suppressed += 1
                return
            suppressed, self._suppressed = self._suppressed, 0
            self._last_warning = now
        logger.warning("rate limiter cannot reach Redis at %s (%s: %s); %s; %d more failures in the last %ds",
                       _redact(self.redis_url), type(exc).__name__, exc,
                       "serving requests unlimited" if self.fail_open else "answering 503",
                       suppressed, int(self.warn_interval))


def _redact(url):
    return re.sub(r"//[^@/]*@", "//***@", url)


_default = None
_default_lock = threading.Lock()


def configure(**options):
    """Replace the process-wide Limiter used by rate_limit (see Limiter)."""
    global _default
    with _default_lock:
        _default = Limiter(**options)
    return _default


def get_limiter():
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Limiter()
    return _default


# --- frameworks -------------------------------------------------------------
# Each adapter knows where a framework keeps the peer address and headers and
# how it builds responses. The request is found at call time, so handler
# signatures stay as they are.

def _body(decision):
    if decision.unavailable:
        return {"error": "rate_limiter_unavailable", "retry_after": decision.retry_after}
    return {"error": "rate_limited", "retry_after": decision.retry_after}


def _status(decision):
    return 503 if decision.unavailable else 429


class _Starlette:
    name = "starlette"

    @staticmethod
    def peer(request):
        return request.client.host if request.client else None

    @staticmethod
    def forwarded_for(request):
        return ", ".join(request.headers.getlist("x-forwarded-for")) or None

    @staticmethod
    def reject(request, decision):
        from starlette.responses import JSONResponse
        return JSONResponse(_body(decision), status_code=_status(decision), headers=dict(decision.headers()))

    @staticmethod
    def annotate(result, decision, response_param):
        from starlette.responses import Response
        target = result if isinstance(result, Response) else response_param
        if target is not None:
            for k, v in decision.headers():
                target.headers[k] = v
        return result


class _Flask:
    name = "flask"

    @staticmethod
    def peer(request):
        return request.remote_addr

    @staticmethod
    def forwarded_for(request):
        return ", ".join(request.headers.getlist("X-Forwarded-For")) or None

    @staticmethod
    def reject(request, decision):
        from flask import current_app
        return current_app.response_class(json.dumps(_body(decision)), status=_status(decision),
                                          headers=decision.headers(), mimetype="application/json")

    @staticmethod
    def annotate(result, decision, response_param):
        from flask import after_this_request

        @after_this_request
        def add_headers(response):
            for k, v in decision.headers():
                response.headers[k] = v
            return response
        return result


class _Django:
    name = "django"

    @staticmethod
    def peer(request):
        return request.META.get("REMOTE_ADDR")

    @staticmethod
    def forwarded_for(request):
        return request.META.get("HTTP_X_FORWARDED_FOR")

    @staticmethod
    def reject(request, decision):
        from django.http import HttpResponse
        response = HttpResponse(json.dumps(_body(decision)), status=_status(decision),
                                content_type="application/json")
        for k, v in decision.headers():
            response[k] = v
        return response

    @staticmethod
    def annotate(result, decision, response_param):
        if hasattr(result, "__setitem__") and hasattr(result, "status_code"):
            for k, v in decision.headers():
                result[k] = v
        return result


class _Aiohttp:
    name = "aiohttp"

    @staticmethod
    def peer(request):
        return request.remote

    @staticmethod
    def forwarded_for(request):
        return ", ".join(request.headers.getall("X-Forwarded-For", ())) or None

    @staticmethod
    def reject(request, decision):
        from aiohttp import web
        return web.json_response(_body(decision), status=_status(decision), headers=dict(decision.headers()))

    @staticmethod
    def annotate(result, decision, response_param):
        from aiohttp import web
        if isinstance(result, web.StreamResponse) and not result.prepared:
            for k, v in decision.headers():
                result.headers[k] = v
        return result


def _find_request(args, kwargs, injected, request_param):
    """(adapter, request) for this call, looking only at loaded frameworks."""
    if injected is not None:
        return _Starlette, injected
    if request_param is not None and request_param in kwargs:
        return _Starlette, kwargs[request_param]
    modules = sys.modules
    if "starlette.requests" in modules:
        req_type = modules["starlette.requests"].Request
        for a in args:
            if isinstance(a, req_type):
                return _Starlette, a
    if "django.http" in modules:
        req_type = modules["django.http"].HttpRequest
        for a in args:
            if isinstance(a, req_type):
                return _Django, a
    if "aiohttp.web" in modules:
        web = modules["aiohttp.web"]
        for a in args:
            if isinstance(a, web.BaseRequest):
                return _Aiohttp, a
            if isinstance(a, web.View):
                return _Aiohttp, a.request
    if "flask" in modules:
        flask = modules["flask"]
        if flask.has_request_context():
            return _Flask, flask.request
    if "starlette.requests" in modules:
        req_type = modules["starlette.requests"].Request
        for v in kwargs.values():
            if isinstance(v, req_type):
                return _Starlette, v
    return None, None


def _starlette_params(func):
    """For FastAPI: a signature with a Request (and Response) parameter added
    when the handler has none, plus the names of the handler's own ones.
    FastAPI injects parameters by annotation, so the handler stays unchanged."""
    if "starlette" not in sys.modules:
        return None, None, None
    from starlette.requests import Request
    from starlette.responses import Response
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None, None, None
    try:  # resolve string annotations in the handler's own module
        hints = typing.get_type_hints(func, include_extras=True)
    except Exception:
        hints = {}
    params, request_param, response_param = [], None, None
    for p in sig.parameters.values():
        ann = hints.get(p.name, p.annotation)
        if isinstance(ann, type) and issubclass(ann, Request) and request_param is None:
            request_param = p.name
        elif isinstance(ann, type) and issubclass(ann, Response) and response_param is None:
            response_param = p.name
        params.append(p.replace(annotation=ann))
    extra = []
    if request_param is None:
        extra.append(inspect.Parameter(_REQ_PARAM, inspect.Parameter.KEYWORD_ONLY, annotation=Request))
    if response_param is None:
        extra.append(inspect.Parameter(_RESP_PARAM, inspect.Parameter.KEYWORD_ONLY, annotation=Response))
    var_kw = [p for p in params if p.kind is inspect.Parameter.VAR_KEYWORD]
    params = [p for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD] + extra + var_kw
    try:
        new_sig = sig.replace(parameters=params, return_annotation=hints.get("return", sig.return_annotation))
    except ValueError:
        return None, request_param, response_param
    return new_sig, request_param, response_param


class _Route:
    """The limits of one decorated handler and how to identify its clients."""

    def __init__(self, scope, limits, key, cost, fail_open, limiter, exact):
        self.exact = exact
        self.scope = scope
        self.limits = limits
        self.key = key
        self.cost = cost
        self.fail_open = fail_open
        self._limiter = limiter

    @property
    def limiter(self):
        return self._limiter or get_limiter()

    def identity(self, adapter, request, limiter):
        if self.key is not None:
            return self.key(request)  # str() is applied by the wrapper, after awaiting
        return limiter.identity(adapter.peer(request), adapter.forwarded_for(request))

    def finish(self, decision, limiter):
        # A route's fail_open overrides the limiter's default.
        if decision.unavailable and self.fail_open is not None and self.fail_open != limiter.fail_open:
            if self.fail_open:
                return Decision(True, 0, self.limits, unavailable=True, legacy=limiter.legacy_headers)
            return Decision(False, limiter._breaker.retry_after_ms(), self.limits, unavailable=True,
                            legacy=limiter.legacy_headers)
        return decision


def rate_limit(requests=None, window=None, *, limits=(), name=None, key=None, cost=1,
               fail_open=None, limiter=None, exact=False):
    """Limit a handler to ``requests`` per ``window`` seconds per client.

    limits: more Limit(requests, window) policies (or (requests, window)
        tuples), all checked in the same Redis call.
    name: shared counter scope (default: the handler's module.qualname); give
        Python and Node routes the same name to share their counters.
    key: function(request) -> identity string (e.g. a user id or API key)
        instead of the client address; may be async for async handlers;
        None skips limiting for that request.
    cost: units each request consumes.
    fail_open: override the limiter's choice for this route (True: serve when
        Redis is unreachable; False: answer 503).
    limiter: a Limiter instead of the process-wide one (configure()).
    exact: count with an exact sliding log (one Redis entry per request)
        instead of the sliding-window counter; for small limits (login, OTP).
    """
    policies = []
    if requests is not None or window is not None:
        if requests is None or window is None:
            raise TypeError("rate_limit needs both requests= and window=")
        policies.append(Limit(requests, window))
    for lim in limits:
        policies.append(lim if isinstance(lim, Limit) else Limit(*lim))
    if not policies:
        raise TypeError("rate_limit needs requests= and window=, or limits=")
    if len({(p.requests, p.window_ms) for p in policies}) != len(policies):
        raise ValueError("rate_limit: the same limit is given twice (it would be counted twice)")
    if exact and any(p.requests > _LOG_MAX_REQUESTS for p in policies):
        raise ValueError("exact=True keeps one entry per request: use it for limits up to %d" % _LOG_MAX_REQUESTS)
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        raise ValueError("cost must be a non-negative integer")

    def decorate(func):
        route = _Route(_scope(name or "%s.%s" % (func.__module__, func.__qualname__)),
                       tuple(policies), key, cost, fail_open, limiter, exact)
        signature, request_param, response_param = _starlette_params(func)

        def prepare(args, kwargs):
            injected = kwargs.pop(_REQ_PARAM, None)
            response = kwargs.pop(_RESP_PARAM, None)
            if response is None and response_param is not None:
                response = kwargs.get(response_param)
            adapter, request = _find_request(args, kwargs, injected, request_param)
            if adapter is None:
                raise RuntimeError("rate_limit on %s: no FastAPI/Starlette, Flask, Django or aiohttp "
                                   "request found in this call" % func.__qualname__)
            return adapter, request, response

        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def wrapper(*args, **kwargs):
                adapter, request, response = prepare(args, kwargs)
                lim = route.limiter
                identity = route.identity(adapter, request, lim)
                if inspect.isawaitable(identity):
                    identity = await identity
                decision = None
                if identity is not None:
                    identity = str(identity)
                    if adapter is _Flask:
                        # Flask runs async views on a private per-request loop.
                        decision = route.finish(lim.hit(identity, route.limits, route.scope, route.cost, route.exact), lim)
                    else:
                        decision = route.finish(await lim.ahit(identity, route.limits, route.scope, route.cost, route.exact), lim)
                    if not decision.allowed:
                        return adapter.reject(request, decision)
                result = await func(*args, **kwargs)
                if decision is not None:
                    result = adapter.annotate(result, decision, response)
                return result
        else:
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                adapter, request, response = prepare(args, kwargs)
                lim = route.limiter
                identity = route.identity(adapter, request, lim)
                decision = None
                if identity is not None:
                    identity = str(identity)
                    decision = route.finish(lim.hit(identity, route.limits, route.scope, route.cost, route.exact), lim)
                    if not decision.allowed:
                        return adapter.reject(request, decision)
                result = func(*args, **kwargs)
                if decision is not None:
                    result = adapter.annotate(result, decision, response)
                return result

        if signature is not None:
            wrapper.__signature__ = signature
        wrapper.stablestack_rate_limit = route
        return wrapper

    return decorate
