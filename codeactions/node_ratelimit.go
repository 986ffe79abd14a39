package codeactions

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// jsRouteMethods are the router methods that register a handler: Express,
// Koa router, Hono and Fastify shorthands.
var jsRouteMethods = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "del": true,
	"head": true, "options": true, "all": true, "on": true, "route": true,
}

// nodeMiddleware is the export of the limiter module that guards a route of
// each framework (withRateLimit serves both Next.js routers: it tells a
// Pages Router (req, res) call from an App Router Request at call time).
var nodeMiddleware = map[string]string{
	"express":      "rateLimit",
	"koa":          "koaRateLimit",
	"hono":         "honoRateLimit",
	"fastify":      "fastifyRateLimit",
	"nextjs-app":   "withRateLimit",
	"nextjs-pages": "withRateLimit",
}

// nodeAddRateLimit adds the limiter to a route: as the first middleware
// argument (Express, Hono), as an onRequest hook in the route options
// (Fastify), or by wrapping an exported route handler (Next.js App Router)
// or the default export (Next.js Pages Router API routes).
func nodeAddRateLimit(fc *fileCtx, f analysis.Finding) (fix, bool) {
	fw := f.Fix["framework"]
	if fw == "" {
		fw = fc.guessFramework()
	}
	export, ok := nodeMiddleware[fw]
	if !ok {
		return fix{}, false
	}
	mod := need{module: nodeFileName, name: export, limiter: true}
	requests, window := fc.limits()
	call := fmt.Sprintf("%s({ requests: %d, window: %d })", fc.imports.ref(mod), requests, window)
	var edits []Edit
	switch fw {
	case "nextjs-app":
		edits, ok = fc.wrapRouteHandler(f, fc.imports.ref(mod), fmt.Sprintf("{ requests: %d, window: %d }", requests, window))
	case "nextjs-pages":
		edits, ok = fc.wrapDefaultExport(fc.imports.ref(mod), fmt.Sprintf("{ requests: %d, window: %d }", requests, window))
	case "fastify":
		edits, ok = fc.fastifyHook(f, call)
	default:
		edits, ok = fc.middlewareArg(f, call)
	}
	if !ok {
		return fix{}, false
	}
	fx := fix{edits: edits, needs: []need{mod}}
	if fw == "nextjs-app" {
		// An export clause is fixed for all its flagged methods at once.
		if exp := fc.nodeAt(f.Span.Start, "export_statement"); !exp.IsNull() && exp.Field("declaration").IsNull() {
			fx.covers = analysis.Span{Start: exp.Start(), End: exp.End()}
		}
	}
	return fx, true
}

// guessFramework names the framework a file imports, for findings that do
// not say.
func (fc *fileCtx) guessFramework() string {
	ni, _ := fc.imports.(*nodeImports)
	if ni == nil {
		return ""
	}
	for _, imp := range ni.all {
		switch {
		case imp.source == "express" || imp.source == "fastify" || imp.source == "hono" || imp.source == "koa":
			return imp.source
		case strings.HasPrefix(imp.source, "next/") || imp.source == "next":
			return "nextjs-app"
		}
	}
	return ""
}

// routeCall finds the registration call a finding points at: the route call
// containing the finding's start, preferring the one whose method the
// finding names ("POST /login") in a chain such as
// app.route('/x').get(a).post(b).
func (fc *fileCtx) routeCall(f analysis.Finding) syntax.Node {
	want := ""
	if r := f.Fix["route"]; r != "" {
		want = strings.ToLower(strings.TrimSuffix(strings.Fields(r)[0], ","))
	}
	if m := f.Fix["method"]; m != "" {
		want = strings.ToLower(m)
	}
	var best, smallest syntax.Node
	fc.root.Walk(func(n syntax.Node) bool {
		if n.Start() > f.Span.Start || n.End() <= f.Span.Start {
			return false
		}
		if n.Kind() != "call_expression" {
			return true
		}
		callee := n.Field("function")
		if callee.Kind() != "member_expression" {
			return true
		}
		meth := strings.ToLower(callee.Field("property").Text(fc.text))
		if !jsRouteMethods[meth] {
			return true
		}
		smallest = n
		if meth == want || (want == "" && best.IsNull()) {
			best = n
		}
		return true
	})
	if best.IsNull() {
		return smallest
	}
	return best
}

// args lists a call's arguments.
func args(call syntax.Node) []syntax.Node {
	var out []syntax.Node
	call.Field("arguments").NamedChildren(func(a syntax.Node) bool {
		if a.Kind() != "comment" {
			out = append(out, a)
		}
		return true
	})
	return out
}

// isPath reports whether an argument is a route path (string, template,
// regex or an array of them) rather than a handler.
func isPath(n syntax.Node) bool {
	switch n.Kind() {
	case "string", "template_string", "regex", "array":
		return true
	}
	return false
}

// middlewareArg inserts the middleware as the first one after the path, so
// the limit is checked before authentication or body parsing.
func (fc *fileCtx) middlewareArg(f analysis.Finding, call string) ([]Edit, bool) {
	return fc.middlewareArgOn(fc.routeCall(f), call)
}

func (fc *fileCtx) middlewareArgOn(rc syntax.Node, call string) ([]Edit, bool) {
	if rc.IsNull() {
		return nil, false
	}
	as := args(rc)
	k := 0
	if len(as) > 0 && isPath(as[0]) {
		k = 1
	}
	if k >= len(as) {
		return nil, false
	}
	return []Edit{fc.insertArg(as, k, call)}, true
}

// insertArg puts a new argument before as[k], on its own line when the
// arguments are laid out one per line.
func (fc *fileCtx) insertArg(as []syntax.Node, k int, arg string) Edit {
	at := as[k].Start()
	if k > 0 && fc.lineOf(as[k-1].End()) != fc.lineOf(at) && onlySpaceBefore(fc.text, at) {
		return insertAt(at, arg+","+fc.nl+indentAt(fc.text, at))
	}
	return insertAt(at, arg+", ")
}

func (fc *fileCtx) lineOf(off int) int {
	return strings.Count(string(fc.text[:off]), "\n")
}

// fastifyHook adds `onRequest: fastifyRateLimit(...)` to the route's options:
// a new options argument for the shorthand without one, a new property of an
// existing options object or of fastify.route({...}), or the first element of
// an existing onRequest hook list.
func (fc *fileCtx) fastifyHook(f analysis.Finding, call string) ([]Edit, bool) {
	return fc.fastifyHookOn(fc.routeCall(f), call)
}

func (fc *fileCtx) fastifyHookOn(rc syntax.Node, call string) ([]Edit, bool) {
	if rc.IsNull() {
		return nil, false
	}
	as := args(rc)
	meth := rc.Field("function").Field("property").Text(fc.text)
	var opts syntax.Node
	switch {
	case meth == "route" && len(as) > 0 && as[0].Kind() == "object":
		opts = as[0]
	case len(as) >= 3 && as[1].Kind() == "object":
		opts = as[1]
	case len(as) == 2 && isPath(as[0]):
		return []Edit{fc.insertArg(as, 1, "{ onRequest: "+call+" }")}, true
	default:
		return nil, false
	}
	return fc.addProperty(opts, "onRequest", call), true
}

// addProperty adds key: value as the first property of an object literal,
// or prepends value to an existing key (turning a single hook into a list).
func (fc *fileCtx) addProperty(obj syntax.Node, key, value string) []Edit {
	var props []syntax.Node
	var existing syntax.Node
	obj.NamedChildren(func(p syntax.Node) bool {
		if p.Kind() == "comment" {
			return true
		}
		props = append(props, p)
		if p.Kind() == "pair" && strings.Trim(p.Field("key").Text(fc.text), `'"`) == key {
			existing = p
		}
		return true
	})
	if !existing.IsNull() {
		v := existing.Field("value")
		if v.Kind() == "array" {
			if el := args2(v); len(el) > 0 {
				return []Edit{insertAt(el[0].Start(), value+", ")}
			}
			return []Edit{{Span: analysis.Span{Start: v.Start(), End: v.End()}, NewText: "[" + value + "]"}}
		}
		return []Edit{insertAt(v.Start(), "["+value+", "), insertAt(v.End(), "]")}
	}
	if len(props) == 0 {
		return []Edit{{Span: analysis.Span{Start: obj.Start(), End: obj.End()}, NewText: "{ " + key + ": " + value + " }"}}
	}
	first := props[0]
	if fc.lineOf(obj.Start()) != fc.lineOf(first.Start()) && onlySpaceBefore(fc.text, first.Start()) {
		return []Edit{insertAt(first.Start(), key+": "+value+","+fc.nl+indentAt(fc.text, first.Start()))}
	}
	return []Edit{insertAt(first.Start(), key+": "+value+", ")}
}

// args2 lists the elements of an array literal.
func args2(arr syntax.Node) []syntax.Node {
	var out []syntax.Node
	arr.NamedChildren(func(a syntax.Node) bool {
		if a.Kind() != "comment" {
			out = append(out, a)
		}
		return true
	})
	return out
}

// wrapRouteHandler wraps a Next.js App Router handler export:
//
//	export async function POST(req) {...}
//	  -> export const POST = withRateLimit(async function POST(req) {...}, { requests: 100, window: 60 });
//	export const GET = async (req) => {...}
//	  -> export const GET = withRateLimit(async (req) => {...}, { requests: 100, window: 60 });
//
// The handler's body and signature stay as they are.
func (fc *fileCtx) wrapRouteHandler(f analysis.Finding, wrapper, opts string) ([]Edit, bool) {
	exp := fc.nodeAt(f.Span.Start, "export_statement")
	if exp.IsNull() {
		return nil, false
	}
	decl := exp.Field("declaration")
	semi := fc.semi()
	switch decl.Kind() {
	case "":
		return fc.wrapRouteClause(f, exp, wrapper, opts, semi)
	case "function_declaration", "function":
		name := decl.Field("name").Text(fc.text)
		return []Edit{
			insertAt(decl.Start(), "const "+name+" = "+wrapper+"("),
			insertAt(decl.End(), ", "+opts+")"+semi),
		}, true
	case "lexical_declaration", "variable_declaration":
		if decl.NamedChildCount() != 1 {
			return nil, false
		}
		v := decl.NamedChild(0).Field("value")
		if v.IsNull() {
			return nil, false
		}
		return []Edit{insertAt(v.Start(), wrapper+"("), insertAt(v.End(), ", "+opts+")")}, true
	}
	return nil, false
}
