package python_test

import (
	"testing"

	"github.com/stablestack/stablestack/analysis"
)

const configApp = `from fastapi import FastAPI
from company.guards import company_guard

app = FastAPI()

@app.get("/status")
def status():
    return "ok"

@app.post("/orders")
@company_guard(per_minute=10)
def orders():
    return {}

@app.post("/login")
def login():
    return {}
`

// TestConfigEffects checks the settings the rules read: extra limiter
// names, health paths, severity.
func TestConfigEffects(t *testing.T) {
	got := check(t, nil, map[string]string{"app.py": configApp})
	if n := len(got["app.py"]); n != 3 {
		t.Fatalf("default config: %d findings, want 3 (/status, /orders, /login): %v", n, got)
	}
	cfg := analysis.DefaultConfig()
	cfg.Limiters = []string{"company_guard"}
	cfg.HealthPaths = []string{"/status"}
	cfg.Rules = map[string]analysis.RuleSetting{"RATE001": {Severity: analysis.SeverityError}}
	got = check(t, cfg, map[string]string{"app.py": configApp})
	fds := got["app.py"]
	if len(fds) != 1 || fds[0].Message != "POST /login has no rate limiting" || fds[0].Severity != analysis.SeverityError {
		t.Fatalf("configured: %+v", fds)
	}
	cfg.Rules = map[string]analysis.RuleSetting{"RATE001": {Disabled: true}}
	if got := check(t, cfg, map[string]string{"app.py": configApp}); len(got) != 0 {
		t.Fatalf("disabled: %v", got)
	}
}
