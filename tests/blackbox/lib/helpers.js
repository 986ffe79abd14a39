'use strict';
// Starts the stablestack binary and connects Microsoft's reference JSON-RPC
// client to its stdio, the way vscode-languageclient does.
const { spawn } = require('node:child_process');
const path = require('node:path');
const rpc = require('vscode-jsonrpc/node');

const BIN = process.env.STABLESTACK_BIN || path.resolve(__dirname, '../../bin/stablestack');

function startServer(args = ['lsp', '--stdio']) {
  const proc = spawn(BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  // Tests await `exited` after "exit"; a server that does not exit fails the
  // test through its timeout instead of hanging the run.
  const conn = rpc.createMessageConnection(
    new rpc.StreamMessageReader(proc.stdout),
    new rpc.StreamMessageWriter(proc.stdin),
  );
  const published = [];
  const waiters = [];
  conn.onNotification('textDocument/publishDiagnostics', (p) => {
    published.push(p);
    for (const w of [...waiters]) w();
  });
  // Accept the server's requests (progress tokens, registrations, applyEdit).
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => null));
  conn.onNotification(() => {});
  conn.listen();

  // waitFor resolves with the first publishDiagnostics for uri matching pred.
  function diagnostics(uri, pred = () => true, timeoutMs = 10000, since = 0) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = published.slice(since).find((p) => p.uri === uri && pred(p));
        if (hit) {
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(check), 1);
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; got ${JSON.stringify(published.filter((p) => p.uri === uri).map((p) => [p.version, p.diagnostics.length]))}\nserver stderr:\n${stderr}`));
      }, timeoutMs);
      waiters.push(check);
      check();
    });
  }
  return { proc, conn, exited, diagnostics, published: () => published.length, stderr: () => stderr };
}

async function initialize(conn, capabilities = {}, rootUri = null) {
  return conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri,
    capabilities: {
      textDocument: { publishDiagnostics: { versionSupport: true, relatedInformation: true, codeDescriptionSupport: true, dataSupport: true } },
      ...capabilities,
    },
    workspaceFolders: null,
  });
}

module.exports = { startServer, initialize, BIN };
