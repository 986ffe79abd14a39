package codeactions

import (
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
)

const twoRoutes = `from fastapi import FastAPI

app = FastAPI()


@app.post("/login")
async def login():
    return {}


@app.get("/items")
async def items():
    return []
`

// request builds a Request for the fixture with the cursor on the first
// route decorator.
func twoRoutesRequest(t *testing.T) (*project, Request) {
	t.Helper()
	p := newProject(t, map[string][]byte{"app.py": []byte(twoRoutes)}, analysis.DefaultConfig())
	file, findings := p.check(t, "app.py")
	if len(findings) != 2 {
		t.Fatalf("want 2 findings, got %d", len(findings))
	}
	at := strings.Index(twoRoutes, `@app.post`)
	return p, Request{File: file, Findings: findings, Span: analysis.Span{Start: at + 3, End: at + 3},
		Config: p.cfg, CanCreateFiles: true}
}

func titles(actions []Action) string {
	var out []string
	for _, a := range actions {
		out = append(out, a.Kind+":"+a.Title)
	}
	return strings.Join(out, "\n")
}

// TestActionsOnly checks context.only filtering: hierarchical kinds, and the
// fix-all action only when asked for by name or parent.
func TestActionsOnly(t *testing.T) {
	_, req := twoRoutesRequest(t)
	cases := []struct {
		only []string
		want string
	}{
		{nil, "quickfix:Add rate limit (100 requests / 60 s)\nquickfix:Ignore RATE001 for this line"},
		{[]string{"quickfix"}, "quickfix:Add rate limit (100 requests / 60 s)\nquickfix:Ignore RATE001 for this line"},
		{[]string{"refactor"}, ""},
		{[]string{"source"}, "source.fixAll.stablestack:Fix all StableStack problems"},
		{[]string{"source.fixAll"}, "source.fixAll.stablestack:Fix all StableStack problems"},
		{[]string{"source.organizeImports"}, ""},
		{[]string{"quickfix", "source.fixAll.stablestack"}, "quickfix:Add rate limit (100 requests / 60 s)\nquickfix:Ignore RATE001 for this line\nsource.fixAll.stablestack:Fix all StableStack problems"},
	}
	for _, c := range cases {
		req.Only = c.only
		if got := titles(Actions(req)); got != c.want {
			t.Errorf("only=%v:\n%s\nwant\n%s", c.only, got, c.want)
		}
	}
	req.Only, req.Automatic = nil, true
	for _, a := range Actions(req) {
		if a.Kind != KindQuickFix {
			t.Errorf("automatic request returned %s %q", a.Kind, a.Title)
		}
	}
}

// TestActionsPreferredAndFixes checks isPreferred and the findings each
// action resolves.
func TestActionsPreferredAndFixes(t *testing.T) {
	_, req := twoRoutesRequest(t)
	actions := Actions(req)
	if len(actions) != 2 {
		t.Fatalf("got %d actions:\n%s", len(actions), titles(actions))
	}
	add, ignore := actions[0], actions[1]
	if !add.Preferred || ignore.Preferred {
		t.Errorf("preferred: add=%v ignore=%v, want true/false", add.Preferred, ignore.Preferred)
	}
	for _, a := range actions {
		if len(a.Fixes) != 1 || a.Fixes[0] != 0 {
			t.Errorf("%q fixes %v, want [0]", a.Title, a.Fixes)
		}
	}
	all, ok := FixAll(req)
	if !ok || len(all.Fixes) != 2 || all.Kind != KindFixAll {
		t.Errorf("fix-all: ok=%v kind=%s fixes=%v", ok, all.Kind, all.Fixes)
	}
}

// TestModuleProvision checks what an action does about a missing module:
// create it when the client can, else run the scaffold command; nothing when
// the module exists.
func TestModuleProvision(t *testing.T) {
	p, req := twoRoutesRequest(t)
	req.ModuleExists = func(string) bool { return false }
	a := Actions(req)[0]
	if len(a.Create) != 1 || a.Command != nil || !strings.HasSuffix(a.Create[0].Path, "stablestack_rate_limiter.py") ||
		!strings.Contains(string(a.Create[0].Content), "def rate_limit(") {
		t.Errorf("can create: create=%d command=%v", len(a.Create), a.Command)
	}
	req.CanCreateFiles = false
	a = Actions(req)[0]
	if len(a.Create) != 0 || a.Command == nil || a.Command.Name != CommandAddRateLimiter {
		t.Fatalf("cannot create: create=%d command=%v", len(a.Create), a.Command)
	}
	if args, ok := a.Command.Arguments[0].(AddRateLimiterArgs); !ok || args.Lang != "python" || args.Dir != p.dir {
		t.Errorf("command arguments %#v", a.Command.Arguments)
	}
	req.ModuleExists = func(string) bool { return true }
	a = Actions(req)[0]
	if len(a.Create) != 0 || a.Command != nil {
		t.Errorf("module exists: create=%d command=%v", len(a.Create), a.Command)
	}
}

// TestInstrument runs the workspace fix over two projects: every RATE001
// route is fixed, RATE002 findings are left alone, and each project gets one
// module even when several of its files need it.
func TestInstrument(t *testing.T) {
	files := map[string][]byte{
		"py/requirements.txt": []byte("fastapi\n"),
		"py/a.py":             []byte(twoRoutes),
		"py/b.py":             []byte("from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route(\"/x\")\ndef x():\n    return \"x\"\n"),
		"js/package.json":     []byte(`{"name": "js"}`),
		"js/server.js":        []byte("const express = require('express');\nconst app = express();\nconst hits = new Map();\nfunction limit(req, res, next) {\n  const n = (hits.get(req.ip) || 0) + 1;\n  hits.set(req.ip, n);\n  if (n > 5) return res.status(429).end();\n  next();\n}\napp.get('/a', limit, (req, res) => res.end());\napp.get('/b', (req, res) => res.end());\napp.listen(3000);\n"),
	}
	p := newProject(t, files, analysis.DefaultConfig())
	var all []*analysis.File
	findings := map[string][]analysis.Finding{}
	for _, rel := range []string{"py/a.py", "py/b.py", "js/server.js"} {
		f, fs := p.check(t, rel)
		all = append(all, f)
		findings[f.Path] = fs
	}
	edits, create := Instrument(all, findings, p.cfg, true, nil)
	var created []string
	for _, nf := range create {
		created = append(created, strings.TrimPrefix(nf.Path, p.dir+"/"))
		writeFile(t, nf.Path, nf.Content)
	}
	if got := strings.Join(created, " "); got != "py/stablestack_rate_limiter.py js/stablestack-rate-limiter.d.ts js/stablestack-rate-limiter.js" {
		t.Errorf("created %s", got)
	}
	for _, f := range all {
		out, err := Apply(f.Text, edits[f.Path])
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, f.Path, out)
	}
	p.reindex(t)
	for _, rel := range []string{"py/a.py", "py/b.py", "js/server.js"} {
		_, after := p.check(t, rel)
		for _, f := range after {
			if f.Rule == analysis.UnprotectedRoute {
				t.Errorf("%s: RATE001 left: %s", rel, f.Message)
			}
		}
		if rel == "js/server.js" && (len(after) != 1 || after[0].Rule != analysis.InMemoryLimiter) {
			t.Errorf("%s: want the RATE002 finding untouched, got %d findings", rel, len(after))
		}
	}
	// A second run on the fixed workspace has nothing to do.
	var again []*analysis.File
	findings = map[string][]analysis.Finding{}
	for _, rel := range []string{"py/a.py", "py/b.py", "js/server.js"} {
		f, fs := p.check(t, rel)
		again = append(again, f)
		findings[f.Path] = fs
	}
	if edits, create := Instrument(again, findings, p.cfg, true, nil); len(edits) != 0 || len(create) != 0 {
		t.Errorf("second run: %d files edited, %d created", len(edits), len(create))
	}
}

// TestApply checks edit application and the rejection of overlapping or
// out-of-range edits.
func TestApply(t *testing.T) {
	text := []byte("abcdef")
	got, err := Apply(text, []Edit{
		{Span: analysis.Span{Start: 4, End: 6}, NewText: "EF"},
		{Span: analysis.Span{Start: 0, End: 0}, NewText: "1"},
		{Span: analysis.Span{Start: 0, End: 0}, NewText: "2"},
		{Span: analysis.Span{Start: 2, End: 3}},
	})
	if err != nil || string(got) != "12abdEF" {
		t.Errorf("Apply = %q, %v", got, err)
	}
	if _, err := Apply(text, []Edit{{Span: analysis.Span{Start: 1, End: 3}}, {Span: analysis.Span{Start: 2, End: 4}}}); err == nil {
		t.Error("overlapping edits accepted")
	}
	if _, err := Apply(text, []Edit{{Span: analysis.Span{Start: 5, End: 9}}}); err == nil {
		t.Error("edit past the end accepted")
	}
	// An insertion at the start of a replacement goes first.
	got, err = Apply(text, []Edit{{Span: analysis.Span{Start: 1, End: 2}, NewText: "X"}, {Span: analysis.Span{Start: 1, End: 1}, NewText: "+"}})
	if err != nil || string(got) != "a+Xcdef" {
		t.Errorf("insert before replace = %q, %v", got, err)
	}
}

// TestActionsNothingHere checks that a request away from every finding
// returns nothing and costs next to nothing (no parse: a parse and the
// import scan allocate hundreds of objects).
func TestActionsNothingHere(t *testing.T) {
	_, req := twoRoutesRequest(t)
	req.Span = analysis.Span{Start: 0, End: 0}
	if got := Actions(req); len(got) != 0 {
		t.Errorf("got %d actions away from the findings", len(got))
	}
	if allocs := testing.AllocsPerRun(20, func() { Actions(req) }); allocs > 5 {
		t.Errorf("%v allocations for a request with nothing to fix", allocs)
	}
	req.Span = analysis.Span{Start: strings.Index(twoRoutes, "@app.post"), End: strings.Index(twoRoutes, "@app.post")}
	if allocs := testing.AllocsPerRun(5, func() { Actions(req) }); allocs < 50 {
		t.Errorf("only %v allocations for a real request: the check above proves nothing", allocs)
	}
}
