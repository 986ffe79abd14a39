package server

import (
	"strings"
	"testing"
)

// TestOpenWithoutWholeFileTree opens a file large enough for the Python
// frontend's parallel Open, then forces the paths that need the document's
// tree (a syntax error the fast path cannot update across, a full
// replacement) and checks every version's diagnostics against the number of
// unprotected routes.
func TestOpenWithoutWholeFileTree(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	uri := "file:///open/app.py"
	text := routesPy(1000) // 125 KB: several pieces
	e.open(uri, "python", text)
	if got := len(e.diagnosticsAt(uri, 1)); got != 100 {
		t.Fatalf("didOpen: %d diagnostics, want 100", got)
	}
	if e.srv.stats.openPath.Load() != 1 || e.srv.stats.fullPath.Load() != 0 {
		t.Fatalf("open path %d, full path %d: want the first analysis through Open", e.srv.stats.openPath.Load(), e.srv.stats.fullPath.Load())
	}

	// An unclosed bracket on route 3's line breaks everything after it:
	// Update declines, the tree is parsed for the first time.
	line := strings.Count(text[:strings.Index(text, "@app.get(\"/items/3\")")], "\n")
	v := e.change(uri, edit{l1: line, c1: 0, l2: line, c2: 0, text: "x = (\n"})
	broken := len(e.diagnosticsAt(uri, v))
	if e.srv.stats.fullPath.Load() != 1 {
		t.Fatalf("full path taken %d times, want 1 (the broken text)", e.srv.stats.fullPath.Load())
	}
	if broken >= 100 {
		t.Fatalf("broken text: %d diagnostics, want fewer than 100 (routes after the bracket are swallowed)", broken)
	}
	v = e.change(uri, edit{l1: line, c1: 0, l2: line + 1, c2: 0, text: ""})
	if got := len(e.diagnosticsAt(uri, v)); got != 100 {
		t.Fatalf("repaired: %d diagnostics, want 100", got)
	}

	// A full replacement goes through Open again, reusing the statements.
	v = e.change(uri, edit{full: true, text: strings.Replace(text, "@rate_limit(requests=100, window=60)\nasync def item_1(", "async def item_1(", 1)})
	if got := len(e.diagnosticsAt(uri, v)); got != 101 {
		t.Fatalf("replaced: %d diagnostics, want 101", got)
	}
	if e.srv.stats.openPath.Load() != 2 {
		t.Fatalf("open path taken %d times, want 2", e.srv.stats.openPath.Load())
	}

	// Once idle, the document's tree catches up (and is freed on close).
	d := e.srv.docs.get(uri)
	e.waitFor("the idle reparse", func() bool {
		d.treeMu.Lock()
		defer d.treeMu.Unlock()
		tree := d.sd.Snapshot()
		if tree == nil {
			return false
		}
		tree.Close()
		return true
	})
}
