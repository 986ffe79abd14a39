package python

import (
	"bytes"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// reject429Markers are the spellings of "answer 429 Too Many Requests" in
// the frameworks we know; any of them in a function body means the function
// rejects over-limit callers itself.
var reject429Markers = []string{
	"TOO_MANY_REQUESTS", "TooManyRequests", "HTTPTooManyRequests",
	"Throttled(", "Ratelimited(", "RateLimitExceeded",
}

func rejects429(body string) bool {
	for _, m := range reject429Markers {
		if strings.Contains(body, m) {
			return true
		}
	}
	return has429(body)
}

// has429 finds the number 429 on its own (not 4290 or 14291).
func has429(text string) bool {
	for off := 0; ; {
		i := strings.Index(text[off:], "429")
		if i < 0 {
			return false
		}
		at := off + i
		off = at + 3
		if (at == 0 || !isDigit(text[at-1])) && (off >= len(text) || !isDigit(text[off])) {
			return true
		}
	}
}

// maxCalls bounds Func.Calls.
const maxCalls = 64

// function records a function or method, the routes and hooks its
// decorators declare, and its counter uses, then walks its body.
func (x *extractor) function(def syntax.FlatNode, decs []syntax.FlatNode, sc scope) {
	nameNode, body := def.Field("name"), def.Field("body")
	name := x.src(nameNode)
	f := Func{Name: name, Span: x.span(nameNode)}
	if sc.fn == "" {
		f.Class = sc.class
	}
	defStart, bodyStart := def.Start(), body.Start()
	f.Async = bytes.HasPrefix(x.text[defStart:], []byte("async"))
	for _, d := range decs {
		f.Decorators = namesIn(d, x.text, f.Decorators)
	}
	if header := x.text[defStart:bodyStart]; bytes.Contains(header, []byte("Depends")) || bytes.Contains(header, []byte("Security")) {
		walkNamed(def.Field("parameters"), func(n syntax.FlatNode) bool {
			if n.Kind() == "call" && isDependsCall(dotted(n.Field("function"), x.text)) {
				f.Deps = namesIn(n.Field("arguments"), x.text, f.Deps)
				return false
			}
			return true
		})
	}
	bodyText := x.text[bodyStart:body.End()]
	f.Rejects429 = rejects429(string(bodyText))
	f.Calls = callNames(bodyText, maxCalls)
	x.uf.Funcs = append(x.uf.Funcs, f)

	for _, d := range decs {
		x.functionDecorator(d, f, sc)
	}
	x.uses(def, body, bodyText, sc)

	inner := scope{class: sc.class, fn: name}
	if sc.fn != "" {
		inner.fn = sc.fn + "." + name
	}
	inner.init = sc.fn == "" && sc.class != "" && name == "__init__"
	if !inner.init && !mentionsAny(bodyText, blockMarkers) {
		return // nothing in the body that visit records (most handlers)
	}
	kids(body, func(c syntax.FlatNode) bool {
		x.visit(c, inner)
		return true
	})
}

func isDependsCall(callee string) bool {
	switch lastPart(callee) {
	case "Depends", "Security":
		return true
	}
	return false
}

// functionDecorator turns one decorator of f into a route or a hook. It
// reads the decorator's text (decoratorCall), not its nodes: every function
// of a module has decorators, and a byte scan is cheaper than a node walk.
func (x *extractor) functionDecorator(d syntax.FlatNode, f Func, sc scope) {
	dt := decoratorCall(x.text[d.Start():d.End()])
	if dt.callee == "" {
		return
	}
	recv, meth := receiverOf(dt.callee), lastPart(dt.callee)
	if !dt.isCall {
		// @app.before_request / @bp.before_app_request
		switch meth {
		case "before_request", "before_app_request":
			x.uf.Links = append(x.uf.Links, Link{Kind: Hook, Parent: recv, Names: []string{f.Name}, Span: x.span(d)})
		}
		return
	}
	if recv == "" {
		return
	}
	switch {
	case httpMethods[meth] != "" || meth == "route" || meth == "api_route":
		methods := dt.strings("methods")
		for i := range methods {
			methods[i] = strings.ToUpper(methods[i])
		}
		if httpMethods[meth] != "" {
			methods = []string{httpMethods[meth]}
		} else if methods == nil {
			methods = []string{"GET"}
		}
		r := Route{
			Kind: Decorated, Receiver: recv, Via: meth, Methods: methods,
			Path: dt.str(0, "path"), Handler: f.Name,
			Names: append(append([]string(nil), f.Decorators...), f.Deps...),
			Span:  x.span(d),
		}
		if r.Path == "" {
			r.Path = dt.str(0, "rule")
		}
		x.addRoute(r)
	case meth == "middleware":
		// FastAPI/Starlette @app.middleware("http"): wraps every route of app.
		x.uf.Links = append(x.uf.Links, Link{Kind: Middleware, Parent: recv, Names: []string{f.Name}, Span: x.span(d)})
	}
}

// class records a class, class-level settings and stores, the routes its
// decorators declare (flask-restx @ns.route, aiohttp @routes.view), then
// walks its body.
func (x *extractor) class(def syntax.FlatNode, decs []syntax.FlatNode, sc scope) {
	name := x.src(def.Field("name"))
	c := Class{Name: name, Span: x.span(def.Field("name"))}
	kids(def.Field("superclasses"), func(b syntax.FlatNode) bool {
		if d := dotted(b, x.text); d != "" {
			c.Bases = append(c.Bases, d)
		}
		return true
	})
	for _, d := range decs {
		// @method_decorator(ratelimit(...), name="post") decorates one
		// method; name="dispatch" (or none) the whole class.
		if expr := d.NamedChild(0); expr.Kind() == "call" && lastPart(dotted(expr.Field("function"), x.text)) == "method_decorator" {
			a := x.args(expr)
			if m := x.str(a, 1, "name"); m != "" && m != "dispatch" {
				if c.MethodDecorators == nil {
					c.MethodDecorators = map[string][]string{}
				}
				c.MethodDecorators[m] = namesIn(a.arg(0, "decorator"), x.text, c.MethodDecorators[m])
				continue
			}
		}
		c.Decorators = namesIn(d, x.text, c.Decorators)
	}
	body := def.Field("body")
	inner := scope{class: name}
	kids(body, func(st syntax.FlatNode) bool {
		switch st.Kind() {
		case "function_definition":
			c.Methods = append(c.Methods, x.src(st.Field("name")))
		case "decorated_definition":
			if d := st.Field("definition"); d.Kind() == "function_definition" {
				c.Methods = append(c.Methods, x.src(d.Field("name")))
			}
		case "expression_statement":
			if a := st.NamedChild(0); a.Kind() == "assignment" && a.Field("left").Kind() == "identifier" {
				attr := x.src(a.Field("left"))
				right := a.Field("right")
				if right.IsNull() {
					return true // annotation only: x: int
				}
				if c.Attrs == nil {
					c.Attrs, c.AttrNames = map[string]string{}, map[string][]string{}
				}
				c.Attrs[attr] = x.src(right)
				c.AttrNames[attr] = namesIn(right, x.text, nil)
				if kind := containerKind(right, x.text); kind != "" {
					x.uf.Stores = append(x.uf.Stores, Store{Name: attr, Class: name, Kind: kind, Span: x.span(a.Field("left"))})
				}
				if isUpper(attr) {
					x.settings(attr, right, 0)
				}
			}
		}
		return true
	})
	x.uf.Classes = append(x.uf.Classes, c)

	for _, d := range decs {
		expr := d.NamedChild(0)
		if expr.Kind() != "call" {
			continue
		}
		callee := dotted(expr.Field("function"), x.text)
		if recv, meth := receiverOf(callee), lastPart(callee); recv != "" && (meth == "route" || meth == "view") {
			a := x.args(expr)
			x.addRoute(Route{
				Kind: Decorated, Receiver: recv, Via: meth, Path: x.str(a, 0, "path"),
				Handler: name, IsClass: true, Names: c.Decorators, Span: x.span(d),
			})
		}
	}
	if sc.fn != "" {
		inner.fn = "" // a class inside a function: its methods are still methods
	}
	kids(body, func(st syntax.FlatNode) bool {
		if st.Kind() == "expression_statement" {
			// class attributes were handled above; still look for calls in them
			kids(st, func(e syntax.FlatNode) bool {
				if e.Kind() == "assignment" {
					x.visit(e.Field("right"), inner)
				} else {
					x.visit(e, inner)
				}
				return true
			})
			return true
		}
		x.visit(st, inner)
		return true
	})
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
