package javascript_test

import (
	"bytes"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// cpuTime is the process's user+system CPU time: on a shared machine it
// says more than wall time (reported as cpu-ns/op next to ns/op).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// expressRoutes is the JS variant of the issue-2 benchmark file: n Express
// routes, nine in ten protected by a limiter middleware argument.
func expressRoutes(n int) []byte {
	var b bytes.Buffer
	b.WriteString("const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\nconst app = express();\n")
	for i := 0; i < n; i++ {
		mw := ""
		if i%10 != 0 {
			mw = "rateLimit({ requests: 100, window: 60 }), "
		}
		fmt.Fprintf(&b, "app.post('/items/%d', %s(req, res) => res.json({ id: %d }));\n", i, mw, i)
	}
	return b.Bytes()
}

// limiterArg is the argument the benchmark toggles on route 1.
const limiterArg = "rateLimit({ requests: 100, window: 60 }), "

// BenchmarkEditCheck measures what the server does after an edit with the
// JS rules, as the Python benchmark does: bring the facts up to date
// (reusing every unchanged statement) and check the file. The whole-file
// reparse is the server's and not measured here; BenchmarkUpdate measures
// the fast path that does without it.
func BenchmarkEditCheck(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			texts := [][]byte{expressRoutes(n)}
			texts = append(texts, bytes.Replace(texts[0], []byte("app.post('/items/1', "+limiterArg), []byte("app.post('/items/1', "), 1))
			trees := make([]*syntax.Tree, 2)
			for i, t := range texts {
				tr, err := syntax.Parse(syntax.JavaScript, t)
				if err != nil {
					b.Fatal(err)
				}
				defer tr.Close()
				trees[i] = tr
			}
			e := engine.New(nil)
			path := "/bench/app.js"
			prev, _ := engine.Summarize(path, syntax.JavaScript, texts[1], trees[1], nil, true)
			b.ResetTimer()
			cpu0 := cpuTime()
			defer func() { b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op") }()
			for i := 0; i < b.N; i++ {
				k := i % 2
				facts, err := engine.Summarize(path, syntax.JavaScript, texts[k], trees[k], prev, true)
				if err != nil {
					b.Fatal(err)
				}
				prev = facts
				f := &analysis.File{Path: path, Lang: syntax.JavaScript, Facts: facts, Text: texts[k]}
				e.Put(f)
				if got := len(e.Check(f)); got != n/10+k {
					b.Fatalf("%d findings, want %d", got, n/10+k)
				}
			}
		})
	}
}

// BenchmarkUpdateCheck is the server's fast path for the same edit: the
// facts are updated from the previous ones and the edit alone (only the
// touched statement is parsed), then the file is checked.
func BenchmarkUpdateCheck(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			texts := [][]byte{expressRoutes(n)}
			old := []byte("app.post('/items/1', " + limiterArg)
			at := bytes.Index(texts[0], old) + len("app.post('/items/1', ")
			texts = append(texts, bytes.Replace(texts[0], old, []byte("app.post('/items/1', "), 1))
			// edits[k] turns texts[1-k] into texts[k].
			edits := [][]analysis.Edit{
				{{Start: at, OldEnd: at, NewEnd: at + len(limiterArg)}},
				{{Start: at, OldEnd: at + len(limiterArg), NewEnd: at}},
			}
			fe := analysis.FrontendFor(syntax.JavaScript).(analysis.IncrementalFrontend)
			tree, err := syntax.Parse(syntax.JavaScript, texts[1])
			if err != nil {
				b.Fatal(err)
			}
			path := "/bench/app.js"
			prev, _ := engine.Summarize(path, syntax.JavaScript, texts[1], tree, nil, true)
			tree.Close()
			toggleEdits(b, fe, path, prev, texts, edits, n/10)
		})
	}
}

// BenchmarkLSPEdit is the edit bench/lsp times for -lang javascript, on the
// same file (lspWorkload): the limiter argument of route 1 removed and put
// back, through the server's fast path (Update, Put, Check). Its profile is
// the analysis share of the server's edit-to-diagnostics time.
func BenchmarkLSPEdit(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			const guard = "limiter, "
			texts := [][]byte{lspWorkload(n)}
			at := bytes.Index(texts[0], []byte("'/items/1', ")) + len("'/items/1', ")
			texts = append(texts, append(append([]byte(nil), texts[0][:at]...), texts[0][at+len(guard):]...))
			// edits[k] turns texts[1-k] into texts[k].
			edits := [][]analysis.Edit{
				{{Start: at, OldEnd: at, NewEnd: at + len(guard)}},
				{{Start: at, OldEnd: at + len(guard), NewEnd: at}},
			}
			fe := analysis.FrontendFor(syntax.JavaScript).(analysis.IncrementalFrontend)
			path := "/bench/server.js"
			prev, _ := engine.Summarize(path, syntax.JavaScript, texts[1], nil, nil, true)
			b.ReportAllocs()
			toggleEdits(b, fe, path, prev, texts, edits, n/10)
		})
	}
}

// toggleEdits times b.N edits that alternate texts[1] -> texts[0] -> texts[1]
// (edits[k] makes texts[k]) through Update, Put and Check, as the server's
// fast path does; texts[k] must have unprotected+k findings.
func toggleEdits(b *testing.B, fe analysis.IncrementalFrontend, path string, prev analysis.Facts, texts [][]byte, edits [][]analysis.Edit, unprotected int) {
	e := engine.New(nil)
	b.ResetTimer()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op") }()
	for i := 0; i < b.N; i++ {
		k := i % 2
		facts, ok := fe.Update(path, prev, texts[k], edits[k])
		if !ok {
			b.Fatal("Update declined the edit")
		}
		prev = facts
		f := &analysis.File{Path: path, Lang: syntax.JavaScript, Facts: facts, Text: texts[k]}
		e.Put(f)
		if got := len(e.Check(f)); got != unprotected+k {
			b.Fatalf("%d findings, want %d", got, unprotected+k)
		}
	}
}
