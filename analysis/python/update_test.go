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

// snippets are the pieces random files and edits are made of: routes,
// wiring, counters, classes, and the fragments that break statements apart
// (dangling decorators, else:, open brackets and strings, indentation).
var snippets = []string{
	"from fastapi import FastAPI, Depends\n",
	"from flask import Blueprint\n",
	"import time\n",
	"app = FastAPI()\n",
	"bp = Blueprint('b', __name__)\n",
	"hits = {}\n",
	"MAX_REQUESTS = 100\n",
	"@app.post('/login')\nasync def login():\n    return {}\n",
	"@app.get('/items/{id}')\n@rate_limit(requests=5, window=60)\ndef item(id):\n    return id\n",
	"@bp.route('/x', methods=['POST'])\ndef x():\n    if hits.get(ip, 0) > MAX_REQUESTS:\n        abort(429)\n",
	"def check(ip):\n    if hits.get(ip, 0) >= MAX_REQUESTS:\n        raise ValueError('too many requests')\n    hits[ip] = hits.get(ip, 0) + 1\n",
	"class RateLimiter:\n    def __init__(self):\n        self.calls = {}\n\n    def allow(self, user):\n        return self.calls.get(user, 0) < 5\n",
	"app.include_router(router, dependencies=[Depends(RateLimiter(times=1))])\n",
	"urlpatterns = [path('a/', views.a), path('b/', include('x.urls'))]\n",
	"if __name__ == '__main__':\n    app.run()\n",
	"# a comment\n",
	"\n",
	"x = 1; y = 2\n",
	// Functions other statements name: a protection, a registered view.
	"def check_limit():\n    raise HTTPException(status_code=429)\n",
	"@app.get('/d')\ndef d(_=Depends(check_limit)):\n    return 1\n",
	"from flask import Flask\nflask_app = Flask(__name__)\n",
	"def view():\n    return 'x'\n",
	"flask_app.add_url_rule('/r', view_func=view)\n",
	"@flask_app.route('/v', methods=['POST'])\n@check_limit\ndef v():\n    return 1\n",
	"class Items(MethodView):\n    @check_limit\n    def post(self):\n        return 1\n",
	"flask_app.add_url_rule('/items', view_func=Items.as_view('items'))\n",
}

var fragments = []string{
	"@app.get('/frag')\n", "else:\n", "    pass\n", "(", ")", "'''", "\"", "\\\n", ":", "\n", " ", "#", "def ",
	"limit", "429", "x", "= ", "fastapi", "\n\n", "    ", "@", "[",
}

// TestUpdateMatchesSummarize applies random edits and checks that whenever
// Update answers, its facts equal Summarize on a fresh parse of the new text.
func TestUpdateMatchesSummarize(t *testing.T) {
	seedVal := int64(1)
	if s := os.Getenv("STABLESTACK_SEED"); s != "" {
		seedVal, _ = strconv.ParseInt(s, 10, 64)
	}
	rng := rand.New(rand.NewSource(seedVal))
	fe := frontend{}
	answered, total := 0, 0
	for file := 0; file < 250; file++ {
		var b strings.Builder
		for i := 0; i < 3+rng.Intn(25); i++ {
			b.WriteString(snippets[rng.Intn(len(snippets))])
			if rng.Intn(3) == 0 {
				b.WriteString("\n")
			}
		}
		text := []byte(b.String())
		facts := summarizeFresh(t, fe, text)
		broken := 0
		for step := 0; step < 40; step++ {
			var edits []analysis.Edit
			next := text
			for k := 0; k < 1+rng.Intn(3); k++ {
				var e analysis.Edit
				if rng.Intn(10) == 0 {
					next, e = randomEdit(rng, next)
				} else {
					next, e = typicalEdit(rng, next)
				}
				edits = append(edits, e)
			}
			want := summarizeFresh(t, fe, next)
			got, ok := fe.Update("a.py", facts, next, edits)
			total++
			if ok {
				answered++
				if msg := sameFacts(got.(*Facts), want); msg != "" {
					t.Fatalf("file %d step %d: Update differs from Summarize: %s\nedits %v\n--- old text\n%s\n--- new text\n%s", file, step, msg, edits, text, next)
				}
				facts = got.(*Facts)
			} else {
				facts = want
			}
			text = next
			if !want.Clean {
				broken++
				if broken > 5 {
					break // a file left broken only tests the fallback
				}
			} else {
				broken = 0
			}
		}
	}
	t.Logf("seed %d: Update answered %d of %d edits (the rest fell back to a full parse)", seedVal, answered, total)
	if answered < total/4 {
		t.Errorf("Update answered only %d of %d edits: the fast path is not taken", answered, total)
	}
}

// typicalEdit is what typing does most of the time: change a letter of a
// word, add or remove a whole statement at a statement boundary, add or
// remove a decorator line.
func typicalEdit(rng *rand.Rand, text []byte) ([]byte, analysis.Edit) {
	// statement starts: lines at column 0 that begin with a letter or @
	var starts []int
	for i := 0; i < len(text); i = lineEnd(text, i+1) {
		if c := text[i]; c == '@' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			starts = append(starts, i)
		}
		if lineEnd(text, i+1) <= i {
			break
		}
	}
	replace := func(start, end int, ins string) ([]byte, analysis.Edit) {
		next := append(append(append([]byte(nil), text[:start]...), ins...), text[end:]...)
		return next, analysis.Edit{Start: start, OldEnd: end, NewEnd: start + len(ins)}
	}
	switch rng.Intn(4) {
	case 0: // change a letter inside a word
		for try := 0; try < 20 && len(text) > 2; try++ {
			p := 1 + rng.Intn(len(text)-2)
			if isLetter(text[p-1]) && isLetter(text[p]) && isLetter(text[p+1]) {
				return replace(p, p+1, string(rune('a'+rng.Intn(26))))
			}
		}
	case 1: // insert a statement before another
		if len(starts) > 0 {
			at := starts[rng.Intn(len(starts))]
			return replace(at, at, snippets[rng.Intn(len(snippets))])
		}
	case 2: // add or remove a decorator
		if len(starts) > 0 {
			at := starts[rng.Intn(len(starts))]
			if text[at] == '@' {
				return replace(at, lineEnd(text, at+1), "")
			}
			if bytes.HasPrefix(text[at:], []byte("def ")) || bytes.HasPrefix(text[at:], []byte("async def ")) {
				return replace(at, at, "@rate_limit(requests=10, window=60)\n")
			}
		}
	case 3: // delete a line
		if len(starts) > 0 {
			at := starts[rng.Intn(len(starts))]
			return replace(at, lineEnd(text, at+1), "")
		}
	}
	return replace(len(text), len(text), "\n")
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

func summarizeFresh(t *testing.T, fe frontend, text []byte) *Facts {
	t.Helper()
	tree, err := syntax.Parse(syntax.Python, text)
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	return fe.Summarize("a.py", text, tree, nil).(*Facts)
}

// randomEdit inserts, deletes or replaces text at a random place, biased to
// line starts and snippet boundaries where real edits happen.
func randomEdit(rng *rand.Rand, text []byte) ([]byte, analysis.Edit) {
	pos := rng.Intn(len(text) + 1)
	if rng.Intn(2) == 0 {
		pos = lineStart(text, pos)
	}
	end := pos
	if rng.Intn(2) == 0 && pos < len(text) {
		end = pos + 1 + rng.Intn(min(40, len(text)-pos))
	}
	var ins string
	switch rng.Intn(3) {
	case 0:
		ins = snippets[rng.Intn(len(snippets))]
	case 1:
		ins = fragments[rng.Intn(len(fragments))]
	}
	next := append(append(append([]byte(nil), text[:pos]...), ins...), text[end:]...)
	return next, analysis.Edit{Start: pos, OldEnd: end, NewEnd: pos + len(ins)}
}

func sameFacts(got, want *Facts) string {
	if len(got.Units) != len(want.Units) {
		return fmt.Sprintf("%d units, want %d", len(got.Units), len(want.Units))
	}
	for i := range got.Units {
		g, w := got.Units[i], want.Units[i]
		if g.Start != w.Start || g.End != w.End || g.Hash != w.Hash {
			return fmt.Sprintf("unit %d at [%d,%d), want [%d,%d)", i, g.Start, g.End, w.Start, w.End)
		}
		if !reflect.DeepEqual(g.UnitFacts, w.UnitFacts) {
			return fmt.Sprintf("unit %d facts %+v, want %+v", i, g.UnitFacts, w.UnitFacts)
		}
	}
	return ""
}
