package python

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkRelevant measures the pre-filter over the Debian dist-packages
// tree (the issue-7 CLI corpus): it must stay far cheaper than parsing.
func BenchmarkRelevant(b *testing.B) {
	const corpus = "/usr/lib/python3/dist-packages"
	if _, err := os.Stat(corpus); err != nil {
		b.Skipf("SKIP: %s not found (apt-get install python3-django python3-flask ...)", corpus)
	}
	var files [][]byte
	total := 0
	filepath.Walk(corpus, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(p, ".py") {
			d, _ := os.ReadFile(p)
			files = append(files, d)
			total += len(d)
		}
		return nil
	})
	b.SetBytes(int64(total))
	b.ResetTimer()
	kept := 0
	for i := 0; i < b.N; i++ {
		kept = 0
		for _, f := range files {
			if Relevant(f) {
				kept += len(f)
			}
		}
	}
	b.ReportMetric(float64(kept)/float64(total)*100, "%kept")
}
