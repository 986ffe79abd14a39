// The module is CommonJS; ESM code imports it with named imports (Node's CommonJS export
// detection must see every export), and a "type": "module" project can use it as .cjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { modulePath } = require('../lib/limiter-module.js');
const EXPORTS = ['rateLimit', 'fastifyRateLimit', 'fastifyRateLimitPlugin', 'honoRateLimit', 'koaRateLimit', 'withRateLimit', 'createLimiter', 'closeRateLimiter'];

test('named ESM imports of every export', async () => {
  const m = await import(pathToFileURL(modulePath('node')).href);
  for (const name of EXPORTS) assert.equal(typeof m[name], 'function', name);
  assert.equal(m.default.rateLimit, m.rateLimit);
});

test('a "type": "module" project imports it as .cjs with named imports', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stablestack-esm-'));
  try {
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
    fs.copyFileSync(modulePath('node'), path.join(dir, 'stablestack-rate-limiter.cjs'));
    fs.writeFileSync(path.join(dir, 'app.js'), `import { ${EXPORTS.join(', ')} } from './stablestack-rate-limiter.cjs';\n` +
      `console.log([${EXPORTS.join(', ')}].map((f) => typeof f).join(','));\n`);
    const out = execFileSync(process.execPath, [path.join(dir, 'app.js')], { encoding: 'utf8' }).trim();
    assert.equal(out, EXPORTS.map(() => 'function').join(','));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
