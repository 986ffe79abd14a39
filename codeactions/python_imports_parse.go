package codeactions

// Reading a Python module's imports and top-level names.

import (
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// bind records the names a top-level statement binds.
func (pi *pythonImports) bind(n syntax.Node, imp pyImport, isImport bool) {
	text := pi.fc.text
	switch {
	case isImport:
		if imp.modAlias != "" {
			pi.bound[strings.SplitN(imp.modAlias, ".", 2)[0]] = true
		}
		for _, alias := range imp.names {
			pi.bound[alias] = true
		}
	case n.Kind() == "decorated_definition":
		pi.bound[n.Field("definition").Field("name").Text(text)] = true
	case n.Kind() == "function_definition" || n.Kind() == "class_definition":
		pi.bound[n.Field("name").Text(text)] = true
	case n.Kind() == "expression_statement" && n.NamedChild(0).Kind() == "assignment":
		if left := n.NamedChild(0).Field("left"); left.Kind() == "identifier" {
			pi.bound[left.Text(text)] = true
		}
	}
}

func parsePyImport(n syntax.Node, text []byte) (pyImport, bool) {
	imp := pyImport{node: n}
	switch n.Kind() {
	case "future_import_statement":
		imp.from, imp.module = true, "__future__"
	case "import_from_statement":
		imp.from = true
		imp.module = n.Field("module_name").Text(text)
	case "import_statement":
	default:
		return imp, false
	}
	mod := n.Field("module_name")
	n.NamedChildren(func(c syntax.Node) bool {
		if !mod.IsNull() && c.Start() == mod.Start() {
			return true
		}
		name, alias := c.Text(text), ""
		switch c.Kind() {
		case "wildcard_import":
			imp.wildcard = true
			return true
		case "aliased_import":
			name, alias = c.Field("name").Text(text), c.Field("alias").Text(text)
		case "dotted_name":
		default:
			return true
		}
		if !imp.from {
			// One statement per module is what the fixes add; for
			// "import a, b" the first module is enough to place it.
			if imp.module == "" {
				imp.module = name
				imp.modAlias = alias
				if alias == "" {
					imp.modAlias = name
				}
			}
			return true
		}
		if imp.names == nil {
			imp.names = map[string]string{}
		}
		if alias == "" {
			alias = name
		}
		imp.names[name] = alias
		imp.last = c
		return true
	})
	return imp, true
}

func hasBlankLine(between []byte) bool {
	lines := strings.Split(string(between), "\n")
	// The first piece ends the previous statement's line, the last starts the
	// next one's; anything in between that is blank separates groups.
	for _, l := range lines[1 : len(lines)-1] {
		if strings.TrimSpace(l) == "" {
			return true
		}
	}
	return false
}
