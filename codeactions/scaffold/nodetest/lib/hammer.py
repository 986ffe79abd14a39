"""A Python worker for the mixed-fleet "exactly N" test, the twin of hammer.js.

Imports the rendered stablestack_rate_limiter, says "ready", waits for "go" on stdin, runs
`total` checks with `concurrency` in flight through redis.asyncio (Limiter.ahit, as the
decorator does in async handlers), and prints {"admitted","denied","errors"} as JSON.
argv[1] is JSON {module_dir, url, identity, scope, requests, window, total, concurrency}.
"""
import asyncio
import json
import sys

cfg = json.loads(sys.argv[1])
sys.path.insert(0, cfg["module_dir"])
import stablestack_rate_limiter as rl  # noqa: E402


async def main():
    # Generous timeouts: this test is about atomicity, not the latency budget.
    limiter = rl.Limiter(cfg["url"], connect_timeout=10, timeout=10)
    limits = [rl.Limit(cfg["requests"], cfg["window"])]
    await limiter.ahit("warmup:py", limits, "warmup")
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    out = {"admitted": 0, "denied": 0, "errors": 0}
    todo = iter(range(cfg["total"]))

    async def lane():
        for _ in todo:
            d = await limiter.ahit(cfg["identity"], limits, cfg["scope"])
            if d.unavailable:
                out["errors"] += 1
            elif d.allowed:
                out["admitted"] += 1
            else:
                out["denied"] += 1

    await asyncio.gather(*(lane() for _ in range(cfg["concurrency"])))
    print(json.dumps(out), flush=True)


asyncio.run(main())
