package codeactions

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

var pyFuncKinds = map[string]bool{"function_definition": true}

// pyRegistrars are the calls that register a handler by name.
var pyRegistrars = map[string]bool{
	"add_url_rule": true, "add_api_route": true, "add_route": true, "add_get": true, "add_post": true,
	"add_put": true, "add_patch": true, "add_delete": true, "add_view": true, "path": true, "re_path": true,
	"url": true, "Route": true, "get": true, "post": true, "put": true, "patch": true, "delete": true,
	"view": true, "route": true, "api_route": true,
}

// pyReplaceCounter rewrites the three shapes hand-written Python limiters
// take: the check inline in a route handler, a helper the handlers call
// (if not allow(ip): abort(429)), and a decorator the handlers wear.
func pyReplaceCounter(fc *fileCtx, f analysis.Finding, name string, requests, window int) (fix, bool) {
	mod := need{module: pythonModule, name: "rate_limit", limiter: true}
	deco := fmt.Sprintf("%s(requests=%d, window=%d)", fc.imports.ref(mod), requests, window)
	r := &removal{fc: fc}
	def := childOf(fc.nodeAt(f.Span.Start, "expression_statement"), fc.root)
	if def.IsNull() {
		return fix{}, false
	}
	r.remove(def)
	var guard []syntax.Node // functions that get the decorator
	var deleted []string    // module-level functions the fix deletes
	seen := map[int]bool{}
	for _, ref := range fc.refs(fc.root, name) {
		if r.removed(ref) {
			continue
		}
		top := childOf(ref, fc.root)
		fn := top
		if fn.Kind() == "decorated_definition" {
			fn = fn.Field("definition")
		}
		if fn.Kind() != "function_definition" {
			if top.Kind() == "expression_statement" {
				r.remove(top) // maintenance at module level (hits.clear())
				continue
			}
			return fix{}, false
		}
		if seen[fn.Start()] {
			continue
		}
		seen[fn.Start()] = true
		fname := fn.Field("name").Text(fc.text)
		switch {
		case fc.pyIsRoute(fn):
			fc.pyRemoveUses(r, fn, ref, name)
			guard = append(guard, fn)
		case len(fc.pyDecoratorUses(fname)) > 0:
			r.remove(top)
			deleted = append(deleted, fname)
			for _, d := range fc.pyDecoratorUses(fname) {
				r.remove(d)
				g := d.Parent().Field("definition")
				if g.Kind() != "function_definition" {
					return fix{}, false
				}
				guard = append(guard, g)
			}
		case len(fc.pyCalls(fname)) > 0:
			r.remove(top)
			deleted = append(deleted, fname)
			for _, call := range fc.pyCalls(fname) {
				g := enclosing(call, pyFuncKinds)
				if g.IsNull() || !fc.pyIsRoute(g) {
					return fix{}, false
				}
				fc.pyRemoveUses(r, g, call, "")
				guard = append(guard, g)
			}
		default:
			return fix{}, false
		}
	}
	if len(guard) == 0 || fc.pyUsedElsewhere(append(deleted, name)...) {
		return fix{}, false
	}
	var edits []Edit
	done := map[int]bool{}
	for _, g := range guard {
		if done[g.Start()] {
			continue
		}
		done[g.Start()] = true
		fc.pyDeadLocals(r, g)
		edits = append(edits, fc.pyLimitFunction(g, deco)...)
	}
	fc.pyDeadModuleNames(r)
	return fix{edits: append(edits, r.edits()...), needs: []need{mod}}, true
}

// pyIsRoute reports whether a function is a request handler: it wears a
// route decorator or is registered by name in this file.
func (fc *fileCtx) pyIsRoute(fn syntax.Node) bool {
	if dd := fn.Parent(); dd.Kind() == "decorated_definition" && !fc.pyLowestRoute(dd).IsNull() {
		return true
	}
	if !enclosing(fn, pyFuncKinds).IsNull() {
		return false
	}
	name := fn.Field("name").Text(fc.text)
	registered := false
	for _, ref := range fc.refs(fc.root, name) {
		arg := ref
		if p := arg.Parent(); p.Kind() == "keyword_argument" {
			arg = p
		}
		if p := arg.Parent(); p.Kind() == "argument_list" {
			callee := p.Parent().Field("function").Text(fc.text)
			if pyRegistrars[callee[strings.LastIndexByte(callee, '.')+1:]] {
				registered = true
			}
		}
	}
	return registered
}

// pyLowestRoute is the last route decorator of a decorated definition.
func (fc *fileCtx) pyLowestRoute(dd syntax.Node) syntax.Node {
	var last syntax.Node
	dd.NamedChildren(func(d syntax.Node) bool {
		if _, ok := pyRouteDecorator(d, fc.text); ok && d.Kind() == "decorator" {
			last = d
		}
		return true
	})
	return last
}

// pyLimitFunction puts the decorator on a handler: below its route
// decorators, else directly above its def.
func (fc *fileCtx) pyLimitFunction(fn syntax.Node, deco string) []Edit {
	if dd := fn.Parent(); dd.Kind() == "decorated_definition" {
		if route := fc.pyLowestRoute(dd); !route.IsNull() {
			return []Edit{insertAt(nextLineStart(fc.text, route.End()), indentAt(fc.text, route.Start())+"@"+deco+fc.nl)}
		}
	}
	return fc.pyDecorateDef(fn, deco)
}

// pyDecoratorUses lists the decorators that apply function name.
func (fc *fileCtx) pyDecoratorUses(name string) []syntax.Node {
	var out []syntax.Node
	fc.root.Walk(func(n syntax.Node) bool {
		if n.Kind() != "decorator" {
			return true
		}
		e := n.NamedChild(0)
		if e.Kind() == "call" {
			e = e.Field("function")
		}
		if e.Kind() == "identifier" && e.Text(fc.text) == name {
			out = append(out, n)
		}
		return false
	})
	return out
}

// pyCalls lists the calls of function name.
func (fc *fileCtx) pyCalls(name string) []syntax.Node {
	var out []syntax.Node
	fc.root.Walk(func(n syntax.Node) bool {
		if n.Kind() == "call" && n.Field("function").Kind() == "identifier" && n.Field("function").Text(fc.text) == name {
			out = append(out, n)
		}
		return true
	})
	return out
}

// pyRemoveUses deletes the statements of fn's body that use the counter
// (or contain the node at, for a helper's call site).
func (fc *fileCtx) pyRemoveUses(r *removal, fn, at syntax.Node, counter string) {
	body := fn.Field("body")
	uses := []syntax.Node{at}
	if counter != "" {
		uses = fc.refs(body, counter)
	}
	for _, u := range uses {
		if s := childOf(u, body); !s.IsNull() && !r.removed(s) {
			r.remove(s)
		}
	}
}

// pyDeadLocals deletes assignments in fn's body whose variable was only
// read by deleted code (now = time.time() before a deleted check), as long
// as computing them had no effect.
func (fc *fileCtx) pyDeadLocals(r *removal, fn syntax.Node) {
	body := fn.Field("body")
	for changed := true; changed; {
		changed = false
		body.NamedChildren(func(s syntax.Node) bool {
			if r.removed(s) || s.Kind() != "expression_statement" {
				return true
			}
			a := s.NamedChild(0)
			if a.Kind() != "assignment" || a.Field("left").Kind() != "identifier" || !fc.pyPure(a.Field("right")) {
				return true
			}
			uses := fc.refs(fn, a.Field("left").Text(fc.text))
			if len(uses) > 1 && r.allRemoved(uses, s) {
				r.remove(s)
				changed = true
			}
			return true
		})
	}
	live := 0
	body.NamedChildren(func(s syntax.Node) bool {
		if !r.removed(s) && s.Kind() != "comment" {
			live++
		}
		return true
	})
	if live == 0 {
		first := body.NamedChild(0)
		r.extra = append(r.extra, insertAt(lineStart(fc.text, first.Start()), indentAt(fc.text, first.Start())+"pass"+fc.nl))
	}
}

// pyPureCalls are calls without effects that hand-written limiters use to
// read the clock and the client.
var pyPureCalls = map[string]bool{
	"time.time": true, "time.monotonic": true, "time.perf_counter": true, "time": true, "monotonic": true,
	"datetime.now": true, "datetime.utcnow": true, "datetime.datetime.now": true, "datetime.datetime.utcnow": true,
	"int": true, "float": true, "str": true, "len": true, "min": true, "max": true, "get_remote_address": true,
}

// pyPure reports whether evaluating an expression has no effect.
func (fc *fileCtx) pyPure(e syntax.Node) bool {
	switch e.Kind() {
	case "await", "yield", "lambda", "named_expression":
		return false
	case "call":
		callee := e.Field("function").Text(fc.text)
		if !pyPureCalls[callee] && !strings.HasSuffix(callee, ".get") && !strings.HasPrefix(callee, "request.") {
			return false
		}
	}
	pure := true
	e.NamedChildren(func(c syntax.Node) bool {
		if c.Kind() != "identifier" && c.Kind() != "argument_list" && !fc.pyPure(c) {
			pure = false
		}
		if c.Kind() == "argument_list" {
			c.NamedChildren(func(a syntax.Node) bool {
				pure = pure && fc.pyPure(a)
				return pure
			})
		}
		return pure
	})
	return pure
}

// pyDeadModuleNames deletes module-level constants and imported names that
// only the deleted code used (WINDOW = 60, import time).
func (fc *fileCtx) pyDeadModuleNames(r *removal) {
	fc.root.NamedChildren(func(s syntax.Node) bool {
		if r.removed(s) {
			return true
		}
		switch s.Kind() {
		case "expression_statement":
			a := s.NamedChild(0)
			if a.Kind() != "assignment" || a.Field("left").Kind() != "identifier" || !fc.pyPure(a.Field("right")) {
				return true
			}
			uses := fc.refs(fc.root, a.Field("left").Text(fc.text))
			if len(uses) > 1 && r.allRemoved(uses, s) {
				r.remove(s)
			}
		case "import_statement", "import_from_statement":
			fc.pyDeadImports(r, s)
		}
		return true
	})
}

// pyDeadImports drops the names of an import statement that only deleted
// code used, rewriting the statement when some names stay.
func (fc *fileCtx) pyDeadImports(r *removal, s syntax.Node) {
	imp, ok := parsePyImport(s, fc.text)
	if !ok || imp.wildcard {
		return
	}
	type binding struct {
		node  syntax.Node
		local string
	}
	var all []binding
	mod := s.Field("module_name")
	s.NamedChildren(func(c syntax.Node) bool {
		if !mod.IsNull() && c.Start() == mod.Start() {
			return true
		}
		switch c.Kind() {
		case "dotted_name":
			all = append(all, binding{c, strings.SplitN(c.Text(fc.text), ".", 2)[0]})
		case "aliased_import":
			all = append(all, binding{c, c.Field("alias").Text(fc.text)})
		}
		return true
	})
	var keep []string
	dropped := false
	for _, b := range all {
		uses := fc.refs(fc.root, b.local)
		var outside []syntax.Node
		for _, u := range uses {
			if u.Start() < s.Start() || u.End() > s.End() {
				outside = append(outside, u)
			}
		}
		if len(outside) > 0 && r.allRemoved(outside, syntax.Node{}) {
			dropped = true
			continue
		}
		keep = append(keep, b.node.Text(fc.text))
	}
	switch {
	case !dropped:
	case len(keep) == 0:
		r.remove(s)
	case s.Kind() == "import_statement":
		r.extra = append(r.extra, Edit{Span: analysis.Span{Start: s.Start(), End: s.End()}, NewText: "import " + strings.Join(keep, ", ")})
	default:
		r.extra = append(r.extra, Edit{Span: analysis.Span{Start: s.Start(), End: s.End()},
			NewText: "from " + mod.Text(fc.text) + " import " + strings.Join(keep, ", ")})
	}
}
