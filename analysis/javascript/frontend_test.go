package javascript

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis/syntax"
)

func summarize(t testing.TB, lang syntax.Language, text []byte, prev *Facts) *Facts {
	t.Helper()
	tr, err := syntax.Parse(lang, text)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if prev == nil {
		return frontend{lang: lang}.Summarize("app.js", text, tr, nil).(*Facts)
	}
	return frontend{lang: lang}.Summarize("app.js", text, tr, prev).(*Facts)
}

func routesFile(n int, limited int) []byte {
	var b bytes.Buffer
	b.WriteString("const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\nconst app = express();\n")
	for i := 0; i < n; i++ {
		mw := ""
		if i == limited {
			mw = "rateLimit({ requests: 5, window: 60 }), "
		}
		fmt.Fprintf(&b, "app.post('/r%d', %s(req, res) => res.send('ok'));\n", i, mw)
	}
	return b.Bytes()
}

// An edit re-examines only the statement it touches: every other unit is
// the previous one (same Func pointers), and the result equals a fresh
// summary of the new text.
func TestSummarizeReusesUnchangedStatements(t *testing.T) {
	before := routesFile(50, -1)
	after := routesFile(50, 20)
	old := summarize(t, syntax.JavaScript, before, nil)
	got := summarize(t, syntax.JavaScript, after, old)
	fresh := summarize(t, syntax.JavaScript, after, nil)
	if len(got.Units) != len(fresh.Units) {
		t.Fatalf("units: got %d, fresh %d", len(got.Units), len(fresh.Units))
	}
	reused := 0
	for i, u := range got.Units {
		if !reflect.DeepEqual(u.UnitFacts, fresh.Units[i].UnitFacts) || u.Start != fresh.Units[i].Start || u.End != fresh.Units[i].End {
			t.Fatalf("unit %d differs from a fresh summary", i)
		}
		for _, o := range old.Units {
			if len(o.Calls) > 0 && len(u.Calls) > 0 && len(o.Calls[0].Args) > 0 && len(u.Calls[0].Args) > 0 &&
				o.Calls[0].Args[len(o.Calls[0].Args)-1].Fn != nil && o.Calls[0].Args[len(o.Calls[0].Args)-1].Fn == u.Calls[0].Args[len(u.Calls[0].Args)-1].Fn {
				reused++
			}
		}
	}
	if want := 49; reused != want {
		t.Errorf("reused %d route statements, want %d (all but the edited one)", reused, want)
	}
}

// Statements moved by an edit above them are reused with their new offsets.
func TestSummarizeShiftsReusedUnits(t *testing.T) {
	before := []byte("const express = require('express');\nconst app = express();\napp.get('/a', (req, res) => res.send('a'));\n")
	after := []byte("// a comment that moves everything\n" + string(before))
	got := summarize(t, syntax.JavaScript, after, summarize(t, syntax.JavaScript, before, nil))
	last := got.Units[len(got.Units)-1]
	span := last.Abs(last.Calls[0].Span)
	if s := string(after[span.Start:span.End]); !strings.HasPrefix(s, "app.get('/a'") {
		t.Fatalf("reused unit points at %q", s)
	}
}

func TestRelevant(t *testing.T) {
	fe := frontend{lang: syntax.JavaScript}
	for _, src := range []string{
		"app.get('/x', h)",
		"router\n  .post ('/x', h)",
		"import rateLimit from 'express-rate-limit'",
		"module.exports = require('./routes')",
		"export async function POST() {}",
		"const hits = new Map(); function f(ip) { if (hits.get(ip) > 5) return false }",
	} {
		if !fe.Relevant([]byte(src)) {
			t.Errorf("Relevant(%q) = false", src)
		}
	}
	for _, src := range []string{
		"function add(a, b) { return a + b }",
		"const x = [1, 2, 3].map((n) => n * 2); console.log(x.length)",
	} {
		if fe.Relevant([]byte(src)) {
			t.Errorf("Relevant(%q) = true", src)
		}
	}
}

// Two identical statements are two units with their own facts, so both of
// their routes are reported after an edit elsewhere.
func TestRepeatedStatementsKeepTheirOwnFacts(t *testing.T) {
	src := "const app = require('express')();\napp.post('/x', (req, res) => res.end());\napp.post('/x', (req, res) => res.end());\n"
	old := summarize(t, syntax.JavaScript, []byte(src), nil)
	got := summarize(t, syntax.JavaScript, []byte("// edited\n"+src), old)
	if got.Units[1].UnitFacts == got.Units[2].UnitFacts {
		t.Fatal("two units share one UnitFacts")
	}
}

// A counter whose only rejection is a returned comparison is still parsed.
func TestRelevantReturnedVerdict(t *testing.T) {
	src := "const hits = new Map();\nexport function over(ip) { const n = (hits.get(ip) ?? 0) + 1; hits.set(ip, n); return n > 20; }\n"
	if !(frontend{lang: syntax.JavaScript}).Relevant([]byte(src)) {
		t.Fatal("Relevant rules out a counter that returns its verdict")
	}
}

// A counter exported for another module to check is parsed however it is exported.
func TestRelevantExportedCounters(t *testing.T) {
	for _, src := range []string{
		"export const hits = new Map();\n",
		"exports.hits = new Map();\n",
		"const hits = new Map();\nmodule.exports = { hits };\n",
		"const hits = {};\nexport { hits };\n",
	} {
		if !(frontend{lang: syntax.JavaScript}).Relevant([]byte(src)) {
			t.Errorf("Relevant(%q) = false", src)
		}
	}
}
