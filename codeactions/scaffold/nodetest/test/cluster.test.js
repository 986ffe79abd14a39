'use strict';
// Redis Cluster: a cluster-mode server owning all 16384 slots rejects any script call whose
// keys span slots (CROSSSLOT), so a multi-limit route proves one client's keys share a
// slot; keys of different clients must still spread over slots, and over the masters of a
// three-master cluster. Checked with ioredis and node-redis (v4, v5) cluster clients and the
// module's own client (STABLESTACK_REDIS_CLUSTER=1).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const IORedis = require('ioredis');
const { createCluster, createClient } = require('redis');
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

/** 60 concurrent checks: 40 on one hot client (limit 2 a minute), 20 on others. */
async function concurrent(limiter, label) {
  const hot = Array.from({ length: 40 }, () => limiter.check(`user:${label}:hot`));
  const cold = Array.from({ length: 20 }, (_, i) => limiter.check(`user:${label}:cold-${i}`));
  const decisions = await Promise.all([...hot, ...cold]);
  for (const d of decisions) assert.equal(d.error, null, `${label}: ${d.error && d.error.message}`);
  assert.equal(decisions.slice(0, 40).filter((d) => d.allowed).length, 2, `${label}: exactly the limit`);
  assert.ok(decisions.slice(40).every((d) => d.allowed), `${label}: other clients untouched`);
}

test('concurrent checks: cluster clients never batch keys of different slots', { skip: fx.skip }, async () => {
  const io = new IORedis.Cluster([{ host: '127.0.0.1', port: fx.redis().port }], { enableOfflineQueue: true });
  const nr = createCluster({ rootNodes: [{ url: fx.redis().url }] });
  await nr.connect();
  try {
    await concurrent(fx.limiter().createLimiter({ redis: io, limits: LIMITS, name: 'c-io', connectTimeoutMs: 5000 }), 'c-io');
    await concurrent(fx.limiter().createLimiter({ redis: nr, limits: LIMITS, name: 'c-nr' }), 'c-nr');
  } finally {
    io.disconnect();
    await nr.disconnect();
  }
});

test('a standalone client on a cluster-mode server: a refused batch (CROSSSLOT) goes again check by check', { skip: fx.skip }, async () => {
  const io = new IORedis(fx.redis().url);
  const nr = createClient({ url: fx.redis().url });
  await nr.connect();
  try {
    for (const [label, client] of [['s-io', io], ['s-nr', nr]]) {
      const limiter = fx.limiter().createLimiter({ redis: client, limits: LIMITS, name: label, connectTimeoutMs: 5000 });
      await limiter.check(`user:${label}:warm-up`);
      await fx.redis().command('CONFIG RESETSTAT');
      await concurrent(limiter, label);
      const stats = await fx.redis().command('INFO errorstats');
      assert.match(stats, /errorstat_CROSSSLOT:count=1\r\n/, `${label}: one refused batch, then no more batches`);
    }
  } finally {
    io.disconnect();
    await nr.disconnect();
  }
});

test('three masters: keys spread over all of them, multi-limit calls follow redirects', { skip: fx.skip }, async () => {
  const { startCluster } = require('../lib/redis-server');
  const cluster = await startCluster(3);
  const io = new IORedis.Cluster([{ host: '127.0.0.1', port: cluster.nodes[0].port }]);
  const nr = createCluster({ rootNodes: [{ url: cluster.nodes[1].url }] });
  await nr.connect();
  const nr5 = require('redis5').createCluster({ rootNodes: [{ url: cluster.nodes[2].url }] });
  await nr5.connect();
  process.env.STABLESTACK_REDIS_CLUSTER = '1';
  try {
    const m = fx.limiter();
    await exercise(m.createLimiter({ redis: io, limits: LIMITS, name: 'spread-io' }), 'ioredis 3 masters');
    await exercise(m.createLimiter({ redis: nr, limits: LIMITS, name: 'spread-nr' }), 'node-redis 3 masters');
    await exercise(m.createLimiter({ redis: nr5, limits: LIMITS, name: 'spread-nr5' }), 'node-redis v5 3 masters');
    await exercise(m.createLimiter({ url: cluster.nodes[0].url, limits: LIMITS, name: 'spread-own' }), 'own client 3 masters');
    const sizes = [];
    for (const n of cluster.nodes) sizes.push(Number((await n.command('DBSIZE')).slice(1)));
    assert.equal(sizes.reduce((a, b) => a + b, 0), 4 * 20 * LIMITS.length, `keys per node ${sizes}`);
    assert.ok(sizes.every((x) => x >= 30), `every master holds a share of the clients (${sizes})`);
  } finally {
    delete process.env.STABLESTACK_REDIS_CLUSTER;
    io.disconnect();
    await nr.disconnect();
    nr5.destroy();
    await cluster.close();
  }
});
