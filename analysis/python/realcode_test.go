package python_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/syntax"
)

var updateReal = flag.Bool("update-real", false, "rewrite testdata/dist-packages.findings from the current findings")

// realPackages are the Debian-packaged frameworks the real-codebase check
// runs over (apt-get install python3-django python3-flask python3-fastapi
// python3-starlette python3-aiohttp python3-djangorestframework
// python3-flask-limiter python3-limits).
var realPackages = []string{"django", "flask", "fastapi", "starlette", "aiohttp", "rest_framework", "flask_limiter", "limits"}

// TestRealCodebases runs the engine over the frameworks' own source as
// installed by Debian: it must not crash or leak trees, must give the same
// findings with and without the pre-filter, and every finding must be in the
// reviewed list testdata/dist-packages.findings (each one is explained in
// docs/rules/real-codebases.md). Regenerate the list with -update-real after
// reviewing the difference.
func TestRealCodebases(t *testing.T) {
	root := os.Getenv("STABLESTACK_DIST_PACKAGES")
	if root == "" {
		root = "/usr/lib/python3/dist-packages"
	}
	var dirs []string
	for _, p := range realPackages {
		dirs = append(dirs, filepath.Join(root, p))
		if _, err := os.Stat(filepath.Join(root, p)); err != nil {
			msg := fmt.Sprintf("SKIP: %s missing: apt-get install -y python3-django python3-flask python3-fastapi python3-starlette python3-aiohttp python3-djangorestframework python3-flask-limiter python3-limits", filepath.Join(root, p))
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	if testing.Short() {
		t.Skip("SKIP: real codebases take a few seconds; not run with -short")
	}
	before := syntax.Live()
	with := realFindings(t, root, dirs, true)
	without := realFindings(t, root, dirs, false)
	if syntax.Live() != before {
		t.Errorf("leaked %d trees", syntax.Live()-before)
	}
	if strings.Join(with, "\n") != strings.Join(without, "\n") {
		t.Errorf("findings differ with the pre-filter:\n--- with\n%s\n--- without\n%s", strings.Join(with, "\n"), strings.Join(without, "\n"))
	}
	const list = "testdata/dist-packages.findings"
	if *updateReal {
		if err := os.WriteFile(list, []byte(strings.Join(with, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(list)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(with, "\n") + "\n"; got != string(want) {
		t.Errorf("findings changed: review them, document them in docs/rules/real-codebases.md, then run with -update-real\n--- got\n%s--- reviewed\n%s", got, want)
	}
	t.Logf("%d findings, all reviewed", len(with))
}

// realFindings indexes dirs (module paths relative to root) and renders
// every finding as "path:line: RULE message", sorted.
func realFindings(t *testing.T, root string, dirs []string, prefilter bool) []string {
	t.Helper()
	e := engine.New(nil)
	e.SetRoots([]string{root})
	indexed, err := e.Index(context.Background(), dirs, engine.IndexOptions{
		NoPrefilter: !prefilter,
		Keep:        func(engine.SourceFile) bool { return true },
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ix := range indexed {
		if ix.File == nil || ix.Lang != syntax.Python {
			continue
		}
		fds := e.Check(ix.File)
		if len(fds) == 0 {
			continue
		}
		rel, _ := filepath.Rel(root, ix.Path)
		lines := syntax.NewLineIndex(ix.File.Text)
		for _, fd := range fds {
			out = append(out, fmt.Sprintf("%s:%d: %s %s", filepath.ToSlash(rel), lines.Line(fd.Span.Start)+1, fd.Rule.ID, fd.Message))
		}
	}
	sort.Strings(out)
	return out
}
