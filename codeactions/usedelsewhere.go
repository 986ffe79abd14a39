package codeactions

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// skipDirs are never searched for other uses of a name.
var skipDirs = map[string]bool{
	".git": true, "node_modules": true, ".venv": true, "venv": true, "__pycache__": true,
	".tox": true, "dist": true, "build": true, ".mypy_cache": true, ".next": true,
}

// pyUsedElsewhere reports whether another Python file of the project
// mentions one of names: a fix that deletes a module-level helper or
// counter must not break an import of it. It is a word search (comments
// and strings count too), which errs on the side of offering nothing.
func (fc *fileCtx) pyUsedElsewhere(names ...string) bool {
	self := fc.req.File.Path
	root := filepath.Dir(ModulePath(self, "python"))
	if !filepath.IsAbs(root) || !exists(self) {
		return false // a buffer that is not a file: nothing to compare with
	}
	var words []string
	for _, n := range names {
		words = append(words, regexp.QuoteMeta(n))
	}
	re := regexp.MustCompile(`\b(` + strings.Join(words, "|") + `)\b`)
	found := false
	seen := 0
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipDir
		}
		if d.IsDir() {
			if p != root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".py") || p == self {
			return nil
		}
		if seen++; seen > 5000 {
			found = true // too big to be sure: do not delete shared code
			return filepath.SkipAll
		}
		if info, err := d.Info(); err != nil || info.Size() > 1<<20 {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte("import")) && re.Match(data) {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// jsExported reports whether the file exports name (export declarations,
// export { name }, export default name, module.exports / exports.x):
// deleting it would break the modules importing it.
func (fc *fileCtx) jsExported(name string) bool {
	exported := false
	fc.root.NamedChildren(func(n syntax.Node) bool {
		switch n.Kind() {
		case "export_statement":
			decl := n.Field("declaration")
			switch {
			case !decl.IsNull():
				if decl.Field("name").Text(fc.text) == name {
					exported = true
				}
				decl.NamedChildren(func(d syntax.Node) bool {
					if d.Kind() == "variable_declarator" && d.Field("name").Text(fc.text) == name {
						exported = true
					}
					return true
				})
			default:
				n.Walk(func(c syntax.Node) bool {
					if (c.Kind() == "export_specifier" && c.Field("name").Text(fc.text) == name) ||
						(c.Kind() == "identifier" && c.Text(fc.text) == name && c.Parent().Start() == n.Start()) {
						exported = true
					}
					return !exported
				})
			}
		case "expression_statement":
			a := n.NamedChild(0)
			if a.Kind() == "assignment_expression" && strings.Contains(a.Field("left").Text(fc.text), "exports") &&
				len(fc.refs(a.Field("right"), name)) > 0 {
				exported = true
			}
		}
		return !exported
	})
	return exported
}
