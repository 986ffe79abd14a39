package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
)

func TestInstrumentWorkspace(t *testing.T) {
	files := map[string]string{"requirements.txt": "fastapi\n"}
	for k, v := range multifile {
		files[k] = v
	}
	dir := writeTree(t, files)
	e := newEditor(t)
	e.initialize(defaultCaps(), folders(dir))
	e.waitIndexed(1)
	// items.py is open (edited through the buffer, at its version); the
	// others are changed on disk by the client.
	itemsURI := pathToURI(filepath.Join(dir, "app", "routers", "items.py"))
	e.open(itemsURI, "python", multifile["app/routers/items.py"])
	e.waitFor("items.py flagged", func() bool { return e.lastCount(itemsURI) == 2 })
	extra := filepath.Join(dir, "app", "extra.py")
	os.WriteFile(extra, []byte("from .main import app\n\n@app.post(\"/feedback\")\nasync def feedback():\n    return {}\n"), 0o644)

	var res instrumentResult
	e.mustCall("workspace/executeCommand", map[string]any{
		"command": "stablestack.instrumentWorkspace", "workDoneToken": "tok-1",
	}, &res)
	if !res.Applied || len(res.Files) != 2 || res.Routes != 3 {
		t.Fatalf("result %+v, want 3 routes in 2 files applied", res)
	}
	if len(e.requestsOf("workspace/applyEdit")) != 1 {
		t.Error("want exactly one workspace/applyEdit")
	}
	e.waitFor("items.py cleared", func() bool { return e.lastCount(itemsURI) == 0 })
	disk, _ := os.ReadFile(extra)
	if !strings.Contains(string(disk), "rate_limit(") {
		t.Errorf("extra.py on disk:\n%s", disk)
	}
	if _, err := os.Stat(filepath.Join(dir, "stablestack_rate_limiter.py")); err != nil {
		t.Errorf("module not created: %v", err)
	}
	// Progress used the client's token.
	found := false
	for _, raw := range e.notesOf("$/progress") {
		if strings.Contains(string(raw), `"tok-1"`) && strings.Contains(string(raw), `"end"`) {
			found = true
		}
	}
	if !found {
		t.Error("no $/progress end with the client's workDoneToken")
	}
	e.shutdown()
}

func TestInstrumentRejectedByClient(t *testing.T) {
	dir := writeTree(t, map[string]string{"requirements.txt": "fastapi\n", "app.py": appPy})
	e := newEditor(t)
	e.applyEdit = func(json.RawMessage) (any, error) {
		return applyWorkspaceEditResult{Applied: false, FailureReason: "user said no"}, nil
	}
	e.initialize(defaultCaps(), folders(dir))
	e.waitIndexed(1)
	var res instrumentResult
	e.mustCall("workspace/executeCommand", map[string]any{"command": "stablestack.instrumentWorkspace"}, &res)
	if res.Applied || res.Reason != "user said no" {
		t.Errorf("result %+v", res)
	}
	e.shutdown()
}

func TestExecuteCommandErrors(t *testing.T) {
	e := newEditor(t)
	caps := defaultCaps()
	delete(caps["workspace"].(map[string]any), "applyEdit")
	e.initialize(caps, nil)
	if err := e.call("workspace/executeCommand", map[string]any{"command": "nope"}, nil); err == nil || err.Code != jsonrpc2.InvalidParams {
		t.Errorf("unknown command: %v", err)
	}
	if err := e.call("workspace/executeCommand", map[string]any{"command": "stablestack.instrumentWorkspace"}, nil); err == nil {
		t.Error("instrumentWorkspace without applyEdit support succeeded")
	}
	if err := e.call("workspace/executeCommand", map[string]any{"command": "stablestack.addRateLimiter", "arguments": []any{"x"}}, nil); err == nil || err.Code != jsonrpc2.InvalidParams {
		t.Errorf("bad arguments: %v", err)
	}
	if err := e.call("workspace/executeCommand", map[string]any{"command": "stablestack.addRateLimiter"}, nil); err == nil {
		t.Error("addRateLimiter without a folder succeeded")
	}
	e.shutdown()
}
