'use strict';
// Koa with @koa/router: per-route middleware and app-wide middleware on a real server.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const Koa = require('koa');
const { Router } = require('@koa/router');
const { redisFixture, listen } = require('../lib/fixture');
const { assertLimitCycle } = require('../lib/http');

const fx = redisFixture();

async function serve(setup) {
  const app = new Koa();
  setup(app, fx.limiter());
  return listen(app.listen(0, '127.0.0.1'));
}

test('route middleware: N pass, N+1 gets 429 with headers, Retry-After is honoured', { skip: fx.skip }, async () => {
  const srv = await serve((app, m) => {
    const router = new Router();
    router.post('/login', m.koaRateLimit({ requests: 3, window: 2 }), (ctx) => { ctx.body = { ok: true }; });
    app.use(router.routes());
  });
  try {
    await fx.redis().alignToWindow(2, 1200);
    await assertLimitCycle(() => fetch(srv.base + '/login', { method: 'POST' }), { requests: 3, window: 2, name: 'default' });
    const keys = await fx.redis().command('KEYS stablestack:*');
    assert.match(keys, /:\/login:3:2000\r\n/, 'the route pattern is the scope');
  } finally {
    await srv.close();
  }
});

test('app-wide middleware: one budget, spoofed X-Forwarded-For ignored even with app.proxy', { skip: fx.skip }, async () => {
  const srv = await serve((app, m) => {
    app.proxy = true;
    app.use(m.koaRateLimit({ requests: 2, window: 60, name: 'koa-site' }));
    app.use((ctx) => { ctx.body = 'ok'; });
  });
  try {
    await fx.redis().alignToWindow(60, 5000);
    const codes = [];
    for (const [p, ip] of [['/a', '1.1.1.1'], ['/b', '2.2.2.2'], ['/c', '3.3.3.3']]) {
      const res = await fetch(srv.base + p, { headers: { 'x-forwarded-for': ip } });
      codes.push(res.status);
      if (res.status === 429) assert.deepEqual(await res.json(), { error: 'rate_limited', retry_after: Number(res.headers.get('retry-after')) });
    }
    assert.deepEqual(codes, [200, 200, 429]);
  } finally {
    await srv.close();
  }
});
