package server

import (
	"testing"

	"github.com/stablestack/stablestack/analysis/syntax"
)

func TestResolveCapabilities(t *testing.T) {
	var c clientCapabilities
	c.General.PositionEncodings = []string{"utf-32", "utf-16"}
	c.Workspace.WorkspaceEdit.DocumentChanges = true
	c.Workspace.WorkspaceEdit.ResourceOperations = []string{"rename"}
	r := resolveCapabilities(c)
	if r.encoding() != syntax.UTF16 {
		t.Error("utf-16 expected when utf-8 is not offered")
	}
	if r.createFiles {
		t.Error("createFiles without resourceOperations create")
	}
	c.General.PositionEncodings = []string{"utf-16", "utf-8"}
	c.Workspace.WorkspaceEdit.ResourceOperations = []string{"create", "rename"}
	r = resolveCapabilities(c)
	if r.encoding() != syntax.UTF8 || encodingName(r.encoding()) != "utf-8" {
		t.Error("utf-8 expected when offered")
	}
	if !r.createFiles || !r.documentChanges {
		t.Error("createFiles expected with documentChanges and create")
	}
	if r.pullDiagnostics {
		t.Error("pull diagnostics without textDocument.diagnostic")
	}
}

// unicodePy has é, 😀 (outside the BMP: two UTF-16 units, four bytes) and
// CJK before and inside the flagged decorator.
const unicodePy = "from fastapi import FastAPI\napp = FastAPI()\n# é😀中文\n@app.get(\"/é😀中\")\ndef x():\n    pass\n"

func TestPositionEncodings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offered []string
		want    string
		// end of the decorator on line 3, and the end of the comment on line 2
		decoratorEnd, commentEnd uint32
	}{
		{"utf-16 default", nil, "utf-16", 17, 7},
		{"utf-16 only", []string{"utf-16"}, "utf-16", 17, 7},
		{"utf-8 offered", []string{"utf-8", "utf-16"}, "utf-8", 22, 14},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEditor(t)
			caps := defaultCaps()
			if tc.offered != nil {
				caps["general"] = map[string]any{"positionEncodings": tc.offered}
			}
			res := e.initialize(caps, nil)
			if res.Capabilities.PositionEncoding != tc.want {
				t.Fatalf("positionEncoding %q, want %q", res.Capabilities.PositionEncoding, tc.want)
			}
			uri := "file:///w/uni.py"
			e.open(uri, "python", unicodePy)
			ds := e.diagnosticsAt(uri, 1)
			if len(ds) != 1 {
				t.Fatalf("diagnostics %v", codes(ds))
			}
			r := ds[0].Range
			if r.Start.Line != 3 || r.Start.Character != 0 || r.End.Line != 3 || r.End.Character != tc.decoratorEnd {
				t.Errorf("range %+v, want 3:0-3:%d", r, tc.decoratorEnd)
			}
			// Insert a limit after the comment's last character (after é😀中文).
			v := e.change(uri,
				edit{l1: 2, c1: int(tc.commentEnd), l2: 2, c2: int(tc.commentEnd), text: "\n@rate_limit(requests=1, window=1)"},
			)
			if ds := e.diagnosticsAt(uri, v); len(ds) != 0 {
				t.Errorf("after inserting the limit: %v", codes(ds))
			}
			if got := string(e.srv.docs.get(uri).text()); got != e.text(uri) {
				t.Fatalf("server text differs:\n%q\n%q", got, e.text(uri))
			}
			// Remove the limit line again: the range ends past 😀-bearing text.
			v = e.change(uri, edit{l1: 2, c1: int(tc.commentEnd), l2: 3, c2: len("@rate_limit(requests=1, window=1)"), text: ""})
			ds = e.diagnosticsAt(uri, v)
			if len(ds) != 1 || ds[0].Range.End.Character != tc.decoratorEnd {
				t.Errorf("after removing the limit: %+v", ds)
			}
			if got := string(e.srv.docs.get(uri).text()); got != unicodePy {
				t.Fatalf("server text not restored:\n%q", got)
			}
			e.shutdown()
		})
	}
}
