package server

import (
	"testing"

	"github.com/segmentio/encoding/json"
)

func TestPublishParamsVersion(t *testing.T) {
	zero := int32(0)
	raw, _ := json.Marshal(publishDiagnosticsParams{URI: "u", Version: &zero, Diagnostics: []diagnostic{}})
	if string(raw) != `{"uri":"u","version":0,"diagnostics":[]}` {
		t.Errorf("version 0 must be sent: %s", raw)
	}
	raw, _ = json.Marshal(publishDiagnosticsParams{URI: "u", Diagnostics: []diagnostic{}})
	if string(raw) != `{"uri":"u","diagnostics":[]}` {
		t.Errorf("no version after close: %s", raw)
	}
	msg := string(appendPublishPrefix(nil, "u\"", 0)) + "[]}}"
	if msg != `{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"u\"","version":0,"diagnostics":[]}}` {
		t.Errorf("publish message: %s", msg)
	}
}

// TestContentChangeRange is the bug lsp-stack.md describes: a change
// without a range must decode as a whole-document replacement, not an
// insertion at 0:0.
func TestContentChangeRange(t *testing.T) {
	var p didChangeParams
	raw := `{"textDocument":{"uri":"u","version":2},"contentChanges":[{"text":"all"},{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"text":"x"}]}`
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatal(err)
	}
	if p.ContentChanges[0].Range != nil || p.ContentChanges[1].Range == nil {
		t.Errorf("ranges %+v", p.ContentChanges)
	}
}
