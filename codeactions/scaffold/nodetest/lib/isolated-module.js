'use strict';
// A copy of the rendered module in a directory where only `ioredis` resolves, so the
// module's own default client is the ioredis one (in nodetest/ it picks node-redis first).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { modulePath, NODETEST } = require('./limiter-module');

function ioredisOnlyModule() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stablestack-ioredis-only-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(path.join(NODETEST, 'node_modules', 'ioredis'), path.join(dir, 'node_modules', 'ioredis'));
  const file = path.join(dir, 'stablestack-rate-limiter.js');
  fs.copyFileSync(modulePath('node'), file);
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

module.exports = { ioredisOnlyModule };
