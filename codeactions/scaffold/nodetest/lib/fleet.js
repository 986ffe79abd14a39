'use strict';
// Runs hammer workers (Node and Python) against one key, started together.

const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

/** Spawns one worker; resolves `ready` on its "ready" line and `result` with its JSON. */
function worker(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const lines = readline.createInterface({ input: child.stdout });
  let onReady;
  const ready = new Promise((resolve) => { onReady = resolve; });
  const result = new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      if (line === 'ready') onReady();
      else if (line.startsWith('{')) resolve(JSON.parse(line));
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${cmd} worker exited ${code}: ${stderr}`));
    });
  });
  // A worker that dies before "ready" must fail the test, not hang it.
  return { child, ready: Promise.race([ready, result.then(() => {}, (e) => { throw e; })]), result };
}

function nodeWorker(cfg) {
  return worker(process.execPath, [path.join(__dirname, 'hammer.js'), JSON.stringify(cfg)]);
}

function pythonWorker(cfg) {
  return worker('/usr/bin/python3', [path.join(__dirname, 'hammer.py'), JSON.stringify(cfg)]);
}

/** Starts all workers, releases them at once, and sums their counts. */
async function runFleet(workers) {
  let results;
  try {
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.write('go\n');
    results = await Promise.all(workers.map((w) => w.result));
  } finally {
    // Workers exit by themselves; a failed run must not leave any behind.
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
  const sum = { admitted: 0, denied: 0, errors: 0, perWorker: results };
  for (const r of results) {
    sum.admitted += r.admitted;
    sum.denied += r.denied;
    sum.errors += r.errors;
  }
  return sum;
}

module.exports = { nodeWorker, pythonWorker, runFleet };
