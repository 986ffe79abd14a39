'use strict';
// Locates the modules under test. run.sh renders them through the Go scaffolder
// (`stablestack add-rate-limiter --lang node|python`) and exports their paths, so the tests
// exercise exactly what ships; a bare `node --test` renders them the same way on first use.
// The Node module is rendered inside nodetest/ so that its require('redis') and
// require('ioredis') resolve to nodetest/node_modules, as they would in a user's project.

const path = require('node:path');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

const NODETEST = path.resolve(__dirname, '..');
const REPO = path.resolve(NODETEST, '..', '..', '..');

const FILES = { node: 'stablestack-rate-limiter.js', python: 'stablestack_rate_limiter.py' };
const ENV = { node: 'STABLESTACK_NODE_LIMITER', python: 'STABLESTACK_PYTHON_LIMITER' };

/** Renders `lang`'s module into a fresh directory and returns the module's path. */
function render(lang) {
  const dir = path.join(NODETEST, '.render', `${lang}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('go', ['run', './cmd/stablestack', 'add-rate-limiter', '--lang', lang, '--dir', dir], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return path.join(dir, FILES[lang]);
}

function modulePath(lang = 'node') {
  if (!process.env[ENV[lang]]) process.env[ENV[lang]] = render(lang);
  return process.env[ENV[lang]];
}

function loadLimiter() {
  return require(modulePath('node'));
}

module.exports = { loadLimiter, modulePath, NODETEST, REPO };
