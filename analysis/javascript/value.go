package javascript

import (
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// extractor turns the nodes of one top-level statement into facts. base is
// the statement's start, subtracted from every span.
type extractor struct {
	text []byte
	base int
	// shallow keeps functions as KFunc without a summary (Fn nil), for
	// values only read for their options (library constructions).
	shallow bool
	// funcs memoizes function summaries by node, so a function met by the
	// scope walk, by a value and by its parent's signals is summarized once:
	// extraction stays linear even in bundles nested ten functions deep.
	funcs *funcMemo
}

// funcMemo is the extractor's function summaries by node span. A statement
// has a few functions (a route, its handler): they are kept in a list,
// searched in order, and only a statement with many (a bundle) gets a map.
type funcMemo struct {
	list  []*Func
	keys  [][2]int
	byKey map[[2]int]*Func
}

// funcMemoListMax is how many functions are searched in the list.
const funcMemoListMax = 16

func (m *funcMemo) get(key [2]int) (*Func, bool) {
	if m.byKey != nil {
		f, ok := m.byKey[key]
		return f, ok
	}
	for i, k := range m.keys {
		if k == key {
			return m.list[i], true
		}
	}
	return nil, false
}

func (m *funcMemo) put(key [2]int, f *Func) {
	m.list = append(m.list, f)
	m.keys = append(m.keys, key)
	if m.byKey == nil && len(m.keys) > funcMemoListMax {
		m.byKey = make(map[[2]int]*Func, 2*len(m.keys))
		for i, k := range m.keys {
			m.byKey[k] = m.list[i]
		}
	} else if m.byKey != nil {
		m.byKey[key] = f
	}
}

func (x *extractor) rel(n syntax.FlatNode) analysis.Span {
	return analysis.Span{Start: n.Start() - x.base, End: n.End() - x.base}
}

// maxValueDepth bounds how deep call arguments and object literals are kept:
// options objects are shallow, and facts must stay small.
const maxValueDepth = 5

// maxElems bounds the arguments, properties and elements kept per value:
// data tables in bundles would otherwise be copied into the facts.
const maxElems = 32

// unwrap skips wrappers that do not change what an expression denotes:
// parentheses, await, TypeScript casts and non-null assertions.
func unwrap(n syntax.FlatNode) syntax.FlatNode {
	for !n.IsNull() {
		switch n.Kind() {
		case "parenthesized_expression", "await_expression", "as_expression", "satisfies_expression",
			"non_null_expression", "type_assertion":
			inner := n.NamedChild(0)
			if n.Kind() == "type_assertion" {
				inner = n.NamedChild(n.NamedChildCount() - 1)
			}
			if inner.IsNull() {
				return n
			}
			n = inner
		default:
			return n
		}
	}
	return n
}

// path renders identifiers and member chains as dotted names: "app",
// "express.Router", "this.hits", "require('express').Router".
func (x *extractor) path(n syntax.FlatNode) (string, bool) {
	n = unwrap(n)
	switch n.Kind() {
	case "identifier", "shorthand_property_identifier", "type_identifier":
		return n.Text(x.text), true
	case "this":
		return "this", true
	case "member_expression":
		obj, ok := x.path(n.Field("object"))
		if !ok {
			return "", false
		}
		return obj + "." + n.Field("property").Text(x.text), true
	case "call_expression":
		if m, ok := x.requireOf(n); ok {
			return "require('" + m + "')", true
		}
	}
	return "", false
}

// requireOf recognizes require('m') and returns m.
func (x *extractor) requireOf(n syntax.FlatNode) (string, bool) {
	n = unwrap(n)
	if n.Kind() != "call_expression" || n.Field("function").Text(x.text) != "require" {
		return "", false
	}
	args := n.Field("arguments")
	if args.NamedChildCount() != 1 {
		return "", false
	}
	return stringLit(args.NamedChild(0), x.text)
}

// stringLit returns the contents of a string literal or of a template
// literal without substitutions.
func stringLit(n syntax.FlatNode, text []byte) (string, bool) {
	switch n.Kind() {
	case "string":
		s := n.Text(text)
		if len(s) >= 2 {
			return s[1 : len(s)-1], true
		}
	case "template_string":
		dynamic := false
		n.NamedChildren(func(c syntax.FlatNode) bool {
			if c.Kind() == "template_substitution" {
				dynamic = true
			}
			return !dynamic
		})
		if s := n.Text(text); !dynamic && len(s) >= 2 {
			return s[1 : len(s)-1], true
		}
	}
	return "", false
}

// value keeps an expression as a Value.
func (x *extractor) value(n syntax.FlatNode, depth int) Value {
	n = unwrap(n)
	if n.IsNull() {
		return Value{}
	}
	v := Value{Span: x.rel(n)}
	switch n.Kind() {
	case "identifier", "shorthand_property_identifier", "this":
		v.Kind, v.Name = KIdent, n.Text(x.text)
	case "member_expression":
		if p, ok := x.path(n); ok {
			v.Kind, v.Name = KMember, p
		} else {
			v.Kind = KOther
			// obj().prop: keep the object so fp(...).x or router.routes()
			// chains still resolve to something.
			inner := x.value(n.Field("object"), depth-1)
			v.Callee = &inner
			v.Name = "?." + n.Field("property").Text(x.text)
		}
	case "call_expression", "new_expression":
		v.Kind = KCall
		fn := n.Field("function")
		if n.Kind() == "new_expression" {
			v.Kind = KNew
			fn = n.Field("constructor")
		}
		if p, ok := x.path(fn); ok {
			v.Name = p
		} else if fn.Kind() == "import" {
			// import('./routes.js') resolves like require: to the module's
			// default export (what fastify.register and friends use).
			v.Name = "require"
		} else if depth > 0 {
			c := x.value(fn, depth-1)
			v.Callee = &c
		}
		if depth > 0 {
			n.Field("arguments").NamedChildren(func(a syntax.FlatNode) bool {
				if a.Kind() != "comment" {
					v.Args = append(v.Args, x.value(a, depth-1))
				}
				return len(v.Args) < maxElems
			})
		}
	case "arrow_function", "function_expression", "function", "generator_function",
		"function_declaration", "generator_function_declaration":
		v.Kind = KFunc
		if !x.shallow {
			v.Fn = x.function(n)
		}
	case "string", "template_string":
		if s, ok := stringLit(n, x.text); ok {
			v.Kind, v.Str = KString, s
		} else {
			v.Kind, v.Str = KOther, n.Text(x.text)
		}
	case "number":
		v.Kind, v.Str = KNumber, strings.ReplaceAll(n.Text(x.text), "_", "")
	case "true", "false":
		v.Kind, v.Str = KBool, n.Kind()
	case "object":
		v.Kind = KObject
		if depth <= 0 {
			break
		}
		n.NamedChildren(func(p syntax.FlatNode) bool {
			if len(v.Keys) >= maxElems {
				return false
			}
			switch p.Kind() {
			case "pair":
				k := p.Field("key")
				key, ok := stringLit(k, x.text)
				if !ok {
					key = k.Text(x.text)
				}
				v.Keys = append(v.Keys, KeyValue{Key: key, Value: x.value(p.Field("value"), depth-1)})
			case "shorthand_property_identifier":
				name := p.Text(x.text)
				v.Keys = append(v.Keys, KeyValue{Key: name, Value: Value{Kind: KIdent, Name: name, Span: x.rel(p)}})
			case "method_definition":
				v.Keys = append(v.Keys, KeyValue{Key: p.Field("name").Text(x.text), Value: Value{Kind: KFunc, Fn: x.function(p), Span: x.rel(p)}})
			case "spread_element":
				v.Keys = append(v.Keys, KeyValue{Key: "...", Value: x.value(p.NamedChild(0), depth-1)})
			}
			return true
		})
	case "array":
		v.Kind = KArray
		if depth <= 0 {
			break
		}
		n.NamedChildren(func(e syntax.FlatNode) bool {
			if e.Kind() != "comment" {
				v.Elems = append(v.Elems, x.value(e, depth-1))
			}
			return len(v.Elems) < maxElems
		})
	case "class", "class_declaration":
		v.Kind, v.Name = KOther, "class"
	default:
		v.Kind = KOther
		if n.End()-n.Start() <= 64 {
			v.Str = n.Text(x.text) // 60 * 1000 and the like, for limits and windows
		}
	}
	return v
}

// lastName is the last component of a dotted path.
func lastName(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// rootName is the first component of a dotted path ("require('m')" stays whole).
func rootName(p string) string {
	if strings.HasPrefix(p, "require('") {
		if i := strings.Index(p[len("require('"):], "')"); i >= 0 {
			return p[:len("require('")+i+2]
		}
	}
	if i := strings.IndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return p
}

// requireModule returns m for a path starting with require('m').
func requireModule(p string) (string, bool) {
	if !strings.HasPrefix(p, "require('") {
		return "", false
	}
	i := strings.Index(p[len("require('"):], "')")
	if i < 0 {
		return "", false
	}
	return p[len("require('") : len("require('")+i], true
}
