package javascript

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
	"github.com/stablestack/stablestack/internal/txtar"
)

// sameFacts compares two facts unit by unit (offsets, hashes and content).
func sameFacts(a, b *Facts) bool {
	if len(a.Units) != len(b.Units) {
		return false
	}
	for i := range a.Units {
		x, y := a.Units[i], b.Units[i]
		if x.Start != y.Start || x.End != y.End || x.Hash != y.Hash || x.has != y.has || x.has&^hasSemicolonEnd != hasOf(x.UnitFacts) || !reflect.DeepEqual(x.UnitFacts, y.UnitFacts) {
			return false
		}
	}
	return true
}

// Whenever Update accepts an edit, its facts equal a full summary of the
// new text. Random insertions and deletions (of code fragments that open
// comments, strings, calls, ASI traps...) over every golden source.
func TestUpdateEqualsSummarize(t *testing.T) {
	files, _ := filepath.Glob("../engine/testdata/javascript/*.txtar")
	frags := []string{"", " ", "\n", ";", "x", "(", ")", "{", "}", "/*", "*/", "//", "'", "`", "[1]", ".get('/a', h)",
		"\napp.post('/z', (req, res) => res.send(1));\n", "rateLimit({ requests: 5, window: 60 }), ", "\n(foo)", "\n+1", "const a = 1\n"}
	seed := int64(4)
	if s := os.Getenv("UPDATE_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rng := rand.New(rand.NewSource(seed))
	accepted, total := 0, 0
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
			fe := frontend{lang: lang}
			text := f.Data
			prev := summarize(t, lang, text, nil)
			if prev.Broken {
				continue
			}
			for i := 0; i < 40; i++ {
				start := rng.Intn(len(text) + 1)
				oldEnd := start
				if rng.Intn(3) == 0 {
					oldEnd = min(len(text), start+rng.Intn(12))
				}
				ins := frags[rng.Intn(len(frags))]
				next := append(append(append([]byte{}, text[:start]...), ins...), text[oldEnd:]...)
				total++
				got, ok := fe.Update(f.Name, prev, next, []analysis.Edit{{Start: start, OldEnd: oldEnd, NewEnd: start + len(ins)}})
				want := summarize(t, lang, next, nil)
				if ok {
					accepted++
					if !sameFacts(got.(*Facts), want) {
						for _, u := range got.(*Facts).Units {
							t.Logf("update unit [%d,%d) %q", u.Start, u.End, next[u.Start:u.End])
						}
						for _, u := range want.Units {
							t.Logf("full   unit [%d,%d) %q", u.Start, u.End, next[u.Start:u.End])
						}
						for _, u := range prev.Units {
							t.Logf("prev   unit [%d,%d) %q", u.Start, u.End, text[u.Start:u.End])
						}
						t.Fatalf("%s: Update differs from Summarize after replacing [%d,%d) %q with %q in\n%s", f.Name, start, oldEnd,
							string(text[start:oldEnd]), ins, string(next))
					}
				}
				// Keep going from the edited text while it still parses, as
				// an editor session does (from Update's facts when it took
				// the edit, so Updates build on Updates); restart from the
				// original otherwise.
				if !want.Broken {
					text, prev = next, want
					if ok {
						prev = got.(*Facts)
					}
				}
			}
		}
	}
	t.Logf("Update accepted %d of %d random edits", accepted, total)
	if accepted < total/5 {
		t.Errorf("Update accepted only %d of %d edits: the fast path is not doing its job", accepted, total)
	}
}

// The benchmark's edit (a limiter argument toggled inside one route of a
// big file) takes the fast path.
func TestUpdateTakesBenchmarkEdit(t *testing.T) {
	text := routesFile(200, -1)
	prev := summarize(t, syntax.JavaScript, text, nil)
	at := strings.Index(string(text), "app.post('/r100', ") + len("app.post('/r100', ")
	ins := "rateLimit({ requests: 5, window: 60 }), "
	next := append(append(append([]byte{}, text[:at]...), ins...), text[at:]...)
	got, ok := frontend{lang: syntax.JavaScript}.Update("app.js", prev, next, []analysis.Edit{{Start: at, OldEnd: at, NewEnd: at + len(ins)}})
	if !ok {
		t.Fatal("Update declined the benchmark edit")
	}
	if !sameFacts(got.(*Facts), summarize(t, syntax.JavaScript, next, nil)) {
		t.Fatal("Update differs from Summarize")
	}
}

// Batches of edits (each in the coordinates the previous one left, as the
// server sends them) give the same facts as a full summary.
func TestUpdateBatchesEqualSummarize(t *testing.T) {
	base := routesFile(30, 7)
	rng := rand.New(rand.NewSource(11))
	ins := []string{"rateLimit({ requests: 1, window: 1 }), ", "\napp.get('/new', h);\n", "x", ""}
	accepted := 0
	for trial := 0; trial < 200; trial++ {
		text := base
		var edits []analysis.Edit
		for k := 0; k < 1+rng.Intn(3); k++ {
			// Edit just after a route's path, where a limiter argument goes.
			lines := strings.SplitAfter(string(text), "\n")
			li := 3 + rng.Intn(len(lines)-4)
			off := 0
			for _, l := range lines[:li] {
				off += len(l)
			}
			at := off + strings.Index(lines[li], ", ") + 2
			if at < off+2 {
				at = off
			}
			s := ins[rng.Intn(len(ins))]
			oldEnd := at
			if s == "" {
				oldEnd = min(len(text), at+rng.Intn(8))
			}
			text = append(append(append([]byte{}, text[:at]...), s...), text[oldEnd:]...)
			edits = append(edits, analysis.Edit{Start: at, OldEnd: oldEnd, NewEnd: at + len(s)})
		}
		prev := summarize(t, syntax.JavaScript, base, nil)
		got, ok := frontend{lang: syntax.JavaScript}.Update("app.js", prev, text, edits)
		if !ok {
			continue
		}
		accepted++
		if want := summarize(t, syntax.JavaScript, text, nil); !sameFacts(got.(*Facts), want) {
			t.Fatalf("batch %v: Update differs from Summarize on\n%s", edits, text)
		}
	}
	if accepted == 0 {
		t.Fatal("no batch took the fast path")
	}
	t.Logf("%d of 200 batches took the fast path", accepted)
}

// Around "expo\n<div>\nf()" and "foo<T>\nbar()" the TypeScript grammars keep
// two error-free parses alive and the text around them decides, so a
// region parsed alone can differ from the file (ambiguousAngle): Update
// must decline there or still equal Summarize. Golden sources with such a
// line added, then random edits.
func TestUpdateAmbiguousAngles(t *testing.T) {
	files, _ := filepath.Glob("../engine/testdata/javascript/*.txtar")
	frags := []string{"", "\n", ";", "x", "//", "\nfoo<T>\n", "\n<div>\n", "\napp.post('/z', h);\n", "rateLimit({ requests: 5, window: 60 }), "}
	seed := int64(5)
	if s := os.Getenv("UPDATE_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rng := rand.New(rand.NewSource(seed))
	checked := 0
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
			fe := frontend{lang: lang}
			lines := strings.SplitAfter(string(f.Data), "\n")
			at := rng.Intn(len(lines))
			angle := []string{"foo<T>\n", "<div>\n"}[rng.Intn(2)]
			text := []byte(strings.Join(lines[:at], "") + angle + strings.Join(lines[at:], ""))
			prev := summarize(t, lang, text, nil)
			for i := 0; i < 60 && !prev.Broken; i++ {
				start := rng.Intn(len(text) + 1)
				ins := frags[rng.Intn(len(frags))]
				next := append(append(append([]byte{}, text[:start]...), ins...), text[start:]...)
				want := summarize(t, lang, next, nil)
				if got, ok := fe.Update(f.Name, prev, next, []analysis.Edit{{Start: start, OldEnd: start, NewEnd: start + len(ins)}}); ok {
					checked++
					if !sameFacts(got.(*Facts), want) {
						t.Fatalf("%s: Update differs from Summarize after inserting %q at %d in\n%s", f.Name, ins, start, next)
					}
				}
				if !want.Broken {
					text, prev = next, want
				}
			}
		}
	}
	t.Logf("%d edits took the fast path", checked)
}

// Update parses a region without its neighbours only where a ";" token
// settles the boundary (reparseTerminated). A ";" inside a comment that
// ends a statement (closed by an automatic semicolon) does not: the
// statement still joins a line starting with "(". Each edit's facts equal
// Summarize's, and the benchmark's edit takes the short parse.
func TestUpdateTerminatedBoundaries(t *testing.T) {
	cases := []struct {
		name, text string
		at, old    string // old (at the first occurrence of at, after it) is replaced by ins
		ins        string
		short      bool // the region is parsed alone
	}{
		{"comment ; before the region", "a = b // x;\nfoo();\n", "foo", "", "(c);\n", false},
		{"comment ; ends the region", "p();\nq();\n(z);\n", "q", "();", " // w;", false},
		{"no ; ends the region", "p();\nq();\n(z);\n", "q", "();", "", false},
		{"region on the line of the statement before", "p(); q();\nr();\n", "q", "();", "(2);", false},
		{"terminated on both sides", "p();\nq();\nr();\n", "q", "();", "(1);", true},
		{"benchmark edit", string(routesFile(50, -1)), "app.post('/r20', ", "", "rateLimit({ requests: 5, window: 60 }), ", true},
	}
	fe := frontend{lang: syntax.JavaScript}
	for _, c := range cases {
		text := []byte(c.text)
		prev := summarize(t, syntax.JavaScript, text, nil)
		at := strings.Index(c.text, c.at) + len(c.at)
		if c.at == "foo" {
			at -= len(c.at) // an insertion before the anchor: "(c);" starts its line
		}
		if !strings.HasPrefix(c.text[at:], c.old) {
			t.Fatalf("%s: %q does not follow %q", c.name, c.old, c.at)
		}
		oldEnd := at + len(c.old)
		next := append(append(append([]byte{}, text[:at]...), c.ins...), text[oldEnd:]...)
		hits := terminatedHits.Load()
		got, ok := fe.Update("x.js", prev, next, []analysis.Edit{{Start: at, OldEnd: oldEnd, NewEnd: at + len(c.ins)}})
		want := summarize(t, syntax.JavaScript, next, nil)
		if ok && !sameFacts(got.(*Facts), want) {
			t.Errorf("%s: Update differs from Summarize on\n%s", c.name, next)
		}
		if short := terminatedHits.Load() > hits; short != c.short {
			t.Errorf("%s: parsed without neighbours: %v, want %v (text %q)", c.name, short, c.short, next)
		}
	}
}
