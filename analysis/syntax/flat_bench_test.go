package syntax

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkFlatLoad copies every statement of a 5,000-route file, as the
// JS frontend does for a didOpen; BenchmarkNodeWalk is the same visit
// through Node.
func BenchmarkFlatLoad(b *testing.B) {
	src := benchSource(5000)
	tree, err := Parse(JavaScript, []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	defer tree.Close()
	var f Flat
	b.ResetTimer()
	nodes := 0
	for i := 0; i < b.N; i++ {
		nodes = 0
		tree.Root().Children(func(n Node) bool {
			f.Load(JavaScript, n)
			nodes += f.Len()
			return true
		})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nodes), "ns/node")
}

func benchSource(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\napp.get('/items/%d', limiter, (req, res) => {\n  res.json({ item: %d, q: req.query.q });\n});\n", i, i)
	}
	return b.String()
}
