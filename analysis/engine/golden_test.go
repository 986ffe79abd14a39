package engine

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
	"github.com/stablestack/stablestack/internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want sections of golden files from the current findings")

// Golden files live in testdata/<language>/*.txtar: the source files of a
// small project, then a "want" file with the findings a perfect analyzer
// reports, one per line:
//
//	app.py:5:1: RATE001 POST /login has no rate limiting
//	    related app.py:9:5: checked here
//
// A line starting with "MISS " is a real problem the analyzer does not find
// yet, and "FP " a finding it reports that is wrong; both are documented
// limitations. The test requires the output to be exactly the plain and FP
// lines, and reports recall and false positives over the whole corpus.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files found")
	}
	var found, missed, falsePos int
	for _, path := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(path, "testdata/"), ".txtar")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ar := txtar.Parse(data)
			got := runGolden(t, ar)
			var want, misses []string
			fp := 0
			for _, l := range strings.Split(strings.TrimRight(string(ar.Get("want")), "\n"), "\n") {
				switch {
				case l == "":
				case strings.HasPrefix(l, "MISS "):
					misses = append(misses, l)
				case strings.HasPrefix(l, "FP "):
					fp++
					want = append(want, strings.TrimPrefix(l, "FP "))
				default:
					want = append(want, l)
				}
			}
			if *update {
				var lines []string
				lines = append(lines, misses...)
				lines = append(lines, got...)
				writeWant(t, path, ar, lines)
				return
			}
			if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
				t.Errorf("findings differ\n--- got\n%s\n--- want\n%s", g, w)
			}
			for _, m := range misses {
				if strings.Contains(strings.Join(got, "\n"), strings.TrimPrefix(m, "MISS ")) {
					t.Errorf("%s is found now: turn the MISS line into a plain line", m)
				}
			}
			found += countFindings(want) - fp
			missed += countFindings(misses)
			falsePos += fp
		})
	}
	if total := found + missed; total > 0 && !*update {
		t.Logf("golden corpus: %d findings expected, %d found (recall %.1f%%), %d known misses, %d known false positives",
			total, found, 100*float64(found)/float64(total), missed, falsePos)
	}
}

func countFindings(lines []string) int {
	n := 0
	for _, l := range lines {
		if !strings.HasPrefix(strings.TrimPrefix(strings.TrimPrefix(l, "MISS "), "FP "), " ") {
			n++
		}
	}
	return n
}

// runGolden writes the archive's sources to a temporary project, indexes it
// as the CLI and the server do, and renders every finding.
func runGolden(t *testing.T, ar *txtar.Archive) []string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range ar.Files {
		if f.Name == "want" {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := syntax.Live()
	e := New(nil)
	e.SetRoots([]string{dir})
	indexed, err := e.Index(context.Background(), []string{dir}, IndexOptions{Keep: func(SourceFile) bool { return true }})
	if err != nil {
		t.Fatal(err)
	}
	if syntax.Live() != before {
		t.Errorf("indexing leaked %d trees", syntax.Live()-before)
	}
	sort.Slice(indexed, func(i, j int) bool { return indexed[i].Rel < indexed[j].Rel })
	var out []string
	for _, ix := range indexed {
		if ix.File == nil {
			continue
		}
		lines := syntax.NewLineIndex(ix.File.Text)
		pos := func(path string, s analysis.Span) string {
			li := lines
			if path != "" && path != ix.Path {
				other, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				li = syntax.NewLineIndex(other)
			} else {
				path = ix.Path
			}
			rel, _ := filepath.Rel(dir, path)
			l, c := li.Position(s.Start, syntax.UTF32)
			return fmt.Sprintf("%s:%d:%d", filepath.ToSlash(rel), l+1, c+1)
		}
		for _, fd := range e.Check(ix.File) {
			sev := ""
			if fd.Severity != fd.Rule.Severity {
				sev = " [" + fd.Severity.String() + "]"
			}
			out = append(out, fmt.Sprintf("%s: %s%s %s", pos("", fd.Span), fd.Rule.ID, sev, fd.Message))
			for _, r := range fd.Related {
				out = append(out, fmt.Sprintf("    related %s: %s", pos(r.Path, r.Span), r.Message))
			}
		}
	}
	return out
}

func writeWant(t *testing.T, path string, ar *txtar.Archive, lines []string) {
	t.Helper()
	data := []byte(strings.Join(lines, "\n"))
	if len(lines) > 0 {
		data = append(data, '\n')
	}
	replaced := false
	for i := range ar.Files {
		if ar.Files[i].Name == "want" {
			ar.Files[i].Data, replaced = data, true
		}
	}
	if !replaced {
		ar.Files = append(ar.Files, txtar.File{Name: "want", Data: data})
	}
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}
