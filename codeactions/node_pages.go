package codeactions

import "github.com/stablestack/stablestack/analysis/syntax"

// Next.js Pages Router API routes (pages/api/**): the quick fix wraps the
// module's default export in withRateLimit, which the limiter module runs
// like its Express middleware when it is called with (req, res).

// wrapDefaultExport wraps the default export of a Pages Router API route:
//
//	export default function handler(req, res) {...}
//	  -> export default withRateLimit(function handler(req, res) {...}, { requests: 100, window: 60 });
//	export default async (req, res) => {...}
//	  -> export default withRateLimit(async (req, res) => {...}, { requests: 100, window: 60 });
//	export default handler;
//	  -> export default withRateLimit(handler, { requests: 100, window: 60 });
//
// A module has one default export, so it is found by walking the top level
// rather than from the finding's span (which may point at the handler's
// definition when the export names an identifier). It declines when the
// default export is a class, or a function declaration whose name the rest
// of the file uses: wrapped, the declaration becomes an expression and the
// name is no longer bound in the module.
func (fc *fileCtx) wrapDefaultExport(wrapper, opts string) ([]Edit, bool) {
	exp := fc.defaultExport()
	if exp.IsNull() {
		return nil, false
	}
	semi := ""
	if ni, ok := fc.imports.(*nodeImports); ok && ni.semi {
		semi = ";"
	}
	if decl := exp.Field("declaration"); !decl.IsNull() {
		switch decl.Kind() {
		case "function_declaration", "generator_function_declaration", "function", "function_expression":
		default:
			return nil, false
		}
		if name := decl.Field("name"); !name.IsNull() && fc.usedOutside(name.Text(fc.text), decl) {
			return nil, false
		}
		return []Edit{
			insertAt(decl.Start(), wrapper+"("),
			insertAt(decl.End(), ", "+opts+")"+semi),
		}, true
	}
	v := exp.Field("value")
	if v.IsNull() || v.Kind() == "class" {
		return nil, false
	}
	return []Edit{insertAt(v.Start(), wrapper+"("), insertAt(v.End(), ", "+opts+")")}, true
}

// defaultExport is the top-level `export default ...` statement, or the null
// node.
func (fc *fileCtx) defaultExport() (exp syntax.Node) {
	fc.root.NamedChildren(func(n syntax.Node) bool {
		if n.Kind() != "export_statement" {
			return true
		}
		n.Children(func(c syntax.Node) bool {
			if c.Kind() == "default" && !c.IsNamed() {
				exp = n
				return false
			}
			return true
		})
		return exp.IsNull()
	})
	return exp
}

// usedOutside reports whether an identifier named name occurs in the file
// outside of node.
func (fc *fileCtx) usedOutside(name string, node syntax.Node) bool {
	used := false
	fc.root.Walk(func(n syntax.Node) bool {
		if used || (n.Start() >= node.Start() && n.End() <= node.End()) {
			return false
		}
		if n.Kind() == "identifier" && n.Text(fc.text) == name {
			used = true
		}
		return !used
	})
	return used
}
