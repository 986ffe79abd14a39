package server

import (
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
)

// appPy has two routes; /items has no rate limit (RATE001 on line 6).
const appPy = `from fastapi import FastAPI
from stablestack_rate_limiter import rate_limit

app = FastAPI()

@app.get("/items")
async def items():
    return []

@app.post("/login")
@rate_limit(requests=5, window=60)
async def login():
    return {}
`

func TestDiagnosticsOnOpen(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	uri := "file:///work/app.py"
	e.open(uri, "python", appPy)
	ds := e.diagnosticsAt(uri, 1)
	if len(ds) != 1 {
		t.Fatalf("got %d diagnostics %v, want 1", len(ds), codes(ds))
	}
	d := ds[0]
	if d.Code != "RATE001" || d.Source != "stablestack" {
		t.Errorf("code %q source %q", d.Code, d.Source)
	}
	if d.CodeDescription == nil || d.CodeDescription.Href != analysis.UnprotectedRoute.DocsURL() {
		t.Errorf("codeDescription %+v", d.CodeDescription)
	}
	if d.Severity != int(analysis.SeverityWarning) {
		t.Errorf("severity %d", d.Severity)
	}
	if !strings.Contains(d.Message, "/items") {
		t.Errorf("message %q does not name the route", d.Message)
	}
	if d.Range.Start.Line != 5 || d.Range.Start.Character != 0 || d.Range.End.Line != 5 || d.Range.End.Character != uint32(len(`@app.get("/items")`)) {
		t.Errorf("range %+v, want the decorator on line 5", d.Range)
	}
	if d.Data == nil || d.Data.Version != 1 || d.Data.Fix["fix"] == "" {
		t.Errorf("data %+v, want the fix facts and version", d.Data)
	}
	if start := strings.Index(appPy, `@app.get`); d.Data.Start != start {
		t.Errorf("data.start %d, want %d", d.Data.Start, start)
	}
	e.close(uri)
	e.waitFor("empty diagnostics after close", func() bool {
		ps := e.publishes(uri)
		last := ps[len(ps)-1]
		return len(last.Diagnostics) == 0 && last.Version == nil
	})
	e.shutdown()
}

func TestDiagnosticsFollowChanges(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	uri := "file:///work/app.py"
	e.open(uri, "python", appPy)
	if ds := e.diagnosticsAt(uri, 1); len(ds) != 1 {
		t.Fatalf("open: %v", codes(ds))
	}
	// Protect /items: insert a decorator line before "async def items".
	v := e.change(uri, edit{l1: 6, c1: 0, l2: 6, c2: 0, text: "@rate_limit(requests=1, window=1)\n"})
	if ds := e.diagnosticsAt(uri, v); len(ds) != 0 {
		t.Fatalf("after protecting /items: %v", codes(ds))
	}
	// Remove the limit of /login (line 11 now): two diagnostics... one.
	v = e.change(uri, edit{l1: 11, c1: 0, l2: 12, c2: 0, text: ""})
	ds := e.diagnosticsAt(uri, v)
	if got := codes(ds); len(got) != 1 || got[0] != "RATE001@10" {
		t.Fatalf("after unprotecting /login: %v", got)
	}
	e.shutdown()
}

func TestFullReplacementAndSeveralChanges(t *testing.T) {
	e := newEditor(t)
	e.initialize(defaultCaps(), nil)
	uri := "file:///work/app.py"
	e.open(uri, "python", "x = 1\n")
	if ds := e.diagnosticsAt(uri, 1); len(ds) != 0 {
		t.Fatalf("open: %v", codes(ds))
	}
	// A range-less change replaces everything (protocol v0.12.0 would read it
	// as an insertion at 0:0), then a ranged change edits the new text.
	v := e.change(uri,
		edit{full: true, text: appPy},
		edit{l1: 5, c1: 11, l2: 5, c2: 16, text: "stock"}, // "/items" -> "/stock"
	)
	ds := e.diagnosticsAt(uri, v)
	if len(ds) != 1 || !strings.Contains(ds[0].Message, "/stock") {
		t.Fatalf("after full + ranged change: %+v", ds)
	}
	if got := string(e.srv.docs.get(uri).text()); got != e.text(uri) {
		t.Fatalf("server text differs from the editor's:\n%s\n---\n%s", got, e.text(uri))
	}
	e.shutdown()
}
