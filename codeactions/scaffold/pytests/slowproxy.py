"""A TCP proxy in front of Redis that holds every reply for `delay` seconds:
an artificially slow Redis for the event-loop tests."""

import asyncio
import threading

import support


class SlowProxy:
    def __init__(self, target_port, delay):
        self.target_port = target_port
        self.delay = delay
        self.port = support.free_port()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self):
        return "redis://127.0.0.1:%d/0" % self.port

    def _run(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self.ready.set()
        self.loop.run_forever()
        server.close()

    async def _handle(self, client_r, client_w):
        redis_r, redis_w = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def pump(src, dst, delay):
            try:
                while True:
                    data = await src.read(65536)
                    if not data:
                        break
                    if delay:
                        await asyncio.sleep(self.delay)
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pump(client_r, redis_w, False), pump(redis_r, client_w, True))

    def __enter__(self):
        self.thread.start()
        self.ready.wait(10)
        return self

    async def _shutdown(self):
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
