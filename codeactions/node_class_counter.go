package codeactions

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

var jsClassKinds = map[string]bool{"class_declaration": true, "class": true, "abstract_class_declaration": true}

var jsFieldKinds = map[string]bool{"field_definition": true, "public_field_definition": true}

// jsClassLimiter is a JavaScript/TypeScript class limiter the fix
// understands.
type jsClassLimiter struct {
	fc       *fileCtx
	class    syntax.Node // class_declaration
	body     syntax.Node // class_body
	init     syntax.Node // this.requests = new Map() statement, or the field
	decl     syntax.Node // a TS field declaring the container without a value
	ctor     syntax.Node // the constructor, or null
	method   syntax.Node // the checking method
	attr     string
	identity string
	params   map[string]string // parameter -> type annotation
	locals   map[string]bool
	member   string // the new member holding the limiter
}

// nodeReplaceClassCounter rewrites a class limiter: the container becomes
// a createLimiter() of the scaffolded module, created where the container
// was (or in the constructor, once the limit is known), and the checking
// method asks it. Checks go to Redis, so the method becomes async: its
// callers await it, and a route callback that calls it becomes async.
func nodeReplaceClassCounter(fc *fileCtx, f analysis.Finding) (fix, bool) {
	c, ok := fc.jsClassLimiter(f)
	if !ok {
		return fix{}, false
	}
	limit := f.Fix["limit_expr"]
	if limit == "" {
		limit = f.Fix["limit"]
	}
	if !c.simple(limit) {
		return fix{}, false
	}
	window, ok := c.window(f)
	if !ok {
		return fix{}, false
	}
	v, throw, ok := c.verdict(limit)
	if !ok {
		return fix{}, false
	}
	ni, _ := fc.imports.(*nodeImports)
	quote, semi := "'", ";"
	if ni != nil {
		quote = ni.quote
		if !ni.semi {
			semi = ""
		}
	}
	mod := need{module: nodeFileName, name: "createLimiter", limiter: true}
	scope := c.class.Field("name").Text(fc.text) + "." + c.method.Field("name").Text(fc.text)
	create := fmt.Sprintf("%s({ name: %s%s%s, requests: %s, window: %s })", fc.imports.ref(mod), quote, scope, quote, limit, window)

	var edits []Edit
	placed, ok := c.place(create, semi)
	if !ok {
		return fix{}, false
	}
	edits = append(edits, placed...)

	// The method: async, and its body one check.
	identity := c.identity
	if t := c.params[identity]; t != "string" {
		identity = "String(" + identity + ")"
	}
	check := fmt.Sprintf("(await this.%s.check(%s))", c.member, identity)
	stmts := c.method.Field("body")
	first, last := stmts.NamedChild(0), stmts.NamedChild(stmts.NamedChildCount()-1)
	if first.IsNull() || !onlySpaceBefore(fc.text, first.Start()) {
		return fix{}, false
	}
	indent := indentAt(fc.text, first.Start())
	var body string
	switch v {
	case verdictAllowed:
		body = indent + "return " + check + ".allowed" + semi
	case verdictLimited:
		body = indent + "return !" + check + ".allowed" + semi
	case verdictRaises:
		inner := indent + indentUnit(indent, indentAt(fc.text, c.method.Start()))
		body = strings.Join([]string{indent + "if (!" + check + ".allowed) {",
			inner + reindent(throw.Text(fc.text), indentAt(fc.text, throw.Start()), inner), indent + "}"}, fc.nl)
	}
	edits = append(edits, Edit{Span: analysis.Span{Start: lineStart(fc.text, first.Start()), End: last.End()}, NewText: body})
	if !jsIsAsync(c.method) {
		edits = append(edits, insertAt(c.method.Field("name").Start(), "async "))
		if rt := c.method.Field("return_type"); !rt.IsNull() {
			t := rt.NamedChild(0)
			switch t.Text(fc.text) {
			case "boolean", "void":
				edits = append(edits, Edit{Span: analysis.Span{Start: t.Start(), End: t.End()}, NewText: "Promise<" + t.Text(fc.text) + ">"})
			default:
				return fix{}, false
			}
		}
		calls, ok := c.awaitCalls()
		if !ok {
			return fix{}, false
		}
		edits = append(edits, calls...)
	}
	return fix{edits: edits, needs: []need{mod}}, true
}

// jsClassLimiter finds the class, the container's creation and its one
// checking method, and checks that nothing else uses the container.
func (fc *fileCtx) jsClassLimiter(f analysis.Finding) (*jsClassLimiter, bool) {
	c := &jsClassLimiter{fc: fc, attr: strings.TrimPrefix(f.Fix["counter"], "this.")}
	if !simpleExpr.MatchString(c.attr) || strings.Contains(c.attr, ".") {
		return nil, false
	}
	c.init = fc.nodeAt(f.Span.Start, "expression_statement", "field_definition", "public_field_definition")
	c.class = enclosing(c.init, jsClassKinds)
	cls := f.Fix["class"]
	if c.init.IsNull() || c.class.IsNull() || c.class.Field("name").Text(fc.text) != cls {
		return nil, false
	}
	c.body = c.class.Field("body")
	c.body.NamedChildren(func(m syntax.Node) bool {
		if m.Kind() == "method_definition" && m.Field("name").Text(fc.text) == "constructor" {
			c.ctor = m
		}
		return true
	})
	if jsFieldKinds[c.init.Kind()] {
		if !sameNode(c.init.Parent(), c.body) || jsFieldName(fc, c.init) != c.attr || c.init.Field("value").IsNull() || jsStatic(c.init) {
			return nil, false
		}
	} else {
		a := c.init.NamedChild(0)
		if c.ctor.IsNull() || !sameNode(c.init.Parent(), c.ctor.Field("body")) || a.Kind() != "assignment_expression" ||
			a.Field("left").Text(fc.text) != "this."+c.attr {
			return nil, false
		}
	}

	ok := true
	fc.root.Walk(func(n syntax.Node) bool {
		if !ok {
			return false
		}
		switch {
		case n.Kind() == "class_heritage" && len(fc.refs(n, cls)) > 0:
			ok = false // a subclass may use the container too
		case jsFieldKinds[n.Kind()] && sameNode(n.Parent(), c.body) && jsFieldName(fc, n) == c.attr && !sameNode(n, c.init):
			if !n.Field("value").IsNull() || !c.decl.IsNull() || jsFieldKinds[c.init.Kind()] {
				ok = false
			}
			c.decl = n
		case n.Kind() == "member_expression" && n.Field("property").Text(fc.text) == c.attr:
			if inside(n, c.init) {
				return true
			}
			this := n.Field("object").Kind() == "this"
			if !inside(n, c.class) {
				ok = this && !enclosing(n, jsClassKinds).IsNull() // another class's field
				return true
			}
			m := c.methodOf(n)
			switch {
			case !this || m.IsNull() || (!c.ctor.IsNull() && sameNode(m, c.ctor)):
				ok = false
			case c.method.IsNull():
				c.method = m
			case !sameNode(m, c.method):
				ok = false // two methods use it
			}
		case n.Kind() == "subscript_expression" && inside(n, c.class) && strings.Contains(n.Field("index").Text(fc.text), c.attr):
			ok = false // this['requests']
		}
		return true
	})
	if !ok || c.method.IsNull() || jsStatic(c.method) || jsAccessor(fc, c.method) {
		return nil, false
	}
	if fn := f.Fix["function"]; fn != "" && fn != c.method.Field("name").Text(fc.text) {
		return nil, false
	}
	// One instance, and neither the class nor (for a method that becomes
	// async) the instance reachable from other modules.
	instances := 0
	for _, ref := range fc.refs(fc.root, cls) {
		if p := ref.Parent(); p.Kind() == "new_expression" && sameNode(p.Field("constructor"), ref) {
			instances++
			if d := p.Parent(); d.Kind() == "variable_declarator" && fc.jsExported(d.Field("name").Text(fc.text)) && !jsIsAsync(c.method) {
				return nil, false
			}
		}
	}
	if instances > 1 || fc.jsExported(cls) {
		return nil, false
	}
	c.member = "limiter"
	for _, m := range []string{"limiter", "rateLimiter", "redisLimiter"} {
		if !strings.Contains(c.class.Text(fc.text), m) {
			c.member = m
			break
		}
		c.member = ""
	}
	if c.member == "" {
		return nil, false
	}
	c.params = jsParams(fc, c.method)
	c.locals = c.jsLocals()
	c.identity = c.jsIdentity()
	return c, c.identity != ""
}

// methodOf is the method of the class that contains n.
func (c *jsClassLimiter) methodOf(n syntax.Node) syntax.Node {
	for p := n.Parent(); !p.IsNull(); p = p.Parent() {
		if p.Kind() == "method_definition" && sameNode(p.Parent(), c.body) {
			return p
		}
	}
	return syntax.Node{}
}

// jsFieldName is a class field's name.
func jsFieldName(fc *fileCtx, n syntax.Node) string {
	name := n.Field("name")
	if name.IsNull() {
		name = n.Field("property")
	}
	return name.Text(fc.text)
}

// jsStatic reports whether a class member is static.
func jsStatic(n syntax.Node) bool { return jsHasToken(n, "static") }

// jsIsAsync reports whether a function or method is async.
func jsIsAsync(n syntax.Node) bool { return jsHasToken(n, "async") }

// jsAccessor reports whether a method is a getter, setter or generator.
func jsAccessor(fc *fileCtx, n syntax.Node) bool {
	return jsHasToken(n, "get") || jsHasToken(n, "set") || jsHasToken(n, "*")
}

// jsHasToken reports whether one of n's unnamed children (modifiers before
// the name) is tok.
func jsHasToken(n syntax.Node, tok string) bool {
	found := false
	for i := 0; i < n.ChildCount(); i++ {
		ch := n.Child(i)
		if ch.IsNamed() && ch.Kind() != "accessibility_modifier" && ch.Kind() != "decorator" {
			break // modifiers come before the name
		}
		if !ch.IsNamed() && ch.Kind() == tok {
			found = true
		}
	}
	return found
}

// jsParams lists a function's identifier parameters and their type
// annotations (without the colon).
func jsParams(fc *fileCtx, fn syntax.Node) map[string]string {
	out := map[string]string{}
	fn.Field("parameters").NamedChildren(func(p syntax.Node) bool {
		name, typ := p, syntax.Node{}
		switch p.Kind() {
		case "assignment_pattern":
			name = p.Field("left")
		case "required_parameter", "optional_parameter":
			name, typ = p.Field("pattern"), p.Field("type")
		}
		if name.Kind() == "identifier" {
			t := ""
			if !typ.IsNull() {
				t = strings.TrimSpace(strings.TrimPrefix(typ.Text(fc.text), ":"))
			}
			out[name.Text(fc.text)] = t
		}
		return true
	})
	return out
}

// jsLocals are the names the method binds besides its parameters, and the
// parameters it reassigns.
func (c *jsClassLimiter) jsLocals() map[string]bool {
	out := map[string]bool{}
	c.method.Field("body").Walk(func(n syntax.Node) bool {
		var target syntax.Node
		switch n.Kind() {
		case "variable_declarator":
			target = n.Field("name")
		case "assignment_expression", "augmented_assignment_expression":
			target = n.Field("left")
		case "update_expression":
			target = n.Field("argument")
		}
		if !target.IsNull() {
			target.Walk(func(id syntax.Node) bool {
				if id.Kind() == "identifier" || id.Kind() == "shorthand_property_identifier_pattern" {
					out[id.Text(c.fc.text)] = true
				}
				return id.Kind() != "member_expression" && id.Kind() != "subscript_expression"
			})
		}
		return true
	})
	return out
}

// jsIdentity is the parameter the container is keyed by
// (this.requests.get(ip), this.hits[ip]), or "".
func (c *jsClassLimiter) jsIdentity() string {
	key, ok := "", true
	c.method.Walk(func(n syntax.Node) bool {
		if n.Kind() != "member_expression" || n.Field("property").Text(c.fc.text) != c.attr || n.Field("object").Kind() != "this" {
			return true
		}
		var k syntax.Node
		switch p := n.Parent(); {
		case p.Kind() == "subscript_expression" && sameNode(p.Field("object"), n):
			k = p.Field("index")
		case p.Kind() == "member_expression" && p.Parent().Kind() == "call_expression":
			switch p.Field("property").Text(c.fc.text) {
			case "get", "set", "has", "delete":
				k = p.Parent().Field("arguments").NamedChild(0)
			}
		}
		if k.IsNull() {
			return true
		}
		name := k.Text(c.fc.text)
		if _, isParam := c.params[name]; k.Kind() != "identifier" || !isParam || c.locals[name] || (key != "" && key != name) {
			ok = false
		}
		key = name
		return true
	})
	if !ok {
		return ""
	}
	return key
}

// simple reports whether an expression can be carried over as written: a
// number, a module-level name, or this.x.
func (c *jsClassLimiter) simple(expr string) bool {
	if !simpleExpr.MatchString(expr) {
		return false
	}
	root := strings.SplitN(expr, ".", 2)[0]
	_, isParam := c.params[root]
	return !isParam && !c.locals[root]
}

// window is the window expression in seconds: the one window-named field
// or constant the method reads (this.windowMs / 1000), else the number the
// analyzer read from a module constant.
func (c *jsClassLimiter) window(f analysis.Finding) (string, bool) {
	fc := c.fc
	found := map[string]bool{}
	var order []string
	c.method.Field("body").Walk(func(n syntax.Node) bool {
		var expr string
		switch {
		case n.Kind() == "member_expression" && n.Field("object").Kind() == "this":
			expr = n.Text(fc.text)
		case n.Kind() == "identifier" && n.Parent().Kind() != "member_expression":
			expr = n.Text(fc.text)
		case n.Kind() == "identifier" && sameNode(n.Parent().Field("object"), n):
			expr = n.Text(fc.text)
		default:
			return true
		}
		if name := expr[strings.LastIndexByte(expr, '.')+1:]; windowName.MatchString(name) && c.simple(expr) && !found[expr] {
			found[expr] = true
			order = append(order, expr)
		}
		return n.Kind() != "member_expression"
	})
	switch {
	case len(order) == 1:
		if windowInMillis("node", order[0], c.method.Text(fc.text)) {
			return order[0] + " / 1000", true
		}
		return order[0], true
	case len(order) == 0:
		if w := f.Fix["window"]; w != "" && simpleExpr.MatchString(w) && w[0] >= '1' && w[0] <= '9' {
			return w, true
		}
	}
	return "", false
}

// verdict reads what the method returns: true meaning allowed or limited,
// or nothing while it throws on refusal (then throw is the statement to
// keep).
func (c *jsClassLimiter) verdict(limit string) (verdict, syntax.Node, bool) {
	fc := c.fc
	var returns, throws []syntax.Node
	c.method.Field("body").Walk(func(n syntax.Node) bool {
		switch {
		case jsFuncKinds[n.Kind()] || jsClassKinds[n.Kind()]:
			return false
		case n.Kind() == "return_statement":
			returns = append(returns, n)
		case n.Kind() == "throw_statement":
			throws = append(throws, n)
		}
		return true
	})
	if len(throws) > 0 {
		for _, r := range returns {
			if r.NamedChildCount() > 0 {
				return 0, syntax.Node{}, false
			}
		}
		norm := func(n syntax.Node) string { return strings.Join(strings.Fields(n.Text(fc.text)), " ") }
		for _, t := range throws[1:] {
			if norm(t) != norm(throws[0]) {
				return 0, syntax.Node{}, false
			}
		}
		bad := false
		throws[0].Walk(func(id syntax.Node) bool {
			if id.Kind() == "identifier" && c.locals[id.Text(fc.text)] {
				bad = true // the throw reads a local that goes
			}
			return !bad
		})
		if bad {
			return 0, syntax.Node{}, false
		}
		return verdictRaises, throws[0], true
	}
	if len(returns) == 0 {
		return 0, syntax.Node{}, false
	}
	var over syntax.Node
	var overIsTrue bool
	c.method.Field("body").Walk(func(n syntax.Node) bool {
		if n.Kind() != "if_statement" || !over.IsNull() {
			return over.IsNull()
		}
		cond, negated := n.Field("condition"), false
		for cond.Kind() == "parenthesized_expression" || (cond.Kind() == "unary_expression" && cond.Field("operator").Text(fc.text) == "!") {
			if cond.Kind() == "unary_expression" {
				negated = !negated
				cond = cond.Field("argument")
			} else {
				cond = cond.NamedChild(0)
			}
		}
		if v, ok := jsLimitComparison(fc, cond, limit); ok {
			over = n.Field("consequence")
			overIsTrue = (v == verdictLimited) != negated
		}
		return true
	})
	result := verdict(-1)
	for _, r := range returns {
		val := r.NamedChild(0)
		for val.Kind() == "parenthesized_expression" {
			val = val.NamedChild(0)
		}
		var v verdict
		if b, ok := literalBool("node", val.Text(fc.text)); ok {
			if over.IsNull() {
				return 0, syntax.Node{}, false
			}
			v = verdictLimited
			if b != (inside(r, over) == overIsTrue) {
				v = verdictAllowed
			}
		} else if v, ok = jsLimitComparison(fc, val, limit); !ok {
			return 0, syntax.Node{}, false
		}
		if result != -1 && result != v {
			return 0, syntax.Node{}, false
		}
		result = v
	}
	return result, syntax.Node{}, true
}

// jsLimitComparison reads `<count> >= limit` (or `limit < <count>`).
func jsLimitComparison(fc *fileCtx, n syntax.Node, limit string) (verdict, bool) {
	if n.Kind() != "binary_expression" {
		return 0, false
	}
	onRight := n.Field("right").Text(fc.text) == limit
	if !onRight && n.Field("left").Text(fc.text) != limit {
		return 0, false
	}
	return comparisonVerdict(n.Field("operator").Text(fc.text), onRight)
}

// place writes the limiter's creation: where the container was created
// when everything it reads is set by then, else in the constructor after
// the last statement that sets something it reads (class fields run
// before the constructor's body, and TypeScript parameter properties
// before that body too, but after field initializers).
func (c *jsClassLimiter) place(create, semi string) ([]Edit, bool) {
	fc := c.fc
	needed := map[string]bool{}
	for _, part := range strings.Split(create, "this.")[1:] {
		end := 0
		for end < len(part) && isIdentByte(part[end]) {
			end++
		}
		needed[part[:end]] = true
	}
	fields := map[string]syntax.Node{} // fields with a value
	c.body.NamedChildren(func(m syntax.Node) bool {
		if jsFieldKinds[m.Kind()] && !m.Field("value").IsNull() && !jsStatic(m) {
			fields[jsFieldName(fc, m)] = m
		}
		return true
	})
	paramProps := map[string]bool{}
	var ctorSets []syntax.Node // constructor statements setting a needed field
	superCall := syntax.Node{}
	if !c.ctor.IsNull() {
		c.ctor.Field("parameters").NamedChildren(func(p syntax.Node) bool {
			if (p.Kind() == "required_parameter" || p.Kind() == "optional_parameter") &&
				(!p.NamedChild(0).IsNull() && p.NamedChild(0).Kind() == "accessibility_modifier" || strings.HasPrefix(p.Text(fc.text), "readonly ")) {
				paramProps[p.Field("pattern").Text(fc.text)] = true
			}
			return true
		})
		c.ctor.Field("body").NamedChildren(func(s syntax.Node) bool {
			t := s.Text(fc.text)
			if strings.HasPrefix(t, "super(") {
				superCall = s
			}
			if s.Kind() == "expression_statement" && s.NamedChild(0).Kind() == "assignment_expression" {
				left := s.NamedChild(0).Field("left")
				if left.Kind() == "member_expression" && left.Field("object").Kind() == "this" && needed[left.Field("property").Text(fc.text)] {
					ctorSets = append(ctorSets, s)
				}
			}
			return true
		})
	}
	setBefore := func(name string, at int, inCtor bool) bool {
		if f, ok := fields[name]; ok && f.Start() < at {
			return true
		}
		if !inCtor {
			return false
		}
		if paramProps[name] {
			return true
		}
		for _, s := range ctorSets {
			if s.NamedChild(0).Field("left").Field("property").Text(fc.text) == name && s.End() <= at {
				return true
			}
		}
		return false
	}
	isField := jsFieldKinds[c.init.Kind()]
	inPlace := true
	for name := range needed {
		inPlace = inPlace && setBefore(name, c.init.Start(), !isField)
	}
	if inPlace {
		if isField {
			// private requests: Map<...> = new Map() -> private limiter = createLimiter(...)
			return []Edit{{Span: analysis.Span{Start: c.init.Field("name").Start(), End: c.init.Field("value").End()},
				NewText: c.member + " = " + create}}, true
		}
		a := c.init.NamedChild(0)
		return append([]Edit{{Span: analysis.Span{Start: a.Start(), End: a.End()}, NewText: "this." + c.member + " = " + create}},
			c.declEditsList()...), true
	}
	if c.ctor.IsNull() {
		return nil, false
	}
	end := len(fc.text)
	for name := range needed {
		if !setBefore(name, end, true) {
			return nil, false // set somewhere the fix cannot see
		}
	}
	var edits []Edit
	if isField {
		if fc.lang == syntax.TypeScript || fc.lang == syntax.TSX {
			edits = append(edits, Edit{Span: analysis.Span{Start: c.init.Field("name").Start(), End: c.init.Field("value").End()},
				NewText: c.member + ": ReturnType<typeof " + strings.SplitN(create, "(", 2)[0] + ">"})
		} else {
			edits = append(edits, c.removeFirstMember(c.init)...)
		}
	} else {
		r := &removal{fc: fc}
		r.remove(c.init)
		edits = append(edits, r.edits()...)
		edits = append(edits, c.declEditsList()...)
	}
	after := superCall
	for _, s := range ctorSets {
		if after.IsNull() || s.End() > after.End() {
			after = s
		}
	}
	stmt := "this." + c.member + " = " + create + semi
	body := c.ctor.Field("body")
	switch {
	case !after.IsNull():
		edits = append(edits, insertAt(nextLineStart(fc.text, after.End()), indentAt(fc.text, after.Start())+stmt+fc.nl))
	case body.NamedChildCount() > 0:
		first := body.NamedChild(0)
		edits = append(edits, insertAt(lineStart(fc.text, first.Start()), indentAt(fc.text, first.Start())+stmt+fc.nl))
	default:
		outer := indentAt(fc.text, c.ctor.Start())
		edits = append(edits, Edit{Span: analysis.Span{Start: body.Start(), End: body.End()},
			NewText: "{" + fc.nl + outer + indentUnit(outer, indentAt(fc.text, c.class.Start())) + stmt + fc.nl + outer + "}"})
	}
	return edits, true
}

// removeFirstMember deletes a class member; when it opened the class body,
// the blank lines that separated it from the next member go with it.
func (c *jsClassLimiter) removeFirstMember(n syntax.Node) []Edit {
	r := &removal{fc: c.fc}
	r.remove(n)
	edits := r.edits()
	text := c.fc.text
	if len(edits) == 1 && edits[0].Span.Start == lineStart(text, n.Start()) && edits[0].Span.Start > 0 &&
		strings.HasSuffix(strings.TrimSpace(string(text[lineStart(text, edits[0].Span.Start-1):edits[0].Span.Start])), "{") {
		for edits[0].Span.End < len(text) && blankLine(text, edits[0].Span.End) {
			edits[0].Span.End = nextLineStart(text, edits[0].Span.End)
		}
	}
	return edits
}

// declEditsList retypes a TypeScript field that declared the container
// (private requests: Map<string, number[]>;) for the limiter.
func (c *jsClassLimiter) declEditsList() []Edit {
	if c.decl.IsNull() {
		return nil
	}
	end := c.decl.Field("name").End()
	if t := c.decl.Field("type"); !t.IsNull() {
		end = t.End()
	}
	return []Edit{{Span: analysis.Span{Start: c.decl.Field("name").Start(), End: end},
		NewText: c.member + ": ReturnType<typeof " + c.fc.imports.ref(need{module: nodeFileName, name: "createLimiter", limiter: true}) + ">"}}
}

// awaitCalls makes the callers of the method, now async, await it: each
// call gets an await, and a callback (route handler, middleware) that
// calls it becomes async. Calls from other kinds of functions, whose own
// callers would then need an await, make the fix decline.
func (c *jsClassLimiter) awaitCalls() ([]Edit, bool) {
	fc := c.fc
	name := c.method.Field("name").Text(fc.text)
	var edits []Edit
	asynced := map[int]bool{}
	ok := true
	fc.root.Walk(func(n syntax.Node) bool {
		if !ok {
			return false
		}
		if n.Kind() != "call_expression" {
			return true
		}
		callee := n.Field("function")
		if callee.Kind() != "member_expression" || callee.Field("property").Text(fc.text) != name {
			return true
		}
		if callee.Field("object").Kind() == "this" || inside(n, c.class) {
			ok = false
			return false
		}
		p := n.Parent()
		if p.Kind() != "await_expression" {
			switch p.Kind() {
			case "parenthesized_expression", "variable_declarator", "expression_statement", "return_statement", "arguments":
				edits = append(edits, insertAt(n.Start(), "await "))
			default:
				edits = append(edits, insertAt(n.Start(), "(await "), insertAt(n.End(), ")"))
			}
		}
		fn := enclosing(n, jsFuncKinds)
		switch {
		case fn.IsNull():
			ok = false
		case jsIsAsync(fn) || asynced[fn.Start()]:
		case jsTakesDone(fc, fn):
			// Fastify refuses async hooks that take a done callback.
			ok = false
		case (fn.Kind() == "arrow_function" || fn.Kind() == "function_expression" || fn.Kind() == "function") && fn.Parent().Kind() == "arguments":
			asynced[fn.Start()] = true
			edits = append(edits, insertAt(fn.Start(), "async "))
		case fn.Kind() == "function_declaration" && fn.Parent().Kind() == "program" && c.onlyPassed(fn.Field("name").Text(fc.text)):
			asynced[fn.Start()] = true
			edits = append(edits, insertAt(fn.Start(), "async "))
		case (fn.Kind() == "arrow_function" || fn.Kind() == "function_expression" || fn.Kind() == "function") &&
			fn.Parent().Kind() == "variable_declarator" && fc.topStatement(fn).Parent().Kind() == "program" &&
			c.onlyPassed(fn.Parent().Field("name").Text(fc.text)):
			// const limit = (req, res, next) => {...}; app.use(limit)
			asynced[fn.Start()] = true
			edits = append(edits, insertAt(fn.Start(), "async "))
		default:
			ok = false
		}
		return true
	})
	return edits, ok
}

// jsTakesDone reports whether a callback's last parameter is a done
// callback (Fastify hooks: (request, reply, done)).
func jsTakesDone(fc *fileCtx, fn syntax.Node) bool {
	ps := fn.Field("parameters")
	if ps.IsNull() || ps.NamedChildCount() == 0 {
		return false
	}
	last := ps.NamedChild(ps.NamedChildCount() - 1)
	if p := last.Field("pattern"); !p.IsNull() {
		last = p
	}
	switch last.Text(fc.text) {
	case "done", "cb", "callback":
		return true
	}
	return false
}

// onlyPassed reports whether a function is only handed to others
// (app.use(limit)), never called here or exported: making it async
// changes nothing for its callers, which ignore what it returns.
func (c *jsClassLimiter) onlyPassed(name string) bool {
	if c.fc.jsExported(name) {
		return false
	}
	for _, ref := range c.fc.refs(c.fc.root, name) {
		p := ref.Parent()
		if (p.Kind() == "function_declaration" || p.Kind() == "variable_declarator") && sameNode(p.Field("name"), ref) {
			continue
		}
		if p.Kind() != "arguments" {
			return false
		}
	}
	return true
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
