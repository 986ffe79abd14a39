'use strict';
// A copy of the rendered module in a directory where only the given packages resolve, so
// the module's own default client is the one under test: ioredis (in nodetest/ node-redis
// would win), or node-redis v5 (installed here as the npm alias `redis5`).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { modulePath, NODETEST } = require('./limiter-module');

/** `packages` maps the name the module requires to the directory name in node_modules. */
function isolatedModule(packages) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stablestack-isolated-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const [name, installed] of Object.entries(packages)) {
    fs.symlinkSync(path.join(NODETEST, 'node_modules', installed), path.join(dir, 'node_modules', name));
  }
  const file = path.join(dir, 'stablestack-rate-limiter.js');
  fs.copyFileSync(modulePath('node'), file);
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const ioredisOnlyModule = () => isolatedModule({ ioredis: 'ioredis' });
const nodeRedis5Module = () => isolatedModule({ redis: 'redis5' });

module.exports = { isolatedModule, ioredisOnlyModule, nodeRedis5Module };
