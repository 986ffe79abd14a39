package javascript

import (
	"bytes"
	"sort"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// summarizeStatement extracts the facts of one top-level statement. base is
// the statement's start, subtracted from every span.
func summarizeStatement(n syntax.FlatNode, text []byte, base int) UnitFacts {
	x := &extractor{text: text, base: base, funcs: &funcMemo{}}
	var uf UnitFacts
	switch n.Kind() {
	case "import_statement":
		uf.Imports = x.imports(n)
		return uf
	case "export_statement":
		uf.Exports = x.exports(n, &uf)
	case "lexical_declaration", "variable_declaration":
		uf.Imports = x.requires(n)
		uf.Counters = x.moduleCounters(n)
	case "expression_statement":
		uf.Exports = x.cjsExports(n.NamedChild(0))
		for _, e := range uf.Exports { // exports.hits = new Map()
			if k := containerKind(e.Value); k != "" && e.Name != "default" {
				uf.Counters = append(uf.Counters, Counter{Name: e.Name, Kind: k, Span: x.rel(n)})
			}
		}
	}
	x.walkScope(n, &uf.Scope, nil, nil)
	x.exportedFuncs(&uf)
	for _, f := range x.funcs.list {
		if len(f.Calls) > 0 || len(f.Checks) > 0 {
			uf.Active = append(uf.Active, f)
		}
	}
	sort.Slice(uf.Active, func(i, j int) bool { return uf.Active[i].Span.Start < uf.Active[j].Span.Start })
	uf.RouteOnly = routeOnly(&uf)
	if !mayHoldLibraries(x.bytes(n)) {
		return uf
	}
	keys := map[int]string{} // value start -> key, for constructions inside object literals
	n.Walk(func(c syntax.FlatNode) bool {
		switch c.Kind() {
		case "class_declaration", "class":
			uf.Counters = append(uf.Counters, x.classCounters(c)...)
		case "pair":
			keys[c.Field("value").Start()] = c.Field("key").Text(x.text)
		case "call_expression", "new_expression":
			if v, ok := x.library(c, keys[c.Start()]); ok {
				uf.Libraries = append(uf.Libraries, v)
			}
		}
		return true
	})
	return uf
}

// imports reads import x, { a as b }, * as ns from 'm'.
func (x *extractor) imports(n syntax.FlatNode) []Import {
	mod, _ := stringLit(n.Field("source"), x.text)
	var out []Import
	n.NamedChildren(func(c syntax.FlatNode) bool {
		if c.Kind() != "import_clause" {
			return true
		}
		c.NamedChildren(func(k syntax.FlatNode) bool {
			switch k.Kind() {
			case "identifier":
				out = append(out, Import{Local: k.Text(x.text), Module: mod, Name: "default"})
			case "namespace_import":
				out = append(out, Import{Local: k.NamedChild(0).Text(x.text), Module: mod, Name: "*"})
			case "named_imports":
				k.NamedChildren(func(s syntax.FlatNode) bool {
					if s.Kind() != "import_specifier" {
						return true
					}
					name := s.Field("name").Text(x.text)
					local := name
					if a := s.Field("alias"); !a.IsNull() {
						local = a.Text(x.text)
					}
					out = append(out, Import{Local: local, Module: mod, Name: strings.Trim(name, `"'`)})
					return true
				})
			}
			return true
		})
		return true
	})
	if len(out) == 0 {
		out = append(out, Import{Module: mod})
	}
	return out
}

// requires reads const x = require('m'), const { a, b: c } = require('m')
// and const R = require('m').Router.
func (x *extractor) requires(n syntax.FlatNode) []Import {
	var out []Import
	n.NamedChildren(func(d syntax.FlatNode) bool {
		if d.Kind() != "variable_declarator" {
			return true
		}
		name, val := d.Field("name"), unwrap(d.Field("value"))
		p, ok := x.path(val)
		if !ok {
			return true
		}
		mod, ok := requireModule(p)
		if !ok {
			return true
		}
		member := strings.TrimPrefix(strings.TrimPrefix(p, "require('"+mod+"')"), ".")
		whole := "*"
		if member != "" {
			whole = member
		}
		switch name.Kind() {
		case "identifier":
			out = append(out, Import{Local: name.Text(x.text), Module: mod, Name: whole})
		case "object_pattern":
			if member != "" {
				return true
			}
			name.NamedChildren(func(pp syntax.FlatNode) bool {
				switch pp.Kind() {
				case "shorthand_property_identifier_pattern":
					out = append(out, Import{Local: pp.Text(x.text), Module: mod, Name: pp.Text(x.text)})
				case "pair_pattern":
					if v := pp.Field("value"); v.Kind() == "identifier" {
						out = append(out, Import{Local: v.Text(x.text), Module: mod, Name: pp.Field("key").Text(x.text)})
					}
				}
				return true
			})
		}
		return true
	})
	return out
}

// exports reads ES module exports.
func (x *extractor) exports(n syntax.FlatNode, uf *UnitFacts) []Export {
	var out []Export
	from := ""
	if s := n.Field("source"); !s.IsNull() {
		from, _ = stringLit(s, x.text)
	}
	isDefault := strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(n.Text(x.text), "export")), "default")
	if d := n.Field("declaration"); !d.IsNull() {
		switch d.Kind() {
		case "lexical_declaration", "variable_declaration":
			uf.Imports = append(uf.Imports, x.requires(d)...)
			uf.Counters = append(uf.Counters, x.moduleCounters(d)...)
			d.NamedChildren(func(v syntax.FlatNode) bool {
				if v.Kind() == "variable_declarator" && v.Field("name").Kind() == "identifier" {
					name := v.Field("name").Text(x.text)
					out = append(out, Export{Name: name, Value: Value{Kind: KIdent, Name: name, Span: x.rel(v)}})
				}
				return true
			})
		default:
			name := d.Field("name").Text(x.text)
			if isDefault {
				if name == "" {
					out = append(out, Export{Name: "default", Value: x.value(d, maxValueDepth)})
					return out
				}
				out = append(out, Export{Name: "default", Value: Value{Kind: KIdent, Name: name, Span: x.rel(d)}})
			} else if name != "" {
				out = append(out, Export{Name: name, Value: Value{Kind: KIdent, Name: name, Span: x.rel(d)}})
			}
		}
		return out
	}
	if v := n.Field("value"); !v.IsNull() {
		return append(out, Export{Name: "default", Value: x.value(v, maxValueDepth)})
	}
	n.NamedChildren(func(c syntax.FlatNode) bool {
		switch c.Kind() {
		case "export_clause":
			c.NamedChildren(func(s syntax.FlatNode) bool {
				if s.Kind() != "export_specifier" {
					return true
				}
				name := s.Field("name").Text(x.text)
				alias := name
				if a := s.Field("alias"); !a.IsNull() {
					alias = a.Text(x.text)
				}
				out = append(out, Export{Name: alias, Value: Value{Kind: KIdent, Name: name, Span: x.rel(s)}, From: from, FromName: name})
				return true
			})
		case "namespace_export":
			out = append(out, Export{Name: c.NamedChild(0).Text(x.text), From: from, FromName: "*"})
		}
		return true
	})
	if len(out) == 0 && from != "" { // export * from './x'
		out = append(out, Export{Name: "*", From: from, FromName: "*"})
	}
	return out
}

// cjsExports reads module.exports = x, module.exports.a = x and exports.a = x.
func (x *extractor) cjsExports(a syntax.FlatNode) []Export {
	if a.Kind() != "assignment_expression" {
		return nil
	}
	left, _ := x.path(a.Field("left"))
	v := x.value(a.Field("right"), maxValueDepth)
	switch {
	case left == "module.exports":
		e := Export{Name: "default", Value: v}
		if p, ok := x.path(unwrap(a.Field("right"))); ok {
			if m, ok := requireModule(p); ok && p == "require('"+m+"')" {
				e.From, e.FromName = m, "default"
			}
		}
		return []Export{e}
	case strings.HasPrefix(left, "module.exports.") && strings.Count(left, ".") == 2:
		return []Export{{Name: lastName(left), Value: v}}
	case strings.HasPrefix(left, "exports.") && strings.Count(left, ".") == 1:
		return []Export{{Name: lastName(left), Value: v}}
	}
	return nil
}

// exportedFuncs makes anonymous exported functions (export default async
// function (fastify) {...}, module.exports = (app) => {...}) part of the
// unit's functions, so they are interpreted like named ones.
func (x *extractor) exportedFuncs(uf *UnitFacts) {
	for i, e := range uf.Exports {
		if e.Value.Kind != KFunc {
			continue
		}
		found := false
		for _, f := range uf.Funcs {
			if f.Span == e.Value.Fn.Span {
				uf.Exports[i].Value.Fn, found = f, true
			}
		}
		if !found {
			uf.Funcs = append(uf.Funcs, e.Value.Fn)
		}
	}
}

// moduleCounters finds module-level containers: const hits = new Map().
func (x *extractor) moduleCounters(n syntax.FlatNode) []Counter {
	var out []Counter
	n.NamedChildren(func(d syntax.FlatNode) bool {
		if d.Kind() != "variable_declarator" || d.Field("name").Kind() != "identifier" {
			return true
		}
		if k := containerKind(x.value(d.Field("value"), 1)); k != "" {
			out = append(out, Counter{Name: d.Field("name").Text(x.text), Kind: k, Span: x.rel(d)})
		}
		return true
	})
	return out
}

// libraryWords are what a statement must contain (lower-cased) for the
// library and class walk to find anything: the callee names of
// libraryCallees, a require(...)(...) callee, or a class.
var libraryWords = [][]byte{[]byte("imit"), []byte("slowdown"), []byte("memorystore"), []byte("expressbrute"),
	[]byte("register"), []byte("default"), []byte("require"), []byte("class")}

// mayHoldLibraries is the cheap test that spares most statements a walk.
func mayHoldLibraries(text []byte) bool {
	// A statement is usually short and ASCII: lower-case it on the stack.
	var buf [512]byte
	lower := buf[:0]
	for _, c := range text {
		if c >= 0x80 || len(lower) == len(buf) {
			lower = bytes.ToLower(text) // Unicode case mapping, or long
			break
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower = append(lower, c)
	}
	for _, w := range libraryWords {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	return false
}
