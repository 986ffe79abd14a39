package codeactions

import (
	"os"
	"path/filepath"

	"github.com/stablestack/stablestack/analysis/syntax"
	"github.com/stablestack/stablestack/codeactions/scaffold"
)

// The scaffolded limiter module, as the fixes import it.
const (
	pythonModule   = "stablestack_rate_limiter"    // import name
	pythonFileName = "stablestack_rate_limiter.py" // on disk
	nodeFileName   = "stablestack-rate-limiter.js" // next to its .d.ts
	// nodeCJSName is the module's name in a "type": "module" package, where
	// a .js file would be loaded as an ES module and the CommonJS module
	// would not load.
	nodeCJSName = "stablestack-rate-limiter.cjs"
)

// Family is the scaffold language ("python" or "node") that serves a
// grammar, or "" when no limiter module exists for it.
func Family(l syntax.Language) string {
	switch {
	case l == syntax.Python:
		return "python"
	case l.IsJS():
		return "node"
	}
	return ""
}

// projectMarkers are the files that mark a project root per family: the
// module goes there so every file of the project imports the same copy.
var projectMarkers = map[string][]string{
	"python": {"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "manage.py", "Pipfile"},
	"node":   {"package.json"},
}

// ModulePath is where the limiter module of family lang serves the file at
// path: the nearest copy found walking up from the file's directory, else the
// nearest project root (a directory holding pyproject.toml, requirements.txt,
// package.json, ...), else the file's own directory (for Python, the
// directory above the file's package). For Python that is the
// directory the app runs from, so `import stablestack_rate_limiter` resolves;
// for Node the fix imports it by relative path. The server and the CLI use it
// to answer Request.ModuleExists, so they agree with where a fix creates it.
func ModulePath(path, lang string) string {
	names := []string{moduleFileName(lang)}
	if lang == "node" {
		names = append(names, nodeCJSName)
	}
	dir := filepath.Dir(path)
	root := ""
	for d := dir; ; {
		for _, name := range names {
			if exists(filepath.Join(d, name)) {
				return filepath.Join(d, name)
			}
		}
		if root == "" {
			for _, m := range projectMarkers[lang] {
				if exists(filepath.Join(d, m)) {
					root = d
					break
				}
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	if root == "" {
		root = dir
		// Without a manifest, a Python package's modules run from above the
		// package (uvicorn app.main:app), so the module goes there.
		for lang == "python" && exists(filepath.Join(root, "__init__.py")) && filepath.Dir(root) != root {
			root = filepath.Dir(root)
		}
	}
	if lang == "node" && scaffold.ESMPackage(root) {
		return filepath.Join(root, nodeCJSName)
	}
	return filepath.Join(root, names[0])
}

// ModuleFileExists is a ready-made Request.ModuleExists for files on disk.
func ModuleFileExists(path, lang string) bool { return exists(ModulePath(path, lang)) }

func moduleFileName(lang string) string {
	if lang == "node" {
		return nodeFileName
	}
	return pythonFileName
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// moduleProvision is what an action adds when the module is missing: the
// files to create, or the command that writes them when the client cannot
// create files within an edit.
func moduleProvision(path, lang string, canCreate bool) ([]NewFile, *Command) {
	mod := ModulePath(path, lang)
	dir := filepath.Dir(mod)
	if canCreate {
		files, err := scaffold.RenderFor(dir, lang)
		if err == nil {
			out := make([]NewFile, 0, len(files))
			for _, name := range sortedKeys(files) {
				out = append(out, NewFile{Path: filepath.Join(dir, name), Content: files[name]})
			}
			return out, nil
		}
		// A build without templates still offers the command, which reports why.
	}
	return nil, &Command{
		Title:     "Add the StableStack rate limiter module",
		Name:      CommandAddRateLimiter,
		Arguments: []any{AddRateLimiterArgs{Lang: lang, Dir: dir}},
	}
}

// AddRateLimiterArgs is the argument of CommandAddRateLimiter when a fix asks
// for it: the module's language and the directory to write it into.
type AddRateLimiterArgs struct {
	Lang string `json:"lang"`
	Dir  string `json:"dir"`
}
