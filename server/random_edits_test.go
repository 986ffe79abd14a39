package server

import (
	"flag"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis/syntax"
)

var randomSeed = flag.Int64("random-seed", 0, "seed for TestRandomEditsMatchFreshOpen (0: a few fixed seeds)")

// snippets are what the random edits insert: pieces of routes and limits,
// line breaks and indentation that move statements, multi-byte text, and
// brackets that break the syntax for a while.
var snippets = []string{
	"@rate_limit(requests=1, window=1)\n", "@app.get(\"/r\")\n", "@app.post(\"/é😀\")\n",
	"async def h():\n    return 1\n", "def g(x):\n    pass\n", "\n", "\n\n", "    ", "# 中文 😀\n",
	"(", ")", "[", "\"", "x = 1\n", "app = FastAPI()\n", "@", "limiter.limit(\"5/minute\")", "é",
	"from stablestack_rate_limiter import rate_limit\n",
}

// TestRandomEditsMatchFreshOpen sends random incremental edits (several per
// notification, in the negotiated encoding) and checks after each that the
// diagnostics equal those of a fresh open of the same text, and that the
// incrementally reparsed tree equals a fresh parse.
func TestRandomEditsMatchFreshOpen(t *testing.T) {
	seeds := []int64{1, 2, 3}
	if *randomSeed != 0 {
		seeds = []int64{*randomSeed}
	}
	for _, seed := range seeds {
		for _, enc := range []string{"utf-16", "utf-8"} {
			for _, structured := range []bool{false, true} {
				t.Run(fmt.Sprintf("seed%d-%s-structured=%v", seed, enc, structured), func(t *testing.T) {
					randomSession(t, seed, enc, structured)
				})
			}
		}
	}
}

// randomSession edits one document. Wild edits break the syntax freely, so
// the facts are rebuilt from the reparsed tree; structured edits (whole
// statements and decorator lines at statement starts) keep it valid, so the
// facts are updated from the edits alone: both paths must agree with a
// fresh open.
func randomSession(t *testing.T, seed int64, enc string, structured bool) {
	rng := rand.New(rand.NewSource(seed))
	e := newEditor(t)
	caps := defaultCaps()
	caps["general"] = map[string]any{"positionEncodings": []string{enc}}
	e.initialize(caps, nil)
	uri := "file:///w/random.py"
	e.open(uri, "python", appPy+unicodePy[len("from fastapi import FastAPI\napp = FastAPI()\n"):])
	e.diagnosticsAt(uri, 1)
	steps := 150
	if testing.Short() {
		steps = 40
	}
	for step := 0; step < steps; step++ {
		var edits []edit
		text := e.text(uri)
		for n := 1 + rng.Intn(3); n > 0; n-- {
			ed := randomEdit(rng, text, e.utf8)
			if structured {
				ed = structuredEdit(rng, text)
			}
			text = applyEdit(text, ed, e.utf8)
			edits = append(edits, ed)
		}
		v := e.change(uri, edits...)
		got := e.diagnosticsAt(uri, v)
		if e.text(uri) != text {
			t.Fatalf("step %d: the editor's own model diverged", step)
		}
		if srv := string(e.srv.docs.get(uri).text()); srv != text {
			t.Fatalf("step %d: server text differs\nserver %q\neditor %q", step, srv, text)
		}
		fresh := fmt.Sprintf("file:///w/fresh%d.py", step)
		e.open(fresh, "python", text)
		want := e.diagnosticsAt(fresh, 1)
		e.close(fresh)
		if !sameDiagnostics(got, want) {
			t.Fatalf("step %d (seed %d): incremental diagnostics differ from a fresh open\ntext:\n%s\ngot  %+v\nwant %+v", step, seed, text, got, want)
		}
		if step%10 == 9 {
			checkTree(t, e, uri, text)
		}
	}
	checkTree(t, e, uri, e.text(uri))
	// Each step also opens a fresh document (a full analysis).
	if fast := e.srv.stats.fastPath.Load(); structured && fast < int64(steps)/2 {
		t.Errorf("structured edits took the fast path %d times in %d steps", fast, steps)
	}
	t.Logf("analyses: %d from the edits alone, %d from a reparsed tree", e.srv.stats.fastPath.Load(), e.srv.stats.fullPath.Load())
	e.shutdown()
}

// randomEdit picks a range and a replacement in the editor's coordinates.
func randomEdit(rng *rand.Rand, text string, utf8Cols bool) edit {
	lines := strings.Count(text, "\n") + 1
	l1 := rng.Intn(lines)
	c1 := rng.Intn(45)
	l2, c2 := l1, c1
	switch rng.Intn(4) {
	case 0: // insertion
	case 1: // short deletion on the line
		c2 = c1 + rng.Intn(12)
	default: // span a few lines
		l2 = l1 + rng.Intn(3)
		c2 = rng.Intn(45)
	}
	// Normalize to the text (clamping the way the server must) and order.
	s, en := offsetOf(text, l1, c1, utf8Cols), offsetOf(text, l2, c2, utf8Cols)
	if en < s {
		s, en = en, s
	}
	l1, c1 = positionOf(text, s, utf8Cols)
	l2, c2 = positionOf(text, en, utf8Cols)
	repl := ""
	if rng.Intn(4) > 0 {
		repl = snippets[rng.Intn(len(snippets))]
	}
	return edit{l1: l1, c1: c1, l2: l2, c2: c2, text: repl}
}

// structuredEdit keeps the module valid: it adds or removes a limit
// decorator line above a route, inserts a route or a comment line at the
// start of a top-level statement, or changes a route's path.
func structuredEdit(rng *rand.Rand, text string) edit {
	lines := strings.Split(text, "\n")
	var starts, limits, routes []int
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "@rate_limit("):
			limits = append(limits, i)
		case strings.HasPrefix(l, "@app."):
			routes = append(routes, i)
		}
		if l != "" && l[0] != ' ' && l[0] != '@' && (i == 0 || !strings.HasPrefix(lines[i-1], "@")) {
			starts = append(starts, i)
		} else if strings.HasPrefix(l, "@") && (i == 0 || !strings.HasPrefix(lines[i-1], "@")) {
			starts = append(starts, i)
		}
	}
	pick := func(xs []int) int { return xs[rng.Intn(len(xs))] }
	switch op := rng.Intn(5); {
	case op == 0 && len(limits) > 0:
		l := pick(limits)
		return edit{l1: l, c1: 0, l2: l + 1, c2: 0}
	case op == 1 && len(routes) > 0:
		l := pick(routes)
		return edit{l1: l + 1, c1: 0, l2: l + 1, c2: 0, text: "@rate_limit(requests=1, window=1)\n"}
	case op == 2 && len(routes) > 0:
		l := pick(routes)
		c := strings.Index(lines[l], "\"/") + 2
		return edit{l1: l, c1: c, l2: l, c2: c, text: "v2/"}
	case op == 3 && len(starts) > 0:
		l := pick(starts)
		return edit{l1: l, l2: l, text: "@app.get(\"/new\")\nasync def new():\n    return 1\n\n"}
	case len(starts) > 0:
		l := pick(starts)
		return edit{l1: l, l2: l, text: "# é😀中 note\n"}
	}
	return edit{text: "# start\n"}
}

func applyEdit(text string, ed edit, utf8Cols bool) string {
	s := offsetOf(text, ed.l1, ed.c1, utf8Cols)
	en := offsetOf(text, ed.l2, ed.c2, utf8Cols)
	return text[:s] + ed.text + text[en:]
}

// sameDiagnostics compares what the user sees (the data payload's version
// differs by construction).
func sameDiagnostics(a, b []diagnostic) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Range != y.Range || x.Code != y.Code || x.Message != y.Message || x.Severity != y.Severity {
			return false
		}
		if (len(x.RelatedInformation) > 0 || len(y.RelatedInformation) > 0) && !reflect.DeepEqual(x.RelatedInformation, y.RelatedInformation) {
			return false
		}
		if (x.Data == nil) != (y.Data == nil) {
			return false
		}
		if x.Data != nil && (x.Data.Start != y.Data.Start || x.Data.End != y.Data.End || !reflect.DeepEqual(x.Data.Fix, y.Data.Fix)) {
			return false
		}
	}
	return true
}

// checkTree reparses the document's tree (incrementally, with every edit
// since the last parse) and compares it with a fresh parse.
func checkTree(t *testing.T, e *fakeEditor, uri, text string) {
	t.Helper()
	d := e.srv.docs.get(uri)
	d.treeMu.Lock()
	seq := d.seq
	d.treeMu.Unlock()
	tree, err := d.treeAt(seq)
	if err != nil || tree == nil {
		t.Fatalf("treeAt: %v", err)
	}
	defer tree.Close()
	fresh, err := syntax.Parse(syntax.Python, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if a, b := tree.Root().SExpr(), fresh.Root().SExpr(); a != b {
		t.Fatalf("incremental tree differs from a fresh parse\n%s\n%s", a, b)
	}
}
