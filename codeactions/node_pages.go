package codeactions

import (
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

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
//	export { handler as default };
//	  -> const handlerWithRateLimit = withRateLimit(handler, { requests: 100, window: 60 });
//	     export { handlerWithRateLimit as default };
//
// A module has one default export, so it is found by walking the top level
// rather than from the finding's span (which may point at the handler's
// definition when the export names an identifier). It declines when the
// default export is a class, or a function declaration whose name the rest
// of the file uses: wrapped, the declaration becomes an expression and the
// name is no longer bound in the module.
func (fc *fileCtx) wrapDefaultExport(wrapper, opts string) ([]Edit, bool) {
	semi := fc.semi()
	exp := fc.defaultExport()
	if exp.IsNull() {
		return fc.wrapDefaultSpecifier(wrapper, opts, semi)
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

// wrapDefaultSpecifier wraps a default export written as a specifier of an
// export clause. A specifier cannot hold a call, and the fix only adds text,
// so the wrapped handler gets a name of its own, declared where the handler
// is already initialized (before the export, or after the handler's own
// declaration when that comes later):
//
//	export { config, handler as default };
//	  -> const handlerWithRateLimit = withRateLimit(handler, { requests: 100, window: 60 });
//	     export { config, handlerWithRateLimit as default };
//
// It declines for re-exports (`export { default } from './x'`, which would
// need an import), type-only exports and when the new name is taken.
func (fc *fileCtx) wrapDefaultSpecifier(wrapper, opts, semi string) ([]Edit, bool) {
	var stmt, name syntax.Node
	fc.root.NamedChildren(func(n syntax.Node) bool {
		if n.Kind() != "export_statement" || !n.Field("source").IsNull() {
			return true
		}
		exportClause(n).NamedChildren(func(sp syntax.Node) bool {
			if a := sp.Field("alias"); sp.Kind() == "export_specifier" && !a.IsNull() && a.Kind() == "identifier" &&
				a.Text(fc.text) == "default" && sp.Field("name").Kind() == "identifier" {
				stmt, name = n, sp.Field("name")
			}
			return name.IsNull()
		})
		return stmt.IsNull()
	})
	if stmt.IsNull() || fc.typeOnlyExport(stmt) {
		return nil, false // none, or export type { ... }
	}
	handler := name.Text(fc.text)
	local := handler + "WithRateLimit"
	if fc.nameUsed(local) {
		return nil, false
	}
	decl := "const " + local + " = " + wrapper + "(" + handler + ", " + opts + ")" + semi
	return []Edit{insertAt(name.End(), "WithRateLimit"), fc.declareForExport(handler, stmt, []string{decl})}, true
}

// declareForExport inserts decls (statements that read handler) where
// handler is already initialized and before the export statement stmt
// reads them: after handler's own declaration when that comes after stmt,
// else on lines of their own before stmt (or before it on its line, for
// const handler = ...; export { handler as default }).
func (fc *fileCtx) declareForExport(handler string, stmt syntax.Node, decls []string) Edit {
	if later := fc.declarationAfter(handler, stmt.End()); !later.IsNull() {
		return insertAt(later.End(), "\n"+strings.Join(decls, "\n"))
	}
	if ls := lineStart(fc.text, stmt.Start()); strings.TrimSpace(string(fc.text[ls:stmt.Start()])) == "" {
		return insertAt(ls, strings.Join(decls, "\n")+"\n")
	}
	var b strings.Builder
	for _, d := range decls {
		b.WriteString(strings.TrimSuffix(d, ";") + "; ")
	}
	return insertAt(stmt.Start(), b.String())
}

// declarationAfter is the top-level statement declaring name that starts at
// or after off, or the null node.
func (fc *fileCtx) declarationAfter(name string, off int) (decl syntax.Node) {
	fc.root.NamedChildren(func(n syntax.Node) bool {
		if n.Start() < off {
			return true
		}
		switch n.Kind() {
		case "lexical_declaration", "variable_declaration":
			n.NamedChildren(func(d syntax.Node) bool {
				if d.Kind() == "variable_declarator" && d.Field("name").Text(fc.text) == name {
					decl = n
				}
				return decl.IsNull()
			})
		case "function_declaration", "generator_function_declaration", "class_declaration":
			if n.Field("name").Text(fc.text) == name {
				decl = n
			}
		}
		return decl.IsNull()
	})
	return decl
}

// nameUsed reports whether an identifier named name occurs in the file.
func (fc *fileCtx) nameUsed(name string) bool {
	used := false
	fc.root.Walk(func(n syntax.Node) bool {
		if used {
			return false
		}
		if k := n.Kind(); (k == "identifier" || k == "shorthand_property_identifier" || k == "property_identifier") && n.Text(fc.text) == name {
			used = true
		}
		return !used
	})
	return used
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
