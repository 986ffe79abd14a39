"""The decorator on real applications of every supported framework: N
requests pass with RateLimit fields, N+1 gets 429 with Retry-After, and the
route passes again after that many seconds. Handler signatures stay as the
user wrote them."""

import json
import os
import subprocess
import sys
import unittest
import uuid

import stablestack_rate_limiter as rl
import support
from cycle import check_cycle, header
from servers import Aiohttp, Uvicorn, http_get


def unique(prefix):
    return "%s.%s" % (prefix, uuid.uuid4().hex[:10])


class FastAPITest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        fastapi = support.need_module("fastapi")
        from fastapi import FastAPI, Request, Response
        from fastapi.responses import JSONResponse, PlainTextResponse
        cls.limiter = support.limiter()
        cls.names = {k: unique("fastapi." + k) for k in ("plain", "spoof", "request", "sync", "params", "resp", "multi", "future", "default")}
        app = FastAPI()
        lim, names = cls.limiter, cls.names

        @app.get("/plain")
        @rl.rate_limit(requests=3, window=2, name=names["plain"], limiter=lim)
        async def plain():
            return {"ok": True}

        @app.get("/spoof")
        @rl.rate_limit(requests=3, window=2, name=names["spoof"], limiter=lim)
        async def spoof():
            return {"ok": True}

        @app.get("/request")
        @rl.rate_limit(requests=3, window=2, name=names["request"], limiter=lim)
        async def with_request(request: Request):
            return JSONResponse({"client": request.client.host})

        @app.get("/sync")
        @rl.rate_limit(requests=3, window=2, name=names["sync"], limiter=lim)
        def sync_handler():
            return {"sync": True}

        @app.get("/items/{item_id}")
        @rl.rate_limit(requests=3, window=2, name=names["params"], limiter=lim)
        async def item(item_id: int, q: str = "none"):
            return {"item_id": item_id, "q": q}

        @app.get("/resp")
        @rl.rate_limit(requests=3, window=2, name=names["resp"], limiter=lim)
        async def with_response(response: Response):
            response.headers["X-Handler"] = "yes"
            return PlainTextResponse("text")

        @app.get("/multi")
        @rl.rate_limit(limits=[rl.Limit(100, 60), rl.Limit(3, 2, name="default")], name=names["multi"], limiter=lim)
        async def multi():
            return {"multi": True}

        @app.get("/default-limiter")
        @rl.rate_limit(requests=3, window=2, name=names["default"])
        async def default_limiter():
            return {"ok": True}

        import fastapi_future_app
        app.mount("/sub", fastapi_future_app.make_app(lim, names["future"]))
        cls.app = app
        cls.server = Uvicorn(app).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def get(self, path, headers=None):
        return lambda: http_get(self.server.url(path), headers)

    def test_async_handler_without_request_parameter(self):
        check_cycle(self, self.get("/plain"), body_check=lambda b: self.assertEqual(json.loads(b), {"ok": True}))

    def test_handler_with_request_returning_response(self):
        check_cycle(self, self.get("/request"), body_check=lambda b: self.assertEqual(json.loads(b), {"client": "127.0.0.1"}))

    def test_sync_handler(self):
        check_cycle(self, self.get("/sync"))

    def test_path_and_query_parameters_still_work(self):
        check_cycle(self, self.get("/items/7?q=abc"),
                    body_check=lambda b: self.assertEqual(json.loads(b), {"item_id": 7, "q": "abc"}))
        status, _, body = http_get(self.server.url("/items/notanint"))
        self.assertEqual(status, 422, body)

    def test_openapi_shows_only_the_handlers_parameters(self):
        params = self.app.openapi()["paths"]["/items/{item_id}"]["get"]["parameters"]
        self.assertEqual([(p["name"], p["in"]) for p in params], [("item_id", "path"), ("q", "query")])

    def test_handler_response_parameter(self):
        check_cycle(self, self.get("/resp"), body_check=lambda b: self.assertEqual(b, "text"))

    def test_several_limits(self):
        status, headers, _ = self.get("/multi")()
        self.assertEqual(status, 200)
        self.assertEqual(header(headers, "RateLimit-Policy"), '"100-per-60s";q=100;w=60, "default";q=3;w=2')
        for _ in range(2):
            self.assertEqual(self.get("/multi")()[0], 200)
        status, headers, _ = self.get("/multi")()
        self.assertEqual(status, 429)
        self.assertRegex(header(headers, "RateLimit"), r'^"100-per-60s";r=97;t=\d+, "default";r=0;t=\d+$')

    def test_string_annotations(self):
        check_cycle(self, self.get("/sub/future/5?q=x"),
                    body_check=lambda b: self.assertEqual(json.loads(b), {"item_id": 5, "q": "x", "path": "/sub/future/5"}))

    def test_default_limiter_from_configure(self):
        rl.configure(redis_url=support.shared_redis_url(), timeout=support.TEST_TIMEOUT, connect_timeout=support.TEST_TIMEOUT)
        check_cycle(self, self.get("/default-limiter"))

    def test_spoofed_forwarded_for_is_ignored(self):
        spoofed = lambda: http_get(self.server.url("/spoof"), {"X-Forwarded-For": "198.51.100.%d" % spoofed.n})
        spoofed.n = 0

        def request():
            spoofed.n += 1
            return spoofed()
        # Every request claims a new address; the peer (127.0.0.1) is what counts.
        self.assertGreaterEqual(check_cycle(self, request), 1)


class StarletteTest(unittest.TestCase):
    def test_function_endpoint_and_http_endpoint(self):
        support.need_module("starlette")
        from starlette.applications import Starlette
        from starlette.endpoints import HTTPEndpoint
        from starlette.responses import JSONResponse
        from starlette.routing import Route
        lim = support.limiter()

        @rl.rate_limit(requests=3, window=2, name=unique("starlette.fn"), limiter=lim)
        async def fn(request):
            return JSONResponse({"path": request.url.path})

        class Things(HTTPEndpoint):
            @rl.rate_limit(requests=3, window=2, name=unique("starlette.cls"), limiter=lim)
            async def get(self, request):
                return JSONResponse({"things": True})

        app = Starlette(routes=[Route("/fn", fn), Route("/things", Things)])
        with Uvicorn(app) as server:
            check_cycle(self, lambda: http_get(server.url("/fn")))
            check_cycle(self, lambda: http_get(server.url("/things")))


class FlaskTest(unittest.TestCase):
    def setUp(self):
        support.need_module("flask")

    def make_app(self, limiter, **kw):
        from flask import Flask, jsonify
        app = Flask(__name__)

        @app.route("/hello/<name>")
        @rl.rate_limit(requests=3, window=2, name=unique("flask.sync"), limiter=limiter, **kw)
        def hello(name):
            return jsonify(hello=name)

        @app.route("/async")
        @rl.rate_limit(requests=3, window=2, name=unique("flask.async"), limiter=limiter, **kw)
        async def async_view():
            return "async"

        return app

    def client_request(self, client, path, remote="203.0.113.50", headers=None):
        def request():
            r = client.get(path, environ_base={"REMOTE_ADDR": remote}, headers=headers or {})
            return r.status_code, dict(r.headers.items()), r.get_data(as_text=True)
        return request

    def test_sync_and_async_views(self):
        app = self.make_app(support.limiter())
        client = app.test_client()
        check_cycle(self, self.client_request(client, "/hello/ann"),
                    body_check=lambda b: self.assertEqual(json.loads(b), {"hello": "ann"}))
        check_cycle(self, self.client_request(client, "/async"), body_check=lambda b: self.assertEqual(b, "async"))

    def test_exact_log_route(self):
        from flask import Flask
        app = Flask(__name__)

        @app.route("/login", methods=["POST"])
        @rl.rate_limit(requests=3, window=2, name=unique("flask.login"), limiter=support.limiter(),
                       exact=True)
        def login():
            return "welcome"
        client = app.test_client()

        def request():
            r = client.post("/login", environ_base={"REMOTE_ADDR": "203.0.113.51"})
            return r.status_code, dict(r.headers.items()), r.get_data(as_text=True)
        check_cycle(self, request, body_check=lambda b: self.assertEqual(b, "welcome"))

    def test_forwarded_for_only_behind_trusted_proxies(self):
        untrusting = self.make_app(support.limiter()).test_client()
        n = [0]

        def spoofing():
            n[0] += 1
            return self.client_request(untrusting, "/hello/x", remote="10.0.0.5",
                                       headers={"X-Forwarded-For": "198.51.100.%d" % n[0]})()
        check_cycle(self, spoofing)

        trusting = self.make_app(support.limiter(None, trusted_proxies=["10.0.0.0/8"])).test_client()
        for i in range(6):  # six different clients behind the proxy: none limited
            status, _, _ = self.client_request(trusting, "/hello/y", remote="10.0.0.5",
                                               headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.%d" % i})()
            self.assertEqual(status, 200)
        same = self.client_request(trusting, "/hello/y", remote="10.0.0.5",
                                   headers={"X-Forwarded-For": "6.6.6.%d, 198.51.100.200" % n[0]})
        self.assertEqual([same()[0] for _ in range(4)], [200, 200, 200, 429])

    def test_custom_key(self):
        from flask import Flask, request
        app = Flask(__name__)
        lim = support.limiter()

        @app.route("/k")
        @rl.rate_limit(requests=2, window=60, name=unique("flask.key"), limiter=lim,
                       key=lambda req: req.headers.get("X-Api-Key") and "key:" + req.headers["X-Api-Key"])
        def k():
            return "ok"

        @app.route("/user")
        @rl.rate_limit(requests=1, window=60, name=unique("flask.user"), limiter=lim, key=lambda req: 42)
        def user():  # a key function may return a non-string id
            return "ok"
        c = app.test_client()
        self.assertEqual([c.get("/user").status_code for _ in range(2)], [200, 429])
        codes = lambda key: [c.get("/k", headers={"X-Api-Key": key} if key else {}).status_code for _ in range(3)]
        self.assertEqual(codes("a"), [200, 200, 429])
        self.assertEqual(codes("b"), [200, 200, 429])
        self.assertEqual(codes(None), [200, 200, 200])  # key() returned None: not limited


class EnvironmentConfigTest(unittest.TestCase):
    def test_redis_url_and_trusted_proxies_from_the_environment(self):
        support.need_module("flask")
        code = """
import json, uuid
from flask import Flask
import stablestack_rate_limiter as rl
app = Flask(__name__)

@app.route("/")
@rl.rate_limit(requests=2, window=60, name="env." + uuid.uuid4().hex)
def index():
    return "ok"

c = app.test_client()
get = lambda xff: c.get("/", environ_base={"REMOTE_ADDR": "10.1.1.1"}, headers={"X-Forwarded-For": xff}).status_code
print(json.dumps([get("198.51.100.1") for _ in range(3)] + [get("198.51.100.2")]))
"""
        env = support.subprocess_env()
        env["REDIS_URL"] = support.shared_redis_url()
        env["STABLESTACK_TRUSTED_PROXIES"] = "10.0.0.0/8, 192.0.2.1"
        out = subprocess.check_output([sys.executable, "-c", code], env=env, timeout=60)
        # Behind the trusted proxy each forwarded client has its own budget.
        self.assertEqual(json.loads(out), [200, 200, 429, 200])


class DjangoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        support.need_module("django")
        import django
        from django.conf import settings
        if not settings.configured:
            settings.configure(DEBUG=False, SECRET_KEY="test", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__ + "_urls",
                               MIDDLEWARE=[], INSTALLED_APPS=[], USE_TZ=True)
            django.setup()
        from django.http import HttpResponse, JsonResponse
        from django.urls import path
        from django.views import View
        lim = support.limiter()

        @rl.rate_limit(requests=3, window=2, name=unique("django.fn"), limiter=lim)
        def fn(request, pk):
            return JsonResponse({"pk": pk})

        @rl.rate_limit(requests=3, window=2, name=unique("django.async"), limiter=lim)
        async def afn(request):
            return HttpResponse("async")

        class Cls(View):
            @rl.rate_limit(requests=3, window=2, name=unique("django.cls"), limiter=lim)
            def get(self, request):
                return HttpResponse("cls")

        urls = type(sys)(__name__ + "_urls")
        # The same views under a second scope for the ASGI server test.
        fn2 = rl.rate_limit(requests=3, window=2, name=unique("django.fn2"), limiter=lim)(fn.__wrapped__)
        afn2 = rl.rate_limit(requests=3, window=2, name=unique("django.afn2"), limiter=lim)(afn.__wrapped__)
        urls.urlpatterns = [path("fn/<int:pk>", fn), path("afn", afn), path("cls", Cls.as_view()),
                            path("fn2/<int:pk>", fn2), path("afn2", afn2)]
        sys.modules[urls.__name__] = urls

    def request(self, path):
        from django.test import Client
        client = Client(REMOTE_ADDR="203.0.113.60")

        def do():
            r = client.get(path)
            return r.status_code, dict(r.items()), r.content.decode()
        return do

    def test_function_view(self):
        check_cycle(self, self.request("/fn/4"), body_check=lambda b: self.assertEqual(json.loads(b), {"pk": 4}))

    def test_class_based_view_method(self):
        check_cycle(self, self.request("/cls"), body_check=lambda b: self.assertEqual(b, "cls"))

    def test_async_view(self):
        check_cycle(self, self.request("/afn"), body_check=lambda b: self.assertEqual(b, "async"))

    def test_asgi_server(self):
        from django.core.asgi import get_asgi_application
        with Uvicorn(get_asgi_application()) as server:
            check_cycle(self, lambda: http_get(server.url("/afn2")), body_check=lambda b: self.assertEqual(b, "async"))
            check_cycle(self, lambda: http_get(server.url("/fn2/9")), body_check=lambda b: self.assertEqual(json.loads(b), {"pk": 9}))


class AiohttpTest(unittest.TestCase):
    def test_handler_and_class_view(self):
        web = support.need_module("aiohttp.web")
        lim = support.limiter()

        @rl.rate_limit(requests=3, window=2, name=unique("aiohttp.fn"), limiter=lim)
        async def fn(request):
            return web.json_response({"name": request.match_info["name"]})

        class V(web.View):
            @rl.rate_limit(requests=3, window=2, name=unique("aiohttp.view"), limiter=lim)
            async def get(self):
                return web.Response(text="view")

        app = web.Application()
        app.router.add_get("/fn/{name}", fn)
        app.router.add_view("/view", V)
        with Aiohttp(app) as server:
            check_cycle(self, lambda: http_get(server.url("/fn/bob")),
                        body_check=lambda b: self.assertEqual(json.loads(b), {"name": "bob"}))
            check_cycle(self, lambda: http_get(server.url("/view"), {"X-Forwarded-For": uuid.uuid4().hex}))


if __name__ == "__main__":
    unittest.main()
