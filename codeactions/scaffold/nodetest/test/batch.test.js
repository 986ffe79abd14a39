'use strict';
// Batches: checks that arrive while a script call is in flight share the next call (the
// script's batch form). Each must still be decided exactly as on its own: the counts of a
// hot identity step down one by one, other identities are untouched, NOSCRIPT recovers,
// and a lone check still goes out on its own.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const IORedis = require('ioredis');
const { createClient } = require('redis');
const { createClient: createClient5 } = require('redis5');
const { redisFixture } = require('../lib/fixture');

const fx = redisFixture();

/** EVALSHA and EVAL calls Redis has run since the last CONFIG RESETSTAT. */
async function scriptCalls() {
  const stats = await fx.redis().command('INFO commandstats');
  let n = 0;
  for (const m of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) n += Number(m[1]);
  return n;
}

const CLIENTS = {
  'the module default client': async () => null,
  'node-redis v4': async (url) => { const c = createClient({ url }); await c.connect(); return c; },
  'node-redis v5': async (url) => { const c = createClient5({ url }); await c.connect(); return c; },
  ioredis: async (url) => { const c = new IORedis(url); await new Promise((r) => c.once('ready', r)); return c; },
};

for (const [name, make] of Object.entries(CLIENTS)) {
  test(`${name}: 300 concurrent checks share a few script calls and each is decided as on its own`, { skip: fx.skip }, async () => {
    const m = fx.limiter();
    const client = await make(fx.redis().url);
    try {
      const scope = 'batch-' + name.replace(/\W+/g, '-');
      const l = m.createLimiter({ requests: 50, window: 3600, name: scope, ...(client ? { redis: client } : {}) });
      await fx.redis().alignToWindow(3600, 60000);
      await l.check('user:warm-up'); // the connection is open: every check below is sent from one tick
      await fx.redis().command('CONFIG RESETSTAT');
      const hot = Array.from({ length: 200 }, () => l.check('user:hot'));
      const cold = Array.from({ length: 100 }, (_, i) => l.check(`user:cold-${i}`));
      const hotDecisions = await Promise.all(hot);
      const coldDecisions = await Promise.all(cold);

      for (const d of [...hotDecisions, ...coldDecisions]) assert.equal(d.error, null);
      const admitted = hotDecisions.filter((d) => d.allowed);
      assert.equal(admitted.length, 50, 'exactly the limit admitted');
      // In order: each admitted check saw the ones before it, in this batch or an earlier one.
      assert.deepEqual(admitted.map((d) => d.results[0].remaining), Array.from({ length: 50 }, (_, i) => 49 - i));
      assert.ok(hotDecisions.slice(50).every((d) => !d.allowed && d.retryAfter >= 1 && d.results[0].remaining === 0),
        'the rest refused, with a Retry-After');
      assert.ok(coldDecisions.every((d) => d.allowed && d.results[0].remaining === 49), 'other identities untouched');

      const calls = await scriptCalls();
      assert.ok(calls >= 300 / 64 && calls <= 20, `300 checks took ${calls} script calls`);
      const keys = await fx.redis().command(`KEYS stablestack:*:${scope}:*`);
      assert.match(keys, /^\*102\r\n/, 'one key per identity (hot, warm-up, 100 cold)');
    } finally {
      if (client) await (client.quit ? client.quit() : client.close());
    }
  });
}

test('a lone check is sent at once, not held for a batch', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const l = m.createLimiter({ requests: 5, window: 60, name: 'lone' });
  await fx.redis().alignToWindow(60, 5000);
  await l.check('user:lone');
  await fx.redis().command('CONFIG RESETSTAT');
  for (let i = 0; i < 4; i++) assert.equal((await l.check('user:lone')).allowed, true);
  assert.equal((await l.check('user:lone')).allowed, false);
  assert.equal(await scriptCalls(), 5, 'one call per sequential check');
});

test('a batch after SCRIPT FLUSH reloads the script with EVAL and decides every check', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const l = m.createLimiter({ requests: 10, window: 3600, name: 'flushed' });
  await fx.redis().alignToWindow(3600, 60000);
  await l.check('user:first');
  await fx.redis().command('SCRIPT FLUSH');
  await fx.redis().command('CONFIG RESETSTAT');
  const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => l.check(`user:f${i % 3}`)));
  // The first check went alone, the other 29 in one batch: both met NOSCRIPT and used EVAL.
  const stats = await fx.redis().command('INFO commandstats');
  assert.match(stats, /cmdstat_evalsha:calls=2,.*failed_calls=2/);
  assert.match(stats, /cmdstat_eval:calls=2,/);
  for (const d of decisions) assert.equal(d.error, null);
  assert.equal(decisions.filter((d) => d.allowed).length, 30, 'ten per identity fit');
  const again = await Promise.all(Array.from({ length: 3 }, (_, i) => l.check(`user:f${i}`)));
  assert.ok(again.every((d) => !d.allowed && d.error === null), 'each identity counted its ten');
});

test('several limits on a route are checked together in a batch too', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const l = m.createLimiter({ limits: [{ requests: 3, window: 60 }, { requests: 5, window: 3600 }], name: 'multi' });
  await fx.redis().alignToWindow(3600, 60000);
  await l.check('user:warm');
  const decisions = await Promise.all(Array.from({ length: 20 }, (_, i) => l.check(`user:m${i % 2}`)));
  for (const id of [0, 1]) {
    const mine = decisions.filter((_, i) => i % 2 === id);
    assert.deepEqual(mine.map((d) => d.allowed), [true, true, true, ...Array(7).fill(false)]);
    assert.deepEqual(mine.slice(0, 3).map((d) => d.results.map((r) => r.remaining)), [[2, 4], [1, 3], [0, 2]]);
  }
});
