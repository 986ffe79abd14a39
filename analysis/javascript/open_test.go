package javascript

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis/syntax"
	"github.com/stablestack/stablestack/internal/txtar"
)

// smallPieces cuts even the golden sources into pieces for the test.
func smallPieces(t *testing.T, size int) {
	old := openPieceBytes
	openPieceBytes = size
	t.Cleanup(func() { openPieceBytes = old })
}

// checkOpen compares Open with Summarize on one text; it reports whether
// Open took the text.
func checkOpen(t *testing.T, lang syntax.Language, name string, text []byte, prev *Facts) bool {
	t.Helper()
	// One worker or one per core, by turns: the result must not depend on it.
	got, ok := frontend{lang: lang}.Open(name, prev, text, len(text)%2)
	if !ok {
		return false
	}
	want := summarize(t, lang, text, nil)
	if want.Broken {
		t.Fatalf("%s: Open accepted a text with syntax errors:\n%s", name, text)
	}
	if !sameFacts(got.(*Facts), want) {
		for _, u := range got.(*Facts).Units {
			t.Logf("open unit [%d,%d) %q", u.Start, u.End, text[u.Start:u.End])
		}
		for _, u := range want.Units {
			t.Logf("full unit [%d,%d) %q", u.Start, u.End, text[u.Start:u.End])
		}
		t.Fatalf("%s: Open differs from Summarize on\n%s", name, text)
	}
	return true
}

// Whenever Open accepts a text, its facts equal a full summary: every
// golden source cut into small pieces, and random mutations of them that
// open comments, strings and templates, or set automatic-semicolon traps
// across the cuts.
func TestOpenEqualsSummarize(t *testing.T) {
	smallPieces(t, 48)
	files, _ := filepath.Glob("../engine/testdata/javascript/*.txtar")
	frags := []string{"", " ", "\n", ";", "x", "(", ")", "{", "}", "/*", "*/", "//", "'", "`", "[1]", ".get('/a', h)",
		"\napp.post('/z', (req, res) => res.send(1));\n", "\n(foo)", "\n+1", "\n/re/.test(x)", "const a = 1\n", "\nawait\n",
		"\nlet\n", "\nx\n", "\n`\n", "\n/*\n", "\nreturn\n", "\nelse\n", "\n<div>\n", "\nas T\n", "\n<T>(x)\n",
		"\nasync\n", "\nyield\n", "\nlet\n[", "\nget\n", "\nstatic\n", "\ntype\n", "\nnamespace\n", "\ndeclare\n",
		"\nabstract\n", "\nmodule\n", "\n@dec\n", "\n  <b>\n", "\n<a></a>\n", "\nfoo<T>\n", "\n!x\n", "\n?.x\n"}
	seed := int64(7)
	if s := os.Getenv("OPEN_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rng := rand.New(rand.NewSource(seed))
	accepted, total, originals, sources := 0, 0, 0, 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range txtar.Parse(data).Files {
			lang, ok := syntax.ForPath(f.Name)
			if !ok || f.Name == "want" {
				continue
			}
			sources++
			if checkOpen(t, lang, f.Name, f.Data, nil) {
				originals++
			}
			for i := 0; i < 30; i++ {
				openPieceBytes = 16 << rng.Intn(4) // cuts everywhere, or a few
				text := f.Data
				for k := 0; k < 1+rng.Intn(2); k++ {
					start := rng.Intn(len(text) + 1)
					end := start
					if rng.Intn(3) == 0 {
						end = min(len(text), start+rng.Intn(12))
					}
					text = append(append(append([]byte{}, text[:start]...), frags[rng.Intn(len(frags))]...), text[end:]...)
				}
				total++
				if checkOpen(t, lang, f.Name, text, nil) {
					accepted++
				}
			}
		}
	}
	t.Logf("Open took %d of %d golden sources as they are and %d of %d mutations", originals, sources, accepted, total)
	if originals == 0 || accepted == 0 {
		t.Error("Open never took a text: the parallel path is not doing its job")
	}
}

// A large file of routes is opened in pieces, reusing the units of earlier
// facts where the text is unchanged.
func TestOpenLargeFile(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\n\nconst app = express();\nconst limiter = rateLimit({ requests: 100, window: 60 });\n")
	for i := 0; i < 3000; i++ {
		mw := "limiter, "
		if i%10 == 0 {
			mw = ""
		}
		fmt.Fprintf(&b, "\napp.get('/items/%d', %s(req, res) => {\n  res.json({ item: %d, q: req.query.q });\n});\n", i, mw, i)
	}
	text := b.Bytes()
	if !checkOpen(t, syntax.JavaScript, "server.js", text, nil) {
		t.Fatal("Open declined a clean file of routes")
	}
	prev := summarize(t, syntax.JavaScript, text, nil)
	edited := bytes.Replace(text, []byte("'/items/7', limiter, "), []byte("'/items/7', "), 1)
	got, ok := frontend{lang: syntax.JavaScript}.Open("server.js", prev, edited, 0)
	if !ok || !sameFacts(got.(*Facts), summarize(t, syntax.JavaScript, edited, nil)) {
		t.Fatal("Open with earlier facts differs from Summarize")
	}
	reused := 0
	old := map[*UnitFacts]bool{}
	for _, u := range prev.Units {
		old[u.UnitFacts] = true
	}
	for _, u := range got.(*Facts).Units {
		if old[u.UnitFacts] {
			reused++
		}
	}
	if reused != len(prev.Units)-1 {
		t.Errorf("reused %d of %d units, want all but the edited one", reused, len(prev.Units))
	}
}

// Cuts never fall on lines that continue a statement, and prefer short
// statements on both sides.
func TestOpenCuts(t *testing.T) {
	text := []byte("a = b\n(c)\n  d()\n}\nelse {}\n`x`\nfoo()\n")
	if got, want := statementLineAfter(text, 1), bytes.Index(text, []byte("foo()")); got != want {
		t.Fatalf("statement line after 1: %d, want %d", got, want)
	}
	big := "function big() {\n" + strings.Repeat("  x();\n", 2000) + "}\n"
	text = []byte("const a = 1;\n" + big + "const b = 2;\nconst c = 3;\n" + big)
	junctionAfter := func(off, limit int) int {
		lines := statementLines(text)
		j := 0
		for j < len(lines) && lines[j] < off {
			j++
		}
		if at := shortJunction(lines, j, limit, len(text)); at >= 0 {
			return lines[at]
		}
		return -1
	}
	if got, want := junctionAfter(1, len(text)), bytes.Index(text, []byte("const c")); got != want {
		t.Fatalf("short junction at %d, want %d (between b and c)", got, want)
	}
	if got := junctionAfter(20, 100); got != -1 {
		t.Fatalf("cut at %d inside a huge function", got)
	}
	// Many pieces over huge statements: only the junction between b and c
	// qualifies, once.
	if got, want := openCuts(text, 64), []int{0, bytes.Index(text, []byte("const c")), len(text)}; !slices.Equal(got, want) {
		t.Fatalf("cuts %v, want %v", got, want)
	}
}

// Summarize spreads the statements of a big text over the cores; the
// facts are those of the one-by-one summary (order, reuse copies, spans).
func TestSummarizeParallelEqualsSequential(t *testing.T) {
	files, _ := filepath.Glob("../engine/testdata/javascript/*.txtar")
	var texts [][]byte
	var langs []syntax.Language
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range txtar.Parse(data).Files {
			if lang, ok := syntax.ForPath(f.Name); ok && f.Name != "want" {
				texts, langs = append(texts, f.Data), append(langs, lang)
			}
		}
	}
	// Verbatim repeats get their own UnitFacts copies in both.
	big := bytes.Repeat([]byte("app.get('/a', (req, res) => res.send(1));\nfunction f(app) { app.post('/b', h); }\n"), 500)
	texts, langs = append(texts, big), append(langs, syntax.JavaScript)
	old := parallelBytes
	defer func() { parallelBytes = old }()
	for i, text := range texts {
		parallelBytes = 1 << 30
		want := summarize(t, langs[i], text, nil)
		parallelBytes = 0
		got := summarize(t, langs[i], text, nil)
		if !sameFacts(got, want) || got.Broken != want.Broken {
			t.Fatalf("parallel Summarize differs on\n%s", text)
		}
		seen := map[*UnitFacts]bool{}
		for _, u := range got.Units {
			if seen[u.UnitFacts] {
				t.Fatal("two units share their UnitFacts")
			}
			seen[u.UnitFacts] = true
		}
		// With earlier facts: reused units and new ones mixed.
		if len(text) > 0 {
			edited := append(append([]byte{}, text...), "\napp.get('/new', h);\n"...)
			parallelBytes = 1 << 30
			want := summarize(t, langs[i], edited, got)
			parallelBytes = 0
			if again := summarize(t, langs[i], edited, got); !sameFacts(again, want) {
				t.Fatalf("parallel Summarize with earlier facts differs on\n%s", edited)
			}
		}
	}
}

// A panic on a worker reaches the caller's goroutine (where the server
// recovers from it) instead of ending the process.
func TestParallelPanicReachesCaller(t *testing.T) {
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want the worker's panic", r)
		}
	}()
	parallel(0, 8, func(i int) bool {
		if i == 3 {
			panic("boom")
		}
		return true
	})
	t.Fatal("no panic")
}

// TestOpenJunction holds the decision at a cut to the whole-file parse:
// whenever the two statements around a cut are taken as they were parsed
// alone (settled, or the same when parsed together), the pieces' units must
// equal a whole-file summary. The hazards are statements the whole-file
// parse joins across the line break (TypeScript's abstract and namespace
// before their declaration); a ";" at the end of the first statement
// settles the cut without a parse.
func TestOpenJunction(t *testing.T) {
	cases := []struct {
		lang          syntax.Language
		a, b          string
		joined, settl bool // the whole-file parse joins them; the cut is settled without a parse
	}{
		{syntax.JavaScript, "let", "x = 1", false, false}, // two statements in these grammars too
		{syntax.JavaScript, "a = b", "c = d", false, false},
		{syntax.JavaScript, "app.get('/a', h);", "app.post('/b', h);", false, true},
		{syntax.JavaScript, "let x = 1;", "let y = 2", false, true},
		{syntax.JavaScript, "let;", "x = 1", false, true},
		{syntax.JavaScript, "async", "function f() {}", false, false},
		{syntax.TypeScript, "type", "A = string", false, false},
		{syntax.TypeScript, "declare", "const x: number", false, false},
		{syntax.TypeScript, "abstract", "class A {}", true, false},
		{syntax.TypeScript, "namespace", "N {}", true, false},
		{syntax.TypeScript, "type A = string;", "type B = A", false, true},
	}
	for _, c := range cases {
		fe := frontend{lang: c.lang}
		text := []byte(c.a + "\n" + c.b + "\n")
		cut := len(c.a) + 1
		a, b := fe.openPiece(text, 0, cut, nil), fe.openPiece(text, cut, len(text), nil)
		whole := summarize(t, c.lang, text, nil)
		if a.failed || b.failed {
			if !c.joined {
				t.Errorf("%s %q | %q: a piece did not parse alone", c.lang, c.a, c.b)
			}
			continue
		}
		parts := &Facts{Lang: c.lang, Units: append(append([]*Unit{}, a.units...), b.units...)}
		if got := sameFacts(parts, whole); got == c.joined {
			t.Errorf("%s %q | %q: pieces equal to the whole-file summary: %v, want %v", c.lang, c.a, c.b, got, !c.joined)
		}
		s := settled(text, &a, &b)
		if s != c.settl {
			t.Errorf("%s %q | %q: settled %v, want %v", c.lang, c.a, c.b, s, c.settl)
		}
		if taken := s || fe.sameInContext(text, &a, &b); taken == c.joined {
			t.Errorf("%s %q | %q: cut taken %v, but the whole-file parse joins the statements: %v", c.lang, c.a, c.b, taken, c.joined)
		}
	}
}
