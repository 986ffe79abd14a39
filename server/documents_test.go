package server

import (
	"reflect"
	"testing"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/stablestack/stablestack/analysis"
)

func rng(l1, c1, l2, c2 uint32) *protocol.Range {
	return &protocol.Range{Start: protocol.Position{Line: l1, Character: c1}, End: protocol.Position{Line: l2, Character: c2}}
}

// TestChangeRecordsEdits checks the byte edits handed to the fast path: each
// in the coordinates of the text the previous one left, and composed across
// snapshots the worker skipped.
func TestChangeRecordsEdits(t *testing.T) {
	s := New(Options{Logger: zap.NewNop()})
	d, first := s.docs.open(textDocumentItem{URI: "file:///w/a.py", LanguageID: "python", Version: 1, Text: "ab\ncd\n"})
	defer d.close(false)
	if first.editsValid {
		t.Error("the first snapshot has no edits to follow")
	}
	p := &didChangeParams{ContentChanges: []contentChange{
		{Range: rng(1, 0, 1, 1), Text: "XY"}, // "ab\nXYd\n"
		{Range: rng(0, 2, 1, 0), Text: ""},   // "abXYd\n"
	}}
	p.TextDocument.URI, p.TextDocument.Version = "file:///w/a.py", 2
	_, sn := s.docs.change(p)
	if string(sn.text) != "abXYd\n" {
		t.Fatalf("text %q", sn.text)
	}
	want := []analysis.Edit{{Start: 3, OldEnd: 4, NewEnd: 5}, {Start: 2, OldEnd: 3, NewEnd: 2}}
	if !sn.editsValid || sn.baseSeq != first.seq || !reflect.DeepEqual(sn.edits, want) {
		t.Fatalf("edits %+v valid %v base %d", sn.edits, sn.editsValid, sn.baseSeq)
	}
	// A later snapshot replacing sn unanalyzed carries both batches.
	p2 := &didChangeParams{ContentChanges: []contentChange{{Range: rng(0, 0, 0, 0), Text: "#"}}}
	p2.TextDocument.URI, p2.TextDocument.Version = "file:///w/a.py", 3
	_, sn2 := s.docs.change(p2)
	sn2.follow(sn)
	if sn2.baseSeq != first.seq || len(sn2.edits) != 3 {
		t.Errorf("composed edits %+v base %d", sn2.edits, sn2.baseSeq)
	}
	// A full replacement invalidates the chain.
	p3 := &didChangeParams{ContentChanges: []contentChange{{Text: "new\n"}, {Range: rng(0, 0, 0, 0), Text: "#"}}}
	p3.TextDocument.URI, p3.TextDocument.Version = "file:///w/a.py", 4
	_, sn3 := s.docs.change(p3)
	if sn3.editsValid || string(sn3.text) != "#new\n" {
		t.Errorf("after a full replacement: valid %v text %q", sn3.editsValid, sn3.text)
	}
	sn3.follow(sn2)
	if sn3.editsValid || sn3.edits != nil {
		t.Error("following an invalid chain must stay invalid")
	}
}

func TestTreeAtStaleSeq(t *testing.T) {
	s := New(Options{Logger: zap.NewNop()})
	d, sn := s.docs.open(textDocumentItem{URI: "file:///w/a.py", LanguageID: "python", Version: 1, Text: "x = 1\n"})
	defer d.close(false)
	p := &didChangeParams{ContentChanges: []contentChange{{Range: rng(0, 0, 0, 0), Text: "y = 2\n"}}}
	p.TextDocument.URI, p.TextDocument.Version = "file:///w/a.py", 2
	_, sn2 := s.docs.change(p)
	if tree, err := d.treeAt(sn.seq); tree != nil || err != nil {
		t.Errorf("stale seq gave a tree (%v)", err)
	}
	tree, err := d.treeAt(sn2.seq)
	if err != nil || tree == nil {
		t.Fatalf("current seq: %v", err)
	}
	tree.Close()
}

func TestRawDocumentEdits(t *testing.T) {
	s := New(Options{Logger: zap.NewNop()})
	d, sn := s.docs.open(textDocumentItem{URI: "file:///w/notes.txt", LanguageID: "plaintext", Version: 1, Text: "héllo\n"})
	defer d.close(false)
	if sn.skip == "" || d.sd != nil {
		t.Fatal("plaintext must be kept raw and not analyzed")
	}
	p := &didChangeParams{ContentChanges: []contentChange{{Range: rng(0, 2, 0, 3), Text: "E"}}}
	p.TextDocument.URI, p.TextDocument.Version = "file:///w/notes.txt", 2
	if _, sn := s.docs.change(p); string(sn.text) != "héElo\n" {
		t.Errorf("text %q", sn.text)
	}
}
