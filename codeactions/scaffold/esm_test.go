package scaffold

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestWriteUsesCommonJSNamesInESMPackages(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"x","type":"module"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := Write(dir, "node", false)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(res.Created)
	if got := strings.Join(res.Created, ","); got != "stablestack-rate-limiter.cjs,stablestack-rate-limiter.d.cts" {
		t.Fatalf("created %s, want the .cjs and .d.cts names", got)
	}
	for _, name := range res.Created {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !Pristine(data) {
			t.Errorf("%s: not a pristine rendered copy (%v)", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "stablestack-rate-limiter.js")); err == nil {
		t.Error("a .js copy was written into an ES-module package")
	}
}

func TestRenderForKeepsNamesOutsideESM(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := RenderFor(dir, "node")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["stablestack-rate-limiter.js"]; !ok {
		t.Errorf("CommonJS package: got %v", keys(files))
	}
	py, err := RenderFor(dir, "python")
	if err != nil || py["stablestack_rate_limiter.py"] == nil {
		t.Errorf("python: %v %v", keys(py), err)
	}
}
