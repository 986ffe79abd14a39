'use strict';
// Starts a real redis-server for one test file on a free 127.0.0.1 port (no persistence),
// and stops it. Tests never share a server, so they can stop, pause and restart it.

const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * `false` when every test needing `tool` may run, else the loud skip reason. With CI=true a
 * missing tool throws: CI fails instead of skipping.
 */
function skipUnless(tool) {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (found) return false;
  const msg = `${tool} not found on PATH`;
  if (process.env.CI === 'true') throw new Error(`${msg} (CI=true: missing tools fail, never skip)`);
  console.error(`\n!!! SKIPPING tests that need ${tool}: ${msg} !!!\n`);
  return `SKIPPED LOUDLY: ${msg}`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** The end of the RESP value starting at `pos` in `buf`, or -1 while it is incomplete. */
function respEnd(buf, pos = 0) {
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return -1;
  const type = buf[pos];
  const n = Number(buf.slice(pos + 1, nl));
  if (type === '$') return n < 0 ? nl + 2 : buf.length >= nl + 2 + n + 2 ? nl + 2 + n + 2 : -1;
  if (type === '*') {
    let at = nl + 2;
    for (let i = 0; i < n; i++) {
      at = respEnd(buf, at);
      if (at < 0) return -1;
    }
    return at;
  }
  return nl + 2;
}

/** Sends one inline command and resolves with the complete raw reply (test plumbing). */
function rawCommand(port, line, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('timeout')); }, timeoutMs);
    sock.on('connect', () => sock.write(line + '\r\n'));
    sock.setEncoding('latin1'); // bulk lengths count bytes
    sock.on('data', (d) => {
      buf += d;
      if (respEnd(buf) >= 0) { clearTimeout(timer); sock.end(); resolve(buf); }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

class RedisServer {
  /**
   * `cluster: true` starts a cluster-mode node owning all 16384 slots; `cluster: 'node'` a
   * cluster-mode node owning none (see startCluster for a multi-master cluster).
   */
  constructor({ cluster = false } = {}) {
    this.cluster = cluster;
    this.port = 0;
    this.proc = null;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stablestack-redis-'));
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts, on the same port) the server and waits for PONG. */
  async start() {
    if (!this.port) this.port = await freePort();
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', this.dir, '--daemonize', 'no', '--loglevel', 'warning'];
    if (this.cluster) {
      // A lone node does not know its own address and announces "" in CLUSTER SLOTS, which
      // ioredis then cannot connect to; real cluster nodes know theirs.
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', path.join(this.dir, `nodes-${Date.now()}.conf`),
        '--cluster-announce-ip', '127.0.0.1');
    }
    this.proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.guard(this.proc.pid);
    let stderr = '';
    this.proc.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => this.proc.once('exit', resolve));
    this.exited = exited;
    for (let i = 0; i < 200; i++) {
      try {
        if ((await rawCommand(this.port, 'PING')).startsWith('+PONG')) break;
      } catch {
        await sleep(25);
      }
      if (this.proc.exitCode !== null) throw new Error(`redis-server exited: ${stderr}`);
    }
    if (this.cluster === true) await this.claimAllSlots();
    return this;
  }

  /**
   * A test process that dies (a timeout, a crash, SIGKILL) runs no cleanup. This watcher
   * holds a pipe from us and kills the server when the pipe closes, so no redis-server
   * outlives its test.
   */
  guard(pid) {
    this.unguard();
    this.reaper = spawn('sh', ['-c', 'read _; kill -9 "$1" 2>/dev/null', 'reaper', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
    this.reaper.unref();
    this.reaper.stdin.unref();
  }

  unguard() {
    if (this.reaper && this.reaper.exitCode === null) this.reaper.kill('SIGKILL');
    this.reaper = null;
  }

  /** One node owning every slot: keys of different slots in one script fail with CROSSSLOT. */
  async claimAllSlots() {
    const reply = await rawCommand(this.port, 'CLUSTER ADDSLOTSRANGE 0 16383');
    if (!reply.startsWith('+OK')) throw new Error(`CLUSTER ADDSLOTSRANGE: ${reply}`);
    for (let i = 0; i < 200; i++) {
      const info = await rawCommand(this.port, 'CLUSTER INFO');
      if (info.includes('cluster_state:ok')) return;
      await sleep(50);
    }
    throw new Error('cluster never reached cluster_state:ok');
  }

  async command(line) {
    return rawCommand(this.port, line);
  }

  /** The server clock in ms: the limiter's only clock. */
  async timeMs() {
    const parts = (await rawCommand(this.port, 'TIME')).split('\r\n').filter((x) => /^\d+$/.test(x));
    return Number(parts[0]) * 1000 + Math.floor(Number(parts[1]) / 1000);
  }

  /**
   * Waits, if needed, so at least `needMs` remain in the current `windowSec` window: an
   * assertion on exact counts must not straddle a window boundary, where the previous
   * window's weight starts to decay.
   */
  async alignToWindow(windowSec, needMs) {
    const w = windowSec * 1000;
    const into = (await this.timeMs()) % w;
    if (w - into < needMs) await sleep(w - into + 20);
  }

  /** Kills the server (as a crash would) and waits until it is gone. */
  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.unguard();
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  pause() { this.proc.kill('SIGSTOP'); }

  resume() { this.proc.kill('SIGCONT'); }

  async close() {
    this.unguard();
    if (this.proc && this.proc.exitCode === null) {
      try { this.resume(); } catch {}
      this.proc.kill('SIGTERM');
      await this.exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A Redis Cluster of `masters` cluster-mode servers, each owning an equal range of slots,
 * introduced to each other with CLUSTER MEET. Resolves once every node reports
 * cluster_state:ok; `close()` stops them all.
 */
async function startCluster(masters = 3) {
  const nodes = [];
  try {
    for (let i = 0; i < masters; i++) nodes.push(await new RedisServer({ cluster: 'node' }).start());
    const per = Math.ceil(16384 / masters);
    for (const [i, n] of nodes.entries()) {
      const reply = await n.command(`CLUSTER ADDSLOTSRANGE ${i * per} ${Math.min(16383, (i + 1) * per - 1)}`);
      if (!reply.startsWith('+OK')) throw new Error(`CLUSTER ADDSLOTSRANGE: ${reply}`);
    }
    for (const n of nodes.slice(1)) await nodes[0].command(`CLUSTER MEET 127.0.0.1 ${n.port}`);
    for (let i = 0; i < 400; i++) {
      const states = await Promise.all(nodes.map((n) => n.command('CLUSTER INFO')));
      if (states.every((st) => st.includes('cluster_state:ok') && st.includes(`cluster_known_nodes:${masters}`))) {
        return { nodes, close: () => Promise.all(nodes.map((n) => n.close())) };
      }
      await sleep(50);
    }
    throw new Error('the cluster never reached cluster_state:ok');
  } catch (err) {
    await Promise.all(nodes.map((n) => n.close()));
    throw err;
  }
}

module.exports = { RedisServer, startCluster, skipUnless, freePort, sleep };
