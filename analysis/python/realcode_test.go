package python_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// realCodebaseFindings runs the engine over dir as the CLI does and renders
// every finding as "rel:line: RULE message".
func realCodebaseFindings(t *testing.T, dir string, prefilter bool) ([]string, time.Duration) {
	t.Helper()
	e := engine.New(nil)
	e.SetRoots([]string{dir})
	start := time.Now()
	indexed, err := e.Index(context.Background(), []string{dir}, engine.IndexOptions{
		NoPrefilter: !prefilter,
		Keep:        func(engine.SourceFile) bool { return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ix := range indexed {
		if ix.File == nil {
			continue
		}
		fds := e.Check(ix.File)
		if len(fds) == 0 {
			continue
		}
		lines := syntax.NewLineIndex(ix.File.Text)
		for _, fd := range fds {
			out = append(out, fmt.Sprintf("%s:%d: %s %s", ix.Rel, lines.Line(fd.Span.Start)+1, fd.Rule.ID, fd.Message))
		}
	}
	elapsed := time.Since(start)
	sort.Strings(out)
	return out, elapsed
}

func TestRealCodebases(t *testing.T) {
	dir := os.Getenv("STABLESTACK_REAL_CODEBASE")
	if dir == "" {
		t.Skip("set STABLESTACK_REAL_CODEBASE=/usr/lib/python3/dist-packages")
	}
	got, took := realCodebaseFindings(t, dir, true)
	t.Logf("%d findings in %v", len(got), took)
	fmt.Println(strings.Join(got, "\n"))
	_ = filepath.Join
}
