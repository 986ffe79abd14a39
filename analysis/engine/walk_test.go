package engine

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stablestack/stablestack/analysis"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func walked(t *testing.T, roots []string, cfg *analysis.Config) (files []string, problems []string) {
	t.Helper()
	err := Walk(context.Background(), roots, cfg, func(f SourceFile) { files = append(files, f.Rel) },
		func(p Problem) { problems = append(problems, p.Error()) })
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files, problems
}

func TestWalkSkipsWhatUsersDidNotWrite(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"app.py":                     "",
		"web/server.ts":              "",
		"web/types.d.ts":             "",
		"web/bundle.min.js":          "",
		"node_modules/x/index.js":    "",
		".git/hooks/a.py":            "",
		"venv2/pyvenv.cfg":           "",
		"venv2/lib/site.py":          "",
		"build/gen.py":               "",
		"ignored/a.py":               "",
		"logs/a.py":                  "",
		"keep/tmp_keep.py":           "",
		"keep/tmp_drop.py":           "",
		"sub/.gitignore":             "local.py\n",
		"sub/local.py":               "",
		"sub/other.py":               "",
		"README.md":                  "",
		"excluded/legacy/old.py":     "",
		"migrations/0001_initial.py": "",
		".gitignore":                 "ignored/\n/logs\ntmp_*.py\n!tmp_keep.py\n",
	})
	cfg := analysis.DefaultConfig()
	cfg.Exclude = []string{"excluded/**", "migrations"}
	files, problems := walked(t, []string{dir}, cfg)
	want := []string{"app.py", "keep/tmp_keep.py", "sub/other.py", "web/server.ts"}
	if strings.Join(files, ",") != strings.Join(want, ",") {
		t.Errorf("walked %v, want %v", files, want)
	}
	if len(problems) != 0 {
		t.Errorf("problems: %v", problems)
	}
}

func TestWalkExplicitFileAlwaysChecked(t *testing.T) {
	dir := writeTree(t, map[string]string{"ignored/a.py": "", ".gitignore": "ignored/\n", "notes.txt": ""})
	files, problems := walked(t, []string{filepath.Join(dir, "ignored/a.py"), filepath.Join(dir, "notes.txt"), filepath.Join(dir, "missing.py")}, nil)
	if len(files) != 1 || files[0] != "a.py" {
		t.Errorf("explicit file: %v", files)
	}
	if len(problems) != 2 {
		t.Errorf("want problems for notes.txt and missing.py, got %v", problems)
	}
}

func TestWalkSurvivesSymlinkLoops(t *testing.T) {
	dir := writeTree(t, map[string]string{"a/app.py": ""})
	if err := os.Symlink(dir, filepath.Join(dir, "a", "loop")); err != nil {
		t.Skip("symlinks not supported:", err)
	}
	if err := os.Symlink(filepath.Join(dir, "a", "app.py"), filepath.Join(dir, "linked.py")); err != nil {
		t.Fatal(err)
	}
	files, _ := walked(t, []string{dir}, nil)
	if strings.Join(files, ",") != "a/app.py,linked.py" {
		t.Errorf("walked %v", files)
	}
}

func TestReadSourceRefusesBinaryAndHuge(t *testing.T) {
	dir := writeTree(t, map[string]string{"bin.py": "x = 1\x00\x01", "ok.py": "x = 'caf\xe9'\n"})
	if _, err := ReadSource(filepath.Join(dir, "bin.py")); err == nil {
		t.Error("binary file accepted")
	}
	if _, err := ReadSource(filepath.Join(dir, "ok.py")); err != nil {
		t.Errorf("invalid UTF-8 is still text: %v", err)
	}
	big := filepath.Join(dir, "big.py")
	if err := os.WriteFile(big, make([]byte, MaxFileBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSource(big); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("huge file: %v", err)
	}
}

func TestEngineGenerationAndRemove(t *testing.T) {
	e := New(nil)
	g := e.Generation()
	e.Put(&analysis.File{Path: "/x/a.py"})
	if e.Generation() == g || e.File("/x/a.py") == nil || e.Len() != 1 {
		t.Fatal("Put did not register the file")
	}
	g = e.Generation()
	if !e.Remove("/x/a.py") || e.Generation() == g || e.File("/x/a.py") != nil {
		t.Fatal("Remove")
	}
	if e.Remove("/x/a.py") {
		t.Error("second Remove reported a change")
	}
}

func TestWalkHonoursRepositoryGitignoreFromASubdirectory(t *testing.T) {
	dir := writeTree(t, map[string]string{
		".git/HEAD":          "ref: refs/heads/main\n",
		".gitignore":         "generated/\nsrc/*_pb2.py\n",
		"src/app.py":         "",
		"src/api_pb2.py":     "",
		"src/generated/x.py": "",
		"src/.gitignore":     "local.py\n",
		"src/local.py":       "",
	})
	files, _ := walked(t, []string{filepath.Join(dir, "src")}, nil)
	if strings.Join(files, ",") != "app.py" {
		t.Errorf("walked %v, want only app.py", files)
	}
}

func TestWalkReportsSymlinkLoopsNotDanglingLinks(t *testing.T) {
	dir := writeTree(t, map[string]string{"app.py": ""})
	if err := os.Symlink("loop.py", filepath.Join(dir, "loop.py")); err != nil {
		t.Skip("symlinks not supported:", err)
	}
	if err := os.Symlink("gone.py", filepath.Join(dir, ".#app.py")); err != nil {
		t.Fatal(err)
	}
	files, problems := walked(t, []string{dir}, nil)
	if strings.Join(files, ",") != "app.py" {
		t.Errorf("walked %v", files)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "loop.py") {
		t.Errorf("problems %v, want one for loop.py", problems)
	}
}
