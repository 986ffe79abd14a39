'use strict';
/*
 * stablestack-rate-limiter.js: written into your repository by `stablestack add-rate-limiter`.
 *
 * A Redis-backed sliding-window rate limiter for Express, Fastify, Hono, Koa and Next.js (App
 * and Pages Router). Every check is ONE round trip: a Lua script that reads the server clock (TIME),
 * weighs the previous window by its remaining overlap, and increments only when every limit
 * of the call admits the request. The script and the key schema are shared with the Python
 * module (stablestack_rate_limiter.py), so a mixed Python + Node fleet shares its counters.
 *
 *   const { rateLimit } = require('./stablestack-rate-limiter');     // or import { ... }
 *   app.post('/login', rateLimit({ requests: 5, window: 60 }), handler);            // Express
 *   fastify.post('/login', { onRequest: fastifyRateLimit({ requests: 5, window: 60 }) }, h);
 *   app.post('/login', honoRateLimit({ requests: 5, window: 60 }), handler);        // Hono
 *   router.post('/login', koaRateLimit({ requests: 5, window: 60 }), handler);      // Koa
 *   export const POST = withRateLimit(handler, { requests: 5, window: 60, name: 'login' });
 *   export default withRateLimit(function handler(req, res) {...}, { requests: 5, window: 60 });  // pages/api
 *   rateLimit({ limits: [{ requests: 10, window: 1 }, { requests: 1000, window: 3600 }] });
 *   rateLimit({ requests: 100, window: 60, key: (req) => req.user && `user:${req.user.id}` });
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379), STABLESTACK_TRUSTED_PROXIES
 * (comma-separated addresses/CIDRs), STABLESTACK_REDIS_CLUSTER=1 for Redis Cluster. All
 * options are typed in stablestack-rate-limiter.d.ts.
 *
 * Design choices, each one a failure mode of popular limiters:
 * - Redis is a dependency you must survive losing: by default the limiter fails OPEN, with
 *   tight connect/command timeouts, no client-side command retries, no offline queue, and a
 *   circuit breaker so an outage costs one timeout, not one timeout per request. It logs one
 *   warning per interval, not one per request. `failOpen: false` answers 503 + Retry-After.
 * - The client is the peer address (IPv6 grouped by /64). X-Forwarded-For is read only when
 *   the peer is one of `trustedProxies`, and then the rightmost untrusted hop wins: the
 *   leftmost entries are whatever the client chose to send.
 * - Keys are `<prefix>:{<hash of identity>}:<policy>`: one client's keys share a Redis
 *   Cluster slot (several limits in one script, no CROSSSLOT), clients spread over slots, and
 *   no raw address appears in a key name.
 *
 * It works with the `redis` (node-redis v4 and v5) and `ioredis` packages: pass your client as
 * `redis`, or let the module create one from REDIS_URL with the first of the two installed.
 */

const crypto = require('node:crypto');
const net = require('node:net');

// The canonical script (codeactions/scaffold/templates/sliding_window.lua), inlined by the
// scaffolder. Its SHA-1 is computed here so EVALSHA always names exactly this text.
const SLIDING_WINDOW_LUA = String.raw`__STABLESTACK_SLIDING_WINDOW_LUA__`;
const SLIDING_WINDOW_SHA = crypto.createHash('sha1').update(SLIDING_WINDOW_LUA).digest('hex');

// Defaults shared with the Python module (docs/limiter.md, "Failure behaviour").
const DEFAULTS = Object.freeze({
  prefix: 'stablestack',
  url: 'redis://127.0.0.1:6379',
  connectTimeoutMs: 100,
  commandTimeoutMs: 100,
  failOpen: true,
  headers: true,
  legacyHeaders: false,
  warnIntervalMs: 60000,
  breakerThreshold: 3,
  breakerMinBackoffMs: 1000,
  breakerMaxBackoffMs: 30000,
});

// ---------------------------------------------------------------------------------------
// Key schema and script protocol (docs/limiter.md). Everything that must agree byte for
// byte with the Python module lives in this section.
// ---------------------------------------------------------------------------------------

/** The identity of a client address (`ip:unknown` when there is none). */
function addressIdentity(address) {
  return 'ip:' + (address || 'unknown');
}

/** The hash tag of an identity's keys: 16 hex of its SHA-256, no raw address in key names. */
function identityTag(identity) {
  return recentIdentity(identity).tag;
}

// Clients repeat, and hashing an identity and building its KEYS cost more than the rest of a
// check's client-side work. So recent identities keep their tag and the KEYS of the last few
// scopes (plans) they were checked under. Bounded for the whole process, whatever the number
// of limiters and routes: a flood of new identities evicts the oldest.
const IDENTITY_CACHE_SIZE = 16384;
const PLANS_PER_IDENTITY = 4;
const recentIdentities = new Map();
const sha256Hex = typeof crypto.hash === 'function'
  ? (s) => crypto.hash('sha256', s, 'hex')
  : (s) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

function recentIdentity(identity) {
  let r = recentIdentities.get(identity);
  if (r === undefined) {
    r = { tag: sha256Hex(identity).slice(0, 16), plans: [], keys: [], replace: 0 };
    if (recentIdentities.size >= IDENTITY_CACHE_SIZE) recentIdentities.delete(recentIdentities.keys().next().value);
    recentIdentities.set(identity, r);
  }
  return r;
}

/** A scope (route or user-given name) as it may appear in a key. */
function sanitizeScope(scope) {
  return String(scope).replace(/[^A-Za-z0-9._/-]/g, '_');
}

/** `<prefix>:{<h>}:<scope>:<limit>:<window_ms>`: the same key in every language. */
function limitKey(prefix, tag, scope, limit) {
  return prefix + ':{' + tag + '}:' + scope + ':' + limit.requests + ':' + limit.windowMs;
}

/**
 * What one scope's script calls have in common: the key of limit k is
 * `head + '{' + tag + '}' + tails[k]`, and ARGV never changes (the clients copy it).
 * `batch` collects the checks waiting to share a script call (createLimiter).
 */
function keyPlan(prefix, scope, limits, cost) {
  // ARGV[2] is empty: the script reads the clock with TIME (a timestamp is for tests only).
  const args = [String(cost), ''];
  const tails = limits.map((l) => {
    args.push(String(l.requests), String(l.windowMs));
    return limitKey('', '', scope, l).slice(3); // ':<scope>:<limit>:<window_ms>'
  });
  return { head: prefix + ':', tails, args, batch: null };
}

/** KEYS of one script call checking every limit of a route together (never modified). */
function planKeys(plan, identity) {
  const r = recentIdentity(identity);
  for (let i = 0; i < r.plans.length; i++) if (r.plans[i] === plan) return r.keys[i];
  const tag = '{' + r.tag + '}';
  const keys = new Array(plan.tails.length);
  for (let i = 0; i < keys.length; i++) keys[i] = plan.head + tag + plan.tails[i];
  if (r.plans.length < PLANS_PER_IDENTITY) {
    r.plans.push(plan);
    r.keys.push(keys);
  } else {
    r.plans[r.replace] = plan;
    r.keys[r.replace] = keys;
    r.replace = (r.replace + 1) % PLANS_PER_IDENTITY;
  }
  return keys;
}

/**
 * Turns the script's reply into a decision. Reply (protocol 2): one status string of
 * integers separated by spaces, "allowed retry_after_ms" then for each limit "remaining
 * reset_ms"; a batch reply is several of them in a row, this one at `at`. Also takes the
 * reply already split (an array).
 */
function parseReply(reply, limits, at = 0) {
  if (!Array.isArray(reply)) reply = String(reply).split(' ');
  const allowed = Number(reply[at]) === 1;
  const retryAfterMs = Number(reply[at + 1]);
  const results = new Array(limits.length);
  for (let i = 0; i < limits.length; i++) {
    results[i] = {
      name: limits[i].label,
      limit: limits[i].requests,
      window: limits[i].windowSeconds,
      remaining: Number(reply[at + 2 + 2 * i]),
      resetSeconds: Math.max(0, Math.ceil(Number(reply[at + 3 + 2 * i]) / 1000)),
    };
  }
  return {
    allowed,
    retryAfter: allowed ? 0 : Math.max(1, Math.ceil(retryAfterMs / 1000)),
    results,
    error: null,
  };
}

// ---------------------------------------------------------------------------------------
// Client identity: peer address, /64 grouping, trusted proxies.
// ---------------------------------------------------------------------------------------

/** Parses an address as found in sockets and forwarding headers; null when not an IP. */
function parseAddress(raw) {
  if (raw == null) return null;
  let s = String(raw).trim();
  if (s === '') return null;
  if (s[0] === '[') {
    const end = s.indexOf(']');
    if (end < 0) return null;
    s = s.slice(1, end);
  } else if (s.indexOf('.') > 0 && s.indexOf(':') > 0 && s.indexOf(':') === s.lastIndexOf(':')) {
    s = s.slice(0, s.indexOf(':')); // "203.0.113.7:51234" as written by some proxies
  }
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const family = net.isIP(s);
  if (family === 4) return { family: 4, address: s };
  if (family !== 6) return null;
  const groups = expandIPv6(s.toLowerCase());
  // IPv4-mapped (::ffff:a.b.c.d) is the IPv4 client of a dual-stack socket.
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 &&
      groups[4] === 0 && groups[5] === 0xffff) {
    return {
      family: 4,
      address: [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join('.'),
    };
  }
  return { family: 6, address: s.toLowerCase(), groups };
}

/** The eight 16-bit groups of a valid IPv6 address (embedded IPv4 tail allowed). */
function expandIPv6(s) {
  let tail = [];
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > 0) {
    const v4 = s.slice(lastColon + 1).split('.').map(Number);
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    s = s.slice(0, lastColon + 1) + (s[lastColon - 1] === ':' ? '' : '0');
    if (s.endsWith(':0')) s = s.slice(0, -2) + ':';
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const want = 8 - tail.length;
  const [head, rest] = s.split('::');
  const h = head ? head.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)) : [];
  let groups;
  if (rest === undefined) {
    groups = h;
  } else {
    const r = rest ? rest.split(':').filter((x) => x !== '').map((x) => parseInt(x, 16)) : [];
    groups = h.concat(new Array(Math.max(0, want - h.length - r.length)).fill(0), r);
  }
  return groups.slice(0, want).concat(tail);
}

/** RFC 5952 text of eight groups: longest run (>= 2) of zero groups becomes "::". */
function formatIPv6(groups) {
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

/** The rate-limited unit of an address: itself for IPv4, its /64 network for IPv6. */
function clientGroup(parsed) {
  if (parsed.family === 4) return parsed.address;
  const g = parsed.groups.slice(0, 4).concat([0, 0, 0, 0]);
  return formatIPv6(g) + '/64';
}

const NAMED_RANGES = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
};

const TRUST_CACHE_SIZE = 16384;

/** Compiles `trustedProxies` (addresses, CIDRs, or loopback/private/linklocal) once. */
function compileTrust(list) {
  if (!list || list.length === 0) return null;
  const block = new net.BlockList();
  const entries = typeof list === 'string' ? list.split(',') : list; // "10.0.0.0/8, ::1" as in Python
  for (const entry of entries.map((e) => String(e).trim()).filter(Boolean)) {
    const named = NAMED_RANGES[String(entry).toLowerCase()];
    for (const item of named || [entry]) {
      const [addr, bits] = String(item).split('/');
      const parsed = parseAddress(addr);
      if (!parsed) throw new TypeError('stablestack-rate-limiter: bad trustedProxies entry: ' + item);
      const type = parsed.family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) block.addAddress(parsed.address, type);
      else block.addSubnet(parsed.address, Number(bits), type);
    }
  }
  // BlockList.check builds a SocketAddress per call, the largest cost of a request in the
  // middleware; the same proxies and clients come back, so answers are remembered (bounded).
  const seen = new Map();
  return {
    has(parsed) {
      let trusted = seen.get(parsed.address);
      if (trusted === undefined) {
        trusted = block.check(parsed.address, parsed.family === 4 ? 'ipv4' : 'ipv6');
        if (seen.size >= TRUST_CACHE_SIZE) seen.delete(seen.keys().next().value);
        seen.set(parsed.address, trusted);
      }
      return trusted;
    },
  };
}

/**
 * The client address behind `peer`. X-Forwarded-For counts only when the peer is trusted;
 * then hops are read right to left and the first untrusted one is the client.
 */
function resolveClient(peer, forwardedFor, trust) {
  const p = parseAddress(peer);
  if (!p) return null;
  if (!trust || !forwardedFor || !trust.has(p)) return p;
  return rightmostUntrusted(p, forwardedFor, trust);
}

/** Walks X-Forwarded-For right to left from a trusted `last` hop to the first untrusted one. */
function rightmostUntrusted(last, forwardedFor, trust) {
  const hops = String(forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(hops[i]);
    if (!hop) return last;
    if (!trust.has(hop)) return hop;
    last = hop;
  }
  return last;
}

const UNKNOWN = addressIdentity(null);

/**
 * The identity of a request's client: `ip:<address or /64>`, or `ip:unknown` (the rules
 * of docs/limiter.md, as in Python). Two additions for hosts without a socket: `platformIp`
 * is the value of the configured `ipHeader`, set by a platform clients cannot bypass, and
 * `socketless` (Next.js route handlers) reads X-Forwarded-For through the trusted proxies,
 * assuming the request came from one, since there is no peer to check.
 */
function clientIdentity(peer, forwardedFor, trust, platformIp, socketless) {
  let client = platformIp ? parseAddress(String(platformIp).split(',').pop()) : null;
  if (!client) client = resolveClient(peer, forwardedFor, trust);
  if (!client && socketless && trust && forwardedFor) client = rightmostUntrusted(null, forwardedFor, trust);
  return client ? addressIdentity(clientGroup(client)) : UNKNOWN;
}

// ---------------------------------------------------------------------------------------
// Redis clients: node-redis and ioredis behind one two-method adapter.
// ---------------------------------------------------------------------------------------

function isNoScript(err) {
  return Boolean(err && typeof err.message === 'string' && err.message.startsWith('NOSCRIPT'));
}

function isCrossSlot(err) {
  return Boolean(err && typeof err.message === 'string' && err.message.startsWith('CROSSSLOT'));
}

/**
 * Waits for a client's FIRST connection (starting it if nobody has): requests that arrive
 * while the app boots must not fail open just because the socket is still connecting. Later
 * disconnects are not waited for; with no offline queue, commands then fail fast.
 */
function firstConnection(client, isReady, isIdle) {
  let done = false;
  let pending = null;
  let wake = null;
  const settle = () => {
    const w = wake;
    pending = wake = null;
    if (w) w();
  };
  // node-redis clients and ioredis emit 'ready'; a node-redis cluster only resolves connect().
  if (typeof client.once === 'function') client.once('ready', () => { done = true; settle(); });
  return function ensureOpen() {
    if (done) return null;
    if (pending) return pending;
    if (isReady()) {
      done = true;
      return null;
    }
    pending = new Promise((resolve) => { wake = resolve; });
    if (isIdle()) {
      Promise.resolve().then(() => client.connect()).then(() => { done = true; settle(); }, settle);
    }
    return pending;
  };
}

/** Adapts a user's client (or cluster client) of either package. */
function adaptClient(client) {
  if (client && typeof client.evalSha === 'function') {
    // node-redis v4 and v5. A cluster client routes evalSha/eval by a first key it fails to
    // find (v4 passes the SHA where it expects the options), so they land on a random node
    // and fail with MOVED; sendCommand takes the routing key explicitly.
    // A standalone client takes the raw command too: it skips the argument transformation
    // of evalSha, which costs as much as the rest of a check's client-side work.
    const cluster = Array.isArray(client.masters);
    const command = (name, body, keys, args) => [name, body, String(keys.length), ...keys, ...args];
    const send = cluster
      ? (name, body, keys, args) => client.sendCommand(keys[0], false, command(name, body, keys, args))
      : (name, body, keys, args) => client.sendCommand(command(name, body, keys, args));
    return {
      kind: 'node-redis',
      client,
      // Several checks may share one call only where all their keys live on one server.
      batch: !cluster,
      ensureOpen: firstConnection(client,
        () => client.isReady === true || (client.isReady === undefined && client.isOpen === true),
        () => client.isOpen === false),
      evalsha: (keys, args) => send('EVALSHA', SLIDING_WINDOW_SHA, keys, args),
      eval: (keys, args) => send('EVAL', SLIDING_WINDOW_LUA, keys, args),
      // disconnect, not QUIT: QUIT waits for a server that may be down or hung.
      // (v5 calls it destroy and deprecates disconnect.)
      close() {
        return Promise.resolve()
          .then(() => (client.isOpen === false ? null : typeof client.destroy === 'function' ? client.destroy() : client.disconnect()))
          .catch(() => {});
      },
    };
  }
  if (client && typeof client.evalsha === 'function') {
    // ioredis (Redis or Cluster): EVALSHA sha numkeys ...keys ...args.
    return {
      kind: 'ioredis',
      client,
      batch: client.isCluster !== true,
      ensureOpen: firstConnection(client, () => client.status === 'ready', () => client.status === 'wait'),
      evalsha(keys, args) { return client.evalsha(SLIDING_WINDOW_SHA, keys.length, ...keys, ...args); },
      eval(keys, args) { return client.eval(SLIDING_WINDOW_LUA, keys.length, ...keys, ...args); },
      close() { return Promise.resolve().then(() => client.disconnect()).catch(() => {}); },
    };
  }
  throw new TypeError('stablestack-rate-limiter: `redis` must be a node-redis or ioredis client');
}

function optionalRequire(name) {
  try {
    return require(name);
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(`'${name}'`)) return null;
    throw err;
  }
}

/** Backoff between reconnect attempts; reconnecting is not retrying a command. */
function reconnectDelay(attempt) {
  return Math.min(100 * 2 ** Math.min(attempt, 5), 2000);
}

/**
 * A client built for the latency budget: bounded connect and command time, no command
 * retries, no offline queue (a command while disconnected fails at once and the limiter
 * fails open instead of queueing requests behind a dead socket). Reconnecting in the
 * background, with backoff, is what lets limiting resume after Redis comes back.
 * STABLESTACK_REDIS_CLUSTER=1 makes it a Redis Cluster client seeded from the URL.
 */
function createDefaultClient(url, o) {
  const cluster = /^(1|true|yes)$/i.test(process.env.STABLESTACK_REDIS_CLUSTER || '');
  const nodeRedis = optionalRequire('redis');
  if (nodeRedis && typeof nodeRedis.createClient === 'function') {
    const clientOptions = {
      disableOfflineQueue: true,
      socket: { connectTimeout: o.connectTimeoutMs, noDelay: true, reconnectStrategy: reconnectDelay },
    };
    const client = cluster
      ? nodeRedis.createCluster({ rootNodes: [{ url }], defaults: clientOptions, maxCommandRedirections: 2 })
      : nodeRedis.createClient(Object.assign({ url }, clientOptions));
    client.on('error', () => {}); // reported through the limiter's rate-limited warning
    return adaptClient(client);
  }
  const IORedis = optionalRequire('ioredis');
  if (IORedis) {
    const Ctor = IORedis.default || IORedis.Redis || IORedis;
    const redisOptions = {
      connectTimeout: o.connectTimeoutMs,
      // No commandTimeout: the limiter's watchdog bounds every command, and unlike ioredis'
      // timer it does not count our own event-loop stalls against Redis.
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      autoResubscribe: false,
      retryStrategy: reconnectDelay,
    };
    let client;
    if (cluster) {
      const u = new URL(url);
      const Cluster = IORedis.Cluster || Ctor.Cluster;
      client = new Cluster([{ host: u.hostname, port: Number(u.port || 6379) }], {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRedirections: 2,
        clusterRetryStrategy: reconnectDelay,
        redisOptions: Object.assign(redisOptions, {
          username: u.username || undefined,
          password: u.password ? decodeURIComponent(u.password) : undefined,
          tls: u.protocol === 'rediss:' ? {} : undefined,
        }),
      });
    } else {
      client = new Ctor(url, Object.assign({ lazyConnect: true }, redisOptions));
    }
    client.on('error', () => {});
    return adaptClient(client);
  }
  throw new Error('stablestack-rate-limiter: install `redis` or `ioredis` (npm i redis), or pass `redis: client`');
}

// Limiters created without an explicit client share one connection per URL.
const sharedClients = new Map();

function sharedClient(url, o) {
  const key = url + '|' + o.connectTimeoutMs + '|' + o.commandTimeoutMs;
  let adapter = sharedClients.get(key);
  if (!adapter) {
    adapter = createDefaultClient(url, o);
    sharedClients.set(key, adapter);
  }
  return adapter;
}

// ---------------------------------------------------------------------------------------
// Failure handling: timeout, circuit breaker, rate-limited warnings.
// ---------------------------------------------------------------------------------------

class TimeoutError extends Error {
  constructor(ms) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Checks sent together at most (Redis runs a batch as one script: about 3 us per check). */
const MAX_BATCH = 64;

/** A client call as a promise, also when the client throws instead of rejecting. */
function call(fn) {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}

const open = (e) => !e.done;

/**
 * A check waiting for Redis: settled once, by the reply, a failed call or the watchdog.
 * A class rather than closures: one small object per check on the hot path.
 */
class Pending {
  constructor(keys, resolve) {
    this.keys = keys;
    this.resolve = resolve;
    this.done = false;
    this.deadline = 0;
    this.next = null; // the watchdog's list
  }

  settle(decision) {
    const resolve = this.resolve;
    // The watchdog may hold a settled entry until its deadline: keep it small.
    this.done = true;
    this.resolve = this.keys = null;
    resolve(decision);
  }
}

/**
 * Deadlines of a limiter's pending checks. They all get the same budget, so they expire in
 * the order they started: a FIFO list and ONE timer replace a timer (and a race) per
 * request, which costs more than the rest of the client-side work of a check.
 */
class Watchdog {
  constructor(ms, onTimeout) {
    this.ms = ms;
    this.onTimeout = onTimeout; // called with each pending check still open at its deadline
    this.head = null; // oldest entry; settled entries are dropped lazily
    this.tail = null;
    this.timer = null;
  }

  /** Starts the budget of a pending check. */
  track(entry) {
    entry.deadline = Date.now() + this.ms;
    // Checks mostly settle in the order they started: dropping settled ones here keeps the
    // list as long as what is really in flight, not a whole budget's worth of requests.
    while (this.head && this.head.done) this.head = this.head.next;
    if (!this.head) this.tail = null;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (!this.timer) this.arm();
  }

  arm() {
    while (this.head && this.head.done) this.head = this.head.next;
    if (!this.head) {
      this.tail = null;
      this.timer = null;
      return;
    }
    this.timer = setTimeout(() => this.expire(), Math.max(1, this.head.deadline - Date.now()));
    if (this.timer.unref) this.timer.unref();
  }

  expire() {
    const now = Date.now();
    const late = [];
    while (this.head && (this.head.done || this.head.deadline <= now)) {
      if (!this.head.done) late.push(this.head);
      this.head = this.head.next;
    }
    // Timers run before I/O in an event-loop turn: after a stall of our own process, replies
    // may already wait in the socket. setImmediate runs after this turn's I/O, so only a
    // command Redis really has not answered is failed.
    if (late.length) {
      setImmediate(() => {
        for (const e of late) {
          if (!e.done) this.onTimeout(e);
        }
      });
    }
    this.arm();
  }
}

/**
 * Closed -> open after `threshold` consecutive failures; open requests skip Redis; after the
 * backoff one probe goes through (half-open); success closes, failure doubles the backoff.
 */
class CircuitBreaker {
  constructor(threshold, minBackoffMs, maxBackoffMs) {
    this.threshold = threshold;
    this.minBackoffMs = minBackoffMs;
    this.maxBackoffMs = maxBackoffMs;
    this.failures = 0;
    this.backoffMs = minBackoffMs;
    this.openUntil = 0;
    this.probing = false;
  }

  /** Whether this request may use Redis now. */
  allow(now) {
    if (this.failures < this.threshold) return true;
    if (now < this.openUntil || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Milliseconds until Redis will be tried again (0 when closed). */
  waitMs(now) {
    return this.failures < this.threshold ? 0 : Math.max(0, this.openUntil - now);
  }

  success() {
    this.failures = 0;
    this.backoffMs = this.minBackoffMs;
    this.probing = false;
  }

  failure(now) {
    const wasProbe = this.probing;
    this.probing = false;
    this.failures++;
    if (this.failures < this.threshold) return;
    if (wasProbe || this.failures === this.threshold) {
      this.openUntil = now + this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    }
  }
}

function makeWarner(logger, intervalMs) {
  let last = -Infinity;
  let suppressed = 0;
  return (message) => {
    const now = Date.now();
    if (now - last < intervalMs) { suppressed++; return; }
    const note = suppressed ? ` (${suppressed} similar warnings suppressed)` : '';
    last = now;
    suppressed = 0;
    logger.warn(`stablestack-rate-limiter: ${message}${note}`);
  };
}

// ---------------------------------------------------------------------------------------
// The limiter.
// ---------------------------------------------------------------------------------------

/** Python's round(): halves go to the even neighbour, so both languages get one window_ms. */
function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A header label: characters a structured-field string may not hold become `_`. */
function headerLabel(s) {
  return String(s).replace(/[^A-Za-z0-9._:/-]/g, '_');
}

/**
 * The limits of one call, as the Python module reads them. Windows are seconds (fractions
 * allowed, kept to the millisecond). Header labels: a limit's own `name` in `limits`, else
 * `default` for a single limit and `<requests>-per-<window>s` for several. (The call's
 * `name` is the counter scope, not a label.)
 */
function normalizeLimits(options) {
  const inline = options.requests != null || options.window != null;
  const list = (inline ? [{ requests: options.requests, window: options.window }] : []).concat(options.limits || []);
  if (list.length === 0) {
    throw new TypeError('stablestack-rate-limiter: give `requests` and `window`, or `limits: [...]`');
  }
  const seen = new Set();
  return list.map((l) => {
    const requests = l.requests;
    const window = l.window;
    if (!Number.isInteger(requests) || requests < 1) throw new TypeError(`stablestack-rate-limiter: \`requests\` must be a positive integer, got ${requests}`);
    if (typeof window !== 'number' || !(window > 0) || !Number.isFinite(window)) throw new TypeError(`stablestack-rate-limiter: \`window\` must be a positive number of seconds, got ${window}`);
    const windowMs = Math.max(1, roundHalfEven(window * 1000));
    if (requests * windowMs >= 2 ** 53) throw new TypeError('stablestack-rate-limiter: requests * window (ms) must stay below 2**53');
    const windowSeconds = Math.ceil(window);
    const label = headerLabel(l.name != null ? l.name : list.length === 1 ? 'default' : `${requests}-per-${windowSeconds}s`);
    const id = requests + ':' + windowMs;
    if (seen.has(id)) throw new TypeError(`stablestack-rate-limiter: the limit ${requests} per ${window}s is given twice`);
    seen.add(id);
    return Object.freeze({ label, requests, windowMs, windowSeconds });
  });
}

/**
 * Creates a limiter: `check(identity)` runs every configured limit for one identity in one
 * script call and never throws; Redis failures come back as `{ allowed: failOpen, error }`.
 */
function createLimiter(options = {}) {
  const o = Object.assign({}, DEFAULTS, options);
  const limits = normalizeLimits(options);
  const url = options.url || process.env.REDIS_URL || DEFAULTS.url;
  const logger = o.logger || console;
  const warn = makeWarner(logger, o.warnIntervalMs);
  const breaker = new CircuitBreaker(o.breakerThreshold, o.breakerMinBackoffMs, o.breakerMaxBackoffMs);
  const cost = options.cost == null ? 1 : Number(options.cost);
  if (!Number.isInteger(cost) || cost < 0) throw new TypeError('stablestack-rate-limiter: `cost` must be an integer >= 0');
  if (/[{}]/.test(o.prefix)) throw new TypeError('stablestack-rate-limiter: `prefix` must not contain { or } (the hash tag is the identity)');
  const fixedScope = options.name != null ? sanitizeScope(options.name) : null;
  let adapter = options.redis ? adaptClient(options.redis) : null;
  const ownsClient = !options.redis;

  function client() {
    if (!adapter) adapter = sharedClient(url, o);
    return adapter;
  }

  const watchdog = new Watchdog(o.commandTimeoutMs, (e) => e.settle(unavailable(new TimeoutError(o.commandTimeoutMs))));
  const width = 2 + 2 * limits.length; // reply numbers per check
  let inFlight = 0; // script calls sent and not yet answered or failed

  /**
   * A check goes to Redis at once when nothing is in flight (no added latency). Under load
   * it joins its scope's batch, sent as ONE script call by setImmediate (when node-redis
   * writes its queue anyway) or when full: the script's fixed cost (call, TIME, reply) and
   * the client's per-command cost are paid once per batch, and each check is still decided
   * exactly as on its own (the script's batch form; docs/limiter.md, "Tests and
   * benchmark"). Cluster clients never batch: different clients' keys live in other slots.
   */
  function submit(a, plan, keys) {
    return new Promise((resolve) => {
      const e = new Pending(keys, resolve);
      watchdog.track(e);
      let b = plan.batch;
      if (b === null) {
        if (!a.batch || inFlight === 0) return send(a, plan, [e]);
        b = plan.batch = [e];
        setImmediate(flush, a, plan, b);
      } else {
        b.push(e);
      }
      if (b.length >= MAX_BATCH) flush(a, plan, b);
    });
  }

  function flush(a, plan, b) {
    if (plan.batch !== b) return; // already sent when it filled up
    plan.batch = null;
    if (!b.every(open)) b = b.filter(open); // timed out while waiting: already failed open
    if (b.length > 0) send(a, plan, b);
  }

  /** One script call for the pending checks `batch`; every check is settled exactly once. */
  function send(a, plan, batch) {
    let keys = batch[0].keys;
    let args = plan.args;
    if (batch.length > 1) {
      keys = [];
      for (const e of batch) for (const k of e.keys) keys.push(k);
      args = plan.args.concat(String(batch.length));
    }
    inFlight++;
    const ok = (reply) => {
      inFlight--;
      answered(batch, reply);
    };
    const fail = (err) => {
      inFlight--;
      callFailed(batch, err);
    };
    // A server in cluster mode refuses keys of several slots before running anything, so a
    // standalone client talking to one (a shard owning every slot) cannot batch: its checks
    // go again one by one, and its later checks too.
    const alone = (err) => {
      if (batch.length === 1 || !isCrossSlot(err)) return fail(err);
      inFlight--;
      a.batch = false;
      for (const e of batch) if (!e.done) send(a, plan, [e]);
    };
    call(() => a.evalsha(keys, args)).then(ok, (err) => {
      // After a restart or SCRIPT FLUSH the cache is empty: EVAL loads it again.
      if (isNoScript(err) && batch.some(open)) call(() => a.eval(keys, args)).then(ok, alone);
      else alone(err);
    });
  }

  function answered(batch, text) {
    const reply = typeof text === 'string' ? text.split(' ') : null; // a status reply: a string
    if (reply === null || reply.length !== batch.length * width) {
      return callFailed(batch, new Error(`unexpected script reply (${String(text).slice(0, 40)})`));
    }
    let live = false;
    for (let j = 0; j < batch.length; j++) {
      const e = batch[j];
      if (e.done) continue; // timed out: already failed open
      live = true;
      e.settle(parseReply(reply, limits, j * width));
    }
    if (live) breaker.success();
  }

  /** A failed call is one failure for the breaker, however many checks it carried. */
  function callFailed(batch, err) {
    if (!batch.some(open)) return; // every check timed out and was counted then
    const t = unavailableAt(err);
    for (const e of batch) if (!e.done) e.settle(failed(err, t));
  }

  function unavailable(err) {
    return failed(err, unavailableAt(err));
  }

  function unavailableAt(err) {
    const t = Date.now();
    breaker.failure(t);
    warn(`Redis unavailable (${err && err.message}); ${o.failOpen ? 'allowing requests (failOpen)' : 'answering 503 (failOpen: false)'}`);
    return t;
  }

  function failed(err, now) {
    const retryAfter = Math.max(1, Math.ceil(breaker.waitMs(now) / 1000));
    return {
      allowed: o.failOpen,
      retryAfter: o.failOpen ? 0 : retryAfter,
      results: limits.map((l) => ({ name: l.label, limit: l.requests, window: l.windowSeconds, remaining: null, resetSeconds: null })),
      error: err,
    };
  }

  // Scopes are routes: few, so their plans are kept (bounded, in case a caller varies them).
  const plans = new Map();
  function planFor(scope) {
    let plan = plans.get(scope);
    if (!plan) {
      plan = keyPlan(o.prefix, scope ? sanitizeScope(scope) : fixedScope || 'default', limits, cost);
      if (plans.size < 1024) plans.set(scope, plan);
    }
    return plan;
  }

  /**
   * `scope` defaults to the options' `name`, else `default` (adapters pass the route).
   * Written with explicit promises rather than async/await: fewer allocations per request.
   */
  function check(identity, scope) {
    const now = Date.now();
    if (!breaker.allow(now)) {
      return Promise.resolve(failed(new Error('circuit open after Redis errors'), now));
    }
    const plan = planFor(scope || null);
    const keys = planKeys(plan, String(identity));
    let a;
    try {
      a = client();
    } catch (err) {
      return Promise.resolve(unavailable(err));
    }
    const opening = a.ensureOpen();
    if (opening) return withTimeout(opening, o.connectTimeoutMs).then(() => submit(a, plan, keys), unavailable);
    return submit(a, plan, keys);
  }

  async function close() {
    if (adapter && !ownsClient) return;
    for (const [key, a] of sharedClients) {
      if (a === adapter) sharedClients.delete(key);
    }
    if (adapter) await adapter.close();
    adapter = null;
  }

  return { check, close, limits, options: o, logger };
}

// ---------------------------------------------------------------------------------------
// HTTP glue shared by the framework adapters.
// ---------------------------------------------------------------------------------------

/** Response headers of a decision, as [name, value] pairs. */
function decisionHeaders(decision, o) {
  const out = [];
  if (o.headers) {
    out.push(['RateLimit-Policy', decision.results.map((r) => `"${r.name}";q=${r.limit};w=${r.window}`).join(', ')]);
    // Without an answer from Redis there is nothing true to say about the remaining quota.
    if (!decision.error) {
      out.push(['RateLimit', decision.results.map((r) => `"${r.name}";r=${r.remaining};t=${r.resetSeconds}`).join(', ')]);
    }
  }
  if (o.legacyHeaders && !decision.error) {
    let tightest = decision.results[0];
    for (const r of decision.results) if (r.remaining < tightest.remaining) tightest = r;
    out.push(['X-RateLimit-Limit', String(tightest.limit)]);
    out.push(['X-RateLimit-Remaining', String(tightest.remaining)]);
    out.push(['X-RateLimit-Reset', String(tightest.resetSeconds)]);
  }
  if (!decision.allowed) out.push(['Retry-After', String(decision.retryAfter)]);
  return out;
}

/** Status and JSON body of a refused request: 429 when limited, 503 when failing closed. */
function rejection(decision) {
  if (decision.error) {
    return { status: 503, body: JSON.stringify({ error: 'rate_limiter_unavailable', retry_after: decision.retryAfter }) };
  }
  return { status: 429, body: JSON.stringify({ error: 'rate_limited', retry_after: decision.retryAfter }) };
}

const JSON_TYPE = 'application/json; charset=utf-8';

function envList(name) {
  const v = process.env[name];
  return v ? v.split(',').map((x) => x.trim()).filter(Boolean) : null;
}

function headerOf(headers, name) {
  const v = headers && headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * Per-call state of a framework adapter: the limiter, and `decide(ctx, request)` which
 * resolves the identity and returns a decision, or null when the custom key skipped it.
 * `request` carries what the framework knows: peer, forwardedFor, header(name), scope.
 */
function prepare(options) {
  const limiter = createLimiter(options);
  const o = limiter.options;
  const trust = compileTrust(o.trustedProxies || envList('STABLESTACK_TRUSTED_PROXIES'));
  const ipHeader = o.ipHeader ? String(o.ipHeader).toLowerCase() : null;
  let unknownWarned = false;

  function addressOf(r) {
    const header = ipHeader ? r.header(ipHeader) : null;
    const id = clientIdentity(r.peer, r.forwardedFor, trust, header, r.socketless === true);
    if (id === UNKNOWN && !unknownWarned) {
      unknownWarned = true;
      limiter.logger.warn('stablestack-rate-limiter: no client address for a request: such requests share the `ip:unknown` counter. Pass `key`, `ipHeader` or `trustedProxies`.');
    }
    return id;
  }

  // An explicit `name` is the scope; only without one does the route pattern count.
  const scopeOf = (r) => (o.name != null ? null : r.scope);

  /** The decision for a request, or null when the custom key says "do not limit". */
  function decide(ctx, r) {
    if (!o.key) return limiter.check(addressOf(r), scopeOf(r));
    // The identity verbatim (`user:42`); nothing means "do not limit this request".
    return Promise.resolve(o.key(ctx)).then((k) => (k == null || k === '' ? null : limiter.check(String(k), scopeOf(r))));
  }

  return { limiter, o, decide };
}

// ---------------------------------------------------------------------------------------
// Framework adapters. Without a `name`, each limits per route: the route pattern is the
// scope of its keys (a middleware for the whole app shares one `default` scope).
// ---------------------------------------------------------------------------------------

function expressScope(req) {
  if (!req.route || req.route.path == null) return null;
  return (req.baseUrl || '') + String(req.route.path);
}

/**
 * The Node http (IncomingMessage, ServerResponse) path shared by Express / Connect and the
 * Next.js Pages Router: the peer is the socket's address (X-Forwarded-For only through
 * trusted proxies), the headers go on `res`, and a refusal is answered with `res.end`.
 * Resolves true when the request may go on.
 */
function nodeHttpCheck(decide, o, req, res, scope) {
  const socket = req.socket || req.connection;
  const r = {
    peer: socket && socket.remoteAddress,
    forwardedFor: headerOf(req.headers, 'x-forwarded-for'),
    header: (name) => headerOf(req.headers, name),
    scope,
  };
  return decide(req, r).then((decision) => {
    if (!decision) return true;
    for (const [k, v] of decisionHeaders(decision, o)) res.setHeader(k, v);
    if (decision.allowed) return true;
    const { status, body } = rejection(decision);
    res.statusCode = status;
    res.setHeader('Content-Type', JSON_TYPE);
    res.end(body);
    return false;
  });
}

/** Express / Connect middleware: `app.post('/x', rateLimit({ requests: 100, window: 60 }), h)`. */
function rateLimit(options) {
  const { limiter, o, decide } = prepare(options);
  function stablestackRateLimit(req, res, next) {
    nodeHttpCheck(decide, o, req, res, expressScope(req)).then((go) => go && next(), next);
  }
  stablestackRateLimit.limiter = limiter;
  return stablestackRateLimit;
}

function fastifyHook(options, perRoute) {
  const { limiter, o, decide } = prepare(options);
  async function stablestackRateLimit(request, reply) {
    const socket = request.socket || (request.raw && request.raw.socket);
    const route = request.routeOptions ? request.routeOptions.url : request.routerPath;
    const decision = await decide(request, {
      peer: socket && socket.remoteAddress,
      forwardedFor: headerOf(request.headers, 'x-forwarded-for'),
      header: (name) => headerOf(request.headers, name),
      scope: perRoute ? route : null,
    });
    if (!decision) return;
    for (const [k, v] of decisionHeaders(decision, o)) reply.header(k, v);
    if (decision.allowed) return;
    const { status, body } = rejection(decision);
    reply.code(status).type(JSON_TYPE).send(body);
    return reply;
  }
  stablestackRateLimit.limiter = limiter;
  return stablestackRateLimit;
}

/**
 * Fastify onRequest hook, per route: `fastify.post('/x', { onRequest: fastifyRateLimit(opts) }, h)`.
 */
function fastifyRateLimit(options) {
  return fastifyHook(options, true);
}

/**
 * Fastify plugin, one budget for every route of the instance it is registered on:
 * `fastify.register(fastifyRateLimitPlugin, { requests: 100, window: 60 })`.
 */
async function fastifyRateLimitPlugin(fastify, options) {
  fastify.addHook('onRequest', fastifyHook(options, false));
}
// Like fastify-plugin: the hook applies to the registering instance, not a child scope.
fastifyRateLimitPlugin[Symbol.for('skip-override')] = true;
fastifyRateLimitPlugin[Symbol.for('fastify.display-name')] = 'stablestack-rate-limiter';

/**
 * Koa middleware: `router.post('/x', koaRateLimit({ requests: 100, window: 60 }), h)` with
 * @koa/router (per route), or `app.use(koaRateLimit(opts))` (one budget for the app).
 */
function koaRateLimit(options) {
  const { limiter, o, decide } = prepare(options);
  async function stablestackRateLimit(ctx, next) {
    const socket = ctx.req && ctx.req.socket;
    const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : null;
    const decision = await decide(ctx, {
      peer: socket && socket.remoteAddress,
      forwardedFor: headerOf(ctx.headers, 'x-forwarded-for'),
      header: (name) => headerOf(ctx.headers, name),
      scope: route,
    });
    if (!decision) return next();
    for (const [k, v] of decisionHeaders(decision, o)) ctx.set(k, v);
    if (decision.allowed) return next();
    const { status, body } = rejection(decision);
    ctx.status = status;
    ctx.type = JSON_TYPE;
    ctx.body = body;
  }
  stablestackRateLimit.limiter = limiter;
  return stablestackRateLimit;
}

/** The peer address Hono's runtime exposes: Node (@hono/node-server), Bun or Deno. */
function honoPeer(c) {
  const env = c.env;
  if (!env) return undefined;
  if (env.incoming && env.incoming.socket) return env.incoming.socket.remoteAddress;
  if (env.server && typeof env.server.requestIP === 'function') {
    const info = env.server.requestIP(c.req.raw);
    return info && info.address;
  }
  if (typeof env.requestIP === 'function') {
    const info = env.requestIP(c.req.raw);
    return info && info.address;
  }
  if (env.remoteAddr && env.remoteAddr.hostname) return env.remoteAddr.hostname;
  return undefined;
}

/** Hono middleware: `app.post('/x', honoRateLimit({ requests: 100, window: 60 }), h)`. */
function honoRateLimit(options) {
  const { limiter, o, decide } = prepare(options);
  async function stablestackRateLimit(c, next) {
    const route = c.req.routePath;
    const decision = await decide(c, {
      peer: honoPeer(c),
      forwardedFor: c.req.header('x-forwarded-for'),
      header: (name) => c.req.header(name),
      scope: route && !route.includes('*') ? route : null,
    });
    if (!decision) return next();
    const headers = decisionHeaders(decision, o);
    if (!decision.allowed) {
      const { status, body } = rejection(decision);
      return c.body(body, status, Object.fromEntries([['Content-Type', JSON_TYPE], ...headers]));
    }
    await next();
    c.res = withHeaders(c.res, headers);
  }
  stablestackRateLimit.limiter = limiter;
  return stablestackRateLimit;
}

/** Adds headers to a Response, copying it when its headers are immutable. */
function withHeaders(response, headers) {
  if (!headers.length || !response) return response;
  try {
    for (const [k, v] of headers) response.headers.set(k, v);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [k, v] of headers) copy.headers.set(k, v);
    return copy;
  }
}

/**
 * A Next.js Pages Router API call, `handler(req, res)`: a Node IncomingMessage, whose headers
 * are a plain object (a web Request has a Headers instance), and a ServerResponse.
 */
function isPagesCall(req, res) {
  return !!(res && typeof res.setHeader === 'function' && typeof res.end === 'function' &&
    req && req.headers && typeof req.headers === 'object' && typeof req.headers.get !== 'function');
}

/**
 * Next.js App Router: `export const POST = withRateLimit(async (req) => ..., { requests: 10,
 * window: 60, name: 'api/login' })`. A route handler has no socket: the client address is
 * `request.ip` where the platform sets it, the `ipHeader` your platform guarantees (e.g.
 * 'x-real-ip' on Vercel), or X-Forwarded-For read through `trustedProxies`. The wrapper
 * cannot see its route, so without `name` all wrapped handlers share the `default` scope.
 * Route handlers must use the Node.js runtime (the default), not `runtime = 'edge'`: a Redis
 * client needs TCP sockets.
 * Next.js Pages Router: `export default withRateLimit(function handler(req, res) {...}, opts)`.
 * Called with (IncomingMessage, ServerResponse), it works like the Express middleware: the
 * socket's peer (X-Forwarded-For only through `trustedProxies`), headers set on `res`, and
 * 429 / 503 answered with `res.end` without calling the handler.
 */
function withRateLimit(handler, options) {
  if (typeof handler !== 'function') throw new TypeError('withRateLimit(handler, options): handler must be a function');
  const { limiter, o, decide } = prepare(options);
  async function rateLimitedHandler(request, context) {
    if (isPagesCall(request, context)) {
      return (await nodeHttpCheck(decide, o, request, context, null)) ? handler(request, context) : undefined;
    }
    const h = request.headers;
    const decision = await decide(request, {
      peer: request.ip,
      socketless: !request.ip,
      forwardedFor: h.get('x-forwarded-for'),
      header: (name) => h.get(name),
      scope: null,
    });
    if (!decision) return handler(request, context);
    const headers = decisionHeaders(decision, o);
    if (!decision.allowed) {
      const { status, body } = rejection(decision);
      return new Response(body, { status, headers: [['Content-Type', JSON_TYPE], ...headers] });
    }
    return withHeaders(await handler(request, context), headers);
  }
  rateLimitedHandler.limiter = limiter;
  return rateLimitedHandler;
}

/** Closes the connections the module opened itself (tests, scripts, graceful shutdown). */
async function closeRateLimiter() {
  const adapters = [...sharedClients.values()];
  sharedClients.clear();
  await Promise.all(adapters.map((a) => a.close()));
}

module.exports = {
  rateLimit,
  fastifyRateLimit,
  fastifyRateLimitPlugin,
  honoRateLimit,
  koaRateLimit,
  withRateLimit,
  createLimiter,
  closeRateLimiter,
  SLIDING_WINDOW_LUA,
  SLIDING_WINDOW_SHA,
  // Exposed for the cross-language vector tests; not a stable API.
  _internal: { clientIdentity, compileTrust, addressIdentity, identityTag, limitKey, keyPlan, planKeys, parseReply, normalizeLimits, decisionHeaders, CircuitBreaker, identityCacheSize: () => recentIdentities.size },
};
