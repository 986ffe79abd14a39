'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { startServer, initialize } = require('../lib/helpers');

test('requests before initialize get ServerNotInitialized (-32002)', { timeout: 30000 }, async (t) => {
  const s = startServer();
  t.after(() => s.proc.kill());
  await assert.rejects(s.conn.sendRequest('textDocument/codeAction', {}), (e) => e.code === -32002);
  s.proc.kill();
});

test('full lifecycle: initialize, unknown method, shutdown, request after shutdown, exit 0', { timeout: 30000 }, async (t) => {
  const s = startServer();
  t.after(() => s.proc.kill());
  const init = await initialize(s.conn);
  assert.equal(init.serverInfo.name, 'stablestack');
  assert.equal(init.capabilities.positionEncoding ?? 'utf-16', 'utf-16');
  const sync = init.capabilities.textDocumentSync;
  assert.equal(typeof sync === 'number' ? sync : sync.change, 2, 'incremental sync');
  assert.ok(init.capabilities.codeActionProvider, 'code actions advertised');
  assert.ok(init.capabilities.executeCommandProvider.commands.includes('stablestack.addRateLimiter'));
  s.conn.sendNotification('initialized', {});

  await assert.rejects(s.conn.sendRequest('stablestack/noSuchMethod', {}), (e) => e.code === -32601);
  // Unknown notifications and $/ messages are ignored: the server still answers.
  s.conn.sendNotification('stablestack/noSuchNotification', {});
  s.conn.sendNotification('$/setTrace', { value: 'off' });
  await assert.rejects(s.conn.sendRequest('stablestack/stillAlive', {}), (e) => e.code === -32601);

  assert.equal(await s.conn.sendRequest('shutdown'), null);
  await assert.rejects(s.conn.sendRequest('textDocument/codeAction', {}), (e) => e.code === -32600);
  s.conn.sendNotification('exit');
  assert.equal(await s.exited, 0);
});

test('exit without shutdown exits with code 1', { timeout: 30000 }, async (t) => {
  const s = startServer();
  t.after(() => s.proc.kill());
  await initialize(s.conn);
  s.conn.sendNotification('exit');
  assert.equal(await s.exited, 1);
});
