package python_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis/engine"
	"github.com/stablestack/stablestack/internal/txtar"
)

// TestPrefilterEquivalentOnGoldens checks every golden project with and
// without the text pre-filter: the findings (and their fix data) must be
// identical, including cross-file ones.
func TestPrefilterEquivalentOnGoldens(t *testing.T) {
	archives, _ := filepath.Glob("../engine/testdata/python/*.txtar")
	if len(archives) == 0 {
		t.Fatal("no golden archives")
	}
	for _, path := range archives {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for _, f := range txtar.Parse(data).Files {
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
		render := func(prefilter bool) string {
			e := engine.New(nil)
			e.SetRoots([]string{dir})
			indexed, err := e.Index(context.Background(), []string{dir}, engine.IndexOptions{NoPrefilter: !prefilter, Keep: func(engine.SourceFile) bool { return true }})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, ix := range indexed {
				if ix.File == nil {
					continue
				}
				for _, fd := range e.Check(ix.File) {
					b.WriteString(ix.Rel + " " + fd.Rule.ID + " " + fd.Message)
					for _, k := range []string{"fix", "framework", "handler", "route", "counter", "limit", "window", "handler_path"} {
						b.WriteString(" " + k + "=" + fd.Fix[k])
					}
					b.WriteString("\n")
				}
			}
			return b.String()
		}
		with, without := render(true), render(false)
		if with != without {
			t.Errorf("%s: findings differ with the pre-filter\n--- with\n%s--- without\n%s", filepath.Base(path), with, without)
		}
	}
}
