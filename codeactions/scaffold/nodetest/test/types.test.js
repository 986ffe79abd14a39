'use strict';
// The .d.ts as rendered: fixtures/usage.ts must type-check (strict) next to it, with the
// real type packages of Express, Fastify, Hono, ioredis and node-redis.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { modulePath, NODETEST } = require('../lib/limiter-module');

test('typed options: the usage fixture type-checks and bad options do not', () => {
  const dir = fs.mkdtempSync(path.join(NODETEST, '.render', 'types-'));
  try {
    const rendered = path.dirname(modulePath('node'));
    for (const f of ['stablestack-rate-limiter.js', 'stablestack-rate-limiter.d.ts']) fs.copyFileSync(path.join(rendered, f), path.join(dir, f));
    fs.copyFileSync(path.join(NODETEST, 'fixtures', 'usage.ts'), path.join(dir, 'usage.ts'));
    const tsc = path.join(NODETEST, 'node_modules', '.bin', 'tsc');
    const r = spawnSync(tsc, ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--esModuleInterop', '--skipLibCheck', '--types', 'node', path.join(dir, 'usage.ts')], { cwd: NODETEST, encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
