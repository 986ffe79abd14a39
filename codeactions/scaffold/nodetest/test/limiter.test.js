'use strict';
// createLimiter, the core under every adapter: option validation, cost, scopes, and the
// decision object users get from check().

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { redisFixture } = require('../lib/fixture');

const fx = redisFixture();

test('bad options fail at startup, not per request', { skip: fx.skip }, () => {
  const m = fx.limiter();
  const bad = [
    [{ requests: 1.5, window: 60 }, /requests/],
    [{ requests: 0, window: 60 }, /requests/],
    [{ requests: 10, window: 0 }, /window/],
    [{ requests: 10, window: '60' }, /window/],
    [{ requests: 10 }, /window/],
    [{}, /requests.*window|limits/],
    [{ limits: [{ requests: 5, window: 1 }, { requests: 5, window: 1 }] }, /twice/],
    [{ requests: 5, window: 1, prefix: 'app:{x}' }, /prefix/],
    [{ requests: 5, window: 1, cost: -1 }, /cost/],
    [{ requests: 2 ** 40, window: 2 ** 20 }, /2\*\*53/],
    [{ requests: 5, window: 1, trustedProxies: ['10.0.0.0/8', 'proxy.internal'] }, /trustedProxies/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => m.rateLimit(options), message, JSON.stringify(options));
  }
});

test('cost: 0 peeks without writing; cost: 2 charges two units on every limit', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  await fx.redis().alignToWindow(3600, 60000);
  const limits = [{ requests: 5, window: 3600 }, { requests: 7, window: 7200 }];
  const peek = m.createLimiter({ limits, name: 'cost', cost: 0 });
  const two = m.createLimiter({ limits, name: 'cost', cost: 2 });
  let d = await peek.check('user:c');
  assert.deepEqual(d.results.map((r) => r.remaining), [5, 7]);
  assert.match(await fx.redis().command('KEYS stablestack:*:cost:*'), /^\*0\r\n/, 'a peek writes nothing');
  d = await two.check('user:c');
  assert.deepEqual([d.allowed, ...d.results.map((r) => r.remaining)], [true, 3, 5]);
  d = await two.check('user:c');
  assert.deepEqual([d.allowed, ...d.results.map((r) => r.remaining)], [true, 1, 3]);
  d = await two.check('user:c');
  assert.equal(d.allowed, false, 'two units do not fit in the one left');
  assert.ok(d.retryAfter >= 1);
  d = await peek.check('user:c');
  assert.deepEqual([d.allowed, ...d.results.map((r) => r.remaining)], [true, 1, 3], 'the refused request consumed nothing');
});

test('check(identity, scope): the scope argument wins over the name, sanitized like Python', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const l = m.createLimiter({ requests: 1, window: 60, name: 'named' });
  await fx.redis().alignToWindow(60, 5000);
  assert.equal((await l.check('user:s')).allowed, true);
  assert.equal((await l.check('user:s')).allowed, false);
  assert.equal((await l.check('user:s', 'GET /items/{id}')).allowed, true, 'another scope, another counter');
  const keys = await fx.redis().command('KEYS stablestack:*');
  assert.match(keys, /:named:1:60000\r\n/);
  assert.match(keys, /:GET_\/items\/_id_:1:60000\r\n/);
});

test('a decision carries labels, limits, remaining and reset for every policy', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const l = m.createLimiter({ limits: [{ requests: 3, window: 1.5, name: 'burst' }, { requests: 10, window: 60 }] });
  await fx.redis().alignToWindow(60, 5000);
  const d = await l.check('user:d');
  assert.equal(d.error, null);
  assert.equal(d.allowed, true);
  assert.equal(d.retryAfter, 0);
  assert.deepEqual(d.results.map(({ name, limit, window, remaining }) => ({ name, limit, window, remaining })), [
    { name: 'burst', limit: 3, window: 2, remaining: 2 },
    { name: '10-per-60s', limit: 10, window: 60, remaining: 9 },
  ]);
  assert.ok(d.results.every((r) => r.resetSeconds >= 1 && r.resetSeconds <= 2 * Math.ceil(r.window)));
  assert.match(await fx.redis().command('KEYS stablestack:*'), /:default:3:1500\r\n/, 'fractional windows are kept to the millisecond');
});

test('cached identities and KEYS stay bounded for the whole process and stay right', { skip: fx.skip }, () => {
  const { keyPlan, planKeys, limitKey, identityTag, identityCacheSize } = fx.limiter()._internal;
  const limit = { requests: 5, windowMs: 60000 };
  const plans = ['a', 'b', 'c', 'd', 'e', 'f'].map((scope) => [scope, keyPlan('p', scope, [limit], 1)]);
  for (let i = 0; i < 40000; i++) {
    const id = `ip:10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
    const [scope, plan] = plans[i % plans.length];
    assert.deepEqual(planKeys(plan, id), [limitKey('p', identityTag(id), scope, limit)]);
  }
  assert.ok(identityCacheSize() <= 16384, `${identityCacheSize()} identities cached`);
  // One identity under more scopes than it keeps KEYS for: every answer is still its own.
  for (let round = 0; round < 3; round++) {
    for (const [scope, plan] of plans) assert.deepEqual(planKeys(plan, 'user:many'), [limitKey('p', identityTag('user:many'), scope, limit)]);
  }
});
