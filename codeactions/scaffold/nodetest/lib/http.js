'use strict';
// Assertions on the HTTP contract shared by every framework test.

const assert = require('node:assert/strict');
const { sleep } = require('./redis-server');

/** Parses `"name";r=1;t=2` / `"name";q=3;w=4` lists into { name: { r, t } }. */
function parseFields(value) {
  const out = {};
  for (const item of String(value).split(',')) {
    const m = /^\s*"([^"]+)"((?:;[a-z]+=\d+)+)\s*$/.exec(item);
    assert.ok(m, `malformed structured field item ${JSON.stringify(item)} in ${JSON.stringify(value)}`);
    const params = {};
    for (const p of m[2].split(';').slice(1)) {
      const [k, v] = p.split('=');
      params[k] = Number(v);
    }
    out[m[1]] = params;
  }
  return out;
}

/** Integer seconds >= 1, as RFC 9110 delay-seconds must be for a useful Retry-After. */
function retryAfterOf(res) {
  const v = res.headers.get('retry-after');
  assert.match(String(v), /^[1-9]\d*$/, `Retry-After must be an integer >= 1, got ${v}`);
  return Number(v);
}

/**
 * `send()` N times (all pass, headers count down), once more (429 with Retry-After and
 * r=0), then waits Retry-After seconds and expects a pass: the complete client-visible
 * contract of one policy.
 */
async function assertLimitCycle(send, { requests, window, name }) {
  for (let i = 1; i <= requests; i++) {
    const res = await send();
    assert.equal(res.status, 200, `request ${i} of ${requests} should pass`);
    const policy = parseFields(res.headers.get('ratelimit-policy'));
    assert.deepEqual(policy[name], { q: requests, w: window });
    const rl = parseFields(res.headers.get('ratelimit'));
    assert.equal(rl[name].r, requests - i, `remaining after request ${i}`);
    assert.ok(rl[name].t >= 1 && rl[name].t <= 2 * window, `t=${rl[name].t} within 2 windows`);
    await res.arrayBuffer();
  }
  const denied = await send();
  assert.equal(denied.status, 429);
  assert.equal(parseFields(denied.headers.get('ratelimit'))[name].r, 0);
  assert.ok(parseFields(denied.headers.get('ratelimit-policy'))[name]);
  const wait = retryAfterOf(denied);
  assert.ok(wait <= 2 * window, `Retry-After ${wait} within two windows`);
  await denied.arrayBuffer();
  await sleep(wait * 1000);
  const again = await send();
  assert.equal(again.status, 200, `a request after Retry-After=${wait}s must pass`);
  await again.arrayBuffer();
}

module.exports = { parseFields, retryAfterOf, assertLimitCycle };
