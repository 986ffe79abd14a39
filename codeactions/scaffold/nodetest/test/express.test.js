'use strict';
// Express: the middleware on real routes of a real app over loopback HTTP.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const express = require('express');
const { redisFixture, listen } = require('../lib/fixture');
const { assertLimitCycle, parseFields } = require('../lib/http');

const fx = redisFixture();

async function app(setup) {
  const a = express();
  setup(a, fx.limiter());
  return listen(a.listen(0, '127.0.0.1'));
}

test('N requests pass, N+1 gets 429 with headers, Retry-After is honoured', { skip: fx.skip }, async () => {
  const srv = await app((a, m) => a.post('/login', m.rateLimit({ requests: 3, window: 2, name: 'login' }), (req, res) => res.send('ok')));
  try {
    await fx.redis().alignToWindow(2, 1200);
    await assertLimitCycle(() => fetch(srv.base + '/login', { method: 'POST' }), { requests: 3, window: 2, name: 'default' });
  } finally {
    await srv.close();
  }
});

test('several limits in one call: the tightest denies, rejected requests consume nothing', { skip: fx.skip }, async () => {
  const srv = await app((a, m) => a.get('/multi', m.rateLimit({ limits: [
    { requests: 2, window: 60, name: 'minute' },
    { requests: 100, window: 3600, name: 'hour' },
  ] }), (req, res) => res.send('ok')));
  try {
    await fx.redis().alignToWindow(3600, 10000);
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(srv.base + '/multi');
      statuses.push(res.status);
      const rl = parseFields(res.headers.get('ratelimit'));
      if (i === 3) {
        assert.equal(rl.minute.r, 0);
        assert.equal(rl.hour.r, 98, 'the two denied requests were not charged to the hour policy');
      }
      await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [200, 200, 429, 429]);
    const policy = parseFields((await fetch(srv.base + '/multi')).headers.get('ratelimit-policy'));
    assert.deepEqual(policy, { minute: { q: 2, w: 60 }, hour: { q: 100, w: 3600 } });
  } finally {
    await srv.close();
  }
});

test('spoofed X-Forwarded-For is ignored without trustedProxies, even with Express trust proxy', { skip: fx.skip }, async () => {
  const srv = await app((a, m) => {
    a.set('trust proxy', true);
    a.get('/direct', m.rateLimit({ requests: 2, window: 60, name: 'direct' }), (req, res) => res.send('ok'));
  });
  try {
    await fx.redis().alignToWindow(60, 5000);
    const codes = [];
    for (const ip of ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4']) {
      const res = await fetch(srv.base + '/direct', { headers: { 'x-forwarded-for': ip } });
      codes.push(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual(codes, [200, 200, 429, 429]);
  } finally {
    await srv.close();
  }
});

test('behind trusted proxies the rightmost untrusted hop is the client', { skip: fx.skip }, async () => {
  // The environment variable shared with the Python module, comma-separated.
  process.env.STABLESTACK_TRUSTED_PROXIES = '127.0.0.1, ::1,10.0.0.0/8';
  let srv;
  try {
    srv = await app((a, m) => a.get('/proxied', m.rateLimit({ requests: 2, window: 60, name: 'proxied' }), (req, res) => res.send('ok')));
  } finally {
    delete process.env.STABLESTACK_TRUSTED_PROXIES;
  }
  const get = async (xff) => {
    const res = await fetch(srv.base + '/proxied', { headers: { 'x-forwarded-for': xff } });
    await res.arrayBuffer();
    return res.status;
  };
  try {
    await fx.redis().alignToWindow(60, 5000);
    // The client forges the left part; the trusted proxies append the real hops on the right.
    assert.equal(await get('6.6.6.6, 198.51.100.9, 10.1.2.3'), 200);
    assert.equal(await get('7.7.7.7, 198.51.100.9, 10.1.2.3'), 200);
    assert.equal(await get('8.8.8.8, 198.51.100.9'), 429, 'same real client, different forged hops');
    assert.equal(await get('198.51.100.10'), 200, 'another client has its own counter');
    // IPv6 clients are grouped by /64.
    assert.equal(await get('2001:db8:1:2::1'), 200);
    assert.equal(await get('2001:db8:1:2:ffff::9'), 200);
    assert.equal(await get('2001:db8:1:2:abcd::1'), 429, 'same /64 shares the counter');
    assert.equal(await get('2001:db8:1:3::1'), 200, 'the next /64 does not');
  } finally {
    await srv.close();
  }
});

test('a custom key limits per user; no key means not limited', { skip: fx.skip }, async () => {
  const srv = await app((a, m) => a.get('/bykey', m.rateLimit({ requests: 1, window: 60, name: 'bykey', key: (req) => req.headers['x-api-key'] }), (req, res) => res.send('ok')));
  const get = async (k) => {
    const res = await fetch(srv.base + '/bykey', { headers: k ? { 'x-api-key': k } : {} });
    await res.arrayBuffer();
    return res.status;
  };
  try {
    await fx.redis().alignToWindow(60, 5000);
    assert.deepEqual([await get('alice'), await get('alice'), await get('bob'), await get(null), await get(null)], [200, 429, 200, 200, 200]);
    const keys = await fx.redis().command('KEYS stablestack:*:bykey:*');
    assert.match(keys, /\*2\r\n/, `one key per user, none for the unkeyed requests: ${keys}`);
  } finally {
    await srv.close();
  }
});

test('without a name each route has its own counter; app.use shares one', { skip: fx.skip }, async () => {
  const srv = await app((a, m) => {
    const perRoute = { requests: 1, window: 60 };
    a.get('/one', m.rateLimit(perRoute), (req, res) => res.send('1'));
    a.get('/two', m.rateLimit(perRoute), (req, res) => res.send('2'));
    const router = express.Router();
    router.use(m.rateLimit({ requests: 2, window: 60 }));
    router.get('/x', (req, res) => res.send('x'));
    router.get('/y', (req, res) => res.send('y'));
    a.use('/shared', router);
  });
  const status = async (p) => { const r = await fetch(srv.base + p); await r.arrayBuffer(); return r.status; };
  try {
    await fx.redis().alignToWindow(60, 5000);
    assert.deepEqual([await status('/one'), await status('/two'), await status('/one'), await status('/two')], [200, 200, 429, 429]);
    assert.deepEqual([await status('/shared/x'), await status('/shared/y'), await status('/shared/x')], [200, 200, 429]);
    const keys = await fx.redis().command('KEYS stablestack:*');
    assert.match(keys, /:\/one:1:60000\r\n/);
    assert.match(keys, /:\/two:1:60000\r\n/);
    assert.match(keys, /:default:2:60000\r\n/);
  } finally {
    await srv.close();
  }
});

test('legacy X-RateLimit-* headers on request; IETF fields can be switched off', { skip: fx.skip }, async () => {
  const srv = await app((a, m) => {
    a.get('/legacy', m.rateLimit({ requests: 3, window: 60, name: 'legacy', legacyHeaders: true }), (req, res) => res.send('ok'));
    a.get('/quiet', m.rateLimit({ requests: 1, window: 60, name: 'quiet', headers: false }), (req, res) => res.send('ok'));
  });
  try {
    await fx.redis().alignToWindow(60, 5000);
    const res = await fetch(srv.base + '/legacy');
    assert.equal(res.headers.get('x-ratelimit-limit'), '3');
    assert.equal(res.headers.get('x-ratelimit-remaining'), '2');
    assert.match(res.headers.get('x-ratelimit-reset'), /^\d+$/);
    assert.ok(res.headers.has('ratelimit'));
    const quiet = await fetch(srv.base + '/quiet');
    assert.equal(quiet.headers.has('ratelimit'), false);
    const denied = await fetch(srv.base + '/quiet');
    assert.equal(denied.status, 429);
    assert.match(denied.headers.get('retry-after'), /^[1-9]\d*$/, 'Retry-After is always sent on 429');
  } finally {
    await srv.close();
  }
});

test('every key expires within two windows; no raw address in key names', { skip: fx.skip }, async () => {
  const srv = await app((a, m) => a.get('/ttl', m.rateLimit({ limits: [{ requests: 5, window: 2 }, { requests: 50, window: 30 }], name: 'ttl', trustedProxies: ['loopback'] }), (req, res) => res.send('ok')));
  try {
    for (const ip of ['198.51.100.77', '2001:db8:77::1']) {
      const res = await fetch(srv.base + '/ttl', { headers: { 'x-forwarded-for': ip } });
      assert.equal(res.status, 200);
    }
    const reply = await fx.redis().command('KEYS stablestack:*:ttl:*');
    const keys = reply.split('\r\n').filter((l) => l.startsWith('stablestack:'));
    assert.equal(keys.length, 4, reply);
    for (const key of keys) {
      assert.doesNotMatch(key, /198\.51|2001:db8/, 'the identity is hashed');
      const windowMs = Number(key.split(':').pop());
      const ttl = Number((await fx.redis().command(`PTTL ${key}`)).slice(1));
      assert.ok(ttl > 0 && ttl <= 2 * windowMs, `${key}: PTTL ${ttl} within (0, ${2 * windowMs}]`);
    }
  } finally {
    await srv.close();
  }
});
