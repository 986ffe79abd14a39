'use strict';
// A bounded HTTP load on loopback that records every status and latency.

const { performance } = require('node:perf_hooks');

/**
 * Runs `lanes` sequential request loops against `url` for `durationMs`, calling
 * `during(elapsedMs)` hooks once each at their time. Resolves with samples
 * { t, status, ms, limited } where limited says whether a RateLimit field was sent.
 */
async function load(url, { lanes = 8, durationMs = 2000, at = [] } = {}) {
  const samples = [];
  const start = performance.now();
  const timers = at.map(([ms, fn]) => setTimeout(fn, ms));
  async function lane() {
    while (performance.now() - start < durationMs) {
      const t0 = performance.now();
      let status = 0;
      let limited = false;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10000) });
        status = res.status;
        limited = res.headers.has('ratelimit');
        await res.arrayBuffer();
      } catch (err) {
        status = -1; // transport failure: must never happen either
      }
      samples.push({ t: t0 - start, status, ms: performance.now() - t0, limited });
    }
  }
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    timers.forEach(clearTimeout);
  }
  return samples;
}

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

module.exports = { load, percentile };
