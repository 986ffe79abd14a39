package javascript_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// lspWorkload is the file bench/lsp opens for -lang javascript: n Express
// routes with block-bodied handlers, nine in ten behind a limiter.
func lspWorkload(n int) []byte {
	var b bytes.Buffer
	b.WriteString("const express = require('express');\nconst { rateLimit } = require('./stablestack-rate-limiter');\n\nconst app = express();\nconst limiter = rateLimit({ requests: 100, window: 60 });\n")
	for i := 0; i < n; i++ {
		mw := "limiter, "
		if i%10 == 0 {
			mw = ""
		}
		fmt.Fprintf(&b, "\napp.get('/items/%d', %s(req, res) => {\n  res.json({ item: %d, q: req.query.q });\n});\n", i, mw, i)
	}
	b.WriteString("\napp.listen(3000);\n")
	return b.Bytes()
}

// BenchmarkOpen is what a didOpen costs the analysis: parse, summarize from
// scratch and check (all), or the same through the parallel Open (open).
// BenchmarkOpen/parse is the bare parse they are compared to.
func BenchmarkOpen(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		text := lspWorkload(n)
		b.Run(fmt.Sprintf("parse/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				t, err := syntax.Parse(syntax.JavaScript, text)
				if err != nil {
					b.Fatal(err)
				}
				t.Close()
			}
		})
		b.Run(fmt.Sprintf("summarize/%d", n), func(b *testing.B) {
			t, err := syntax.Parse(syntax.JavaScript, text)
			if err != nil {
				b.Fatal(err)
			}
			defer t.Close()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := engine.Summarize("/bench/server.js", syntax.JavaScript, text, t, nil, true); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("open/%d", n), func(b *testing.B) {
			of := analysis.FrontendFor(syntax.JavaScript).(analysis.OpeningFrontend)
			for i := 0; i < b.N; i++ {
				facts, ok := of.Open("/bench/server.js", nil, text, 0)
				if !ok {
					b.Fatal("Open declined the file")
				}
				e := engine.New(nil)
				f := &analysis.File{Path: "/bench/server.js", Lang: syntax.JavaScript, Facts: facts, Text: text}
				e.Put(f)
				if got := len(e.Check(f)); got != n/10 {
					b.Fatalf("%d findings, want %d", got, n/10)
				}
			}
		})
		b.Run(fmt.Sprintf("all/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				facts, err := engine.Summarize("/bench/server.js", syntax.JavaScript, text, nil, nil, true)
				if err != nil {
					b.Fatal(err)
				}
				e := engine.New(nil)
				f := &analysis.File{Path: "/bench/server.js", Lang: syntax.JavaScript, Facts: facts, Text: text}
				e.Put(f)
				if got := len(e.Check(f)); got != n/10 {
					b.Fatalf("%d findings, want %d", got, n/10)
				}
			}
		})
	}
}

// BenchmarkSummarizeFile summarizes one real file, named by
// STABLESTACK_BENCH_JS_FILE (e.g. typescript@5's lib/_tsc.js, 6 MB): the
// cost of a large bundle in `stablestack check` (summarize from a tree,
// then check), and the parallel Open (parse included) next to it.
func BenchmarkSummarizeFile(b *testing.B) {
	path := os.Getenv("STABLESTACK_BENCH_JS_FILE")
	if path == "" {
		b.Skip("set STABLESTACK_BENCH_JS_FILE to a large .js file")
	}
	text, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	t, err := syntax.Parse(syntax.JavaScript, text)
	if err != nil {
		b.Fatal(err)
	}
	defer t.Close()
	b.Run("summarize", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for i := 0; i < b.N; i++ {
			if _, err := engine.Summarize(path, syntax.JavaScript, text, t, nil, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("open", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		of := analysis.FrontendFor(syntax.JavaScript).(analysis.OpeningFrontend)
		for i := 0; i < b.N; i++ {
			if _, ok := of.Open(path, nil, text, 0); !ok {
				b.Skip("Open declined the file")
			}
		}
	})
	b.Run("check", func(b *testing.B) {
		facts, err := engine.Summarize(path, syntax.JavaScript, text, t, nil, false)
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			e := engine.New(nil)
			f := &analysis.File{Path: path, Lang: syntax.JavaScript, Facts: facts, Text: text}
			e.Put(f)
			e.Check(f)
		}
	})
}
