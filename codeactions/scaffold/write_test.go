package scaffold

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/internal/txtar"
)

// TestWriteGolden runs Write on the projects in testdata/write/*.txtar.
// Archive comment: "lang: python|node" and optionally "force: true".
// Files "in/<path>" make up the project before, "out/<path>" after, and
// "result" summarises the Result. Module contents are abbreviated with tokens:
// <rendered> (the current rendering), <rendered-old> (an untouched copy of an
// older rendering) and <rendered-edited> (a copy the user changed).
// Run with -update to rewrite out/ and result from the current code.
func TestWriteGolden(t *testing.T) {
	paths, _ := filepath.Glob("testdata/write/*.txtar")
	if len(paths) == 0 {
		t.Fatal("no golden files")
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ar := txtar.Parse(data)
			opts := parseOptions(string(ar.Comment))
			rendered, err := Render(opts["lang"])
			if err != nil {
				t.Skipf("SKIPPING: %v", err) // node templates are another helper's and may be absent
			}
			dir := t.TempDir()
			for _, f := range ar.Files {
				name, ok := strings.CutPrefix(f.Name, "in/")
				if !ok {
					continue
				}
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, expandToken(f.Data, rendered[name]), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Write(dir, opts["lang"], opts["force"] == "true")
			if err != nil {
				t.Fatal(err)
			}
			got := &txtar.Archive{Comment: ar.Comment}
			for _, f := range ar.Files {
				if strings.HasPrefix(f.Name, "in/") {
					got.Files = append(got.Files, f)
				}
			}
			got.Files = append(got.Files, outFiles(t, dir, rendered)...)
			got.Files = append(got.Files, txtar.File{Name: "result", Data: []byte(formatResult(res))})
			want := txtar.Format(got)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !bytes.Equal(want, txtar.Format(ar)) {
				t.Errorf("mismatch (run with -update to accept)\n--- got:\n%s\n--- want:\n%s", want, txtar.Format(ar))
			}
		})
	}
}

func parseOptions(comment string) map[string]string {
	opts := map[string]string{}
	for _, line := range strings.Split(comment, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			opts[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return opts
}

// expandToken turns a token line into module content.
func expandToken(data, rendered []byte) []byte {
	switch strings.TrimSpace(string(data)) {
	case "<rendered>":
		return rendered
	case "<rendered-old>":
		nl := bytes.IndexByte(rendered, '\n')
		body := append(append([]byte{}, rendered[nl+1:]...), "# an older template\n"...)
		return append([]byte(headerLine(string(rendered[:bytes.IndexByte(rendered, ' ')]), body)), body...)
	case "<rendered-edited>":
		return append(append([]byte{}, rendered...), "# edited by the user\n"...)
	}
	return data
}

// outFiles lists the project after Write, abbreviating module contents.
func outFiles(t *testing.T, dir string, rendered map[string][]byte) []txtar.File {
	var files []txtar.File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if r, ok := rendered[rel]; ok {
			switch {
			case bytes.Equal(data, r):
				data = []byte("<rendered>\n")
			case bytes.Equal(data, expandToken([]byte("<rendered-edited>"), r)):
				data = []byte("<rendered-edited>\n")
			default:
				data = []byte("<other content>\n")
			}
		}
		files = append(files, txtar.File{Name: "out/" + filepath.ToSlash(rel), Data: data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files
}

func formatResult(r Result) string {
	var b strings.Builder
	line := func(k string, v []string) {
		if len(v) > 0 {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(v, ", "))
		}
	}
	line("created", r.Created)
	line("updated", r.Updated)
	line("unchanged", r.Unchanged)
	line("kept", r.Kept)
	fmt.Fprintf(&b, "dependency: %s\n", r.Dependency)
	line("dependency added to", r.DependencyAdded)
	if r.DependencyNote != "" {
		fmt.Fprintf(&b, "note: %s\n", r.DependencyNote)
	}
	return b.String()
}
