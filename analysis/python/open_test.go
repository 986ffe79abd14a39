package python

import (
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
)

var _ analysis.OpeningFrontend = frontend{}

// TestOpenMatchesSummarize builds random files, cuts them into small pieces
// and checks that whenever Open answers, its facts equal Summarize on a
// whole-file parse (and that it answers for most well-formed files).
func TestOpenMatchesSummarize(t *testing.T) {
	defer func(n int) { openPieceBytes = n }(openPieceBytes)
	seedVal := int64(1)
	if s := os.Getenv("STABLESTACK_SEED"); s != "" {
		seedVal, _ = strconv.ParseInt(s, 10, 64)
	}
	rng := rand.New(rand.NewSource(seedVal))
	fe := frontend{}
	answered, clean := 0, 0
	for file := 0; file < 400; file++ {
		var b strings.Builder
		b.WriteString("from fastapi import FastAPI\n")
		for i := 0; i < 5+rng.Intn(60); i++ {
			b.WriteString(snippets[rng.Intn(len(snippets))])
			if rng.Intn(3) == 0 {
				b.WriteString("\n")
			}
		}
		text := []byte(b.String())
		if file%3 == 0 {
			// broken files: a fragment anywhere
			text, _ = randomEdit(rng, text)
		}
		openPieceBytes = 40 + rng.Intn(400)
		want := summarizeFresh(t, fe, text)
		if want.Clean && len(want.Units) > 0 {
			clean++
		}
		got, ok := fe.Open("a.py", nil, text, file%2) // one worker or one per core, by turns
		if !ok {
			continue
		}
		answered++
		if !want.Clean {
			t.Fatalf("file %d: Open answered for a text whose whole parse is not clean\n%s", file, text)
		}
		if msg := sameFacts(got.(*Facts), want); msg != "" {
			t.Fatalf("file %d: Open differs from Summarize: %s\n%s", file, msg, text)
		}
		if got.(*Facts).Witness != want.Witness {
			t.Fatalf("file %d: witness %v, want %v", file, got.(*Facts).Witness, want.Witness)
		}
	}
	t.Logf("seed %d: Open answered for %d files of %d with a clean whole parse", seedVal, answered, clean)
	if answered < clean/2 {
		t.Errorf("Open answered only %d of %d clean files", answered, clean)
	}
}

// TestOpenReusesUnits checks that units of unchanged statements are shared
// with the previous facts (what keeps the RATE001 cache warm).
func TestOpenReusesUnits(t *testing.T) {
	defer func(n int) { openPieceBytes = n }(openPieceBytes)
	openPieceBytes = 64
	fe := frontend{}
	text := []byte(strings.Repeat("@app.get('/a')\nasync def a():\n    return 1\n\n", 40))
	first, ok := fe.Open("a.py", nil, append([]byte("from fastapi import FastAPI\napp = FastAPI()\n"), text...), 0)
	if !ok {
		t.Fatal("Open did not answer")
	}
	second, ok := fe.Open("a.py", first, append([]byte("from fastapi import FastAPI\napp = FastAPI(debug=True)\n"), text...), 0)
	if !ok {
		t.Fatal("Open did not answer")
	}
	a, b := first.(*Facts).Units, second.(*Facts).Units
	if a[len(a)-1].UnitFacts != b[len(b)-1].UnitFacts || a[1].UnitFacts == b[1].UnitFacts {
		t.Fatal("unchanged statements should share their facts, the changed one should not")
	}
}
