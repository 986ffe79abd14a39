"""A separate application process for the multi-process tests: it hits one
identity/scope with many concurrent asyncio tasks and threads and prints how
many requests were admitted, as JSON.

usage: worker_hits.py REDIS_URL SCOPE LIMIT WINDOW TASKS THREADS HITS_PER_WORKER [exact]
"""

import asyncio
import json
import sys
import threading

import stablestack_rate_limiter as rl


def main():
    url, scope, limit, window, tasks, threads, hits = sys.argv[1:8]
    limit, window, tasks, threads, hits = int(limit), float(window), int(tasks), int(threads), int(hits)
    exact = sys.argv[8:] == ["exact"]
    limiter = rl.Limiter(url, timeout=5, connect_timeout=5)
    limits = (rl.Limit(limit, window),)
    admitted, unavailable = [], []
    lock = threading.Lock()

    def record(d):
        with lock:
            admitted.append(d.allowed and not d.unavailable)
            unavailable.append(d.unavailable)

    def thread_main():
        for _ in range(hits):
            record(limiter.hit("ip:198.51.100.77", limits, scope, exact=exact))

    async def task_main():
        for _ in range(hits):
            record(await limiter.ahit("ip:198.51.100.77", limits, scope, exact=exact))

    async def run_tasks():
        await asyncio.gather(*(task_main() for _ in range(tasks)))

    ts = [threading.Thread(target=thread_main) for _ in range(threads)]
    for t in ts:
        t.start()
    asyncio.run(run_tasks())
    for t in ts:
        t.join()
    print(json.dumps({"admitted": sum(admitted), "total": len(admitted), "unavailable": sum(unavailable)}))


if __name__ == "__main__":
    main()
