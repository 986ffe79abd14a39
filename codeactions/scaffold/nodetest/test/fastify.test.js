'use strict';
// Fastify: the per-route onRequest hook and the instance-wide plugin on a real server.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const Fastify = require('fastify');
const { redisFixture } = require('../lib/fixture');
const { assertLimitCycle } = require('../lib/http');

const fx = redisFixture();

async function serve(setup) {
  const app = Fastify();
  await setup(app, fx.limiter());
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base, close: () => app.close() };
}

test('route hook: N pass, N+1 gets 429 with headers, Retry-After is honoured', { skip: fx.skip }, async () => {
  const srv = await serve((app, m) => {
    app.post('/login', { onRequest: m.fastifyRateLimit({ requests: 3, window: 2 }) }, async () => ({ ok: true }));
  });
  try {
    await fx.redis().alignToWindow(2, 1200);
    await assertLimitCycle(() => fetch(srv.base + '/login', { method: 'POST' }), { requests: 3, window: 2, name: 'default' });
  } finally {
    await srv.close();
  }
});

test('route hooks without a name limit each route separately', { skip: fx.skip }, async () => {
  const srv = await serve((app, m) => {
    const opts = { requests: 1, window: 60 };
    app.get('/a', { onRequest: m.fastifyRateLimit(opts) }, async () => 'a');
    app.get('/b', { onRequest: m.fastifyRateLimit(opts) }, async () => 'b');
  });
  try {
    await fx.redis().alignToWindow(60, 5000);
    const codes = [];
    for (const p of ['/a', '/b', '/a', '/b']) codes.push((await fetch(srv.base + p)).status);
    assert.deepEqual(codes, [200, 200, 429, 429]);
  } finally {
    await srv.close();
  }
});

test('plugin: one budget for every route of the instance, 429 body is JSON', { skip: fx.skip }, async () => {
  const srv = await serve(async (app, m) => {
    await app.register(m.fastifyRateLimitPlugin, { requests: 2, window: 60, name: 'site' });
    app.get('/x', async () => 'x');
    app.get('/y', async () => 'y');
  });
  try {
    await fx.redis().alignToWindow(60, 5000);
    assert.equal((await fetch(srv.base + '/x')).status, 200);
    assert.equal((await fetch(srv.base + '/y')).status, 200);
    const denied = await fetch(srv.base + '/x');
    assert.equal(denied.status, 429);
    assert.match(denied.headers.get('content-type'), /^application\/json/);
    const body = await denied.json();
    assert.equal(body.error, 'rate_limited');
    assert.equal(String(body.retry_after), denied.headers.get('retry-after'));
  } finally {
    await srv.close();
  }
});

test('spoofed X-Forwarded-For is ignored even with Fastify trustProxy', { skip: fx.skip }, async () => {
  const app = Fastify({ trustProxy: true });
  const m = fx.limiter();
  app.get('/direct', { onRequest: m.fastifyRateLimit({ requests: 1, window: 60, name: 'fdirect' }) }, async () => 'ok');
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    await fx.redis().alignToWindow(60, 5000);
    const a = await fetch(base + '/direct', { headers: { 'x-forwarded-for': '1.1.1.1' } });
    const b = await fetch(base + '/direct', { headers: { 'x-forwarded-for': '2.2.2.2' } });
    assert.deepEqual([a.status, b.status], [200, 429]);
  } finally {
    await app.close();
  }
});
