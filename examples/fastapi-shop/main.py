"""A small FastAPI shop, written the way tutorials and assistants often do."""
import time
from collections import defaultdict

from fastapi import FastAPI, HTTPException, Request

app = FastAPI()

# Hand-written limiter: lives in process memory, so it resets on every deploy,
# is counted separately by each worker, and is not atomic.
request_log = defaultdict(list)


def check_rate(ip: str) -> None:
    now = time.time()
    request_log[ip] = [t for t in request_log[ip] if now - t < 60]
    if len(request_log[ip]) >= 100:
        raise HTTPException(status_code=429, detail="Too many requests")
    request_log[ip].append(now)


@app.get("/healthz")
def health():
    return {"ok": True}


@app.post("/login")
async def login(request: Request):
    check_rate(request.client.host)
    return {"token": "..."}


@app.get("/products/{product_id}")
async def product(product_id: int):
    return {"id": product_id}
