package server

import (
	"strings"
	"testing"
)

func TestChangeForUnknownDocument(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	uri := "file:///w/app.py"
	e.open(uri, "python", appPy)
	e.diagnosticsAt(uri, 1)
	e.notify("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": "file:///w/never-opened.py", "version": 2},
		"contentChanges": []any{map[string]any{"text": "x"}},
	})
	e.notify("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": "file:///w/never-opened.py"}})
	e.waitFor("a warning in the editor's log", func() bool { return e.logged("not open") })
	// The open document is untouched and still edited normally.
	v := e.change(uri, edit{l1: 0, c1: 0, l2: 0, c2: 0, text: "# hi\n"})
	if ds := e.diagnosticsAt(uri, v); len(ds) != 1 || ds[0].Range.Start.Line != 6 {
		t.Fatalf("after the unknown change: %+v", ds)
	}
	e.shutdown()
}

func TestVersionsThatDoNotIncrease(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	uri := "file:///w/app.py"
	e.open(uri, "python", appPy)
	e.diagnosticsAt(uri, 1)
	// A client bug: the same version twice, then a lower one. The changes
	// are still applied in order (the text must follow the client's), and
	// each version's diagnostics are published.
	for _, v := range []int{5, 5, 3} {
		e.notify("textDocument/didChange", map[string]any{
			"textDocument":   map[string]any{"uri": uri, "version": v},
			"contentChanges": []any{map[string]any{"range": rangeJSON(0, 0, 0, 0), "text": "#\n"}},
		})
	}
	e.diagnosticsAt(uri, 3)
	if got := string(e.srv.docs.get(uri).text()); got != "#\n#\n#\n"+appPy {
		t.Fatalf("text %q", got[:20])
	}
	e.shutdown()
}

func TestUntitledAndOtherSchemes(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	// Keyed by the exact string; echoed back unchanged (no re-encoding).
	uris := []string{"untitled:Untitled-1", "vscode-notebook-cell:/x.ipynb#W0sZmlsZQ%3D%3D", "file:///c%3A/Users/me/app.py"}
	for _, uri := range uris {
		e.open(uri, "python", appPy)
		if ds := e.diagnosticsAt(uri, 1); len(ds) != 1 {
			t.Errorf("%s: %v", uri, codes(ds))
		}
	}
	e.shutdown()
}

func TestLanguageFromExtension(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	// An unknown languageId falls back to the extension.
	e.open("file:///w/app.py", "py3", appPy)
	if ds := e.diagnosticsAt("file:///w/app.py", 1); len(ds) != 1 {
		t.Errorf("languageId py3 with .py: %v", codes(ds))
	}
	// Neither known: kept, not analyzed, an empty list.
	e.open("file:///w/notes.txt", "plaintext", appPy)
	if ds := e.diagnosticsAt("file:///w/notes.txt", 1); len(ds) != 0 {
		t.Errorf("plaintext: %v", codes(ds))
	}
	v := e.change("file:///w/notes.txt", edit{l1: 0, c1: 0, l2: 0, c2: 4, text: "FROM"})
	e.diagnosticsAt("file:///w/notes.txt", v)
	if got := string(e.srv.docs.get("file:///w/notes.txt").text()); got != e.text("file:///w/notes.txt") {
		t.Errorf("plaintext edits not applied: %q", got[:10])
	}
	e.shutdown()
}

func TestPositionsPastTheEnd(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	uri := "file:///w/app.py"
	e.open(uri, "python", "x = 1\n")
	e.diagnosticsAt(uri, 1)
	// Character past the end of line 0 clamps to the line end; a line past
	// the end clamps to the end of the document (spec).
	e.notify("textDocument/didChange", map[string]any{
		"textDocument": map[string]any{"uri": uri, "version": 2},
		"contentChanges": []any{
			map[string]any{"range": rangeJSON(0, 99, 0, 120), "text": "  # a"},
			map[string]any{"range": rangeJSON(40, 3, 41, 0), "text": "y = 2\n"},
		},
	})
	e.diagnosticsAt(uri, 2)
	if got := string(e.srv.docs.get(uri).text()); got != "x = 1  # a\ny = 2\n" {
		t.Fatalf("text %q", got)
	}
	// The warning is mirrored to window/logMessage by the logger, which
	// may reach the client after the diagnostics.
	e.waitFor("a warning about the clamped position", func() bool { return e.logged("clamped") })
	e.shutdown()
}

func TestHugeBinaryAndInvalidUTF8(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)

	// 10 MB: kept, not parsed, an empty list, a warning; edits still apply.
	huge := appPy + strings.Repeat("# padding line to make the file big\n", 10<<20/36)
	e.open("file:///w/huge.py", "python", huge)
	if ds := e.diagnosticsAt("file:///w/huge.py", 1); len(ds) != 0 {
		t.Errorf("huge file: %v", codes(ds))
	}
	e.waitFor("a warning about the huge file", func() bool { return e.logged("too large") })
	v := e.change("file:///w/huge.py", edit{l1: 0, c1: 0, l2: 0, c2: 0, text: "#"})
	e.diagnosticsAt("file:///w/huge.py", v)
	if n := len(e.srv.docs.get("file:///w/huge.py").text()); n != len(huge)+1 {
		t.Errorf("huge text length %d, want %d", n, len(huge)+1)
	}
	// Shrinking it below the limit brings analysis back.
	v = e.change("file:///w/huge.py", edit{full: true, text: appPy})
	if ds := e.diagnosticsAt("file:///w/huge.py", v); len(ds) != 1 {
		t.Errorf("after shrinking: %v", codes(ds))
	}

	// Binary content (NUL bytes) is kept and not analyzed.
	e.open("file:///w/blob.py", "python", "\x00\x01\x02"+appPy)
	if ds := e.diagnosticsAt("file:///w/blob.py", 1); len(ds) != 0 {
		t.Errorf("binary: %v", codes(ds))
	}

	// Invalid UTF-8 cannot cross JSON (decoders turn it into U+FFFD, as the
	// client does): the text is analyzed and columns count U+FFFD once.
	e.send(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{
		"textDocument": map[string]any{"uri": "file:///w/bad.py", "languageId": "python", "version": 1,
			"text": "# \xff\xfe\n" + appPy},
	}})
	if ds := e.diagnosticsAt("file:///w/bad.py", 1); len(ds) != 1 || ds[0].Range.Start.Line != 6 {
		t.Errorf("invalid UTF-8: %+v", ds)
	}
	e.shutdown()
}

func TestDocumentReopened(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	uri := "file:///w/app.py"
	e.open(uri, "python", appPy)
	e.diagnosticsAt(uri, 1)
	// didOpen twice (a client bug) replaces the document, and leaks nothing.
	e.notify("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "python", "version": 7, "text": "x = 1\n"}})
	if ds := e.diagnosticsAt(uri, 7); len(ds) != 0 {
		t.Errorf("reopened: %v", codes(ds))
	}
	e.shutdown()
}
