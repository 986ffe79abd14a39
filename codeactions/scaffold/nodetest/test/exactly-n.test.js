'use strict';
// Atomicity: many processes, each with many checks in flight on ONE key with limit N,
// admit exactly N, round after round; with node-redis, ioredis and the module's own
// client; and a mixed fleet of Python and Node processes shares the same counter.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { redisFixture } = require('../lib/fixture');
const { skipUnless } = require('../lib/redis-server');
const { modulePath } = require('../lib/limiter-module');
const { nodeWorker, pythonWorker, runFleet } = require('../lib/fleet');

const fx = redisFixture();
const WINDOW = 3600;

test('4 Node processes x 40 in flight admit exactly N, 3 rounds (node-redis v4, v5, ioredis, own client)', { skip: fx.skip }, async () => {
  const N = 97;
  for (let round = 0; round < 3; round++) {
    await fx.redis().alignToWindow(WINDOW, 60000);
    const base = { module: modulePath('node'), url: fx.redis().url, identity: `user:round-${round}`, scope: 'exact', requests: N, window: WINDOW, total: 80, concurrency: 40 };
    const clients = ['node-redis', 'ioredis', 'auto', 'node-redis-v5'];
    const sum = await runFleet(clients.map((client) => nodeWorker({ ...base, client })));
    assert.equal(sum.errors, 0, JSON.stringify(sum.perWorker));
    assert.equal(sum.admitted, N, `round ${round}: ${JSON.stringify(sum.perWorker)}`);
    assert.equal(sum.denied, 4 * 80 - N);
  }
});

test('a mixed Python + Node fleet on one key admits exactly N', { skip: fx.skip || skipUnless('/usr/bin/python3') }, async () => {
  // Each language alone makes 100 attempts, fewer than N: whatever the scheduling, both
  // must draw from the one budget, and together they may take exactly N of 200.
  const N = 150;
  const pyDir = path.dirname(modulePath('python'));
  for (let round = 0; round < 2; round++) {
    await fx.redis().alignToWindow(WINDOW, 60000);
    const common = { url: fx.redis().url, identity: `ip:198.51.100.${round}`, scope: 'shared.route', requests: N, window: WINDOW, total: 50, concurrency: 25 };
    const workers = [
      nodeWorker({ ...common, module: modulePath('node'), client: 'node-redis' }),
      nodeWorker({ ...common, module: modulePath('node'), client: 'ioredis' }),
      pythonWorker({ ...common, module_dir: pyDir }),
      pythonWorker({ ...common, module_dir: pyDir }),
    ];
    const sum = await runFleet(workers);
    assert.equal(sum.errors, 0, JSON.stringify(sum.perWorker));
    assert.equal(sum.admitted, N, `round ${round}: ${JSON.stringify(sum.perWorker)}`);
    const py = sum.perWorker[2].admitted + sum.perWorker[3].admitted;
    const js = sum.perWorker[0].admitted + sum.perWorker[1].admitted;
    assert.ok(py >= N - 100 && js >= N - 100, `both languages were admitted from the shared budget (py=${py}, js=${js})`);
    assert.equal(sum.denied, 200 - N);
  }
  const keys = await fx.redis().command('KEYS stablestack:*:shared.route:*');
  assert.match(keys, /^\*2\r\n/, `one shared key per identity, none per language: ${keys}`);
});
