'use strict';
// Node and Python must agree beyond the shared vectors: the same client identity for many
// more peer / X-Forwarded-For / trusted-proxy combinations, and the same response headers
// for the same script reply. The rendered Python module (real /usr/bin/python3) answers.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { skipUnless } = require('../lib/redis-server');
const { loadLimiter, modulePath } = require('../lib/limiter-module');

const skip = skipUnless('/usr/bin/python3');

function askPython(question) {
  const out = execFileSync('/usr/bin/python3', [path.join(__dirname, '..', 'lib', 'python-oracle.py')], {
    input: JSON.stringify({ module_dir: path.dirname(modulePath('python')), ...question }),
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

function identityCases() {
  const peers = ['203.0.113.7', '10.0.0.5', '10.9.9.9', '::1', '127.0.0.1', '::ffff:10.0.0.5', '::ffff:198.51.100.3',
    '2001:db8:ffff:1::9', '2001:DB8:0:0:1:0:0:1', '2001:db8::', 'fe80::1%eth0', '', 'not-an-ip', '198.51.100.1:8080', '[2001:db8::7]:443'];
  const xffs = ['', '198.51.100.1', '6.6.6.6, 198.51.100.1', '6.6.6.6,198.51.100.1 , 10.1.2.3', 'garbage, 10.1.2.3', '10.2.2.2, 10.1.1.1',
    '2001:db8:5:6:7:8:9:a', '[2001:db8:5:6::1]:4711, 10.0.0.1', '198.51.100.1:8080', ' , ', '::ffff:203.0.113.8, 10.0.0.2', '2001:0db8:0000:0000:0000:0000:0000:0001'];
  const trusts = [[], ['10.0.0.0/8'], ['10.0.0.0/8', '2001:db8:ffff::/48'], ['127.0.0.1', '::1', '10.0.0.0/8'], ['0.0.0.0/0']];
  const cases = [];
  for (const p of peers) for (const x of xffs) for (const t of trusts) cases.push([p, x, t]);
  return cases;
}

function headerCases() {
  return [
    { limits: [[100, 60, null]], reply: '1 0 99 119000', allowed: true, retry_after_ms: 0 },
    { limits: [[5, 60, 'login']], reply: '0 1 0 60001', allowed: false, retry_after_ms: 1 },
    { limits: [[5, 0.5, null]], reply: '0 1001 0 999', allowed: false, retry_after_ms: 1001 },
    { limits: [[10, 1, null], [1000, 3600, null]], reply: '0 250 0 1500 990 7200000', allowed: false, retry_after_ms: 250 },
    { limits: [[10, 1, 'burst'], [1000, 3600, 'hour "quoted"']], reply: '1 0 9 2000 999 7200000', allowed: true, retry_after_ms: 0 },
    { limits: [[100, 60, null]], reply: null, allowed: true, retry_after_ms: 0 },
    { limits: [[100, 60, null], [7, 90.5, null]], reply: null, allowed: false, retry_after_ms: 4000 },
  ];
}

test('client identity agrees with Python on peers, forwarded chains and trusted proxies', { skip }, () => {
  const m = loadLimiter();
  const cases = identityCases();
  const py = askPython({ identities: cases, headers: [] }).identities;
  assert.equal(py.length, cases.length);
  const diffs = [];
  cases.forEach(([peer, xff, trusted], i) => {
    const js = m._internal.clientIdentity(peer, xff, m._internal.compileTrust(trusted), null);
    if (js !== py[i]) diffs.push({ peer, xff, trusted, js, py: py[i] });
  });
  assert.deepEqual(diffs, [], `${diffs.length} of ${cases.length} disagree`);
});

test('response headers agree with Python for the same script reply', { skip }, () => {
  const m = loadLimiter();
  const cases = headerCases();
  const py = askPython({ identities: [], headers: cases }).headers;
  cases.forEach((c, i) => {
    const limits = m._internal.normalizeLimits({ limits: c.limits.map(([requests, window, name]) => (name == null ? { requests, window } : { requests, window, name })) });
    let decision;
    if (c.reply) {
      decision = m._internal.parseReply(c.reply, limits);
    } else {
      decision = {
        allowed: c.allowed,
        retryAfter: c.allowed ? 0 : Math.max(1, Math.ceil(c.retry_after_ms / 1000)),
        results: limits.map((l) => ({ name: l.label, limit: l.requests, window: l.windowSeconds, remaining: null, resetSeconds: null })),
        error: new Error('down'),
      };
    }
    const js = m._internal.decisionHeaders(decision, { headers: true, legacyHeaders: false });
    assert.deepEqual(js, py[i], `case ${i}: ${JSON.stringify(c)}`);
  });
});
