package python_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// routesFile is the issue-2 benchmark file: n FastAPI routes, nine in ten
// protected by a limit decorator.
func routesFile(n int) string {
	var b strings.Builder
	b.WriteString("from fastapi import FastAPI\nfrom stablestack_rate_limiter import rate_limit\n\napp = FastAPI()\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "@app.post(\"/items/%d\")\n", i)
		if i%10 != 0 {
			b.WriteString("@rate_limit(requests=100, window=60)\n")
		}
		fmt.Fprintf(&b, "async def handler_%d(item_id: int):\n    return {\"id\": item_id}\n\n", i)
	}
	return b.String()
}

// BenchmarkEditCheck measures what the server does after an edit with the
// Python rules: summarize the file reusing the previous facts, then check it
// (the whole-file reparse is the server's and not measured here).
func BenchmarkEditCheck(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			texts := []string{routesFile(n)}
			texts = append(texts, strings.Replace(texts[0], "@rate_limit(requests=100, window=60)\nasync def handler_1(", "async def handler_1(", 1))
			trees := make([]*syntax.Tree, 2)
			for i, t := range texts {
				tr, err := syntax.Parse(syntax.Python, []byte(t))
				if err != nil {
					b.Fatal(err)
				}
				defer tr.Close()
				trees[i] = tr
			}
			e := engine.New(nil)
			path := "/bench/app.py"
			prev, _ := engine.Summarize(path, syntax.Python, []byte(texts[1]), trees[1], nil, true)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % 2
				facts, err := engine.Summarize(path, syntax.Python, []byte(texts[k]), trees[k], prev, true)
				if err != nil {
					b.Fatal(err)
				}
				prev = facts
				f := &analysis.File{Path: path, Lang: syntax.Python, Facts: facts, Text: []byte(texts[k])}
				e.Put(f)
				if got := len(e.Check(f)); got != n/10+k {
					b.Fatalf("%d findings, want %d", got, n/10+k)
				}
			}
		})
	}
}

// BenchmarkOpen measures summarizing and checking a freshly opened file (the
// parse is the server's and not measured here).
func BenchmarkOpen(b *testing.B) {
	text := []byte(routesFile(1000))
	tree, err := syntax.Parse(syntax.Python, text)
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Close()
	for i := 0; i < b.N; i++ {
		e := engine.New(nil)
		facts, _ := engine.Summarize("/bench/app.py", syntax.Python, text, tree, nil, true)
		f := &analysis.File{Path: "/bench/app.py", Lang: syntax.Python, Facts: facts, Text: text}
		e.Put(f)
		if len(e.Check(f)) != 100 {
			b.Fatal("wrong findings")
		}
	}
}

// BenchmarkCheckOnly measures the rules alone after an edit (facts ready):
// the workspace index rebuild plus both checks.
func BenchmarkCheckOnly(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			texts := []string{routesFile(n)}
			texts = append(texts, strings.Replace(texts[0], "@rate_limit(requests=100, window=60)\nasync def handler_1(", "async def handler_1(", 1))
			var facts [2]analysis.Facts
			for i, t := range texts {
				tr, err := syntax.Parse(syntax.Python, []byte(t))
				if err != nil {
					b.Fatal(err)
				}
				facts[i], _ = engine.Summarize("/bench/app.py", syntax.Python, []byte(t), tr, nil, true)
				tr.Close()
			}
			e := engine.New(nil)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := i % 2
				f := &analysis.File{Path: "/bench/app.py", Lang: syntax.Python, Facts: facts[k], Text: []byte(texts[k])}
				e.Put(f)
				if got := len(e.Check(f)); got != n/10+k {
					b.Fatalf("%d findings, want %d", got, n/10+k)
				}
			}
		})
	}
}

// BenchmarkUpdateCheck is the server's fast path after an edit that adds or
// removes one @rate_limit line: Update (re-parse of the edited statement
// only) plus both checks. The issue-2 edit-to-diagnostics targets (p50 2 ms
// at 1,000 routes, 3 ms at 5,000) include this cost.
func BenchmarkUpdateCheck(b *testing.B) {
	const deco = "@rate_limit(requests=100, window=60)\n"
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			texts := []string{routesFile(n)}
			texts = append(texts, strings.Replace(texts[0], deco+"async def handler_1(", "async def handler_1(", 1))
			tr, err := syntax.Parse(syntax.Python, []byte(texts[0]))
			if err != nil {
				b.Fatal(err)
			}
			facts, _ := engine.Summarize("/bench/app.py", syntax.Python, []byte(texts[0]), tr, nil, true)
			tr.Close()
			fe := analysis.FrontendFor(syntax.Python).(analysis.IncrementalFrontend)
			off := strings.Index(texts[0], deco+"async def handler_1(")
			edits := [2]analysis.Edit{
				{Start: off, OldEnd: off, NewEnd: off + len(deco)}, // back to texts[0]
				{Start: off, OldEnd: off + len(deco), NewEnd: off}, // to texts[1]
			}
			e := engine.New(nil)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := 1 - i%2
				next, ok := fe.Update("/bench/app.py", facts, []byte(texts[k]), []analysis.Edit{edits[k]})
				if !ok {
					b.Fatal("Update fell back to a full parse")
				}
				facts = next
				f := &analysis.File{Path: "/bench/app.py", Lang: syntax.Python, Facts: facts, Text: []byte(texts[k])}
				e.Put(f)
				if got := len(e.Check(f)); got != n/10+k {
					b.Fatalf("%d findings, want %d", got, n/10+k)
				}
			}
		})
	}
}

// BenchmarkDidOpen compares what a freshly opened file costs before its
// first diagnostics: a whole-file parse plus Summarize, against Open
// (pieces parsed on every core), each followed by the checks.
func BenchmarkDidOpen(b *testing.B) {
	fe := analysis.FrontendFor(syntax.Python).(analysis.OpeningFrontend)
	for _, n := range []int{1000, 5000} {
		text := []byte(routesFile(n))
		check := func(b *testing.B, facts analysis.Facts) {
			e := engine.New(nil)
			f := &analysis.File{Path: "/bench/app.py", Lang: syntax.Python, Facts: facts, Text: text}
			e.Put(f)
			if len(e.Check(f)) != n/10 {
				b.Fatal("wrong findings")
			}
		}
		b.Run(fmt.Sprintf("parse+summarize/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				tree, err := syntax.Parse(syntax.Python, text)
				if err != nil {
					b.Fatal(err)
				}
				facts, _ := engine.Summarize("/bench/app.py", syntax.Python, text, tree, nil, true)
				tree.Close()
				check(b, facts)
			}
		})
		b.Run(fmt.Sprintf("open/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				facts, ok := fe.Open("/bench/app.py", nil, text, 0)
				if !ok {
					b.Fatal("Open did not answer")
				}
				check(b, facts)
			}
		})
	}
}
