package python

import (
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// httpMethods are the decorator names that register a route for one method.
var httpMethods = map[string]string{
	"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH",
	"delete": "DELETE", "head": "HEAD", "options": "OPTIONS",
}

func imports(n syntax.FlatNode, text []byte) []Import {
	var out []Import
	module := ""
	moduleNode := n.Field("module_name")
	if !moduleNode.IsNull() {
		module = moduleNode.Text(text)
	}
	kids(n, func(c syntax.FlatNode) bool {
		if !moduleNode.IsNull() && c.Start() == moduleNode.Start() {
			return true // the module name itself
		}
		switch c.Kind() {
		case "dotted_name":
			name := c.Text(text)
			if n.Kind() == "import_statement" {
				out = append(out, Import{Module: name, Alias: strings.SplitN(name, ".", 2)[0]})
			} else {
				out = append(out, Import{Module: module, Name: name, Alias: name})
			}
		case "aliased_import":
			name, alias := c.Field("name").Text(text), c.Field("alias").Text(text)
			if n.Kind() == "import_statement" {
				out = append(out, Import{Module: name, Alias: alias})
			} else {
				out = append(out, Import{Module: module, Name: name, Alias: alias})
			}
		case "wildcard_import":
			out = append(out, Import{Module: module, Name: "*", Alias: "*"})
		}
		return true
	})
	return out
}

// stringValue returns the contents of a plain string literal (no f-string
// interpolation).
func stringValue(n syntax.FlatNode, text []byte) (string, bool) {
	if n.Kind() != "string" {
		return "", false
	}
	s := n.Text(text)
	for len(s) > 0 && strings.ContainsRune("rRbBuU", rune(s[0])) {
		s = s[1:]
	}
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if len(s) >= 2*len(q) && strings.HasPrefix(s, q) && strings.HasSuffix(s, q) {
			return s[len(q) : len(s)-len(q)], true
		}
	}
	return "", false
}
