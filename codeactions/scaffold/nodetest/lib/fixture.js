'use strict';
// Per-file fixture: a private redis-server, REDIS_URL pointing at it, and the rendered module.

const { before, after } = require('node:test');
const { RedisServer, skipUnless } = require('./redis-server');
const { loadLimiter } = require('./limiter-module');

/** Registers before/after hooks; returns { skip, redis(), limiter() } for the tests. */
function redisFixture(serverOptions = {}) {
  const skip = skipUnless('redis-server');
  const state = { server: null, mod: null };
  if (!skip) {
    before(async () => {
      state.server = await new RedisServer(serverOptions).start();
      process.env.REDIS_URL = state.server.url;
      state.mod = loadLimiter();
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

module.exports = { redisFixture, listen };
