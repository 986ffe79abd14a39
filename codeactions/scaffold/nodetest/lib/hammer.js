'use strict';
// A worker process for the "exactly N" tests: connects, says "ready", waits for "go" on
// stdin so every process starts together, fires `total` checks with `concurrency` in
// flight on one identity, and prints {"admitted","denied","errors"} as JSON.
// Config: argv[2] is JSON { module, url, client, identity, scope, requests, window, total, concurrency }.

const cfg = JSON.parse(process.argv[2]);
const m = require(cfg.module);

async function makeClient() {
  if (cfg.client === 'ioredis') {
    const IORedis = require('ioredis');
    const c = new IORedis(cfg.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    await c.connect();
    return c;
  }
  if (cfg.client === 'node-redis' || cfg.client === 'node-redis-v5') {
    const c = require(cfg.client === 'node-redis' ? 'redis' : 'redis5').createClient({ url: cfg.url });
    await c.connect();
    return c;
  }
  return undefined; // the module's own client from `url`
}

async function main() {
  const redis = await makeClient();
  const limiter = m.createLimiter({
    requests: cfg.requests, window: cfg.window, name: cfg.scope, url: cfg.url, redis,
    // A slow shared machine must not turn a check into a fail-open admit: this test is
    // about atomicity, so the budget is generous and every error is counted.
    commandTimeoutMs: 10000, connectTimeoutMs: 10000,
  });
  await limiter.check('warmup:' + process.pid, 'warmup'); // connect and load the script
  process.stdout.write('ready\n');
  // A parent that dies before "go" closes our stdin: leave instead of waiting forever.
  process.stdin.once('end', () => process.exit(2));
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.removeAllListeners('end');
  process.stdin.destroy(); // nothing more to read; must not keep the process alive
  const out = { admitted: 0, denied: 0, errors: 0 };
  let next = 0;
  async function lane() {
    while (next < cfg.total) {
      next++;
      const d = await limiter.check(cfg.identity);
      if (d.error) out.errors++;
      else if (d.allowed) out.admitted++;
      else out.denied++;
    }
  }
  await Promise.all(Array.from({ length: cfg.concurrency }, lane));
  process.stdout.write(JSON.stringify(out) + '\n');
  if (redis) await (redis.destroy ? redis.destroy() : redis.quit());
  await m.closeRateLimiter();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
