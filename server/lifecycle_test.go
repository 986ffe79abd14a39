package server

import (
	"testing"

	"go.lsp.dev/jsonrpc2"
)

func TestRequestBeforeInitialize(t *testing.T) {
	e := newEditor(t)
	err := e.call("textDocument/codeAction", map[string]any{}, nil)
	if err == nil || err.Code != jsonrpc2.ServerNotInitialized {
		t.Fatalf("before initialize: got %v, want code -32002", err)
	}
	// A notification before initialize is dropped, not answered.
	e.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": "file:///x.py", "languageId": "python", "version": 1, "text": ""}})
	e.initialize(defaultCaps(), nil)
	if e.srv.docs.get("file:///x.py") != nil {
		t.Error("didOpen before initialize was applied")
	}
	if code := e.shutdown(); code != 0 {
		t.Errorf("exit code %d after shutdown, want 0", code)
	}
}

func TestUnknownMethods(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	if err := e.call("stablestack/nonsense", map[string]any{}, nil); err == nil || err.Code != jsonrpc2.MethodNotFound {
		t.Errorf("unknown request: got %v, want -32601", err)
	}
	if err := e.call("$/unknownRequest", nil, nil); err == nil || err.Code != jsonrpc2.MethodNotFound {
		t.Errorf("unknown $/ request: got %v, want -32601", err)
	}
	// Unknown notifications and $/ ones are ignored; the server still answers.
	e.notify("$/setTrace", map[string]any{"value": "verbose"})
	e.notify("custom/notification", map[string]any{"x": 1})
	e.notify("$/progress", nil)
	if code := e.shutdown(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestShutdownThenRequests(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	// Eglot sends shutdown with "params": null (which is what a nil sends).
	e.mustCall("shutdown", nil, nil)
	if err := e.call("textDocument/codeAction", map[string]any{}, nil); err == nil || err.Code != jsonrpc2.InvalidRequest {
		t.Errorf("request after shutdown: got %v, want InvalidRequest", err)
	}
	e.send(map[string]any{"jsonrpc": "2.0", "method": "exit", "params": nil})
	if code := e.exitCode(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	e.notify("exit", nil)
	if code := e.exitCode(); code != 1 {
		t.Errorf("exit code %d without shutdown, want 1", code)
	}
}

func TestConnectionLost(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	e.open("file:///w/app.py", "python", "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get(\"/x\")\ndef x():\n    pass\n")
	e.diagnosticsAt("file:///w/app.py", 1)
	e.pipe.Close()
	if code := e.exitCode(); code != 1 {
		t.Errorf("exit code %d after the connection dropped, want 1", code)
	}
}
