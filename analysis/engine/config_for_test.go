package engine

import (
	"path/filepath"
	"testing"

	"github.com/stablestack/stablestack/analysis"
)

func TestConfigForDeepestRoot(t *testing.T) {
	def, outer, inner := analysis.DefaultConfig(), analysis.DefaultConfig(), analysis.DefaultConfig()
	e := New(def)
	root := filepath.FromSlash("/w")
	e.SetRootConfigs(map[string]*analysis.Config{root: outer, filepath.Join(root, "svc"): inner})
	for path, want := range map[string]*analysis.Config{
		filepath.Join(root, "app.py"):         outer,
		filepath.Join(root, "svc", "app.py"):  inner,
		filepath.Join(root, "svc2", "app.py"): outer, // a sibling sharing a prefix is not inside svc
		filepath.FromSlash("/elsewhere/x.py"): def,
		filepath.Join(root, "svc"):            inner,
	} {
		if got := e.ConfigFor(path); got != want {
			t.Errorf("ConfigFor(%s) is not the expected configuration", path)
		}
	}
}
