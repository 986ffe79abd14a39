package codeactions

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

var jsFuncKinds = map[string]bool{
	"function_declaration": true, "function_expression": true, "function": true, "arrow_function": true,
	"method_definition": true, "generator_function_declaration": true, "generator_function": true,
}

// nodeReplaceCounter rewrites the shapes hand-written Node limiters take: a
// middleware function (named and passed to routes or app.use, or written
// inline), a check inline in a route handler, and a helper the handlers
// call. Middleware becomes the module's middleware in place; handlers get it
// as their first middleware.
func nodeReplaceCounter(fc *fileCtx, f analysis.Finding, name string, requests, window int) (fix, bool) {
	fw := f.Fix["framework"]
	if fw == "" {
		fw = fc.guessFramework()
	}
	export, ok := nodeMiddleware[fw]
	if !ok || fw == "nextjs-app" {
		return fix{}, false
	}
	mod := need{module: nodeFileName, name: export, limiter: true}
	mw := fmt.Sprintf("%s({ requests: %d, window: %d })", fc.imports.ref(mod), requests, window)
	j := &jsRewrite{fc: fc, r: &removal{fc: fc}, fw: fw, mw: mw, guarded: map[int]bool{}}

	decl := fc.topStatement(fc.nodeAt(f.Span.Start, "variable_declarator"))
	if decl.IsNull() || decl.Parent().Kind() != "program" || fc.jsExported(name) {
		return fix{}, false
	}
	j.r.remove(decl)
	seen := map[int]bool{}
	for _, ref := range fc.refs(fc.root, name) {
		if j.r.removed(ref) {
			continue
		}
		fn := outermostFunc(ref)
		top := fc.topStatement(ref)
		if fn.IsNull() || fc.isTimer(top) || fc.isMethodCallOn(top, name) {
			if top.Kind() == "expression_statement" {
				j.r.remove(top) // setInterval(() => hits.clear(), ...), hits.clear()
				continue
			}
			return fix{}, false
		}
		if seen[fn.Start()] {
			continue
		}
		seen[fn.Start()] = true
		if !j.owner(fn, ref, name) {
			return fix{}, false
		}
	}
	if !j.ok || len(j.edits) == 0 && len(j.r.spans) <= 1 {
		return fix{}, false
	}
	for _, g := range j.bodies {
		j.deadLocals(g)
	}
	j.deadConstants()
	return fix{edits: append(j.edits, j.r.edits()...), needs: []need{mod}}, true
}

// jsRewrite accumulates one replace-counter rewrite.
type jsRewrite struct {
	fc      *fileCtx
	r       *removal
	fw, mw  string
	edits   []Edit
	bodies  []syntax.Node // function bodies that lost statements
	guarded map[int]bool  // route calls already given the middleware
	ok      bool
}

// owner handles the function fn that uses the counter (or calls a helper).
func (j *jsRewrite) owner(fn, at syntax.Node, counter string) bool {
	fc := j.fc
	par := fn.Parent()
	switch {
	case par.Kind() == "arguments":
		call := par.Parent()
		if fc.isRouteCall(call) && isLastArg(par, fn) {
			return j.handlerUses(fn, at, counter, call)
		}
		// Inline middleware: app.use((req, res, next) => {...}).
		j.replace(fn, j.mw)
		j.ok = true
		return true
	case par.Kind() == "program" || par.Kind() == "variable_declarator":
		name := fn.Field("name").Text(fc.text)
		if par.Kind() == "variable_declarator" {
			name = par.Field("name").Text(fc.text)
		}
		decl := fc.topStatement(fn)
		if name == "" || decl.Parent().Kind() != "program" || fc.jsExported(name) {
			return false // an exported middleware may be used by other modules
		}
		j.r.remove(decl)
		for _, ref := range fc.refs(fc.root, name) {
			if j.r.removed(ref) {
				continue
			}
			switch p := ref.Parent(); {
			case p.Kind() == "arguments":
				j.replace(ref, j.mw) // a middleware reference
				j.ok = true
			case p.Kind() == "call_expression" && p.Field("function").Start() == ref.Start():
				// A helper: if (!allow(ip)) return res.sendStatus(429)
				caller := outermostFunc(ref)
				if caller.IsNull() || !j.callerUses(caller, ref) {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	return false
}

// handlerUses removes the counter statements of an inline route handler and
// gives its route the middleware.
func (j *jsRewrite) handlerUses(fn, at syntax.Node, counter string, route syntax.Node) bool {
	body := fn.Field("body")
	if body.Kind() != "statement_block" {
		return false
	}
	uses := []syntax.Node{at}
	if counter != "" {
		uses = j.fc.refs(body, counter)
	}
	for _, u := range uses {
		if s := childOf(u, body); !s.IsNull() && !j.r.removed(s) {
			j.r.remove(s)
		}
	}
	j.bodies = append(j.bodies, body)
	return j.guard(route)
}

// callerUses handles a function that calls the helper: an inline route
// handler, or a named handler passed to route calls.
func (j *jsRewrite) callerUses(caller, call syntax.Node) bool {
	fc := j.fc
	par := caller.Parent()
	if par.Kind() == "arguments" && fc.isRouteCall(par.Parent()) && isLastArg(par, caller) {
		return j.handlerUses(caller, call, "", par.Parent())
	}
	name := caller.Field("name").Text(fc.text)
	if par.Kind() == "variable_declarator" {
		name = par.Field("name").Text(fc.text)
	}
	if name == "" {
		return false
	}
	routes := 0
	for _, ref := range fc.refs(fc.root, name) {
		if p := ref.Parent(); p.Kind() == "arguments" && fc.isRouteCall(p.Parent()) && isLastArg(p, ref) {
			if !j.guard(p.Parent()) {
				return false
			}
			routes++
		}
	}
	if routes == 0 {
		return false
	}
	body := caller.Field("body")
	if s := childOf(call, body); !s.IsNull() && !j.r.removed(s) {
		j.r.remove(s)
	}
	j.bodies = append(j.bodies, body)
	return true
}

// guard gives a route call the middleware, once.
func (j *jsRewrite) guard(route syntax.Node) bool {
	if j.guarded[route.Start()] {
		return true
	}
	j.guarded[route.Start()] = true
	var edits []Edit
	var ok bool
	if j.fw == "fastify" {
		edits, ok = j.fc.fastifyHookOn(route, j.mw)
	} else {
		edits, ok = j.fc.middlewareArgOn(route, j.mw)
	}
	j.edits = append(j.edits, edits...)
	j.ok = j.ok || ok
	return ok
}

func (j *jsRewrite) replace(n syntax.Node, text string) {
	j.edits = append(j.edits, Edit{Span: analysis.Span{Start: n.Start(), End: n.End()}, NewText: text})
}

// deadLocals removes const/let declarations of a body that only deleted
// statements read, when computing them had no effect.
func (j *jsRewrite) deadLocals(body syntax.Node) {
	fn := body.Parent()
	for changed := true; changed; {
		changed = false
		body.NamedChildren(func(s syntax.Node) bool {
			if j.r.removed(s) {
				return true
			}
			if name, value, ok := j.fc.jsSimpleDecl(s); ok && j.fc.jsPure(value) {
				uses := j.fc.refs(fn, name)
				if len(uses) > 1 && j.r.allRemoved(uses, s) {
					j.r.remove(s)
					changed = true
				}
			}
			return true
		})
	}
}

// deadConstants removes module constants only deleted code used
// (const WINDOW_MS = 60 * 1000).
func (j *jsRewrite) deadConstants() {
	j.fc.root.NamedChildren(func(s syntax.Node) bool {
		if j.r.removed(s) {
			return true
		}
		if name, value, ok := j.fc.jsSimpleDecl(s); ok && j.fc.jsPure(value) {
			uses := j.fc.refs(j.fc.root, name)
			if len(uses) > 1 && j.r.allRemoved(uses, s) {
				j.r.remove(s)
			}
		}
		return true
	})
}

// jsSimpleDecl recognizes `const name = value;` (one declarator).
func (fc *fileCtx) jsSimpleDecl(s syntax.Node) (string, syntax.Node, bool) {
	if (s.Kind() != "lexical_declaration" && s.Kind() != "variable_declaration") || s.NamedChildCount() != 1 {
		return "", syntax.Node{}, false
	}
	d := s.NamedChild(0)
	if d.Kind() != "variable_declarator" || d.Field("name").Kind() != "identifier" || d.Field("value").IsNull() {
		return "", syntax.Node{}, false
	}
	return d.Field("name").Text(fc.text), d.Field("value"), true
}

// jsPureCalls read the clock or the request without effects.
var jsPureCalls = map[string]bool{
	"Date.now": true, "performance.now": true, "Math.floor": true, "Math.ceil": true, "Math.max": true,
	"Math.min": true, "Number": true, "String": true, "parseInt": true,
}

func (fc *fileCtx) jsPure(e syntax.Node) bool {
	switch e.Kind() {
	case "await_expression", "assignment_expression", "augmented_assignment_expression", "update_expression",
		"new_expression", "yield_expression", "arrow_function", "function_expression", "function":
		return false
	case "call_expression":
		callee := e.Field("function").Text(fc.text)
		if !jsPureCalls[callee] && !strings.HasSuffix(callee, ".header") && !strings.HasSuffix(callee, ".get") {
			return false
		}
	}
	pure := true
	e.NamedChildren(func(c syntax.Node) bool {
		pure = pure && fc.jsPure(c)
		return pure
	})
	return pure
}

// isRouteCall reports whether a call registers a route (app.post('/x', ...)).
func (fc *fileCtx) isRouteCall(call syntax.Node) bool {
	if call.Kind() != "call_expression" {
		return false
	}
	callee := call.Field("function")
	return callee.Kind() == "member_expression" && jsRouteMethods[strings.ToLower(callee.Field("property").Text(fc.text))] &&
		len(args(call)) > 0
}

func isLastArg(argList, n syntax.Node) bool {
	as := args(argList.Parent())
	return len(as) > 0 && as[len(as)-1].Start() == n.Start()
}

// outermostFunc is the outermost function containing n.
func outermostFunc(n syntax.Node) syntax.Node {
	var out syntax.Node
	for p := n; !p.IsNull(); p = p.Parent() {
		if jsFuncKinds[p.Kind()] {
			out = p
		}
	}
	return out
}

// isTimer recognizes setInterval(...)/setTimeout(...) statements, which
// hand-written limiters use to reset their counters.
func (fc *fileCtx) isTimer(stmt syntax.Node) bool {
	if stmt.Kind() != "expression_statement" {
		return false
	}
	e := stmt.NamedChild(0)
	if e.Kind() == "call_expression" {
		switch e.Field("function").Text(fc.text) {
		case "setInterval", "setTimeout":
			return true
		}
	}
	return false
}

// isMethodCallOn recognizes `name.method(...)` statements (hits.clear()).
func (fc *fileCtx) isMethodCallOn(stmt syntax.Node, name string) bool {
	if stmt.Kind() != "expression_statement" {
		return false
	}
	e := stmt.NamedChild(0)
	return e.Kind() == "call_expression" && e.Field("function").Kind() == "member_expression" &&
		e.Field("function").Field("object").Text(fc.text) == name
}
