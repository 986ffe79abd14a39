"""A FastAPI app whose annotations are strings (PEP 563), which the decorator
must resolve in this module for FastAPI to inject parameters."""

from __future__ import annotations

from fastapi import FastAPI, Request

import stablestack_rate_limiter as rl


def make_app(limiter, name):
    app = FastAPI()

    @app.get("/future/{item_id}")
    @rl.rate_limit(requests=3, window=2, name=name, limiter=limiter)
    async def item(item_id: int, request: Request, q: str | None = None) -> dict:
        return {"item_id": item_id, "q": q, "path": request.url.path}

    return app
