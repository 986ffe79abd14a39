package python

import (
	"bytes"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// extractor walks one top-level statement and collects its facts. It looks
// at nothing outside the statement, so its result can be reused whenever the
// statement's text is unchanged.
type extractor struct {
	text []byte
	base int // the statement's start: spans are relative to it
	uf   UnitFacts
}

// scope is where a node sits.
type scope struct {
	class string // enclosing class ("" outside classes)
	fn    string // enclosing function ("" at module or class level)
	init  bool   // directly inside a class's __init__
}

func (s scope) moduleLevel() bool { return s.class == "" && s.fn == "" }

func (x *extractor) span(n syntax.FlatNode) analysis.Span {
	if n.IsNull() {
		return analysis.Span{}
	}
	return analysis.Span{Start: n.Start() - x.base, End: n.End() - x.base}
}

func (x *extractor) src(n syntax.FlatNode) string { return n.Text(x.text) }

// visit walks statements. Definitions and compound statements are always
// entered; a simple statement is only searched for calls when its text
// mentions something x.call looks for (callMarkers): walking every node
// is what makes extraction slow, and most statements of a real
// module are neither routes nor wiring.
func (x *extractor) visit(n syntax.FlatNode, sc scope) {
	if n.IsNull() {
		return
	}
	switch n.Kind() {
	case "import_statement", "import_from_statement":
		x.uf.Imports = append(x.uf.Imports, imports(n, x.text)...)
	case "decorated_definition":
		var decs []syntax.FlatNode
		var def syntax.FlatNode
		kids(n, func(c syntax.FlatNode) bool {
			if c.Kind() == "decorator" {
				decs = append(decs, c)
			} else {
				def = c // the definition comes last
			}
			return true
		})
		switch def.Kind() {
		case "function_definition":
			x.function(def, decs, sc)
		case "class_definition":
			x.class(def, decs, sc)
		}
	case "function_definition":
		x.function(n, nil, sc)
	case "class_definition":
		x.class(n, nil, sc)
	case "block", "if_statement", "elif_clause", "else_clause", "for_statement", "while_statement",
		"try_statement", "except_clause", "except_group_clause", "finally_clause", "with_statement",
		"match_statement", "case_clause":
		if sc.init || x.mentions(n, blockMarkers) {
			kids(n, func(c syntax.FlatNode) bool {
				x.visit(c, sc)
				return true
			})
		}
	case "expression_statement":
		if a := n.NamedChild(0); a.Kind() == "assignment" {
			x.assignment(a, sc)
		}
		x.calls(n, sc)
	case "comment", "string", "pass_statement", "break_statement", "continue_statement":
	default:
		x.calls(n, sc)
	}
}

// calls finds the calls x.call records in a simple statement.
func (x *extractor) calls(n syntax.FlatNode, sc scope) {
	if !x.mentions(n, callMarkers) {
		return
	}
	walkNamed(n, func(c syntax.FlatNode) bool {
		switch c.Kind() {
		case "call":
			x.call(c, sc)
		case "string", "comment", "lambda":
			return false
		}
		return true
	})
}

// callMarkers: x.call records nothing in a statement without one of these.
var callMarkers = [][]byte{
	[]byte("add_"), []byte("Route("), []byte("path("), []byte("url("), []byte("register"),
	[]byte("include_router"), []byte("mount("), []byte("middlewares"), []byte("before_"),
	[]byte("init_app"), []byte("config."), []byte(".limit("), []byte("shared_limit("), []byte("web."),
}

// blockMarkers: a nested block without any of these holds nothing visit
// records (definitions, imports, calls, objects worth knowing, config).
var blockMarkers = append([][]byte{
	[]byte("def "), []byte("class "), []byte("import "), []byte("config["), []byte("wsgi_app"),
	[]byte("FastAPI"), []byte("Router("), []byte("Starlette"), []byte("Flask"), []byte("Blueprint"),
	[]byte("Quart"), []byte("Api("), []byte("amespace("), []byte("Application"), []byte("RouteTableDef"),
	[]byte("Limiter"), []byte("MemoryStorage"), []byte("storage_from_string"),
}, callMarkers...)

func (x *extractor) mentions(n syntax.FlatNode, markers [][]byte) bool {
	if n.IsNull() {
		return false
	}
	return mentionsAny(x.text[n.Start():n.End()], markers)
}

func mentionsAny(text []byte, markers [][]byte) bool {
	for _, m := range markers {
		if bytes.Contains(text, m) {
			return true
		}
	}
	return false
}

// dotted returns the text of an identifier or attribute chain (a.b.c), or ""
// for anything else.
func dotted(n syntax.FlatNode, text []byte) string {
	switch n.Kind() {
	case "identifier":
		return n.Text(text)
	case "attribute":
		obj := dotted(n.Field("object"), text)
		if obj == "" {
			return ""
		}
		return obj + "." + n.Field("attribute").Text(text)
	}
	return ""
}

// maxNames bounds the names kept per fact: a huge literal must not make a
// fact large.
const maxNames = 48

// namesIn lists the dotted names mentioned in n: called functions,
// Depends(...) targets, list elements. Keyword names, keywords, numbers,
// strings and comments are skipped. It reads n's text with a small
// tokenizer (names.go), cheaper than walking the nodes, and
// this runs on every decorator of every function.
func namesIn(n syntax.FlatNode, text []byte, out []string) []string {
	if n.IsNull() {
		return out
	}
	return namesInText(text[n.Start():n.End()], out)
}

// args is a call's arguments with their text resolved.
type args struct {
	pos []syntax.FlatNode
	kw  map[string]syntax.FlatNode
}

func (x *extractor) args(call syntax.FlatNode) args {
	var a args
	kids(call.Field("arguments"), func(c syntax.FlatNode) bool {
		switch c.Kind() {
		case "keyword_argument":
			if a.kw == nil {
				a.kw = map[string]syntax.FlatNode{}
			}
			a.kw[x.src(c.Field("name"))] = c.Field("value")
		case "comment", "list_splat", "dictionary_splat":
		default:
			a.pos = append(a.pos, c)
		}
		return true
	})
	return a
}

// arg returns positional argument i, or the keyword argument name.
func (a args) arg(i int, name string) syntax.FlatNode {
	if n, ok := a.kw[name]; ok && name != "" {
		return n
	}
	if i >= 0 && i < len(a.pos) {
		return a.pos[i]
	}
	return syntax.FlatNode{}
}

// str returns the literal string at positional i or keyword name.
func (x *extractor) str(a args, i int, name string) string {
	s, _ := stringValue(a.arg(i, name), x.text)
	return s
}

// methodsOf reads methods=["GET", "POST"] from a call's keywords.
func (x *extractor) methodsOf(a args) []string {
	m, ok := a.kw["methods"]
	if !ok {
		return nil
	}
	var out []string
	kids(m, func(c syntax.FlatNode) bool {
		if s, ok := stringValue(c, x.text); ok {
			out = append(out, strings.ToUpper(s))
		}
		return true
	})
	return out
}

// isUpper reports whether a name is a settings-style constant (RATELIMIT_DEFAULT).
func isUpper(s string) bool {
	hasLetter := false
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			hasLetter = true
		case r >= 'a' && r <= 'z':
			return false
		}
	}
	return hasLetter
}

func lastPart(dotted string) string { return dotted[strings.LastIndexByte(dotted, '.')+1:] }

func receiverOf(dotted string) string {
	if i := strings.LastIndexByte(dotted, '.'); i >= 0 {
		return dotted[:i]
	}
	return ""
}

// addRoute records a route, deciding Route.Limited from its names.
func (x *extractor) addRoute(r Route) {
	for _, n := range r.Names {
		if builtinLimiterName(n) {
			r.Limited = true
			break
		}
	}
	x.uf.Routes = append(x.uf.Routes, r)
}

// kids calls fn for each named child of n until fn returns false.
func kids(n syntax.FlatNode, fn func(syntax.FlatNode) bool) {
	if n.IsNull() {
		return
	}
	n.NamedChildren(fn)
}

// walkNamed visits n and its named descendants depth-first; returning false
// from fn skips that node's children.
func walkNamed(n syntax.FlatNode, fn func(syntax.FlatNode) bool) {
	if n.IsNull() || !fn(n) {
		return
	}
	kids(n, func(c syntax.FlatNode) bool {
		walkNamed(c, fn)
		return true
	})
}
