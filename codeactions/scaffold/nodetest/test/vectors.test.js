'use strict';
// The shared golden vectors (testdata/vectors.json, generated from the Go reference model):
// the script as embedded in the rendered module, run by a real Redis; the key schema; and
// the identity rules. Python checks the same file, so both languages agree by construction.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { createClient } = require('redis');
const { redisFixture } = require('../lib/fixture');
const { NODETEST } = require('../lib/limiter-module');

const vectors = JSON.parse(fs.readFileSync(path.join(NODETEST, '..', 'testdata', 'vectors.json'), 'utf8'));
const fx = redisFixture();

test('the rendered module embeds the canonical script unchanged', { skip: fx.skip }, () => {
  const canonical = fs.readFileSync(path.join(NODETEST, '..', 'templates', 'sliding_window.lua'), 'utf8');
  assert.equal(fx.limiter().SLIDING_WINDOW_LUA, canonical.replace(/\n$/, ''));
});

test('limiter vectors: script reply and stored state', { skip: fx.skip }, async () => {
  assert.ok(vectors.limiter.length > 10);
  const m = fx.limiter();
  const r = createClient({ url: fx.redis().url });
  await r.connect();
  try {
    for (const v of vectors.limiter) {
      const keys = v.policies.map((_, k) => `vec:{t}:${k}`);
      await r.del(keys);
      for (const [k, pol] of v.policies.entries()) {
        if (pol.state) await r.hSet(keys[k], { i: String(pol.state.i), c: String(pol.state.c), p: String(pol.state.p) });
      }
      const args = [String(v.cost), String(v.now_ms)];
      for (const pol of v.policies) args.push(String(pol.limit), String(pol.window_ms));
      const reply = await r.eval(m.SLIDING_WINDOW_LUA, { keys, arguments: args });
      const want = [v.expect.allowed ? 1 : 0, v.expect.retry_after_ms];
      v.expect.remaining.forEach((rem, k) => want.push(rem, v.expect.reset_ms[k]));
      assert.equal(reply, want.join(' '), `vector ${JSON.stringify(v.name)}`); // one status string
      for (const [k, st] of v.expect.state.entries()) {
        const h = await r.hGetAll(keys[k]);
        const got = Object.keys(h).length ? { i: Number(h.i), c: Number(h.c), p: Number(h.p) } : null;
        assert.deepEqual(got, st, `stored state of policy ${k} after ${JSON.stringify(v.name)}`);
      }
      // The module's reading of the reply: integer Retry-After, rounded up, at least 1.
      const limits = v.policies.map((pol) => ({ requests: pol.limit, windowMs: pol.window_ms, windowSeconds: Math.ceil(pol.window_ms / 1000), label: 'x' }));
      const d = m._internal.parseReply(reply, limits);
      assert.equal(d.allowed, v.expect.allowed);
      assert.equal(d.retryAfter, v.expect.allowed ? 0 : Math.max(1, Math.ceil(v.expect.retry_after_ms / 1000)));
    }
  } finally {
    await r.quit();
  }
});

test('key vectors: <prefix>:{<16 hex of sha256(identity)>}:<scope>:<limit>:<window_ms>', { skip: fx.skip }, () => {
  const { limitKey, identityTag, keyPlan, planKeys } = fx.limiter()._internal;
  assert.ok(vectors.keys.length >= 3);
  for (const v of vectors.keys) {
    const [, scope, limit, windowMs] = /^(.*):(\d+):(\d+)$/.exec(v.policy);
    const l = { requests: Number(limit), windowMs: Number(windowMs) };
    assert.equal(limitKey(v.prefix, identityTag(v.identity), scope, l), v.key);
    // The precomputed plan that check() uses must build the same key.
    assert.deepEqual(planKeys(keyPlan(v.prefix, scope, [l], 1), v.identity), [v.key]);
  }
});

test('identity vectors: peer, X-Forwarded-For and trusted proxies', { skip: fx.skip }, () => {
  const { clientIdentity, compileTrust } = fx.limiter()._internal;
  assert.ok(vectors.identities.length >= 10);
  for (const v of vectors.identities) {
    const got = clientIdentity(v.peer, v.x_forwarded_for, compileTrust(v.trusted_proxies), null);
    assert.equal(got, v.identity, JSON.stringify(v));
  }
});
