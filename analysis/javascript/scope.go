package javascript

import (
	"bytes"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// registrationMethods are the member calls recorded as Calls: they register
// routes (Express, Fastify, Koa, Hono), install middleware, mount routers,
// register Fastify plugins and hooks. Anything else is invisible to the
// rules, which keeps facts small.
var registrationMethods = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "del": true,
	"options": true, "head": true, "all": true, "any": true, "on": true,
	"route": true, "use": true, "register": true, "addHook": true, "mount": true,
}

// notInstallers are plain functions called with identifiers all the time
// that never install routes; skipping them keeps facts small.
var notInstallers = map[string]bool{
	"next": true, "require": true, "String": true, "Number": true, "Boolean": true, "parseInt": true,
	"parseFloat": true, "setTimeout": true, "setInterval": true, "clearTimeout": true, "clearInterval": true,
	"Error": true, "resolve": true, "reject": true, "done": true, "cb": true, "callback": true, "expect": true,
	"assert": true, "isNaN": true, "encodeURIComponent": true, "decodeURIComponent": true, "BigInt": true,
}

// isFunctionNode reports whether n is a function of any form.
func isFunctionNode(n syntax.FlatNode) bool {
	switch n.Kind() {
	case "arrow_function", "function_expression", "function", "generator_function",
		"function_declaration", "generator_function_declaration":
		return true
	}
	return false
}

// function summarizes a function node: parameters, the registrations in its
// body, what it returns and its rate-limiting signals.
func (x *extractor) function(n syntax.FlatNode) *Func {
	key := [2]int{n.Start(), n.End()}
	if f, ok := x.funcs.get(key); ok {
		return f
	}
	f := &Func{Span: x.rel(n)}
	x.funcs.put(key, f)
	if nm := n.Field("name"); !nm.IsNull() {
		f.Name, f.NameSpan = nm.Text(x.text), x.rel(nm)
	}
	f.Params = x.params(n)
	// One walk of the body records its registrations and collects its
	// signals; nested functions are summarized once and merged.
	st := &sigState{s: &f.Signals, cc: counterCollector{x: x}}
	st.params(f.Params)
	body := n.Field("body")
	if body.Kind() == "statement_block" {
		x.walkScope(body, &f.Scope, &f.Returns, st)
	} else if !body.IsNull() { // concise arrow body: its value is returned
		x.walkScope(body, &f.Scope, nil, st)
		f.Returns = append(f.Returns, x.value(body, 2))
	}
	f.Checks = append(st.cc.checks(), f.Checks...)
	return f
}

// params lists a function's identifier parameters ("" for patterns).
func (x *extractor) params(n syntax.FlatNode) []string {
	var out []string
	if p := n.Field("parameter"); !p.IsNull() { // x => ...
		out = []string{p.Text(x.text)}
	}
	n.Field("parameters").NamedChildren(func(p syntax.FlatNode) bool {
		out = append(out, paramName(p, x.text))
		return true
	})
	return out
}

// paramName is a parameter's identifier ("" for destructuring patterns).
func paramName(p syntax.FlatNode, text []byte) string {
	switch p.Kind() {
	case "identifier":
		return p.Text(text)
	case "required_parameter", "optional_parameter":
		if pat := p.Field("pattern"); pat.Kind() == "identifier" {
			return pat.Text(text)
		}
	case "assignment_pattern":
		if l := p.Field("left"); l.Kind() == "identifier" {
			return l.Text(text)
		}
	}
	return ""
}

// walkScope collects the bindings, registration calls and named functions
// of a body. Functions are opaque (they get their own Func) except inline
// callbacks of calls that are not registrations and IIFEs, whose code runs
// as part of this scope as far as the rules are concerned
// (routes.forEach(r => app.get(...)), (async () => { ... })()).
func (x *extractor) walkScope(body syntax.FlatNode, sc *Scope, returns *[]Value, st *sigState) {
	// Callbacks are recognized from their call (not with Parent(), which
	// costs a walk from the root in tree-sitter).
	transparent := map[int]bool{}
	body.Walk(func(n syntax.FlatNode) bool {
		kind := n.Kind()
		if isFunctionKind(kind) {
			switch {
			case kind == "function_declaration" || kind == "generator_function_declaration":
				f := x.function(n)
				sc.Funcs = append(sc.Funcs, f)
				st.merge(f)
				return false
			case transparent[n.Start()]:
				st.params(x.params(n))
				return true // a callback: its code runs as part of this scope
			default:
				if st != nil {
					st.merge(x.function(n))
				}
				return false
			}
		}
		if st != nil {
			st.cc.visit(n, kind)
			x.signalNode(n, kind, st)
		}
		switch kind {
		case "class_declaration", "class":
			x.classMethods(n, sc)
			return false
		case "method_definition":
			return false // a method of an object literal: a function of its own
		case "variable_declarator":
			name, val := n.Field("name"), unwrap(n.Field("value"))
			if name.Kind() != "identifier" || val.IsNull() {
				return true
			}
			v := x.value(val, maxValueDepth)
			if v.Kind == KFunc {
				if v.Fn.Name == "" {
					v.Fn.Name, v.Fn.NameSpan = name.Text(x.text), x.rel(name)
				}
				sc.Funcs = append(sc.Funcs, v.Fn)
				st.merge(v.Fn)
			}
			sc.Bindings = append(sc.Bindings, Binding{Name: name.Text(x.text), Value: v, Span: x.rel(n)})
			return v.Kind != KFunc
		case "return_statement":
			if returns != nil && n.NamedChildCount() > 0 {
				*returns = append(*returns, x.value(n.NamedChild(0), 2))
			}
			return true
		case "call_expression":
			if x.recordCall(n, sc) {
				return false
			}
			x.markCallbacks(n, transparent)
			return true
		}
		return true
	})
}

// markCallbacks marks the functions an ordinary call runs as part of the
// enclosing scope: its arguments and, for an IIFE, its callee.
func (x *extractor) markCallbacks(call syntax.FlatNode, transparent map[int]bool) {
	fn := call.Field("function")
	for fn.Kind() == "parenthesized_expression" {
		fn = fn.NamedChild(0)
	}
	if isFunctionNode(fn) {
		transparent[fn.Start()] = true
	}
	args := call.Field("arguments")
	// Most calls pass no function: their text says so without visiting
	// the arguments.
	if a := x.bytes(args); !bytes.Contains(a, []byte("=>")) && !bytes.Contains(a, []byte("function")) {
		return
	}
	args.NamedChildren(func(a syntax.FlatNode) bool {
		for a.Kind() == "parenthesized_expression" {
			a = a.NamedChild(0)
		}
		if isFunctionNode(a) {
			transparent[a.Start()] = true
		}
		return true
	})
}

// recordCall records a registration-shaped call (and the links of a chain
// such as app.route('/x').get(h).post(h)). It reports whether it recorded.
func (x *extractor) recordCall(n syntax.FlatNode, sc *Scope) bool {
	fn := unwrap(n.Field("function"))
	if fn.Kind() != "member_expression" {
		return x.recordInvocation(n, fn, sc)
	}
	prop := fn.Field("property")
	if !registrationMethods[string(x.bytes(prop))] {
		return false
	}
	method := prop.Text(x.text)
	obj := unwrap(fn.Field("object"))
	recv, chain := x.chainBase(obj, sc)
	c := Call{Recv: recv, Method: method, Callee: Value{Kind: KMember, Name: method}, Span: x.rel(n), Chain: chain}
	if obj.Kind() == "call_expression" {
		// A link of a chain: underline from the method so the links of
		// app.route('/x').get(h).post(h) get distinct spans.
		c.Span.Start = fn.Field("property").Start() - x.base
	}
	args := n.Field("arguments")
	k := 0
	args.NamedChildren(func(a syntax.FlatNode) bool {
		if a.Kind() != "comment" {
			k++
		}
		return true
	})
	if k > 0 {
		c.Args = make([]Value, 0, k) // Values are large: no regrowing
	}
	args.NamedChildren(func(a syntax.FlatNode) bool {
		if a.Kind() != "comment" {
			c.Args = append(c.Args, x.value(a, maxValueDepth))
		}
		return true
	})
	sc.Calls = append(sc.Calls, c)
	return true
}

// chainBase resolves the receiver of a chained registration: for
// app.route('/x').get(h) it records nothing and returns (app, '/x'); for
// router.get('/a', h).post('/b', h) it records the inner call first.
func (x *extractor) chainBase(obj syntax.FlatNode, sc *Scope) (Value, *Value) {
	if obj.Kind() == "call_expression" {
		fn := unwrap(obj.Field("function"))
		if fn.Kind() == "member_expression" {
			m := fn.Field("property").Text(x.text)
			args := obj.Field("arguments")
			if m == "route" && args.NamedChildCount() == 1 {
				if p := x.value(args.NamedChild(0), 1); p.Kind == KString || p.Kind == KOther {
					base, _ := x.chainBase(unwrap(fn.Field("object")), sc)
					return base, &p
				}
			}
			if registrationMethods[m] {
				x.recordCall(obj, sc)
				base, chain := x.chainBase(unwrap(fn.Field("object")), sc)
				if chain != nil && httpMethodOf(m) != "" {
					return base, chain
				}
				return base, nil
			}
		}
	}
	return x.value(obj, 3), nil
}

// recordInvocation records plain calls that may install routes on an app
// passed as an argument: routes(app), require('./routes')(app).
func (x *extractor) recordInvocation(n, fn syntax.FlatNode, sc *Scope) bool {
	var callee Value
	if notInstallers[string(x.bytes(fn))] {
		return false
	}
	switch {
	case fn.Kind() == "identifier":
		callee = Value{Kind: KIdent, Name: fn.Text(x.text), Span: x.rel(fn)}
	case fn.Kind() == "call_expression":
		m, ok := x.requireOf(fn)
		if !ok {
			return false
		}
		callee = Value{Kind: KCall, Name: "require", Args: []Value{{Kind: KString, Str: m}}, Span: x.rel(fn)}
	default:
		return false
	}
	c := Call{Method: callee.Name, Callee: callee, Span: x.rel(n)}
	hasIdent := false
	n.Field("arguments").NamedChildren(func(a syntax.FlatNode) bool {
		if unwrap(a).Kind() == "identifier" {
			hasIdent = true
		}
		return !hasIdent
	})
	if !hasIdent {
		return false
	}
	// Only identifiers matter (they may be apps); other arguments are kept
	// as placeholders so their functions are not summarized twice (the walk
	// goes on into them as callbacks of this scope).
	n.Field("arguments").NamedChildren(func(a syntax.FlatNode) bool {
		switch u := unwrap(a); u.Kind() {
		case "comment":
		case "identifier":
			c.Args = append(c.Args, Value{Kind: KIdent, Name: u.Text(x.text), Span: x.rel(u)})
		default:
			c.Args = append(c.Args, Value{Kind: KOther, Span: x.rel(u)})
		}
		return true
	})
	sc.Calls = append(sc.Calls, c)
	return false // keep walking: callbacks among the arguments run here too
}

// classMethods adds a class's methods as functions (their counter checks
// read this.x fields).
func (x *extractor) classMethods(n syntax.FlatNode, sc *Scope) {
	n.Field("body").NamedChildren(func(m syntax.FlatNode) bool {
		if m.Kind() == "method_definition" {
			f := x.function(m)
			sc.Funcs = append(sc.Funcs, f)
		}
		return true
	})
}
