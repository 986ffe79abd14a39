package server

import (
	"context"
	"strconv"

	"github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
)

// Pull diagnostics (LSP 3.17, textDocument/diagnostic), for clients that
// announce textDocument.diagnostic. Such clients get no publishDiagnostics:
// the spec leaves mixing the two models undefined and VS Code shows both,
// so a document's diagnostics come from exactly one of them. Types are
// declared here because go.lsp.dev/protocol v0.12.0 predates 3.17.

type documentDiagnosticParams struct {
	TextDocument struct {
		URI string `json:"uri"`
	} `json:"textDocument"`
	Identifier       string `json:"identifier"`
	PreviousResultID string `json:"previousResultId"`
}

// documentDiagnosticReport is a full or unchanged report ("kind").
type documentDiagnosticReport struct {
	Kind     string       `json:"kind"` // "full" or "unchanged"
	ResultID string       `json:"resultId,omitempty"`
	Items    []diagnostic `json:"items,omitempty"`
}

// fullItems marshals a full report's items even when empty (items is required).
type fullReport struct {
	Kind     string       `json:"kind"`
	ResultID string       `json:"resultId"`
	Items    []diagnostic `json:"items"`
}

// pullDiagnostics answers with the diagnostics of the document's newest
// text, waiting for its analysis if a change is still being analyzed.
func (s *Server) pullDiagnostics(ctx context.Context, raw json.RawMessage) (any, error) {
	var p documentDiagnosticParams
	if err := decodeParams(raw, &p); err != nil {
		return nil, err
	}
	d := s.docs.get(p.TextDocument.URI)
	if d == nil {
		// Not open: nothing is known about it beyond the index, and the
		// spec allows an empty report.
		return fullReport{Kind: "full", ResultID: "", Items: []diagnostic{}}, nil
	}
	dd := d.diags
	res, ok := dd.current(ctx)
	if !ok {
		if ctx.Err() != nil {
			return nil, errCancelled
		}
		return nil, jsonrpc2.NewError(codeContentModified, "document closed")
	}
	id := resultID(res)
	if p.PreviousResultID != "" && p.PreviousResultID == id {
		return documentDiagnosticReport{Kind: "unchanged", ResultID: id}, nil
	}
	items := res.diags
	if items == nil {
		items = []diagnostic{}
	}
	return fullReport{Kind: "full", ResultID: id, Items: items}, nil
}

// resultID names a result: the text's sequence number plus the workspace
// generation its rules saw, so a recheck after another file changed gets a
// new id.
func resultID(res *docResult) string {
	return strconv.FormatUint(res.snap.seq, 10) + "." + strconv.FormatUint(res.gen, 10)
}
