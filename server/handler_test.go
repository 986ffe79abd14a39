package server

import (
	"context"
	"testing"

	"go.lsp.dev/jsonrpc2"
)

func TestPanicBecomesErrorReply(t *testing.T) {
	e := newEditorWith(t, func(s *Server) {
		s.testHookDispatch = func(_ context.Context, method string) {
			if method == "textDocument/codeAction" || method == "textDocument/didSave" {
				panic("injected failure in " + method)
			}
		}
	})
	e.initialize(defaultCaps(), nil)
	err := e.call("textDocument/codeAction", map[string]any{}, nil)
	if err == nil || err.Code != jsonrpc2.InternalError {
		t.Fatalf("got %v, want an InternalError reply", err)
	}
	// A panicking notification gets no reply but must not stall the queue.
	e.notify("textDocument/didSave", map[string]any{"textDocument": map[string]any{"uri": "file:///x.py"}})
	uri := "file:///w/app.py"
	e.open(uri, "python", appPy)
	if ds := e.diagnosticsAt(uri, 1); len(ds) != 1 {
		t.Errorf("after the panics: %v", codes(ds))
	}
	e.waitFor("the panic in the editor's log", func() bool { return e.logged("panic in handler") })
	if code := e.shutdown(); code != 0 {
		t.Errorf("exit code %d", code)
	}
}

func TestInvalidParams(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	if err := e.call("textDocument/codeAction", "not an object", nil); err == nil || err.Code != jsonrpc2.InvalidParams {
		t.Errorf("got %v, want InvalidParams", err)
	}
	if err := e.call("textDocument/codeAction", nil, nil); err == nil || err.Code != jsonrpc2.InvalidParams {
		t.Errorf("missing params: got %v, want InvalidParams", err)
	}
	// A malformed notification is logged; the session goes on.
	e.notify("textDocument/didOpen", []int{1})
	e.shutdown()
}
