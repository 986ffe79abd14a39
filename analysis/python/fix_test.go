package python_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
)

// check indexes files (name -> source) in a temporary root with cfg and
// returns the findings of every file.
func check(t *testing.T, cfg *analysis.Config, files map[string]string) map[string][]analysis.Finding {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := engine.New(cfg)
	e.SetRoots([]string{dir})
	indexed, err := e.Index(context.Background(), []string{dir}, engine.IndexOptions{Keep: func(engine.SourceFile) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]analysis.Finding{}
	for _, ix := range indexed {
		if ix.File != nil {
			if fds := e.Check(ix.File); len(fds) > 0 {
				out[ix.Rel] = fds
			}
		}
	}
	return out
}

func wantFix(t *testing.T, fd analysis.Finding, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := fd.Fix[k]; got != v {
			t.Errorf("%s: Fix[%q] = %q, want %q (all: %v)", fd.Message, k, got, v, fd.Fix)
		}
	}
}

func TestFixKeysRoute(t *testing.T) {
	got := check(t, nil, map[string]string{
		"app/main.py": `from fastapi import FastAPI
from . import handlers

app = FastAPI()

@app.post("/login")
async def login():
    return {}

app.add_api_route("/logout", handlers.logout, methods=["POST"])
`,
		"app/__init__.py": "",
		"app/handlers.py": "from fastapi import Request\n\ndef logout(request: Request):\n    return {}\n",
	})
	fds := got["app/main.py"]
	if len(fds) != 2 {
		t.Fatalf("findings: %v", got)
	}
	wantFix(t, fds[0], map[string]string{
		"fix": "add-rate-limit", "framework": "fastapi", "handler": "login", "route": "POST /login",
		"methods": "POST", "path": "/login", "registration": "decorator", "handler_kind": "function",
		"async": "true",
	})
	wantFix(t, fds[1], map[string]string{
		"handler": "logout", "registration": "call", "async": "", "route": "POST /logout",
	})
	if p := fds[1].Fix["handler_path"]; filepath.Base(p) != "handlers.py" {
		t.Errorf("handler_path = %q", p)
	}
}

func TestFixKeysCounter(t *testing.T) {
	got := check(t, nil, map[string]string{"limits.py": `import time
from flask import abort, request

WINDOW_SECONDS = 60
MAX_REQUESTS = 100
hits = {}

def check_rate_limit():
    ip = request.remote_addr
    now = time.time()
    start, count = hits.get(ip, (now, 0))
    if now - start > WINDOW_SECONDS:
        start, count = now, 0
    if count >= MAX_REQUESTS:
        abort(429)
    hits[ip] = (start, count + 1)
`})
	fds := got["limits.py"]
	if len(fds) != 1 {
		t.Fatalf("findings: %v", got)
	}
	wantFix(t, fds[0], map[string]string{
		"fix": "replace-counter", "counter": "hits", "limit": "MAX_REQUESTS", "limit_op": ">=",
		"requests": "100", "window": "60", "window_expr": "WINDOW_SECONDS", "function": "check_rate_limit",
		"framework": "flask",
	})
	if len(fds[0].Related) != 1 {
		t.Errorf("related: %v", fds[0].Related)
	}
}

func TestFixKeysLibrary(t *testing.T) {
	got := check(t, nil, map[string]string{"ext.py": `from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address, default_limits=["100 per minute"])
`})
	fds := got["ext.py"]
	if len(fds) != 1 {
		t.Fatalf("findings: %v", got)
	}
	wantFix(t, fds[0], map[string]string{"fix": "limiter-to-redis", "framework": "flask-limiter", "counter": "limiter", "limit": `["100 per minute"]`})
}
