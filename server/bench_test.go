package server

import (
	"fmt"
	"strings"
	"testing"
)

// routesPy is the benchmark workload of bench/lsp: n FastAPI routes, nine in
// ten protected by a limit decorator.
func routesPy(n int) string {
	var b strings.Builder
	b.WriteString("from fastapi import FastAPI\nfrom stablestack_rate_limiter import rate_limit\n\napp = FastAPI()\n\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\n@app.get(\"/items/%d\")\n", i)
		if i%10 != 0 {
			b.WriteString("@rate_limit(requests=100, window=60)\n")
		}
		fmt.Fprintf(&b, "async def item_%d(q: str = None):\n    return {\"item\": %d, \"q\": q}\n", i, i)
	}
	return b.String()
}

// BenchmarkEditToDiagnostics measures didChange -> publishDiagnostics in
// process (the stdio benchmark is bench/lsp): the decorator of route 1 is
// removed and added back in turn.
func BenchmarkEditToDiagnostics(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			e := newEditor(b)
			e.initialize(defaultCaps(), nil)
			uri := "file:///bench/app.py"
			text := routesPy(n)
			e.open(uri, "python", text)
			e.diagnosticsAt(uri, 1)
			guard := "@rate_limit(requests=100, window=60)\n"
			line := strings.Count(text[:strings.Index(text, guard+"async def item_1(")], "\n")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				var v int32
				if i%2 == 0 {
					v = e.change(uri, edit{l1: line, c1: 0, l2: line + 1, c2: 0, text: ""})
				} else {
					v = e.change(uri, edit{l1: line, c1: 0, l2: line, c2: 0, text: guard})
				}
				e.diagnosticsAt(uri, v)
			}
			b.StopTimer()
			b.ReportMetric(float64(e.srv.stats.fastPath.Load())/float64(b.N), "fast/op")
			e.shutdown()
		})
	}
}
