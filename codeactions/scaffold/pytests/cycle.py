"""The N+1 check every framework test runs: N allowed responses with the
RateLimit fields, then 429 with an integer Retry-After, then success again
after waiting that long."""

import re
import time


def header(headers, name):
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return None


def check_cycle(test, request, n=3, window=2, policy=None, body_check=None):
    """request() -> (status, headers mapping, body text)."""
    policy = policy or '"default";q=%d;w=%d' % (n, window)
    for i in range(n):
        status, headers, body = request()
        test.assertEqual(status, 200, body)
        test.assertEqual(header(headers, "RateLimit-Policy"), policy)
        test.assertRegex(header(headers, "RateLimit") or "", r'^"default";r=%d;t=\d+$' % (n - 1 - i))
        if body_check:
            body_check(body)
    status, headers, body = request()
    test.assertEqual(status, 429, body)
    retry = header(headers, "Retry-After")
    test.assertIsNotNone(retry, headers)
    test.assertRegex(retry, r"^[1-9][0-9]*$")
    test.assertEqual(header(headers, "RateLimit-Policy"), policy)
    test.assertRegex(header(headers, "RateLimit") or "", r'^"default";r=0;t=[1-9]\d*$')
    test.assertIn("rate_limited", body)
    time.sleep(int(retry))
    status, headers, body = request()
    test.assertEqual(status, 200, body)
    return int(retry)
