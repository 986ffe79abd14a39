"""Answers questions with the rendered Python module, for the cross-language tests.

stdin: JSON {"module_dir": ..., "identities": [[peer, xff, trusted], ...],
             "headers": [{"limits": [[requests, window, name], ...], "reply": "1 0 9 2000" (the script's reply) or null,
                          "allowed": bool, "retry_after_ms": int}, ...]}
stdout: JSON {"identities": [...], "headers": [[[name, value], ...], ...]}
"""
import json
import sys

req = json.load(sys.stdin)
sys.path.insert(0, req["module_dir"])
import stablestack_rate_limiter as rl  # noqa: E402

out = {"identities": [rl.client_identity(p, x, t) for p, x, t in req["identities"]], "headers": []}
for case in req["headers"]:
    limits = tuple(rl.Limit(r, w, n) for r, w, n in case["limits"])
    reply = case["reply"]
    if reply is None:  # Redis unavailable: no remaining/reset known
        d = rl.Decision(case["allowed"], case["retry_after_ms"], limits, unavailable=True)
    else:
        d = rl.Limiter()._decision(limits, reply.encode())  # as redis-py hands it over: bytes
    out["headers"].append([list(h) for h in d.headers()])
json.dump(out, sys.stdout)
