package check

import (
	"os"
	"path/filepath"
)

// scanRoot is the directory that JSON and SARIF paths are relative to: the
// working directory when every path is inside it (the usual CI case: run
// from the repository root, so code scanning can map results to files),
// otherwise the deepest directory containing every path.
func scanRoot(dir string, paths []string) string {
	inside := true
	for _, p := range paths {
		if p != dir && relTo(dir, p) == "" {
			inside = false
			break
		}
	}
	if inside {
		return dir
	}
	root := ""
	for _, p := range paths {
		d := p
		if info, err := os.Stat(p); err != nil || !info.IsDir() {
			d = filepath.Dir(p)
		}
		if root == "" {
			root = d
			continue
		}
		for root != d && relTo(root, d) == "" {
			parent := filepath.Dir(root)
			if parent == root {
				break
			}
			root = parent
		}
	}
	return root
}

// rootsOf lists the workspace folders the rules resolve imports against:
// the scan root, the configuration's directory and every directory given
// explicitly.
func rootsOf(root, cfgRoot string, paths []string) []string {
	roots := []string{root}
	seen := map[string]bool{root: true}
	for _, p := range append([]string{cfgRoot}, paths...) {
		if info, err := os.Stat(p); err == nil && info.IsDir() && !seen[p] {
			seen[p] = true
			roots = append(roots, p)
		}
	}
	return roots
}
