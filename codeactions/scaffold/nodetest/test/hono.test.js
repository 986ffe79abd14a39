'use strict';
// Hono on @hono/node-server: the middleware on real routes over loopback HTTP.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Hono } = require('hono');
const { serve } = require('@hono/node-server');
const { redisFixture } = require('../lib/fixture');
const { assertLimitCycle, parseFields } = require('../lib/http');

const fx = redisFixture();

function start(app) {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({ base: `http://127.0.0.1:${info.port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) });
    });
  });
}

test('N pass, N+1 gets 429 with headers, Retry-After is honoured', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const app = new Hono();
  app.post('/login', m.honoRateLimit({ requests: 3, window: 2, name: 'hlogin' }), (c) => c.json({ ok: true }));
  const srv = await start(app);
  try {
    await fx.redis().alignToWindow(2, 1200);
    await assertLimitCycle(() => fetch(srv.base + '/login', { method: 'POST' }), { requests: 3, window: 2, name: 'default' });
  } finally {
    await srv.close();
  }
});

test('headers reach handlers that return their own Response; peer is the socket', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const app = new Hono();
  app.get('/raw', m.honoRateLimit({ requests: 2, window: 60, name: 'hraw' }), () => new Response('raw', { status: 201 }));
  app.get('/redirect', m.honoRateLimit({ requests: 2, window: 60, name: 'hredir' }), () => Response.redirect('http://127.0.0.1/elsewhere', 302));
  const srv = await start(app);
  try {
    await fx.redis().alignToWindow(60, 5000);
    const a = await fetch(srv.base + '/raw', { headers: { 'x-forwarded-for': '9.9.9.9' } });
    assert.equal(a.status, 201);
    assert.equal(parseFields(a.headers.get('ratelimit')).default.r, 1);
    const b = await fetch(srv.base + '/raw', { headers: { 'x-forwarded-for': '8.8.8.8' } });
    assert.equal(parseFields(b.headers.get('ratelimit')).default.r, 0, 'spoofed X-Forwarded-For shares the peer counter');
    const r = await fetch(srv.base + '/redirect', { redirect: 'manual' });
    assert.equal(r.status, 302);
    assert.equal(parseFields(r.headers.get('ratelimit')).default.r, 1, 'immutable Response headers are copied, not lost');
    const keys = await fx.redis().command('KEYS stablestack:*');
    assert.doesNotMatch(keys, /127\.0\.0\.1|9\.9\.9\.9/, 'no raw address in key names');
  } finally {
    await srv.close();
  }
});
