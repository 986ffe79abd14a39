package scaffold

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
)

// RenderFor returns lang's module files named as they must be in dir. In a
// Node package whose package.json says "type": "module", Node loads every .js
// file as an ES module and the CommonJS module would fail to load, so there
// the files are stablestack-rate-limiter.cjs and .d.cts. Write and the quick
// fixes both use this, so the file on disk is the one the fixes import.
func RenderFor(dir, lang string) (map[string][]byte, error) {
	files, err := Render(lang)
	if err != nil || lang != "node" || !ESMPackage(dir) {
		return files, err
	}
	out := make(map[string][]byte, len(files))
	for name, data := range files {
		out[CommonJSName(name)] = data
	}
	return out, nil
}

// CommonJSName is a Node module file's name in an ES-module package.
func CommonJSName(name string) string {
	switch {
	case strings.HasSuffix(name, ".d.ts"):
		return strings.TrimSuffix(name, ".d.ts") + ".d.cts"
	case strings.HasSuffix(name, ".js"):
		return strings.TrimSuffix(name, ".js") + ".cjs"
	}
	return name
}

// ESMPackage reports whether the nearest package.json at or above dir declares
// "type": "module".
func ESMPackage(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		if data, err := os.ReadFile(filepath.Join(d, "package.json")); err == nil {
			var pkg struct{ Type string }
			_ = json.Unmarshal(data, &pkg)
			return pkg.Type == "module"
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}
