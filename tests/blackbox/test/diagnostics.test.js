'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { TextDocument } = require('vscode-languageserver-textdocument');
const { startServer, initialize } = require('../lib/helpers');

// The route path carries é, 😀 and CJK, so the diagnostic's end column differs
// between UTF-16, UTF-8 and code points; a line of them precedes it too.
const SOURCE = [
  'from fastapi import FastAPI',
  'app = FastAPI()',
  's = "é😀漢字"  # é😀漢字',
  '@app.post("/é😀/漢字")',
  'async def login():',
  '    return {}',
  '',
].join('\n');
const URI = 'file:///tmp/stablestack-blackbox/app.py';

function expectedRange(doc, text) {
  const start = text.indexOf('@app.post');
  const end = text.indexOf('\n', start);
  return { start: doc.positionAt(start), end: doc.positionAt(end) };
}

test('diagnostics carry UTF-16 ranges, code, source, link and version; follow incremental edits', { timeout: 30000 }, async (t) => {
  const s = startServer();
  t.after(() => s.proc.kill());
  await initialize(s.conn);
  s.conn.sendNotification('initialized', {});
  let doc = TextDocument.create(URI, 'python', 1, SOURCE);
  s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'python', version: 1, text: SOURCE } });
  const p1 = await s.diagnostics(URI, (p) => p.version === 1);
  assert.equal(p1.diagnostics.length, 1);
  const d = p1.diagnostics[0];
  assert.deepEqual(d.range, expectedRange(doc, SOURCE));
  assert.equal(d.range.end.character, '@app.post("/é😀/漢字")'.length, 'UTF-16 code units');
  assert.equal(d.source, 'stablestack');
  assert.equal(d.code, 'RATE001');
  assert.match(d.codeDescription.href, /docs\/rules\/RATE001\.md$/);
  assert.equal(d.severity, 2);
  assert.match(d.message, /POST \/é😀\/漢字 has no rate limiting/);
  assert.ok(d.data, 'data for the quick fix');

  // Incremental edit: insert the limit decorator after the route decorator.
  const at = doc.positionAt(SOURCE.indexOf('async def'));
  const changes = [
    { range: { start: at, end: at }, text: '@rate_limit(requests=5, window=60)\n' },
  ];
  doc = TextDocument.update(doc, changes, 2);
  s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: 2 }, contentChanges: changes });
  const p2 = await s.diagnostics(URI, (p) => p.version === 2);
  assert.equal(p2.diagnostics.length, 0, 'protected route no longer reported');

  // Two changes in one notification, the second a range-less full replacement.
  const full = SOURCE.replace('/login', '/signup');
  const changes3 = [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# x\n' }, { text: full }];
  doc = TextDocument.update(doc, changes3, 3);
  assert.equal(doc.getText(), full);
  s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: 3 }, contentChanges: changes3 });
  const p3 = await s.diagnostics(URI, (p) => p.version === 3);
  assert.equal(p3.diagnostics.length, 1);
  assert.deepEqual(p3.diagnostics[0].range, expectedRange(doc, doc.getText()));

  // Closing clears the diagnostics.
  const since = s.published();
  s.conn.sendNotification('textDocument/didClose', { textDocument: { uri: URI } });
  const closed = await s.diagnostics(URI, () => true, 10000, since);
  assert.equal(closed.diagnostics.length, 0, 'an empty list on close');
  await s.conn.sendRequest('shutdown');
  s.conn.sendNotification('exit');
  assert.equal(await s.exited, 0);
});

test('UTF-8 is used when the client offers it', { timeout: 30000 }, async (t) => {
  const s = startServer();
  t.after(() => s.proc.kill());
  const init = await initialize(s.conn, { general: { positionEncodings: ['utf-8', 'utf-16'] } });
  assert.equal(init.capabilities.positionEncoding, 'utf-8');
  s.conn.sendNotification('initialized', {});
  s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'python', version: 1, text: SOURCE } });
  const p = await s.diagnostics(URI, (x) => x.version === 1);
  assert.equal(p.diagnostics.length, 1);
  assert.equal(p.diagnostics[0].range.start.line, 3);
  assert.equal(p.diagnostics[0].range.end.character, Buffer.byteLength('@app.post("/é😀/漢字")'), 'UTF-8 bytes');
  await s.conn.sendRequest('shutdown');
  s.conn.sendNotification('exit');
  assert.equal(await s.exited, 0);
});
