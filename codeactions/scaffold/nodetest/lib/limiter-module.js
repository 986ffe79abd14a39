'use strict';
// Locates the Node limiter under test. run.sh renders it through the Go scaffolder
// (`stablestack add-rate-limiter --lang node`) into .render/ and exports its path, so the
// tests exercise exactly what ships. Running `node --test` by hand without run.sh renders
// the same way on first use.

const path = require('node:path');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const NODETEST = path.resolve(__dirname, '..');
const REPO = path.resolve(NODETEST, '..', '..', '..');
const RENDER_DIR = path.join(NODETEST, '.render', 'node');

function render() {
  fs.mkdirSync(RENDER_DIR, { recursive: true });
  execFileSync('go', ['run', './cmd/stablestack', 'add-rate-limiter', '--lang', 'node', '--dir', RENDER_DIR], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return path.join(RENDER_DIR, 'stablestack-rate-limiter.js');
}

function modulePath() {
  if (process.env.STABLESTACK_NODE_LIMITER) return process.env.STABLESTACK_NODE_LIMITER;
  const p = render();
  process.env.STABLESTACK_NODE_LIMITER = p;
  return p;
}

/** A fresh copy of the module (its shared connection state is per process anyway). */
function loadLimiter() {
  return require(modulePath());
}

module.exports = { loadLimiter, modulePath, NODETEST, REPO };
