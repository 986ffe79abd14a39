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

// contextRoots are the repositories (directories holding .git) that contain
// a given path without being inside it. Their other files are indexed too,
// for their facts only: whether a route in app/users.py is protected can
// depend on a middleware installed in main.py, so checking one file (or one
// directory) must see the rest of the project, as the editor does.
func contextRoots(paths []string) []string {
	var roots []string
	seen := map[string]bool{}
	for _, p := range paths {
		start := p
		if info, err := os.Stat(p); err != nil || !info.IsDir() {
			start = filepath.Dir(p)
		}
		for d := start; ; {
			if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
				if d != p && !seen[d] && !coveredBy(d, paths) {
					seen[d] = true
					roots = append(roots, d)
				}
				break
			}
			parent := filepath.Dir(d)
			if parent == d {
				break
			}
			d = parent
		}
	}
	return roots
}

// coveredBy reports whether dir is one of paths or inside one of them
// (then walking it again adds nothing).
func coveredBy(dir string, paths []string) bool {
	for _, p := range paths {
		if p == dir || relTo(p, dir) != "" {
			return true
		}
	}
	return false
}
