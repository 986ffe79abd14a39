'use strict';
// Benchmark (not a test) of the Node limiter against express-rate-limit + rate-limit-redis,
// the pairing an Express user would otherwise pick, in one run on one local redis-server.
// Run through scripts/bench-limiter-node.sh, which renders the module first.
//
// 1. Latency of one check, one at a time (what a request waits for): p50/p99.
// 2. Checks per second from one process with 64 checks in flight. Both libraries get the
//    same client, Redis and load; ours sends the checks that meet in flight as one script
//    call (its batch form), which the "checks/call" column shows, while the sequential
//    latency of 1. is always one call per check.
// 3. Express over loopback HTTP: latency added to a request (p50 with limiter minus p50
//    without) and requests per second, for no limiter / ours / express-rate-limit.
// Rounds alternate between the contenders so a noisy machine hurts them alike; the
// median round is reported.

const { performance } = require('node:perf_hooks');
const http = require('node:http');
const express = require('express');
const IORedis = require('ioredis');
const { createClient } = require('redis');
const { rateLimit: erl } = require('express-rate-limit');
const { RedisStore } = require('rate-limit-redis');
const { RedisServer } = require('./lib/redis-server');

const os = require('node:os');
const { spawn } = require('node:child_process');

const MODULE = process.argv[2];
const SCALE = Number(process.env.BENCH_SCALE || 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
const IDS = 1000; // distinct clients, round robin: no single hot key

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]; };
const median = (xs) => pct(xs, 50);
const fmt = (ms) => ms.toFixed(3).padStart(7);

/**
 * Server-side cost since the last reset: script calls (EVALSHA, and EVAL after NOSCRIPT)
 * and the microseconds Redis spent in them. Divided by checks, not calls: our module may
 * carry many checks in one call (the script's batch form).
 */
async function serverStats(nr) {
  const stats = await nr.sendCommand(['INFO', 'commandstats']);
  let calls = 0;
  let usec = 0;
  for (const m of stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+),usec=(\d+)/g)) {
    calls += Number(m[1]);
    usec += Number(m[2]);
  }
  await nr.sendCommand(['CONFIG', 'RESETSTAT']);
  return { calls, usec };
}

async function sequential(check, n) {
  const lat = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await check(i % IDS);
    lat[i] = performance.now() - t;
  }
  return { p50: pct(lat, 50), p99: pct(lat, 99) };
}

async function throughput(check, ms, lanes = 64) {
  let done = 0;
  let i = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (performance.now() < end) { await check(i++ % IDS); done++; }
  }));
  return { rate: done / ((performance.now() - start) / 1000), done };
}

function get(agent, port, ip) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/r', agent, headers: { 'x-forwarded-for': ip } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs the HTTP load from a separate process, so client work does not slow the server. */
function httpBenchProcess(port, n, ms) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename, '--http-client', String(port), String(n), String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`http client exited ${code}`))));
  });
}

async function httpBench(port, n, ms) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  for (let i = 0; i < 200; i++) await get(agent, port, `10.0.${i % 250}.1`);
  const lat = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await get(agent, port, `10.1.${i % 250}.${i % 200}`);
    lat.push(performance.now() - t);
  }
  let done = 0;
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: 32 }, async (_, l) => {
    while (performance.now() < end) { await get(agent, port, `10.2.${l}.${done % 250}`); done++; }
  }));
  agent.destroy();
  return { p50: pct(lat, 50), p99: pct(lat, 99), rps: done / (ms / 1000), requests: 200 + n + done };
}

async function main() {
  console.log(`load average before: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const server = await new RedisServer().start();
  const m = require(MODULE);
  const nr = createClient({ url: server.url });
  await nr.connect();
  const io = new IORedis(server.url);
  const BIG = { requests: 1e9, window: 60 }; // every check admitted: the common path

  // A 1 s budget: on a busy machine a 100 ms timeout would fail some checks open, and a
  // check that skips Redis would flatter the numbers. Any failure aborts the run.
  const budget = { commandTimeoutMs: 1000, connectTimeoutMs: 1000, logger: { warn: (w) => { throw new Error(w); } } };
  const ours = {
    'stablestack (node-redis)': m.createLimiter({ ...BIG, ...budget, redis: nr, name: 'bench' }),
    'stablestack (ioredis)': m.createLimiter({ ...BIG, ...budget, redis: io, name: 'bench' }),
  };
  const theirs = {
    'rate-limit-redis (node-redis)': new RedisStore({ sendCommand: (...args) => nr.sendCommand(args), prefix: 'erl-nr:' }),
    'rate-limit-redis (ioredis)': new RedisStore({ sendCommand: (cmd, ...args) => io.call(cmd, ...args), prefix: 'erl-io:' }),
  };
  for (const s of Object.values(theirs)) s.init({ windowMs: 60000 });
  const checks = {};
  for (const [k, l] of Object.entries(ours)) {
    checks[k] = async (i) => { const d = await l.check('ip:10.0.0.' + i); if (d.error) throw d.error; };
  }
  for (const [k, s] of Object.entries(theirs)) checks[k] = (i) => s.increment('10.0.0.' + i);

  for (const c of Object.values(checks)) await sequential(c, 2000); // warm up (scripts loaded, JIT)
  const seq = {};
  const tput = {};
  const usec = {};
  const perCall = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, c] of Object.entries(checks)) {
      const n = Math.round(5000 * SCALE);
      await serverStats(nr);
      (seq[k] ||= []).push(await sequential(c, n));
      const t = await throughput(c, Math.round(1500 * SCALE));
      (tput[k] ||= []).push(t.rate);
      const st = await serverStats(nr);
      (usec[k] ||= []).push(st.usec / (n + t.done));
      (perCall[k] ||= []).push((n + t.done) / st.calls);
    }
  }

  // Express over HTTP. Both limiters see the client address from X-Forwarded-For via their
  // trusted-proxy settings, so each request is a different client, as in production.
  const apps = {
    'no limiter': (a) => a,
    stablestack: (a) => a.use(m.rateLimit({ ...BIG, ...budget, redis: nr, trustedProxies: ['loopback'] })),
    'express-rate-limit + rate-limit-redis': (a) => {
      a.set('trust proxy', 'loopback');
      return a.use(erl({ windowMs: 60000, limit: 1e9, standardHeaders: 'draft-8', legacyHeaders: false,
        store: new RedisStore({ sendCommand: (...args) => nr.sendCommand(args), prefix: 'erl-http:' }) }));
    },
  };
  const servers = {};
  for (const [k, setup] of Object.entries(apps)) {
    const a = express();
    setup(a);
    a.get('/r', (req, res) => res.send('ok'));
    servers[k] = await new Promise((resolve) => { const s = a.listen(0, '127.0.0.1', () => resolve(s)); });
  }
  const web = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, s] of Object.entries(servers)) {
      // The apps run in this process: its CPU time per request is the server's cost, a
      // steadier measure than req/s when other work shares the machine.
      const cpu0 = process.cpuUsage();
      const res = await httpBenchProcess(s.address().port, Math.round(3000 * SCALE), Math.round(1500 * SCALE));
      const cpu = process.cpuUsage(cpu0);
      (web[k] ||= []).push({ ...res, cpuUs: (cpu.user + cpu.system) / res.requests });
    }
  }

  console.log(`\nredis-server ${server.url}, node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`${ROUNDS} alternating rounds, median round shown; every check of both libraries admitted (limit 1e9), 1000 clients round robin`);
  console.log('\n1+2. One check (Lua round trip)          p50 ms  p99 ms   checks/s (64 in flight)  Redis us/check  checks/call');
  for (const k of Object.keys(checks)) {
    const p50 = median(seq[k].map((x) => x.p50));
    const p99 = median(seq[k].map((x) => x.p99));
    console.log(`${k.padEnd(38)} ${fmt(p50)} ${fmt(p99)}   ${Math.round(median(tput[k])).toString().padStart(8)}                ${median(usec[k]).toFixed(2).padStart(6)}          ${median(perCall[k]).toFixed(1)}`);
  }
  console.log('(Redis us/check: script time in INFO commandstats over all checks of a round; checks/call > 1:');
  console.log(' checks that met in flight shared one script call, the sequential p50/p99 checks never do.)');
  console.log('\n3. Express over loopback HTTP            p50 ms  p99 ms   added p50  req/s (32 in flight)  server CPU us/req');
  const base = median(web['no limiter'].map((x) => x.p50));
  for (const k of Object.keys(servers)) {
    const p50 = median(web[k].map((x) => x.p50));
    const p99 = median(web[k].map((x) => x.p99));
    const cpu = median(web[k].map((x) => x.cpuUs));
    console.log(`${k.padEnd(38)} ${fmt(p50)} ${fmt(p99)}   ${fmt(p50 - base)}   ${Math.round(median(web[k].map((x) => x.rps))).toString().padStart(8)}              ${cpu.toFixed(1).padStart(6)}`);
  }

  for (const s of Object.values(servers)) { s.closeAllConnections(); s.close(); }
  await nr.disconnect();
  io.disconnect();
  await server.close();
}

if (process.argv[2] === '--http-client') {
  const [port, n, ms] = process.argv.slice(3).map(Number);
  httpBench(port, n, ms).then((r) => process.stdout.write(JSON.stringify(r)), (err) => { console.error(err); process.exit(1); });
} else {
  main().catch((err) => { console.error(err); process.exit(1); });
}
