package python

import (
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// httpMethods are the decorator names that register a route for one method.
var httpMethods = map[string]string{
	"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH",
	"delete": "DELETE", "head": "HEAD", "options": "OPTIONS",
}

func imports(n syntax.Node, text []byte) []Import {
	var out []Import
	module := ""
	moduleNode := n.Field("module_name")
	if !moduleNode.IsNull() {
		module = moduleNode.Text(text)
	}
	n.NamedChildren(func(c syntax.Node) bool {
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

// object recognizes name = Callee(...).
func object(a syntax.Node, text []byte) (Object, bool) {
	left, right := a.Field("left"), a.Field("right")
	if left.Kind() != "identifier" || right.Kind() != "call" {
		return Object{}, false
	}
	o := Object{Name: left.Text(text), Callee: right.Field("function").Text(text)}
	right.Field("arguments").NamedChildren(func(arg syntax.Node) bool {
		if arg.Kind() == "keyword_argument" {
			if o.Kwargs == nil {
				o.Kwargs = map[string]string{}
			}
			o.Kwargs[arg.Field("name").Text(text)] = arg.Field("value").Text(text)
		}
		return true
	})
	return o, true
}

// route recognizes a handler registered by one of its decorators
// (@app.get("/x"), @bp.route("/x", methods=["POST"]), @router.api_route(...)).
func route(n syntax.Node, text []byte, rel func(syntax.Node) analysis.Span) (Route, bool) {
	def := n.Field("definition")
	if def.Kind() != "function_definition" {
		return Route{}, false
	}
	r := Route{Handler: def.Field("name").Text(text), DefSpan: rel(n)}
	r.Async = strings.HasPrefix(def.Text(text), "async")
	found := false
	n.NamedChildren(func(d syntax.Node) bool {
		if d.Kind() != "decorator" {
			return true
		}
		expr := d.NamedChild(0)
		dec := Decorator{Span: rel(d)}
		call := syntax.Node{}
		if expr.Kind() == "call" {
			call = expr
			dec.Callee = expr.Field("function").Text(text)
			dec.Args = expr.Field("arguments").Text(text)
		} else {
			dec.Callee = expr.Text(text)
		}
		r.Decorators = append(r.Decorators, dec)
		if found || call.IsNull() {
			return true
		}
		recv, meth, ok := strings.Cut(dec.Callee, ".")
		if !ok || strings.Contains(meth, ".") {
			return true
		}
		var methods []string
		switch {
		case httpMethods[meth] != "":
			methods = []string{httpMethods[meth]}
		case meth == "route" || meth == "api_route":
			methods = routeMethods(call, text)
		default:
			return true
		}
		found = true
		r.Receiver, r.Methods, r.Span = recv, methods, dec.Span
		r.Path = firstStringArg(call, text)
		return true
	})
	return r, found
}

// routeMethods reads methods=["GET", "POST"]; GET when absent.
func routeMethods(call syntax.Node, text []byte) []string {
	var methods []string
	call.Field("arguments").NamedChildren(func(arg syntax.Node) bool {
		if arg.Kind() != "keyword_argument" || arg.Field("name").Text(text) != "methods" {
			return true
		}
		arg.Field("value").NamedChildren(func(m syntax.Node) bool {
			if s, ok := stringValue(m, text); ok {
				methods = append(methods, strings.ToUpper(s))
			}
			return true
		})
		return false
	})
	if len(methods) == 0 {
		methods = []string{"GET"}
	}
	return methods
}

// firstStringArg returns the first positional argument when it is a string
// literal, or the path= keyword argument.
func firstStringArg(call syntax.Node, text []byte) string {
	path := ""
	call.Field("arguments").NamedChildren(func(arg syntax.Node) bool {
		if arg.Kind() == "keyword_argument" {
			if name := arg.Field("name").Text(text); name == "path" || name == "rule" {
				path, _ = stringValue(arg.Field("value"), text)
				return false
			}
			return true
		}
		path, _ = stringValue(arg, text)
		return false
	})
	return path
}

// stringValue returns the contents of a plain string literal (no f-string
// interpolation).
func stringValue(n syntax.Node, text []byte) (string, bool) {
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
