package syntax

import (
	"math/rand"
	"strings"
	"testing"
)

// checkNoLeaks fails the test if it left trees open.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	before := Live()
	t.Cleanup(func() {
		if after := Live(); after != before {
			t.Errorf("leaked %d syntax trees", after-before)
		}
	})
}

var corpus = map[Language]string{
	Python: `from fastapi import FastAPI
app = FastAPI()

@app.get("/items/{id}")
async def read(id: int):
    s = "é😀漢"
    return {"id": id}

@app.post("/login")
@rate_limit(requests=5, window=60)
def login():
    hits[ip] += 1
    if hits[ip] > 100:
        raise HTTPException(429)
`,
	JavaScript: `const express = require('express');
const app = express();
const hits = new Map();
app.get('/a', (req, res) => { res.send("é😀漢"); });
app.post('/login', limiter, async (req, res) => {
  if ((hits.get(req.ip) || 0) > 100) return res.status(429).end();
});
`,
	TypeScript: `import { Hono } from 'hono';
const app = new Hono();
app.get('/x', (c: Context) => c.text('ok'));
export async function POST(req: Request): Promise<Response> { return new Response("é"); }
`,
}

// TestIncrementalReparseMatchesFreshParse applies random edits (including
// multi-byte characters and newlines) and checks after every batch that the
// incrementally maintained tree equals a fresh parse of the same text.
func TestIncrementalReparseMatchesFreshParse(t *testing.T) {
	checkNoLeaks(t)
	fragments := []string{"", "x", "\n", "é", "😀", "漢字", "(", ")", ":", "@app.get('/z')\n", "def f():\n    pass\n", "  ", "'", "\"", "{", "}", ";", "app.post('/q', h);\n", "return 1\n"}
	for lang, src := range corpus {
		rng := rand.New(rand.NewSource(int64(len(src))))
		d := NewDocument(lang, []byte(src))
		if d.Err() != nil {
			t.Fatal(d.Err())
		}
		for step := 0; step < 300; step++ {
			edits := 1 + rng.Intn(3)
			for e := 0; e < edits; e++ {
				text := d.Text()
				start := charBoundary(text, rng.Intn(len(text)+1))
				end := charBoundary(text, start+rng.Intn(min(12, len(text)-start)+1))
				ins := fragments[rng.Intn(len(fragments))]
				if err := d.Edit(start, end, []byte(ins)); err != nil {
					t.Fatal(err)
				}
			}
			if err := d.Reparse(); err != nil {
				t.Fatal(err)
			}
			inc := d.Snapshot()
			fresh, err := Parse(lang, d.Text())
			if err != nil {
				t.Fatal(err)
			}
			if a, b := inc.Root().SExpr(), fresh.Root().SExpr(); a != b {
				t.Fatalf("%s step %d: incremental tree differs from fresh parse\ntext:\n%s\ninc:   %s\nfresh: %s", lang, step, d.Text(), a, b)
			}
			if !sameSpans(inc.Root(), fresh.Root()) {
				t.Fatalf("%s step %d: node offsets differ", lang, step)
			}
			inc.Close()
			fresh.Close()
		}
		d.Close()
	}
}

func sameSpans(a, b Node) bool {
	var sa, sb []int
	a.Walk(func(n Node) bool { sa = append(sa, n.Start(), n.End()); return true })
	b.Walk(func(n Node) bool { sb = append(sb, n.Start(), n.End()); return true })
	if len(sa) != len(sb) {
		return false
	}
	for i := range sa {
		if sa[i] != sb[i] {
			return false
		}
	}
	return true
}

// charBoundary moves off back to the start of a UTF-8 character.
func charBoundary(text []byte, off int) int {
	for off > 0 && off < len(text) && text[off]&0xC0 == 0x80 {
		off--
	}
	return off
}

func TestDocumentRejectsBadEditsAndKeepsText(t *testing.T) {
	checkNoLeaks(t)
	d := NewDocument(Python, []byte("x = 1\n"))
	defer d.Close()
	if err := d.Edit(3, 99, []byte("2")); err == nil {
		t.Fatal("edit past the end was accepted")
	}
	if got := string(d.Text()); got != "x = 1\n" {
		t.Fatalf("text changed by a rejected edit: %q", got)
	}
}

func TestDocumentTooLargeKeepsTextAndRecovers(t *testing.T) {
	checkNoLeaks(t)
	big := strings.Repeat("x = 1\n", MaxParseBytes/6+10)
	d := NewDocument(Python, []byte(big))
	defer d.Close()
	if d.Err() == nil || d.Snapshot() != nil {
		t.Fatal("oversized text was parsed")
	}
	if len(d.Text()) != len(big) {
		t.Fatal("oversized text lost")
	}
	if err := d.Edit(0, len(big), []byte("y = 2\n")); err != nil {
		t.Fatal(err)
	}
	if err := d.Reparse(); err != nil {
		t.Fatalf("document did not recover after shrinking: %v", err)
	}
	s := d.Snapshot()
	if s == nil || s.Root().Kind() != "module" {
		t.Fatal("no tree after recovering")
	}
	s.Close()
}

func TestWalkStaysInsideStartNode(t *testing.T) {
	checkNoLeaks(t)
	tr, err := Parse(Python, []byte("a = 1\nb = 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	first := tr.Root().NamedChild(0)
	first.Walk(func(n Node) bool {
		if n.Start() >= first.End() {
			t.Errorf("walk left its node: %s at %d", n.Kind(), n.Start())
		}
		return true
	})
}

// TestUnparsedDocumentParsesOnFirstReparse checks a document opened without
// a tree: edits change only the text, the first Reparse builds the tree of
// the current text, and later edits are incremental as usual.
func TestUnparsedDocumentParsesOnFirstReparse(t *testing.T) {
	before := Live()
	d := NewUnparsedDocument(Python, []byte("app = FastAPI()\n"))
	if d.Snapshot() != nil {
		t.Fatal("an unparsed document has no tree to snapshot")
	}
	if err := d.Edit(0, 3, []byte("api")); err != nil {
		t.Fatal(err)
	}
	if err := d.Reparse(); err != nil {
		t.Fatal(err)
	}
	if err := d.Edit(len(d.Text()), len(d.Text()), []byte("x = 1\n")); err != nil {
		t.Fatal(err)
	}
	if err := d.Reparse(); err != nil {
		t.Fatal(err)
	}
	tree := d.Snapshot()
	fresh, err := Parse(Python, []byte("api = FastAPI()\nx = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := tree.Root().SExpr(), fresh.Root().SExpr(); a != b {
		t.Fatalf("tree %s, want %s", a, b)
	}
	tree.Close()
	fresh.Close()
	d.Close()
	if Live() != before {
		t.Fatalf("%d tree-sitter objects leaked", Live()-before)
	}
}
