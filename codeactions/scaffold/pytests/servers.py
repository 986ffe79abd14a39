"""Real HTTP servers on loopback ports for the framework tests, and a
stdlib HTTP client that returns 4xx/5xx responses instead of raising."""

import asyncio
import threading
import time
import urllib.error
import urllib.request

import support


def http_get(url, headers=None, timeout=30):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers.items()), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read().decode()


class Uvicorn:
    """An ASGI app served by uvicorn in a thread."""

    def __init__(self, app):
        uvicorn = support.need_module("uvicorn")
        self.port = support.free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", proxy_headers=False,
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


class Aiohttp:
    """An aiohttp application served by its own runner and loop in a thread."""

    def __init__(self, app):
        self.web = support.need_module("aiohttp.web")
        self.app = app
        self.port = support.free_port()
        self.loop = asyncio.new_event_loop()
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.runner = self.web.AppRunner(self.app)
        self.loop.run_until_complete(self.runner.setup())
        site = self.web.TCPSite(self.runner, "127.0.0.1", self.port)
        self.loop.run_until_complete(site.start())
        self.started.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()

    def __enter__(self):
        self.thread.start()
        if not self.started.wait(10):
            raise RuntimeError("aiohttp did not start")
        return self

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
