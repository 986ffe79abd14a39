package javascript

import (
	"path/filepath"
	"strings"
)

// isTestFile recognizes test code (*.test.js, *.spec.ts, test/, tests/,
// __tests__/, e2e/): it registers routes on throwaway apps and keeps
// counters on purpose, and it is never deployed, so neither rule reports
// in it. Its facts are still indexed (a test helper may export a router).
func isTestFile(path string) bool {
	p := filepath.ToSlash(path)
	base := p[strings.LastIndexByte(p, '/')+1:]
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	if strings.HasSuffix(stem, ".test") || strings.HasSuffix(stem, ".spec") || strings.HasSuffix(stem, "_test") ||
		strings.HasSuffix(stem, ".e2e-spec") || strings.HasSuffix(stem, ".e2e") {
		return true
	}
	for _, dir := range []string{"/test/", "/tests/", "/__tests__/", "/__mocks__/", "/e2e/", "/cypress/", "/playwright/"} {
		if strings.Contains(p, dir) {
			return true
		}
	}
	return false
}
