package check

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the want/ sections of golden files from the current output")

// Golden files (testdata/golden/*.txtar) hold one run each:
//
//	-- args --          flags and paths, whitespace-separated
//	-- cwd --           working directory, relative to the project (default: its root)
//	-- app.py --        files of the project (any name not under want/)
//	-- want/stdout --   expected stdout ($ROOT is the project directory)
//	-- want/stderr --   expected stderr
//	-- want/exit --     expected exit code
//	-- want/files/app.py --  expected content of a file after the run (--fix)
//	-- want/tree --     every file in the project after the run (--fix)
//
// Run with -update to regenerate the want/ sections.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.txtar")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ar := txtar.Parse(data)
			dir := writeProject(t, ar)
			opts := parseTestArgs(t, strings.Fields(string(ar.Get("args"))))
			opts.Dir = dir
			if cwd := strings.TrimSpace(string(ar.Get("cwd"))); cwd != "" {
				opts.Dir = filepath.Join(dir, filepath.FromSlash(cwd))
			}
			opts.Version = "test"
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), opts, &stdout, &stderr)

			got := map[string]string{
				"want/stdout": elideNewFiles(normalize(stdout.String(), dir)),
				"want/stderr": normalize(stderr.String(), dir),
				"want/exit":   strconv.Itoa(code) + "\n",
			}
			if hasFile(ar, "want/tree") {
				got["want/tree"] = listTree(t, dir)
			}
			for _, f := range ar.Files {
				if name, ok := strings.CutPrefix(f.Name, "want/files/"); ok {
					b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
					if err != nil {
						t.Fatal(err)
					}
					got[f.Name] = string(b)
				}
			}
			if *update {
				updateArchive(t, path, ar, got)
				return
			}
			names := make([]string, 0, len(got))
			for n := range got {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				if want := string(ar.Get(n)); got[n] != want {
					t.Errorf("%s differs\n--- got\n%s\n--- want\n%s", n, got[n], want)
				}
			}
		})
	}
}

// writeProject writes the archive's project files into a fresh directory.
func writeProject(t *testing.T, ar *txtar.Archive) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		if f.Name == "args" || f.Name == "cwd" || strings.HasPrefix(f.Name, "want/") {
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
	return dir
}

var tookRE = regexp.MustCompile(` in [0-9]+\.[0-9]+s`)

// normalize makes output independent of the temporary directory and timing.
func normalize(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "$ROOT")
	return tookRE.ReplaceAllString(s, " in X.XXs")
}

func hasFile(ar *txtar.Archive, name string) bool {
	for _, f := range ar.Files {
		if f.Name == name {
			return true
		}
	}
	return false
}

// elideNewFiles shortens the diff of a created file to its headers: the
// body is the scaffold's template, tested by its own package, and would
// make every template change churn these golden files.
func elideNewFiles(s string) string {
	var out []string
	inNew := false
	for _, l := range strings.SplitAfter(s, "\n") {
		switch {
		case strings.HasPrefix(l, "--- /dev/null"):
			inNew = true
		case strings.HasPrefix(l, "--- "):
			inNew = false
		}
		if inNew && strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++ ") {
			if !strings.HasPrefix(out[len(out)-1], "[") {
				out = append(out, "[template]\n")
			}
			continue
		}
		if inNew && strings.HasPrefix(l, "@@ ") {
			l = "@@ -0,0 +1,N @@\n"
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}

func listTree(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(names)
	return strings.Join(names, "\n") + "\n"
}

func updateArchive(t *testing.T, path string, ar *txtar.Archive, got map[string]string) {
	t.Helper()
	for i, f := range ar.Files {
		if v, ok := got[f.Name]; ok {
			ar.Files[i].Data = []byte(v)
			delete(got, f.Name)
		}
	}
	for _, n := range []string{"want/stdout", "want/stderr", "want/exit"} {
		if v, ok := got[n]; ok {
			ar.Files = append(ar.Files, txtar.File{Name: n, Data: []byte(v)})
		}
	}
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// parseTestArgs reads the subset of the command line the golden files use;
// the real flag parsing is tested with the binary in cmd/stablestack.
func parseTestArgs(t *testing.T, args []string) Options {
	t.Helper()
	var o Options
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() string {
			i++
			if i >= len(args) {
				t.Fatalf("args: %s needs a value", a)
			}
			return args[i]
		}
		switch a {
		case "--format":
			f, err := ParseFormat(next())
			if err != nil {
				t.Fatal(err)
			}
			o.Format = f
		case "--select":
			o.Select = append(o.Select, next())
		case "--ignore":
			o.Ignore = append(o.Ignore, next())
		case "--color":
			o.Color = ColorMode(next())
		case "--fix":
			o.Fix = true
		case "--diff":
			o.Diff = true
		case "--force-exclude":
			o.ForceExclude = true
		case "--exit-zero":
			o.ExitZero = true
		case "--no-prefilter":
			o.NoPrefilter = true
		default:
			if strings.HasPrefix(a, "-") {
				t.Fatalf("args: unknown flag %s", a)
			}
			o.Paths = append(o.Paths, a)
		}
	}
	return o
}
