package codeactions

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

var pyClassKinds = map[string]bool{"class_definition": true}

// pyClassLimiter is a Python class limiter the fix understands.
type pyClassLimiter struct {
	fc       *fileCtx
	class    syntax.Node // class_definition
	init     syntax.Node // the statement that creates the container
	initFn   syntax.Node // __init__, or null for a class attribute
	method   syntax.Node // the checking method
	attr     string      // the container's attribute name
	identity string      // the parameter the container is keyed by
	locals   map[string]bool
}

// pyReplaceClassCounter rewrites a class limiter: the container's
// assignment goes, the checking method's body becomes a call of
// get_limiter().hit() (ahit() in an async method) and the imports only the
// old code used go.
func pyReplaceClassCounter(fc *fileCtx, f analysis.Finding) (fix, bool) {
	c, ok := fc.pyClassLimiter(f)
	if !ok {
		return fix{}, false
	}
	limit := f.Fix["limit"]
	if !c.simple(limit) {
		return fix{}, false
	}
	window, ok := c.window(f)
	if !ok {
		return fix{}, false
	}
	v, raise, ok := c.verdict(limit)
	if !ok {
		return fix{}, false
	}

	getLimiter := need{module: pythonModule, name: "get_limiter", limiter: true}
	limitType := need{module: pythonModule, name: "Limit", limiter: true}
	identity := c.identity
	if c.paramType(identity) != "str" {
		identity = "str(" + identity + ")"
	}
	scope := `"` + c.class.Field("name").Text(fc.text) + "." + c.method.Field("name").Text(fc.text) + `"`
	call := fmt.Sprintf("%s().hit(%s, [%s(%s, %s)], scope=%s)", fc.imports.ref(getLimiter), identity,
		fc.imports.ref(limitType), limit, window, scope)
	if c.method.Child(0).Kind() == "async" {
		call = "(await " + strings.Replace(call, "().hit(", "().ahit(", 1) + ")"
	}

	body := c.method.Field("body")
	var first syntax.Node
	body.NamedChildren(func(s syntax.Node) bool {
		if s.Kind() == "comment" || (first.IsNull() && pyDocstring(s) && sameNode(s, body.NamedChild(0))) {
			return true
		}
		first = s
		return false
	})
	if first.IsNull() || !onlySpaceBefore(fc.text, first.Start()) {
		return fix{}, false
	}
	indent := indentAt(fc.text, first.Start())
	var lines []string
	switch v {
	case verdictAllowed:
		lines = []string{indent + "return " + call + ".allowed"}
	case verdictLimited:
		lines = []string{indent + "return not " + call + ".allowed"}
	case verdictRaises:
		inner := indent + indentUnit(indent, indentAt(fc.text, c.method.Start()))
		lines = []string{indent + "if not " + call + ".allowed:", inner + reindent(raise.Text(fc.text), indentAt(fc.text, raise.Start()), inner)}
	}
	bodyEdit := Edit{Span: analysis.Span{Start: lineStart(fc.text, first.Start()), End: body.End()},
		NewText: strings.Join(lines, fc.nl)}

	r := &removal{fc: fc}
	r.remove(c.init)
	if !c.initFn.IsNull() {
		live := 0
		c.initFn.Field("body").NamedChildren(func(s syntax.Node) bool {
			if s.Kind() != "comment" && !sameNode(s, c.init) {
				live++
			}
			return true
		})
		if live == 0 {
			r.extra = append(r.extra, insertAt(lineStart(fc.text, c.init.Start()), indentAt(fc.text, c.init.Start())+"pass"+fc.nl))
		}
	}
	c.deadImports(r, first, body, append(pyNames(limit, window), c.names(raise)...))
	edits := append(r.edits(), bodyEdit)
	return fix{edits: edits, needs: []need{getLimiter, limitType}}, true
}

// pyClassLimiter finds the class, the container's creation and its one
// checking method, and checks that nothing else uses the container.
func (fc *fileCtx) pyClassLimiter(f analysis.Finding) (*pyClassLimiter, bool) {
	c := &pyClassLimiter{fc: fc, attr: strings.TrimPrefix(f.Fix["counter"], "self.")}
	if !simpleExpr.MatchString(c.attr) || strings.Contains(c.attr, ".") {
		return nil, false
	}
	c.init = fc.nodeAt(f.Span.Start, "expression_statement")
	a := c.init.NamedChild(0)
	if c.init.IsNull() || a.Kind() != "assignment" || a.Field("right").IsNull() {
		return nil, false
	}
	c.class = enclosing(c.init, pyClassKinds)
	cls := f.Fix["class"]
	if c.class.IsNull() || c.class.Field("name").Text(fc.text) != cls {
		return nil, false
	}
	classBody := c.class.Field("body")
	left := a.Field("left")
	switch {
	case sameNode(c.init.Parent(), classBody): // class attribute: requests = {}
		if left.Kind() != "identifier" || left.Text(fc.text) != c.attr {
			return nil, false
		}
	default: // self.requests = defaultdict(list) in __init__
		c.initFn = c.pyMethodOf(c.init)
		if c.initFn.IsNull() || c.initFn.Field("name").Text(fc.text) != "__init__" ||
			!sameNode(c.init.Parent(), c.initFn.Field("body")) || left.Text(fc.text) != "self."+c.attr {
			return nil, false
		}
	}

	ok := true
	fc.root.Walk(func(n syntax.Node) bool {
		if !ok {
			return false
		}
		switch n.Kind() {
		case "class_definition":
			// A subclass in this file may use the container too.
			if sup := n.Field("superclasses"); !sup.IsNull() && len(fc.refs(sup, cls)) > 0 {
				ok = false
			}
		case "attribute":
			if n.Field("attribute").Text(fc.text) != c.attr || inside(n, c.init) {
				return true
			}
			obj := n.Field("object").Text(fc.text)
			if !inside(n, c.class) {
				// self.requests of another class is another container.
				other := enclosing(n, pyClassKinds)
				ok = obj == "self" && !other.IsNull()
				return true
			}
			if obj != "self" && obj != cls {
				ok = false
				return true
			}
			m := c.pyMethodOf(n)
			switch {
			case m.IsNull() || (!c.initFn.IsNull() && sameNode(m, c.initFn)):
				ok = false
			case c.method.IsNull():
				c.method = m
			case !sameNode(m, c.method):
				ok = false // two methods use it
			}
		}
		return true
	})
	if !ok || c.method.IsNull() || c.method.Parent().Kind() == "decorated_definition" {
		return nil, false
	}
	if fn := f.Fix["function"]; fn != "" && fn != c.method.Field("name").Text(fc.text) {
		return nil, false
	}
	// One instance in this file, and no other file naming the class or
	// reaching into an instance's container.
	instances := 0
	var names []string
	for _, ref := range fc.refs(fc.root, cls) {
		if call := ref.Parent(); call.Kind() == "call" && sameNode(call.Field("function"), ref) {
			instances++
			if as := call.Parent(); as.Kind() == "assignment" && as.Field("left").Kind() == "identifier" {
				names = append(names, as.Field("left").Text(fc.text)+"."+c.attr)
			}
		}
	}
	if instances > 1 || fc.pyUsedElsewhere(append(names, cls)...) {
		return nil, false
	}
	c.locals = c.pyLocals()
	c.identity = c.pyIdentity()
	return c, c.identity != ""
}

// pyMethodOf is the method of c.class (a def directly in its body) that
// contains n.
func (c *pyClassLimiter) pyMethodOf(n syntax.Node) syntax.Node {
	body := c.class.Field("body")
	for p := n.Parent(); !p.IsNull(); p = p.Parent() {
		if p.Kind() != "function_definition" {
			continue
		}
		par := p.Parent()
		if par.Kind() == "decorated_definition" {
			par = par.Parent()
		}
		if sameNode(par, body) {
			return p
		}
	}
	return syntax.Node{}
}

// pyLocals are the names the checking method binds: its parameters and
// what it assigns. Code carried over may not read them (they are gone),
// except the parameters.
func (c *pyClassLimiter) pyLocals() map[string]bool {
	out := map[string]bool{}
	c.method.Field("body").Walk(func(n syntax.Node) bool {
		switch n.Kind() {
		case "function_definition", "lambda", "class_definition":
			return false
		case "assignment", "augmented_assignment", "for_statement", "for_in_clause", "named_expression", "as_pattern":
			left := n.Field("left")
			if n.Kind() == "named_expression" {
				left = n.Field("name")
			}
			if n.Kind() == "as_pattern" {
				left = n.Field("alias")
			}
			if !left.IsNull() {
				left.Walk(func(id syntax.Node) bool {
					if id.Kind() == "identifier" && id.Parent().Kind() != "attribute" {
						out[id.Text(c.fc.text)] = true
					}
					return id.Kind() != "attribute" && id.Kind() != "subscript"
				})
			}
		}
		return true
	})
	return out
}

// params lists the checking method's parameters (without self) and their
// annotations.
func (c *pyClassLimiter) params() map[string]string {
	out := map[string]string{}
	i := 0
	c.method.Field("parameters").NamedChildren(func(p syntax.Node) bool {
		i++
		if i == 1 {
			return true // self
		}
		switch p.Kind() {
		case "identifier":
			out[p.Text(c.fc.text)] = ""
		case "typed_parameter":
			out[p.NamedChild(0).Text(c.fc.text)] = p.Field("type").Text(c.fc.text)
		case "default_parameter", "typed_default_parameter":
			out[p.Field("name").Text(c.fc.text)] = p.Field("type").Text(c.fc.text)
		}
		return true
	})
	return out
}

func (c *pyClassLimiter) paramType(name string) string { return c.params()[name] }

// pyIdentity is the parameter the container is keyed by
// (self.requests[client_ip], self.requests.get(client_ip)), or "" when
// the keys are not one parameter.
func (c *pyClassLimiter) pyIdentity() string {
	params := c.params()
	key := ""
	ok := true
	c.method.Walk(func(n syntax.Node) bool {
		if n.Kind() != "attribute" || n.Field("attribute").Text(c.fc.text) != c.attr {
			return true
		}
		var k syntax.Node
		p := n.Parent()
		switch {
		case p.Kind() == "subscript" && sameNode(p.Field("value"), n):
			k = p.Field("subscript")
		case p.Kind() == "attribute" && p.Parent().Kind() == "call":
			switch p.Field("attribute").Text(c.fc.text) {
			case "get", "setdefault", "pop", "__getitem__":
				k = p.Parent().Field("arguments").NamedChild(0)
			}
		case p.Kind() == "comparison_operator" && p.NamedChildCount() == 2 && sameNode(p.NamedChild(1), n):
			k = p.NamedChild(0) // ip in self.requests
		}
		if k.IsNull() {
			return true
		}
		name := k.Text(c.fc.text)
		if _, isParam := params[name]; k.Kind() != "identifier" || !isParam || (key != "" && key != name) || c.assigned(name) {
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

// assigned reports whether the method rebinds name (then it is not the
// caller's argument any more).
func (c *pyClassLimiter) assigned(name string) bool { return c.locals[name] }

// simple reports whether an expression of the old code can be carried
// over as written: a number, a module-level name, or self.x.
func (c *pyClassLimiter) simple(expr string) bool {
	if !simpleExpr.MatchString(expr) {
		return false
	}
	root := strings.SplitN(expr, ".", 2)[0]
	if _, isParam := c.params()[root]; isParam || c.locals[root] {
		return false
	}
	return root != "cls"
}

// window is the window expression in seconds: the one window-named
// attribute or constant the method reads (self.window, WINDOW_MS / 1000),
// else the number the analyzer read.
func (c *pyClassLimiter) window(f analysis.Finding) (string, bool) {
	found := map[string]bool{}
	var order []string
	c.method.Field("body").Walk(func(n syntax.Node) bool {
		var expr string
		switch {
		case n.Kind() == "attribute" && n.Field("object").Text(c.fc.text) == "self":
			expr = n.Text(c.fc.text)
		case n.Kind() == "identifier" && n.Parent().Kind() != "attribute" && n.Parent().Kind() != "keyword_argument":
			expr = n.Text(c.fc.text)
		default:
			return true
		}
		if name := expr[strings.LastIndexByte(expr, '.')+1:]; windowName.MatchString(name) && c.simple(expr) && !found[expr] {
			found[expr] = true
			order = append(order, expr)
		}
		return n.Kind() != "attribute"
	})
	switch {
	case len(order) == 1:
		if windowInMillis("python", order[0], c.method.Text(c.fc.text)) {
			return order[0] + " / 1000", true
		}
		return order[0], true
	case len(order) == 0:
		if w := strings.TrimSpace(f.Fix["window_expr"]); w != "" && simpleExpr.MatchString(w) && w[0] >= '0' && w[0] <= '9' {
			return w, true
		}
	}
	return "", false
}

// verdict reads what the method returns: a bool that means allowed or
// limited, or nothing while it raises on refusal (then raise is the raise
// statement to keep).
func (c *pyClassLimiter) verdict(limit string) (verdict, syntax.Node, bool) {
	fc := c.fc
	var returns, raises []syntax.Node
	c.method.Field("body").Walk(func(n syntax.Node) bool {
		switch n.Kind() {
		case "function_definition", "lambda", "class_definition":
			return false
		case "return_statement":
			returns = append(returns, n)
		case "raise_statement":
			raises = append(raises, n)
		}
		return true
	})
	if len(raises) > 0 {
		for _, r := range returns {
			if r.NamedChildCount() > 0 {
				return 0, syntax.Node{}, false
			}
		}
		for _, r := range raises[1:] {
			if strings.Join(strings.Fields(r.Text(fc.text)), " ") != strings.Join(strings.Fields(raises[0].Text(fc.text)), " ") {
				return 0, syntax.Node{}, false
			}
		}
		for _, name := range c.names(raises[0]) {
			if _, isParam := c.params()[name]; c.locals[name] && !isParam {
				return 0, syntax.Node{}, false // the raise reads a local that goes
			}
		}
		if raises[0].NamedChildCount() == 0 {
			return 0, syntax.Node{}, false // a bare re-raise
		}
		return verdictRaises, raises[0], true
	}
	if len(returns) == 0 {
		return 0, syntax.Node{}, false
	}
	// The branch taken when the count is over the limit, and the value it
	// returns, decides what True means.
	var over syntax.Node // the consequence block run when over the limit
	var overIsTrue bool  // whether being in that block means over
	c.method.Field("body").Walk(func(n syntax.Node) bool {
		if n.Kind() != "if_statement" || !over.IsNull() {
			return over.IsNull()
		}
		cond, negated := n.Field("condition"), false
		for cond.Kind() == "not_operator" || cond.Kind() == "parenthesized_expression" {
			if cond.Kind() == "not_operator" {
				negated = !negated
				cond = cond.Field("argument")
			} else {
				cond = cond.NamedChild(0)
			}
		}
		if v, ok := pyLimitComparison(fc, cond, limit); ok {
			over = n.Field("consequence")
			overIsTrue = (v == verdictLimited) != negated
		}
		return true
	})
	result := verdict(-1)
	agree := func(v verdict) bool {
		if result != -1 && result != v {
			return false
		}
		result = v
		return true
	}
	for _, r := range returns {
		val := r.NamedChild(0)
		if b, ok := literalBool("python", val.Text(fc.text)); ok {
			if over.IsNull() {
				return 0, syntax.Node{}, false
			}
			// In the over-the-limit branch a False means "allowed" is the
			// question; elsewhere a True does.
			inOver := inside(r, over) == overIsTrue
			if !agree(map[bool]verdict{true: verdictAllowed, false: verdictLimited}[b != inOver]) {
				return 0, syntax.Node{}, false
			}
			continue
		}
		v, ok := pyLimitComparison(fc, val, limit)
		if !ok || !agree(v) {
			return 0, syntax.Node{}, false
		}
	}
	return result, syntax.Node{}, true
}

// pyLimitComparison reads `<count> >= limit` (or `limit < <count>`): the
// verdict a true comparison gives (over the limit: limited).
func pyLimitComparison(fc *fileCtx, n syntax.Node, limit string) (verdict, bool) {
	if n.Kind() != "comparison_operator" || n.NamedChildCount() != 2 {
		return 0, false
	}
	op := ""
	n.Children(func(ch syntax.Node) bool {
		if !ch.IsNamed() {
			op = ch.Text(fc.text)
		}
		return true
	})
	onRight := n.NamedChild(1).Text(fc.text) == limit
	if !onRight && n.NamedChild(0).Text(fc.text) != limit {
		return 0, false
	}
	return comparisonVerdict(op, onRight)
}

// names lists the variables an expression or statement reads.
func (c *pyClassLimiter) names(n syntax.Node) []string {
	if n.IsNull() {
		return nil
	}
	var out []string
	n.Walk(func(id syntax.Node) bool {
		if id.Kind() != "identifier" {
			return true
		}
		if p := id.Parent(); (p.Kind() == "attribute" && sameNode(p.Field("attribute"), id)) ||
			(p.Kind() == "keyword_argument" && sameNode(p.Field("name"), id)) {
			return true
		}
		out = append(out, id.Text(c.fc.text))
		return true
	})
	return out
}

// pyNames lists the leading names of carried-over expressions.
func pyNames(exprs ...string) []string {
	var out []string
	for _, e := range exprs {
		out = append(out, strings.SplitN(strings.Fields(e)[0], ".", 2)[0])
	}
	return out
}

// deadImports drops imported names that only the deleted code used
// (defaultdict, time), keeping those the new body reads (keep).
func (c *pyClassLimiter) deadImports(r *removal, first, body syntax.Node, keep []string) {
	fc := c.fc
	gone := &removal{fc: fc, spans: append([]analysis.Span(nil), r.spans...)}
	gone.spans = append(gone.spans, analysis.Span{Start: first.Start(), End: body.End()})
	kept := map[string]bool{}
	for _, k := range keep {
		kept[k] = true
	}
	fc.root.NamedChildren(func(s syntax.Node) bool {
		if s.Kind() != "import_statement" && s.Kind() != "import_from_statement" {
			return true
		}
		protected := false
		s.Walk(func(id syntax.Node) bool {
			protected = protected || (id.Kind() == "identifier" && kept[id.Text(fc.text)])
			return !protected
		})
		if protected {
			return true
		}
		spans, extra := len(gone.spans), len(gone.extra)
		fc.pyDeadImports(gone, s)
		r.spans = append(r.spans, gone.spans[spans:]...)
		r.extra = append(r.extra, gone.extra[extra:]...)
		return true
	})
}

// pyDocstring reports whether a statement is a docstring.
func pyDocstring(s syntax.Node) bool {
	return s.Kind() == "expression_statement" && s.NamedChildCount() == 1 && s.NamedChild(0).Kind() == "string"
}
