'use strict';
// The circuit breaker's state machine, with explicit clock values: it decides how often a
// dead Redis is asked, so its backoff and single probe matter as much as the timeouts.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { loadLimiter } = require('../lib/limiter-module');

test('opens after the threshold, probes once per backoff, doubles up to the cap, closes on success', () => {
  const { CircuitBreaker } = loadLimiter()._internal;
  const b = new CircuitBreaker(3, 1000, 4000);
  assert.equal(b.allow(0), true);
  b.failure(0);
  b.failure(0);
  assert.equal(b.allow(0), true, 'still closed below the threshold');
  b.failure(10);
  assert.equal(b.allow(500), false, 'open: Redis is not asked');
  assert.equal(b.waitMs(500), 510);
  assert.equal(b.allow(1010), true, 'half-open: one probe');
  assert.equal(b.allow(1010), false, 'only one probe at a time');
  b.failure(1020);
  assert.equal(b.allow(3019), false, 'backoff doubled to 2 s');
  assert.equal(b.allow(3020), true);
  b.failure(3020);
  assert.equal(b.allow(7019), false, 'backoff doubled to 4 s');
  assert.equal(b.allow(7020), true);
  b.failure(7020);
  assert.equal(b.allow(11019), false, 'capped at 4 s');
  assert.equal(b.allow(11020), true);
  b.success();
  assert.equal(b.allow(11021), true);
  assert.equal(b.waitMs(11021), 0);
  b.failure(20000);
  b.failure(20000);
  b.failure(20000);
  assert.equal(b.allow(20999), false);
  assert.equal(b.allow(21000), true, 'after a success the backoff starts again at 1 s');
});

test('failures of requests admitted before the breaker opened do not extend it', () => {
  const { CircuitBreaker } = loadLimiter()._internal;
  const b = new CircuitBreaker(3, 1000, 30000);
  for (let i = 0; i < 3; i++) b.failure(0);
  // Requests that were already in flight time out a little later.
  b.failure(50);
  b.failure(80);
  assert.equal(b.allow(1000), true, 'the probe still comes after the first backoff');
});
