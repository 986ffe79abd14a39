package server

import (
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
)

func TestRelatedInOtherFiles(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "limits.py")
	os.WriteFile(other, []byte("# é😀\ncounter = {}\n"), 0o644)
	s := New(Options{Logger: zap.NewNop()})
	s.caps.relatedInformation = true
	text := []byte("x = 1\n")
	sn := &snapshot{uri: "untitled:1", key: "untitled:1", text: text, lines: newLazyLines(text), version: 3}
	findings := []analysis.Finding{{
		Rule: analysis.InMemoryLimiter, Severity: analysis.SeverityWarning, Span: analysis.Span{Start: 0, End: 5}, Message: "m",
		Related: []analysis.Related{
			{Span: analysis.Span{Start: 4, End: 5}, Message: "here"},
			{Path: other, Span: analysis.Span{Start: 9, End: 16}, Message: "there"}, // "counter" on line 1
			{Path: filepath.Join(dir, "missing.py"), Span: analysis.Span{Start: 0, End: 1}, Message: "gone"},
		},
	}}
	ds := s.toDiagnostics(sn, findings)
	rel := ds[0].RelatedInformation
	if len(rel) != 2 {
		t.Fatalf("related %+v: the unreadable file must be left out", rel)
	}
	if rel[0].Location.URI != "untitled:1" || rel[0].Location.Range.Start.Character != 4 {
		t.Errorf("own-file related %+v", rel[0])
	}
	if rel[1].Location.URI != pathToURI(other) || rel[1].Location.Range.Start.Line != 1 || rel[1].Location.Range.Start.Character != 0 || rel[1].Location.Range.End.Character != 7 {
		t.Errorf("other-file related %+v", rel[1])
	}
	if ds[0].Data.Version != 3 || ds[0].CodeDescription.Href != analysis.InMemoryLimiter.DocsURL() {
		t.Errorf("diagnostic %+v", ds[0])
	}
	// Without the capability, no related information.
	s.caps.relatedInformation = false
	if ds := s.toDiagnostics(sn, findings); ds[0].RelatedInformation != nil {
		t.Error("relatedInformation sent to a client without support")
	}
}
