package codeactions

// Taking a test app through the fixes before it runs.

import (
	"testing"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// fixProject applies fix-all to every file with findings, as an editor with
// file-creation support would, writes the results, and checks that no
// RATE001 finding is left.
func fixProject(t *testing.T, p *project, sources map[string][]byte) {
	t.Helper()
	fixed := 0
	for _, rel := range codeFiles(sources) {
		file, findings := p.check(t, rel)
		if len(findings) == 0 {
			continue
		}
		a, ok := FixAll(Request{File: file, Findings: findings, Config: p.cfg, CanCreateFiles: true,
			ModuleExists: func(lang string) bool { return ModuleFileExists(file.Path, lang) }})
		if !ok {
			t.Fatalf("%s: no fix-all for %d findings", rel, len(findings))
		}
		out, err := Apply(file.Text, a.Edits)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, file.Path, out)
		for _, nf := range a.Create {
			writeFile(t, nf.Path, nf.Content)
		}
		fixed++
		if testing.Verbose() {
			t.Logf("%s after fix-all:\n%s", rel, out)
		}
	}
	if fixed == 0 {
		t.Fatal("the app has no findings to fix")
	}
	p.reindex(t)
	for _, rel := range codeFiles(sources) {
		if _, after := p.check(t, rel); len(after) > 0 {
			t.Fatalf("%s still has findings after fix-all: %s", rel, after[0].Message)
		}
	}
}

// applyEverywhere applies the quick fix titled title, one finding at a
// time as a user would, until no finding offers it, then requires that no
// finding is left.
func applyEverywhere(t *testing.T, p *project, sources map[string][]byte, title string) {
	t.Helper()
	applied := 0
	for round := 0; round < 50; round++ {
		progressed := false
		for _, rel := range codeFiles(sources) {
			file, findings := p.check(t, rel)
			for i, f := range findings {
				req := Request{File: file, Findings: findings, Span: f.Span, Config: p.cfg, CanCreateFiles: true,
					ModuleExists: func(lang string) bool { return ModuleFileExists(file.Path, lang) }}
				for _, a := range Actions(req) {
					if a.Title != title || !containsInt(a.Fixes, i) {
						continue
					}
					out, err := Apply(file.Text, a.Edits)
					if err != nil {
						t.Fatal(err)
					}
					writeFile(t, file.Path, out)
					for _, nf := range a.Create {
						writeFile(t, nf.Path, nf.Content)
					}
					if testing.Verbose() {
						t.Logf("%s after %q:\n%s", rel, title, out)
					}
					applied++
					progressed = true
					break
				}
				if progressed {
					break
				}
			}
			if progressed {
				break
			}
		}
		p.reindex(t)
		if !progressed {
			break
		}
	}
	if applied == 0 {
		t.Fatalf("no finding offers %q", title)
	}
	for _, rel := range codeFiles(sources) {
		if _, after := p.check(t, rel); len(after) > 0 {
			t.Fatalf("%s still has findings after %q: %s", rel, title, after[0].Message)
		}
	}
}

// codeFiles lists the sources the analyzer reads (not package.json & co).
func codeFiles(sources map[string][]byte) []string {
	var out []string
	for _, rel := range sortedKeys(sources) {
		if _, ok := syntax.ForPath(rel); ok {
			out = append(out, rel)
		}
	}
	return out
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}
