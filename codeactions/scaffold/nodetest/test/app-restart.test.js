'use strict';
// State lives in Redis: an app process killed mid-window and started again (a deploy, a
// crash) continues from the remaining count instead of granting a fresh quota.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { redisFixture } = require('../lib/fixture');
const { modulePath } = require('../lib/limiter-module');
const { parseFields } = require('../lib/http');

const fx = redisFixture();

function startApp(cfg) {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'lib', 'app.js'), JSON.stringify(cfg)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', (base) => resolve({ base, kill: async () => { child.kill('SIGKILL'); await exited; } }));
    child.once('exit', (code) => reject(new Error(`app exited early (${code})`)));
  });
}

test('an app restarted mid-window keeps the remaining count', { skip: fx.skip }, async () => {
  const cfg = { module: modulePath('node'), url: fx.redis().url, requests: 5, window: 3600 };
  await fx.redis().alignToWindow(3600, 60000);
  const remaining = [];
  const pids = new Set();
  const get = async (app) => {
    const res = await fetch(app.base + '/r');
    pids.add(await res.text());
    if (res.status === 200) remaining.push(parseFields(res.headers.get('ratelimit')).default.r);
    return res.status;
  };
  const first = await startApp(cfg);
  try {
    for (let i = 0; i < 3; i++) assert.equal(await get(first), 200);
  } finally {
    await first.kill();
  }
  const second = await startApp(cfg);
  try {
    assert.equal(await get(second), 200);
    assert.equal(await get(second), 200);
    assert.equal(await get(second), 429, 'the quota was not reset by the restart');
  } finally {
    await second.kill();
  }
  assert.deepEqual(remaining, [4, 3, 2, 1, 0]);
  assert.equal(pids.size, 3, 'two app processes served (plus the 429 body)');
});
