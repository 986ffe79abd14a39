package server

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis/syntax"
	"github.com/stablestack/stablestack/codeactions"
)

// workspaceEdit is a WorkspaceEdit: versioned documentChanges when the
// client supports them, the plain changes map otherwise.
type workspaceEdit struct {
	Changes         map[string][]textEdit `json:"changes,omitempty"`
	DocumentChanges []any                 `json:"documentChanges,omitempty"`
}

type textDocumentEdit struct {
	TextDocument versionedURI `json:"textDocument"`
	Edits        []textEdit   `json:"edits"`
}

type createFile struct {
	Kind    string `json:"kind"` // "create"
	URI     string `json:"uri"`
	Options struct {
		IgnoreIfExists bool `json:"ignoreIfExists"`
	} `json:"options"`
}

// fileEdits are the edits to one file, with what is needed to express them
// in the client's terms: its URI, its version (nil for a file not open) and
// the line index of the text the byte spans refer to.
type fileEdits struct {
	uri     string
	version *int32
	lines   *syntax.LineIndex
	edits   []codeactions.Edit
}

// buildWorkspaceEdit converts byte edits and new files to a WorkspaceEdit.
// New files need CreateFile operations, which only documentChanges can
// carry; callers only pass them when the client announced
// resourceOperations ["create"].
func (s *Server) buildWorkspaceEdit(files []fileEdits, create []codeactions.NewFile) (workspaceEdit, error) {
	var we workspaceEdit
	if len(create) > 0 && !s.caps.createFiles {
		return we, fmt.Errorf("the client cannot create files in an edit")
	}
	if !s.caps.documentChanges {
		we.Changes = map[string][]textEdit{}
		for _, f := range files {
			we.Changes[f.uri] = append(we.Changes[f.uri], s.textEdits(f)...)
		}
		return we, nil
	}
	for _, nf := range create {
		uri := pathToURI(nf.Path)
		c := createFile{Kind: "create", URI: uri}
		c.Options.IgnoreIfExists = true
		we.DocumentChanges = append(we.DocumentChanges, c, textDocumentEdit{
			TextDocument: versionedURI{URI: uri},
			Edits:        []textEdit{{NewText: string(nf.Content)}},
		})
	}
	for _, f := range files {
		we.DocumentChanges = append(we.DocumentChanges, textDocumentEdit{
			TextDocument: versionedURI{URI: f.uri, Version: f.version},
			Edits:        s.textEdits(f),
		})
	}
	return we, nil
}

func (s *Server) textEdits(f fileEdits) []textEdit {
	out := make([]textEdit, len(f.edits))
	for i, e := range f.edits {
		out[i] = textEdit{Range: spanRange(f.lines, e.Span, s.enc), NewText: e.NewText}
	}
	return out
}

// applyWorkspaceEditResult is ApplyWorkspaceEditResult. go.lsp.dev's
// Client.ApplyEdit decodes it into a bool and always fails, hence conn.Call.
type applyWorkspaceEditResult struct {
	Applied       bool   `json:"applied"`
	FailureReason string `json:"failureReason,omitempty"`
}

// applyEdit asks the client to apply an edit (workspace/applyEdit).
func (s *Server) applyEdit(ctx context.Context, label string, we workspaceEdit) (applyWorkspaceEditResult, error) {
	var res applyWorkspaceEditResult
	if !s.caps.applyEdit {
		return res, fmt.Errorf("the client does not support workspace/applyEdit")
	}
	params := map[string]any{"label": label, "edit": we}
	if _, err := s.conn.Call(ctx, "workspace/applyEdit", params, &res); err != nil {
		return res, err
	}
	if !res.Applied {
		s.log.Warn("the client did not apply the edit", zap.String("label", label), zap.String("reason", res.FailureReason))
	}
	return res, nil
}
