'use strict';
// Per-file fixture: a private redis-server, REDIS_URL pointing at it, and the rendered module.

const { before, after } = require('node:test');
const { RedisServer, skipUnless } = require('./redis-server');
const { loadLimiter } = require('./limiter-module');

// Budgets for tests that are not about the budget: on a shared two-core machine under load,
// the 100 ms defaults can fail a check open, and an admitted request without RateLimit
// headers would fail a test about headers or counts. Outage tests set their own.
const RELAXED = { connectTimeoutMs: 3000, commandTimeoutMs: 3000 };
const FORMS = ['rateLimit', 'fastifyRateLimit', 'fastifyRateLimitPlugin', 'honoRateLimit', 'koaRateLimit', 'createLimiter'];

/** The real module, with RELAXED budgets unless a test gives its own. */
function relaxed(mod) {
  const out = Object.create(mod);
  for (const name of FORMS) {
    if (name === 'fastifyRateLimitPlugin') {
      const plugin = (fastify, options) => mod.fastifyRateLimitPlugin(fastify, { ...RELAXED, ...options });
      plugin[Symbol.for('skip-override')] = true;
      out[name] = plugin;
    } else {
      out[name] = (options) => mod[name]({ ...RELAXED, ...options });
    }
  }
  out.withRateLimit = (handler, options) => mod.withRateLimit(handler, { ...RELAXED, ...options });
  return out;
}

/** Registers before/after hooks; returns { skip, redis(), limiter() } for the tests. */
function redisFixture(serverOptions = {}) {
  const skip = skipUnless('redis-server');
  const state = { server: null, mod: null };
  if (!skip) {
    before(async () => {
      state.server = await new RedisServer(serverOptions).start();
      process.env.REDIS_URL = state.server.url;
      state.mod = relaxed(loadLimiter());
    });
    after(async () => {
      if (state.mod) await state.mod.closeRateLimiter();
      if (state.server) await state.server.close();
    });
  }
  return { skip, redis: () => state.server, limiter: () => state.mod };
}

/** Listens on an ephemeral loopback port; resolves with the base URL and a close function. */
function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ base: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) });
    });
  });
}

module.exports = { redisFixture, listen, RELAXED };
