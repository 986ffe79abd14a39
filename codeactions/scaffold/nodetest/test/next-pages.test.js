'use strict';
// Next.js Pages Router: `export default withRateLimit(function handler(req, res) {...}, opts)`
// called the way Next calls API routes, with a Node IncomingMessage and ServerResponse, here
// from a plain node:http server over loopback (Next.js itself is not installed).

const { test, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { redisFixture, listen, RELAXED } = require('../lib/fixture');
const { RedisServer, skipUnless } = require('../lib/redis-server');
const { loadLimiter } = require('../lib/limiter-module');
const { assertLimitCycle, parseFields, retryAfterOf } = require('../lib/http');

const fx = redisFixture();

/** A node:http server whose every request goes to the wrapped Pages handler. */
async function serve(wrapped) {
  return listen(http.createServer((req, res) => { wrapped(req, res); }));
}

/** A Pages API handler in the NextApiResponse style: it writes the response itself. */
function pagesHandler(seen) {
  return function handler(req, res) {
    seen.push(req.url);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ ok: true }));
  };
}

test('N pass, N+1 gets 429 with headers, Retry-After is honoured; the handler gets (req, res)', { skip: fx.skip }, async () => {
  const seen = [];
  const srv = await serve(fx.limiter().withRateLimit(pagesHandler(seen), { requests: 3, window: 2 }));
  try {
    await fx.redis().alignToWindow(2, 1200);
    await assertLimitCycle(() => fetch(srv.base + '/api/login', { method: 'POST' }), { requests: 3, window: 2, name: 'default' });
    assert.deepEqual(seen, ['/api/login', '/api/login', '/api/login', '/api/login'], 'the handler runs for admitted requests only');
  } finally {
    await srv.close();
  }
});

test('the 429 body is JSON, the handler is not called, async handlers are awaited', { skip: fx.skip }, async () => {
  let calls = 0;
  const wrapped = fx.limiter().withRateLimit(async (req, res) => {
    calls++;
    await new Promise((r) => setImmediate(r));
    res.end('late');
    return 'done';
  }, { requests: 1, window: 60, name: 'p-body' });
  const srv = await serve(wrapped);
  try {
    await fx.redis().alignToWindow(60, 5000);
    const ok = await fetch(srv.base + '/api/x');
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'late');
    assert.equal(parseFields(ok.headers.get('ratelimit'))['default'].r, 0);
    const denied = await fetch(srv.base + '/api/x');
    assert.equal(denied.status, 429);
    assert.match(denied.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(await denied.json(), { error: 'rate_limited', retry_after: retryAfterOf(denied) });
    assert.equal(calls, 1);
  } finally {
    await srv.close();
  }
});

test('spoofed X-Forwarded-For is ignored; behind trusted proxies the rightmost untrusted hop is the client', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const direct = await serve(m.withRateLimit(pagesHandler([]), { requests: 2, window: 60, name: 'p-direct' }));
  const proxied = await serve(m.withRateLimit(pagesHandler([]), { requests: 1, window: 60, name: 'p-proxied', trustedProxies: ['127.0.0.1', '::1', '10.0.0.0/8'] }));
  try {
    await fx.redis().alignToWindow(60, 5000);
    const codes = [];
    for (const ip of ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4']) {
      const res = await fetch(direct.base + '/api/d', { headers: { 'x-forwarded-for': ip } });
      codes.push(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual(codes, [200, 200, 429, 429], 'an untrusted peer cannot pick its identity');

    const send = async (xff) => {
      const res = await fetch(proxied.base + '/api/p', { headers: { 'x-forwarded-for': xff } });
      await res.arrayBuffer();
      return res.status;
    };
    assert.equal(await send('6.6.6.6, 198.51.100.7, 10.0.0.2'), 200);
    assert.equal(await send('7.7.7.7, 198.51.100.7, 10.0.0.2'), 429, 'forged left hops do not change the client');
    assert.equal(await send('198.51.100.8'), 200, 'another client behind the proxy has its own budget');
  } finally {
    await direct.close();
    await proxied.close();
  }
});

// Outages use their own server, so stopping it does not disturb the tests above.
const skipOutage = skipUnless('redis-server');
const servers = [];
const mods = [];
after(async () => {
  for (const m of mods) await m.closeRateLimiter();
  for (const s of servers) await s.close();
});

async function downRedis(options) {
  const s = await new RedisServer().start();
  servers.push(s);
  const m = loadLimiter();
  mods.push(m);
  const warnings = [];
  let calls = 0;
  const wrapped = m.withRateLimit((req, res) => { calls++; res.end('ok'); },
    { ...RELAXED, url: s.url, requests: 5, window: 60, logger: { warn: (w) => warnings.push(w) }, ...options });
  const srv = await serve(wrapped);
  return { s, srv, warnings, calls: () => calls };
}

test('Redis down: fails open by default (handler runs, no RateLimit), 503 + Retry-After with failOpen: false', { skip: skipOutage }, async () => {
  const open = await downRedis({ name: 'p-open' });
  const closed = await downRedis({ name: 'p-closed', failOpen: false });
  try {
    assert.equal((await (await fetch(open.srv.base + '/api/o')).text()), 'ok');
    assert.equal((await (await fetch(closed.srv.base + '/api/c')).text()), 'ok');
    await open.s.stop();
    await closed.s.stop();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(open.srv.base + '/api/o');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('ratelimit'), null, 'no remaining quota is claimed without Redis');
      assert.equal(await res.text(), 'ok');

      const shut = await fetch(closed.srv.base + '/api/c');
      assert.equal(shut.status, 503);
      const wait = retryAfterOf(shut);
      assert.deepEqual(await shut.json(), { error: 'rate_limiter_unavailable', retry_after: wait });
    }
    assert.equal(open.calls(), 4);
    assert.equal(closed.calls(), 1, 'failing closed never calls the handler');
    assert.equal(open.warnings.length, 1);
    assert.equal(closed.warnings.length, 1);
  } finally {
    await open.srv.close();
    await closed.srv.close();
  }
});
