package server

import (
	"strings"
	"testing"

	"github.com/segmentio/encoding/json"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
	"github.com/stablestack/stablestack/codeactions"
)

func TestBuildWorkspaceEdit(t *testing.T) {
	s := New(Options{Logger: zap.NewNop()})
	text := []byte("é😀x\n")
	v := int32(4)
	files := []fileEdits{
		{uri: "file:///open.py", version: &v, lines: syntax.NewLineIndex(text), edits: []codeactions.Edit{{Span: analysis.Span{Start: 6, End: 7}, NewText: "y"}}},
		{uri: "file:///closed.py", lines: syntax.NewLineIndex(text), edits: []codeactions.Edit{{Span: analysis.Span{Start: 0, End: 0}, NewText: "#"}}},
	}
	create := []codeactions.NewFile{{Path: "/w/mod.py", Content: []byte("m\n")}}

	// changes: the plain map, UTF-16 columns (é=1, 😀=2).
	we, err := s.buildWorkspaceEdit(files, nil)
	if err != nil || we.DocumentChanges != nil || we.Changes["file:///open.py"][0].Range.Start.Character != 3 {
		t.Fatalf("changes: %+v %v", we, err)
	}
	if _, err := s.buildWorkspaceEdit(files, create); err == nil {
		t.Error("files created for a client that cannot")
	}

	s.caps.documentChanges, s.caps.createFiles = true, true
	we, err = s.buildWorkspaceEdit(files, create)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(we)
	for _, want := range []string{
		`{"kind":"create","uri":"file:///w/mod.py","options":{"ignoreIfExists":true}}`,
		`{"textDocument":{"uri":"file:///w/mod.py","version":null},"edits":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"newText":"m\n"}]}`,
		`"textDocument":{"uri":"file:///open.py","version":4}`,
		`"textDocument":{"uri":"file:///closed.py","version":null}`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("missing %s in %s", want, raw)
		}
	}
	if strings.Contains(string(raw), `"changes"`) {
		t.Errorf("both changes and documentChanges: %s", raw)
	}
}
