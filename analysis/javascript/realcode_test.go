package javascript_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/analysis/javascript"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// realPackages are large, well-known JS/TS trees from the npm registry.
// They are libraries, not apps: the analysis must not crash on them and
// must not report anything (every finding ever seen here was reviewed;
// see docs/real-codebases-js.md).
var realPackages = []string{"express", "typescript", "ts5", "fastify", "koa", "hono", "@koa/router"}

// npmSpecs installs them; ts5 is TypeScript 5, whose lib/ holds the large
// JavaScript compiler (typescript@7 ships a native binary instead).
var npmSpecs = []string{"express", "typescript", "ts5@npm:typescript@5", "fastify", "koa", "hono", "@koa/router"}

// reviewedDirs are where findings are expected: the example and
// integration-test servers shipped in the fastify package are real apps
// without rate limiting (reviewed in docs/real-codebases-js.md).
var reviewedDirs = []string{"examples/", "integration/"}

// TestRealCodebases runs the engine over the installed packages, with and
// without the pre-filter. Set STABLESTACK_JS_CODEBASES to a node_modules
// directory holding them (scripts/real-codebases-js.sh does); in CI they
// are installed with npm into a temporary directory.
func TestRealCodebases(t *testing.T) {
	if testing.Short() {
		t.Skip("real codebases: skipped in -short mode")
	}
	nm := os.Getenv("STABLESTACK_JS_CODEBASES")
	if nm == "" {
		if os.Getenv("CI") != "true" {
			t.Skip("SKIPPED LOUDLY: real JS/TS codebases not checked; run scripts/real-codebases-js.sh or set STABLESTACK_JS_CODEBASES to a node_modules directory with " + strings.Join(realPackages, ", "))
		}
		nm = installPackages(t)
	}
	for _, pkg := range realPackages {
		dir := filepath.Join(nm, filepath.FromSlash(pkg))
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("%s is not installed in %s", pkg, nm)
		}
		t.Run(pkg, func(t *testing.T) {
			before := syntax.Live()
			with := realFindings(t, dir, false)
			without := realFindings(t, dir, true)
			if syntax.Live() != before {
				t.Errorf("leaked %d trees", syntax.Live()-before)
			}
			checkOpenOnTree(t, dir)
			if strings.Join(with, "\n") != strings.Join(without, "\n") {
				t.Errorf("the pre-filter changes findings\n--- with\n%s\n--- without\n%s", strings.Join(with, "\n"), strings.Join(without, "\n"))
			}
		findings:
			for _, f := range with {
				for _, d := range reviewedDirs {
					if strings.HasPrefix(f, d) {
						t.Logf("reviewed: %s", f)
						continue findings
					}
				}
				t.Errorf("unexpected finding in a library: %s", f)
			}
		})
	}
}

func realFindings(t *testing.T, dir string, noPrefilter bool) []string {
	t.Helper()
	// Packages ship their code in dist/ or build/, which the walker skips
	// by name in projects; here those directories are roots of their own.
	roots := []string{dir}
	for _, sub := range []string{"dist", "build", "out"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err == nil && st.IsDir() {
			roots = append(roots, filepath.Join(dir, sub))
		}
	}
	e := engine.New(nil)
	e.SetRoots(roots)
	var problems []string
	indexed, err := e.Index(context.Background(), roots, engine.IndexOptions{
		NoPrefilter: noPrefilter,
		Keep:        func(engine.SourceFile) bool { return true },
		OnProblem: func(p engine.Problem) {
			if !errors.Is(p.Err, syntax.ErrTooLarge) {
				problems = append(problems, p.Error())
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("problem: %s", p)
	}
	var out []string
	parsed := 0
	for _, ix := range indexed {
		if ix.File == nil {
			continue
		}
		if ix.File.Facts != nil {
			parsed++
		}
		for _, fd := range e.Check(ix.File) {
			out = append(out, ix.Rel+": "+fd.Rule.ID+" "+fd.Message)
		}
	}
	sort.Strings(out)
	t.Logf("%s (prefilter=%v): %d files, %d parsed, %d findings", filepath.Base(dir), !noPrefilter, len(indexed), parsed, len(out))
	return out
}

// installPackages installs realPackages with npm into a temporary directory.
func installPackages(t *testing.T) string {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatal("CI=true but npm is not installed: the real-codebase check cannot run")
	}
	dir := t.TempDir()
	args := append([]string{"install", "--no-audit", "--no-fund", "--prefix", dir}, npmSpecs...)
	cmd := exec.Command(npm, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install: %v\n%s", err, out)
	}
	return filepath.Join(dir, "node_modules")
}

// checkOpenOnTree opens every JS/TS file of dir the parallel way
// (analysis.OpeningFrontend) and compares the facts with a whole-file
// Summarize, on big real files (typescript's 6 MB lib/_tsc.js among them).
func checkOpenOnTree(t *testing.T, dir string) {
	t.Helper()
	defer javascript.SetOpenPieceBytes(2 << 10)()
	opened, files := 0, 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		lang, ok := syntax.ForPath(p)
		if !ok || !lang.IsJS() {
			return nil
		}
		text, err := os.ReadFile(p)
		if err != nil || len(text) > syntax.MaxParseBytes {
			return nil
		}
		files++
		got, ok := analysis.FrontendFor(lang).(analysis.OpeningFrontend).Open(p, nil, text, 0)
		if !ok {
			return nil
		}
		opened++
		want, err := engine.Summarize(p, lang, text, nil, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Open differs from Summarize", p)
		}
		return nil
	})
	t.Logf("Open took %d of %d files", opened, files)
}
