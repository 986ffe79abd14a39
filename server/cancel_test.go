package server

import (
	"context"
	"testing"

	"go.lsp.dev/jsonrpc2"
)

// blockCodeActions makes codeAction wait until its request is cancelled.
func blockCodeActions(s *Server) {
	s.testHookDispatch = func(ctx context.Context, method string) {
		if method == "textDocument/codeAction" {
			<-ctx.Done()
		}
	}
}

func TestCancelRequest(t *testing.T) {
	e := newEditorWith(t, blockCodeActions)
	e.initialize(defaultCaps(), nil)
	params := map[string]any{"textDocument": map[string]any{"uri": "file:///x.py"}, "range": rangeJSON(0, 0, 0, 0), "context": map[string]any{}}
	// A is running (blocked), B waits behind it; cancel B first, then A.
	idA, waitA := e.start("textDocument/codeAction", params)
	idB, waitB := e.start("textDocument/codeAction", params)
	// JSON numbers: the id arrives as a float64 (jsonrpc2.CancelHandler misses it).
	e.notify("$/cancelRequest", map[string]any{"id": idB})
	e.notify("$/cancelRequest", map[string]any{"id": idA})
	for name, wait := range map[string]func() *jsonrpc2.Response{"A": waitA, "B": waitB} {
		r := wait()
		rerr, ok := r.Err().(*jsonrpc2.Error)
		if !ok || rerr.Code != codeRequestCancelled {
			t.Errorf("%s: got %v, want RequestCancelled (-32800)", name, r.Err())
		}
	}
	// Cancelling something already answered (or unknown) is harmless.
	e.notify("$/cancelRequest", map[string]any{"id": idA})
	e.notify("$/cancelRequest", map[string]any{"id": map[string]any{}})
	e.shutdown()
}

func TestCancelStringID(t *testing.T) {
	e := newEditorWith(t, blockCodeActions)
	e.initialize(defaultCaps(), nil)
	ch := make(chan *jsonrpc2.Response, 1)
	e.mu.Lock()
	e.pending["req-1"] = ch
	e.mu.Unlock()
	e.send(map[string]any{"jsonrpc": "2.0", "id": "req-1", "method": "textDocument/codeAction",
		"params": map[string]any{"textDocument": map[string]any{"uri": "file:///x.py"}, "range": rangeJSON(0, 0, 0, 0), "context": map[string]any{}}})
	e.notify("$/cancelRequest", map[string]any{"id": "req-1"})
	r := <-ch
	if rerr, ok := r.Err().(*jsonrpc2.Error); !ok || rerr.Code != codeRequestCancelled {
		t.Errorf("got %v, want RequestCancelled", r.Err())
	}
	e.shutdown()
}
