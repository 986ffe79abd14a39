package javascript_test

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/javascript"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// render lists findings with positions, for comparisons.
func render(fs []analysis.Finding) string {
	var out []string
	for _, f := range fs {
		keys := make([]string, 0, len(f.Fix))
		for k, v := range f.Fix {
			keys = append(keys, k+"="+v)
		}
		sort.Strings(keys)
		out = append(out, fmt.Sprintf("%d-%d %s %s %v", f.Span.Start, f.Span.End, f.Rule.ID, f.Message, keys))
	}
	return strings.Join(out, "\n")
}

// An engine that lives through a series of edits (reusing interpretations
// when only route statements change) reports exactly what a fresh engine
// reports on the same files.
func TestReuseAcrossEditsEqualsFresh(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"app.js": "const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\nconst api = require('./api');\nconst app = express();\napp.get('/a', (req, res) => res.end());\napp.use(rateLimit({ requests: 5, window: 60 }));\napp.get('/b', (req, res) => res.end());\napp.use('/api', api);\n",
		"api.js": "const router = require('express').Router();\nrouter.post('/x', (req, res) => res.end());\nmodule.exports = router;\n",
	}
	lines := []string{
		"app.post('/n%d', (req, res) => res.end());\n",
		"app.post('/l%d', rateLimit({ requests: 1, window: 1 }), (req, res) => res.end());\n",
		"router.get('/r%d', (req, res) => res.end());\n",
		"app.use(rateLimit({ requests: 9, window: 9 }));\n", // structural
		"app.get('/healthz', (req, res) => res.end());\n",
	}
	seed := int64(7)
	if s := os.Getenv("REUSE_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rng := rand.New(rand.NewSource(seed))
	live := engine.New(nil)
	live.SetRoots([]string{dir})
	facts := map[string]*analysis.File{}
	put := func(e *engine.Engine, name, text string, prev analysis.Facts) *analysis.File {
		path := filepath.Join(dir, name)
		tree, err := syntax.Parse(syntax.JavaScript, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		defer tree.Close()
		fa, _ := engine.Summarize(path, syntax.JavaScript, []byte(text), tree, prev, false)
		f := &analysis.File{Path: path, Lang: syntax.JavaScript, Facts: fa, Text: []byte(text)}
		e.Put(f)
		return f
	}
	for name, text := range files {
		facts[name] = put(live, name, text, nil)
	}
	hits := javascript.ReuseHits()
	for step := 0; step < 60; step++ {
		name := "app.js"
		if rng.Intn(3) == 0 {
			name = "api.js"
		}
		text := files[name]
		ls := strings.SplitAfter(text, "\n")
		at := 1 + rng.Intn(len(ls)-1)
		if rng.Intn(3) == 0 && len(ls) > 4 {
			ls = append(ls[:at], ls[at+1:]...) // delete a line
		} else {
			l := lines[rng.Intn(len(lines))]
			if strings.Contains(l, "%d") {
				l = fmt.Sprintf(l, step)
			}
			if name == "api.js" {
				l = strings.ReplaceAll(l, "app.", "router.")
			}
			ls = append(ls[:at], append([]string{l}, ls[at:]...)...)
		}
		files[name] = strings.Join(ls, "")
		facts[name] = put(live, name, files[name], facts[name].Facts)
		fresh := engine.New(nil)
		fresh.SetRoots([]string{dir})
		freshFiles := map[string]*analysis.File{}
		for n, tx := range files {
			freshFiles[n] = put(fresh, n, tx, nil)
		}
		for n := range files {
			got, want := render(live.Check(facts[n])), render(fresh.Check(freshFiles[n]))
			if got != want {
				t.Fatalf("step %d, %s differs from a fresh engine\n--- live\n%s\n--- fresh\n%s\n--- text\n%s", step, n, got, want, files[n])
			}
		}
	}
	if javascript.ReuseHits() == hits {
		t.Error("no interpretation was reused: the test does not exercise the reuse path")
	}
	t.Logf("%d of 60 edits reused the previous interpretation", javascript.ReuseHits()-hits)
}

// Route statements inserted, deleted and replaced anywhere in a file whose
// apps never change: nearly every edit reuses the previous interpretation
// (finding the untouched statements in order), and each check equals a
// fresh engine's. Unlike TestReuseAcrossEditsEqualsFresh, no edit breaks
// the app, so every route statement has routes to lose or mix up.
func TestReuseRouteEditsEqualsFresh(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.js")
	head := "const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\nconst app = express();\nconst limiter = rateLimit({ requests: 5, window: 60 });\n"
	kinds := []string{
		"app.get('/open%d', (req, res) => res.end());\n",
		"app.post('/lim%d', limiter, (req, res) => res.end());\n",
		"app.put('/two%d', (req, res) => res.end()); app.delete('/two%d', limiter, (req, res) => res.end());\n",
		"app.patch('/dyn' + %d, (req, res) => res.end());\n",
	}
	seed := int64(11)
	if s := os.Getenv("REUSE_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rng := rand.New(rand.NewSource(seed))
	line := func(i int) string {
		k := kinds[rng.Intn(len(kinds))]
		return strings.ReplaceAll(k, "%d", fmt.Sprint(i))
	}
	var body []string
	for i := 0; i < 30; i++ {
		body = append(body, line(i))
	}
	summarize := func(text string, prev analysis.Facts) *analysis.File {
		fa, err := engine.Summarize(path, syntax.JavaScript, []byte(text), nil, prev, false)
		if err != nil {
			t.Fatal(err)
		}
		return &analysis.File{Path: path, Lang: syntax.JavaScript, Facts: fa, Text: []byte(text)}
	}
	live := engine.New(nil)
	live.SetRoots([]string{dir})
	f := summarize(head+strings.Join(body, ""), nil)
	live.Put(f)
	live.Check(f)
	fresh := engine.New(nil)
	fresh.SetRoots([]string{dir})
	hits := javascript.ReuseHits()
	const steps = 150
	for step := 0; step < steps; step++ {
		at := rng.Intn(len(body))
		switch rng.Intn(4) {
		case 0:
			body = append(body[:at], body[at+1:]...)
		case 1:
			body[at] = line(100 + step)
		default:
			body = append(body[:at], append([]string{line(100 + step)}, body[at:]...)...)
		}
		if step%50 == 49 { // a structural edit now and then: a full interpretation
			body = append(body[:at], append([]string{fmt.Sprintf("app.use('/x%d', limiter);\n", step)}, body[at:]...)...)
		}
		text := head + strings.Join(body, "")
		f = summarize(text, f.Facts)
		live.Put(f)
		// One reference engine for all steps (each engine takes a slot of
		// the program cache): its facts are all new, so it interprets the
		// whole file every time.
		ff := summarize(text, nil)
		fresh.Put(ff)
		got, want := render(live.Check(f)), render(fresh.Check(ff))
		if got != want {
			t.Fatalf("step %d differs from a fresh engine\n--- live\n%s\n--- fresh\n%s\n--- text\n%s", step, got, want, text)
		}
		// The ordered lists only speed reuse up (the map answers too):
		// check that they stay complete.
		if err := javascript.CheckReuseSeq(live); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if want == "" {
			t.Fatalf("step %d: no findings: the file does not exercise RATE001", step)
		}
	}
	if n := javascript.ReuseHits() - hits; n < steps*9/10 {
		t.Errorf("%d of %d edits reused the previous interpretation, want nearly all", n, steps)
	}
}
