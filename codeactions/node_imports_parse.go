package codeactions

// Reading a JavaScript file's imports and top-level names.

import (
	"github.com/stablestack/stablestack/codeactions/scaffold"
	"path/filepath"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// bind records the names a top-level statement declares.
func (ni *nodeImports) bind(n syntax.Node) {
	text := ni.fc.text
	if n.Kind() == "export_statement" && !n.Field("declaration").IsNull() {
		n = n.Field("declaration")
	}
	switch n.Kind() {
	case "import_statement":
		n.Walk(func(c syntax.Node) bool {
			switch c.Kind() {
			case "import_specifier":
				local := c.Field("alias")
				if local.IsNull() {
					local = c.Field("name")
				}
				ni.bound[local.Text(text)] = true
				return false
			case "identifier":
				ni.bound[c.Text(text)] = true
			case "string":
				return false
			}
			return true
		})
	case "lexical_declaration", "variable_declaration":
		n.NamedChildren(func(d syntax.Node) bool {
			if d.Kind() != "variable_declarator" {
				return true
			}
			d.Field("name").Walk(func(c syntax.Node) bool {
				switch c.Kind() {
				case "identifier", "shorthand_property_identifier_pattern":
					ni.bound[c.Text(text)] = true
				case "pair_pattern":
					c.Field("value").Walk(func(v syntax.Node) bool {
						if v.Kind() == "identifier" {
							ni.bound[v.Text(text)] = true
						}
						return true
					})
					return false
				}
				return true
			})
			return true
		})
	case "function_declaration", "class_declaration", "generator_function_declaration":
		ni.bound[n.Field("name").Text(text)] = true
	}
}

// isDirective recognizes a 'use strict' / 'use client' prologue statement.
func isDirective(n syntax.Node, text []byte) bool {
	if n.Kind() != "expression_statement" || n.NamedChild(0).Kind() != "string" {
		return false
	}
	s := n.NamedChild(0).Text(text)
	return strings.HasPrefix(s[1:], "use ")
}

// defaultESM decides the module syntax of a file that has neither imports
// nor requires: TypeScript and .mjs files use ES modules, .cjs CommonJS, and
// .js follows the nearest package.json "type".
func defaultESM(path string, lang syntax.Language) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".mjs", ".mts":
		return true
	case ".cjs", ".cts":
		return false
	}
	if lang != syntax.JavaScript {
		return true
	}
	return scaffold.ESMPackage(filepath.Dir(path))
}

// parseJSImport recognizes import declarations and top-level
// `const x = require('m')` / `const { a, b } = require('m')`.
func parseJSImport(n syntax.Node, text []byte) (jsImport, bool) {
	imp := jsImport{node: n, listEnd: -1}
	switch n.Kind() {
	case "import_statement":
		imp.source, imp.quote = unquote(n.Field("source").Text(text))
		n.NamedChildren(func(c syntax.Node) bool {
			if c.Kind() != "import_clause" {
				return true
			}
			c.NamedChildren(func(x syntax.Node) bool {
				switch x.Kind() {
				case "identifier":
					imp.def = x.Text(text)
				case "namespace_import":
					imp.namespace = x.NamedChild(0).Text(text)
				case "named_imports":
					imp.listEnd = listEnd(x, text)
					x.NamedChildren(func(s syntax.Node) bool {
						if s.Kind() == "import_specifier" {
							name := s.Field("name").Text(text)
							alias := s.Field("alias").Text(text)
							if alias == "" {
								alias = name
							}
							imp.addName(name, alias)
						}
						return true
					})
				}
				return true
			})
			return true
		})
		return imp, true
	case "lexical_declaration", "variable_declaration":
		if n.NamedChildCount() != 1 {
			return imp, false
		}
		d := n.NamedChild(0)
		value := d.Field("value")
		src, quote, ok := requireSource(value, text)
		if d.Kind() != "variable_declarator" || !ok {
			return imp, false
		}
		imp.source, imp.quote = src, quote
		name := d.Field("name")
		switch name.Kind() {
		case "identifier":
			if value.Kind() == "call_expression" && value.Field("function").Text(text) == "require" {
				imp.namespace = name.Text(text)
				imp.def = name.Text(text)
			}
		case "object_pattern":
			imp.listEnd = listEnd(name, text)
			name.NamedChildren(func(p syntax.Node) bool {
				switch p.Kind() {
				case "shorthand_property_identifier_pattern":
					imp.addName(p.Text(text), p.Text(text))
				case "pair_pattern":
					imp.addName(p.Field("key").Text(text), p.Field("value").Text(text))
				}
				return true
			})
		}
		return imp, true
	}
	return imp, false
}

func (imp *jsImport) addName(name, alias string) {
	if imp.names == nil {
		imp.names = map[string]string{}
	}
	imp.names[name] = alias
}

// requireSource recognizes require('m'), require('m').x and require('m')().
func requireSource(v syntax.Node, text []byte) (source, quote string, ok bool) {
	switch {
	case v.Kind() == "member_expression":
		v = v.Field("object")
	case v.Kind() == "call_expression" && v.Field("function").Kind() == "call_expression":
		v = v.Field("function")
	}
	if v.Kind() != "call_expression" || v.Field("function").Text(text) != "require" {
		return "", "", false
	}
	arg := v.Field("arguments").NamedChild(0)
	if arg.Kind() != "string" {
		return "", "", false
	}
	source, quote = unquote(arg.Text(text))
	return source, quote, true
}

// unquote strips a string literal's quotes and returns the quote character.
func unquote(s string) (string, string) {
	if len(s) >= 2 {
		return s[1 : len(s)-1], s[:1]
	}
	return s, ""
}

// listEnd is the offset after the last element of a { ... } list, where
// ", name" extends it (before a trailing comma, if any).
func listEnd(list syntax.Node, text []byte) int {
	last := syntax.Node{}
	list.NamedChildren(func(c syntax.Node) bool {
		if c.Kind() != "comment" {
			last = c
		}
		return true
	})
	if last.IsNull() {
		return -1
	}
	return last.End()
}
