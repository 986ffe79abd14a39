'use strict';
// Next.js App Router: `export const POST = withRateLimit(handler, opts)` called the way
// Next calls route handlers, with web-standard Request objects and a context argument.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { redisFixture } = require('../lib/fixture');
const { assertLimitCycle, parseFields } = require('../lib/http');

const fx = redisFixture();

function req(headers = {}, extra = {}) {
  const r = new Request('http://localhost/api/login', { method: 'POST', headers });
  return Object.assign(r, extra);
}

test('N pass, N+1 gets 429 with headers, Retry-After is honoured; handler signature kept', { skip: fx.skip }, async () => {
  const seen = [];
  const POST = fx.limiter().withRateLimit(async (request, context) => {
    seen.push(context.params.id);
    return Response.json({ ok: true });
  }, { requests: 3, window: 2, name: 'api/login', ipHeader: 'x-real-ip' });
  await fx.redis().alignToWindow(2, 1200);
  await assertLimitCycle(() => POST(req({ 'x-real-ip': '203.0.113.5' }), { params: { id: '7' } }), { requests: 3, window: 2, name: 'default' });
  assert.deepEqual(seen, ['7', '7', '7', '7'], 'the handler runs for admitted requests only, with its context');
});

test('client address: request.ip, ipHeader, trusted X-Forwarded-For; spoofing ignored', { skip: fx.skip }, async () => {
  const m = fx.limiter();
  const handler = async () => new Response('ok');
  await fx.redis().alignToWindow(60, 5000);

  const byIp = m.withRateLimit(handler, { requests: 1, window: 60, name: 'n-ip' });
  assert.equal((await byIp(req({}, { ip: '198.51.100.1' }))).status, 200);
  assert.equal((await byIp(req({}, { ip: '198.51.100.1' }))).status, 429);
  assert.equal((await byIp(req({}, { ip: '198.51.100.2' }))).status, 200);

  const proxied = m.withRateLimit(handler, { requests: 1, window: 60, name: 'n-xff', trustedProxies: ['10.0.0.0/8'] });
  assert.equal((await proxied(req({ 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.2' }))).status, 200);
  assert.equal((await proxied(req({ 'x-forwarded-for': '7.7.7.7, 198.51.100.7, 10.0.0.2' }))).status, 429, 'forged left hops do not change the client');
  assert.equal((await proxied(req({ 'x-forwarded-for': '198.51.100.8' }))).status, 200);

  // No socket, no trusted proxies: X-Forwarded-For is the client's word; all share ip:unknown.
  const warnings = [];
  const untrusted = m.withRateLimit(handler, { requests: 1, window: 60, name: 'n-none', logger: { warn: (w) => warnings.push(w) } });
  assert.equal((await untrusted(req({ 'x-forwarded-for': '1.1.1.1' }))).status, 200);
  assert.equal((await untrusted(req({ 'x-forwarded-for': '2.2.2.2' }))).status, 429);
  assert.equal(warnings.length, 1, 'one warning about the missing client address');
});

test('headers are added to immutable responses; 429 never calls the handler', { skip: fx.skip }, async () => {
  let calls = 0;
  const GET = fx.limiter().withRateLimit(() => { calls++; return Response.redirect('http://localhost/next', 307); }, { requests: 1, window: 60, name: 'n-redir', key: () => 'user:1' });
  await fx.redis().alignToWindow(60, 5000);
  const ok = await GET(req());
  assert.equal(ok.status, 307);
  assert.equal(parseFields(ok.headers.get('ratelimit')).default.r, 0);
  const denied = await GET(req());
  assert.equal(denied.status, 429);
  assert.deepEqual(await denied.json(), { error: 'rate_limited', retry_after: Number(denied.headers.get('retry-after')) });
  assert.equal(calls, 1);
});
