package python

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// memWorkspace is the smallest analysis.Workspace: files in a map.
type memWorkspace struct {
	files map[string]*analysis.File
	gen   uint64
}

func (w *memWorkspace) File(p string) *analysis.File { return w.files[p] }
func (w *memWorkspace) Each(fn func(*analysis.File) bool) {
	for _, f := range w.files {
		if !fn(f) {
			return
		}
	}
}
func (w *memWorkspace) Generation() uint64 { return w.gen }
func (w *memWorkspace) Roots() []string    { return []string{"/ws"} }
func (w *memWorkspace) put(f *analysis.File) {
	w.files[f.Path] = f
	w.gen++
}

// TestRouteCacheMatchesFullCheck edits two files at random (one edit at a
// time, through Update when it answers, as the server does) and checks
// after every edit that RATE001 with the per-statement cache finds exactly
// what a check without it finds. The second file imports names from the
// first, so edits there must invalidate the first file's cache too.
func TestRouteCacheMatchesFullCheck(t *testing.T) {
	defer func(n int) { routeCacheMinUnits = n }(routeCacheMinUnits)
	routeCacheMinUnits = 1
	seedVal := int64(1)
	if s := os.Getenv("STABLESTACK_SEED"); s != "" {
		seedVal, _ = strconv.ParseInt(s, 10, 64)
	}
	rng := rand.New(rand.NewSource(seedVal))
	fe := frontend{}
	paths := []string{"/ws/app.py", "/ws/other.py"}
	hits, checks := 0, 0
	for round := 0; round < 60; round++ {
		ws := &memWorkspace{files: map[string]*analysis.File{}}
		cfg := analysis.DefaultConfig()
		texts := make([][]byte, 2)
		for i, p := range paths {
			var b strings.Builder
			b.WriteString([]string{"from other import shared_guard\n", "from app import check_limit, view, flask_app, app, Items\n"}[i])
			for k := 0; k < 5+rng.Intn(30); k++ {
				b.WriteString(pick(rng))
			}
			texts[i] = []byte(b.String())
			ws.put(&analysis.File{Path: p, Lang: syntax.Python, Facts: summarizeFresh(t, fe, texts[i]), Text: texts[i]})
		}
		for step := 0; step < 40; step++ {
			i := 0
			if rng.Intn(4) == 0 {
				i = 1
			}
			if rng.Intn(30) == 0 {
				cfg = analysis.DefaultConfig() // settings changed
			}
			var next []byte
			var e analysis.Edit
			if at := bytes.Index(texts[i], []byte("status_code=4")); at >= 0 && rng.Intn(3) == 0 {
				// make a guard reject or not: what other files' routes see
				at += len("status_code=4")
				next = append(append(append([]byte(nil), texts[i][:at]...), "29"[rng.Intn(2)]), texts[i][at+1:]...)
				e = analysis.Edit{Start: at, OldEnd: at + 1, NewEnd: at + 1}
			} else if rng.Intn(8) == 0 {
				next, e = randomEdit(rng, texts[i])
			} else {
				next, e = typicalEdit(rng, texts[i])
			}
			prev := ws.files[paths[i]].Facts
			facts, ok := fe.Update(paths[i], prev, next, []analysis.Edit{e})
			if !ok {
				facts = summarizeWithPrev(t, fe, next, prev)
			}
			texts[i] = next
			ws.put(&analysis.File{Path: paths[i], Lang: syntax.Python, Facts: facts, Text: next})

			f := ws.files[paths[0]]
			got := checkRoutes(f, ws, cfg, true)
			want := checkRoutes(f, ws, cfg, false)
			checks++
			if rc := routeCaches.byPath[paths[0]]; rc != nil && rc.hits > 0 {
				hits++
				rc.hits = 0
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d step %d (seed %d): cached RATE001 differs from a full check\ngot  %s\nwant %s\n--- app.py\n%s\n--- other.py\n%s",
					round, step, seedVal, describe(got), describe(want), texts[0], texts[1])
			}
		}
	}
	t.Logf("seed %d: %d checks, %d reused cached findings", seedVal, checks, hits)
	if hits < checks/4 {
		t.Errorf("only %d of %d checks reused cached results: the cache is never used", hits, checks)
	}
}

// crossFile are statements that make app.py depend on other.py.
var crossFile = []string{
	"def shared_guard():\n    raise HTTPException(status_code=429)\n",
	"@app.post('/s')\ndef s(_=Depends(shared_guard)):\n    return 1\n",
}

func pick(rng *rand.Rand) string {
	if rng.Intn(4) == 0 {
		return crossFile[rng.Intn(len(crossFile))]
	}
	return snippets[rng.Intn(len(snippets))]
}

func describe(fs []analysis.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %v %s %v", f.Span, f.Message, f.Fix)
	}
	return b.String()
}

// summarizeWithPrev is the server's fallback: a full parse, reusing the
// facts of unchanged statements.
func summarizeWithPrev(t *testing.T, fe frontend, text []byte, prev analysis.Facts) *Facts {
	t.Helper()
	tree, err := syntax.Parse(syntax.Python, text)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	return fe.Summarize("a.py", text, tree, prev).(*Facts)
}
