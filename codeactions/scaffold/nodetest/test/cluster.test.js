'use strict';
// Redis Cluster: a cluster-mode server owning all 16384 slots rejects any script call whose
// keys span slots (CROSSSLOT), so a multi-limit route proves one client's keys share a
// slot; keys of different clients must still spread over slots. Checked with ioredis and
// node-redis cluster clients and with the module's own client (STABLESTACK_REDIS_CLUSTER=1).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const IORedis = require('ioredis');
const { createCluster } = require('redis');
const { redisFixture } = require('../lib/fixture');

const fx = redisFixture({ cluster: true });
const LIMITS = [
  { requests: 2, window: 60, name: 'minute' },
  { requests: 50, window: 3600, name: 'hour' },
  { requests: 500, window: 86400, name: 'day' },
];

async function exercise(limiter, label) {
  for (let u = 0; u < 20; u++) {
    const decisions = [];
    for (let i = 0; i < 3; i++) decisions.push(await limiter.check(`user:${label}:${u}`));
    for (const d of decisions) assert.equal(d.error, null, `${label}: ${d.error && d.error.message}`);
    assert.deepEqual(decisions.map((d) => d.allowed), [true, true, false], label);
    assert.deepEqual(decisions[2].results.map((r) => r.remaining), [0, 48, 498], `${label}: the denied request consumed nothing`);
  }
}

test('the server really is a cluster that rejects cross-slot scripts', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const reply = await fx.redis().command(`EVAL "return 1" 2 stablestack:{a}:x stablestack:{b}:x`);
  assert.match(reply, /CROSSSLOT/);
  const { limitKey, identityTag } = m._internal;
  const slots = new Set();
  for (let u = 0; u < 64; u++) {
    const key = limitKey('stablestack', identityTag(`ip:10.0.0.${u}`), 'default', { requests: 1, windowMs: 1000 });
    slots.add((await fx.redis().command(`CLUSTER KEYSLOT ${key}`)).trim());
  }
  assert.ok(slots.size > 50, `clients spread over slots (${slots.size} slots for 64 clients)`);
});

test('multi-limit checks with an ioredis Cluster client: no CROSSSLOT', { skip: fx.skip }, async () => {
  const cluster = new IORedis.Cluster([{ host: '127.0.0.1', port: fx.redis().port }], { enableOfflineQueue: true });
  try {
    await exercise(fx.limiter().createLimiter({ redis: cluster, limits: LIMITS, name: 'io', connectTimeoutMs: 5000 }), 'ioredis');
  } finally {
    cluster.disconnect();
  }
});

test('multi-limit checks with a node-redis cluster client: no CROSSSLOT', { skip: fx.skip }, async () => {
  const cluster = createCluster({ rootNodes: [{ url: fx.redis().url }] });
  await cluster.connect();
  try {
    await exercise(fx.limiter().createLimiter({ redis: cluster, limits: LIMITS, name: 'nr' }), 'node-redis');
  } finally {
    await cluster.disconnect();
  }
});

test("the module's own cluster client (STABLESTACK_REDIS_CLUSTER=1)", { skip: fx.skip }, async () => {
  process.env.STABLESTACK_REDIS_CLUSTER = '1';
  try {
    const limiter = fx.limiter().createLimiter({ url: fx.redis().url, limits: LIMITS, name: 'own', connectTimeoutMs: 5000 });
    await exercise(limiter, 'own');
  } finally {
    delete process.env.STABLESTACK_REDIS_CLUSTER;
  }
});
