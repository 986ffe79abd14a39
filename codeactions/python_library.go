package codeactions

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// pyReplaceLibrary moves a slowapi or Flask-Limiter app to the Redis-backed
// limiter: each @limiter.limit("5/minute") becomes
// @rate_limit(requests=5, window=60) in place, and the Limiter, its
// registration (app.state.limiter, init_app, the 429 exception handler, the
// middleware) and the imports only they used go. A limiter with default or
// application-wide limits, or used in any other way (exempt, shared_limit,
// a key_func per route), is left to the "keep the library" fix.
func pyReplaceLibrary(fc *fileCtx, f analysis.Finding, lib string) (fix, bool) {
	if lib != "slowapi" && lib != "flask-limiter" {
		return fix{}, false
	}
	call := fc.pyRegistration(f.Span)
	stmt := childOf(call, fc.root)
	if call.IsNull() || stmt.Kind() != "expression_statement" {
		return fix{}, false
	}
	assign := stmt.NamedChild(0)
	if assign.Kind() != "assignment" || assign.Field("left").Kind() != "identifier" || assign.Field("right").Start() != call.Start() {
		return fix{}, false
	}
	ok := true
	call.Field("arguments").NamedChildren(func(a syntax.Node) bool {
		if a.Kind() == "keyword_argument" {
			switch a.Field("name").Text(fc.text) {
			case "default_limits", "application_limits", "default_limits_per_method":
				ok = false
			}
		}
		return ok
	})
	if !ok {
		return fix{}, false
	}
	name := assign.Field("left").Text(fc.text)
	if fc.pyUsedElsewhere(name) {
		return fix{}, false // blueprints elsewhere use this limiter (from app import limiter)
	}
	mod := need{module: pythonModule, name: "rate_limit", limiter: true}
	ref := fc.imports.ref(mod)
	r := &removal{fc: fc}
	r.remove(stmt)
	var edits []Edit
	for _, use := range fc.refs(fc.root, name) {
		if r.removed(use) || use.Start() == assign.Field("left").Start() {
			continue
		}
		if deco, ok := fc.pyLimitDecorator(use, ref); ok {
			edits = append(edits, deco)
			continue
		}
		if s := childOf(use, fc.root); fc.pyRegistersLimiter(s, use) {
			r.remove(s)
			continue
		}
		return fix{}, false
	}
	if len(edits) == 0 {
		return fix{}, false
	}
	// The 429 handler and middleware of slowapi only make sense with it.
	fc.root.NamedChildren(func(s syntax.Node) bool {
		t := s.Text(fc.text)
		if s.Kind() == "expression_statement" && !r.removed(s) &&
			(strings.Contains(t, "add_exception_handler(RateLimitExceeded") || strings.Contains(t, "add_middleware(SlowAPI")) {
			r.remove(s)
		}
		return true
	})
	fc.pyDeadModuleNames(r)
	return fix{edits: append(edits, r.edits()...), needs: []need{mod}}, true
}

// pyLimitDecorator rewrites @limiter.limit("5/minute") (use is "limiter").
func (fc *fileCtx) pyLimitDecorator(use syntax.Node, ref string) (Edit, bool) {
	attr := use.Parent()
	if attr.Kind() != "attribute" || attr.Field("attribute").Text(fc.text) != "limit" {
		return Edit{}, false
	}
	call := attr.Parent()
	if call.Kind() != "call" || call.Parent().Kind() != "decorator" || call.Field("arguments").NamedChildCount() != 1 {
		return Edit{}, false
	}
	s, ok := stringLiteral(call.Field("arguments").NamedChild(0), fc.text)
	if !ok {
		return Edit{}, false
	}
	limits, ok := parseLimitString(s)
	if !ok {
		return Edit{}, false
	}
	args := fmt.Sprintf("requests=%d, window=%d", limits[0][0], limits[0][1])
	if len(limits) > 1 {
		var parts []string
		for _, l := range limits {
			parts = append(parts, fmt.Sprintf("(%d, %d)", l[0], l[1]))
		}
		args = "limits=[" + strings.Join(parts, ", ") + "]"
	}
	return Edit{Span: analysis.Span{Start: call.Start(), End: call.End()}, NewText: ref + "(" + args + ")"}, true
}

// pyRegistersLimiter recognizes the statements that hook a limiter into an
// app: app.state.limiter = limiter and limiter.init_app(app).
func (fc *fileCtx) pyRegistersLimiter(s, use syntax.Node) bool {
	if s.Kind() != "expression_statement" {
		return false
	}
	e := s.NamedChild(0)
	switch e.Kind() {
	case "assignment":
		return e.Field("right").Start() == use.Start() && e.Field("right").End() == use.End() &&
			strings.HasSuffix(e.Field("left").Text(fc.text), ".limiter")
	case "call":
		fn := e.Field("function")
		return fn.Kind() == "attribute" && fn.Field("object").Start() == use.Start() && fn.Field("attribute").Text(fc.text) == "init_app"
	}
	return false
}

// stringLiteral returns a plain (non-f) string literal's contents.
func stringLiteral(n syntax.Node, text []byte) (string, bool) {
	if n.Kind() != "string" {
		return "", false
	}
	s := n.Text(text)
	if strings.ContainsAny(s[:1], "fFbB") {
		return "", false
	}
	s = strings.TrimLeft(s, "rRuU")
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if len(s) >= 2*len(q) && strings.HasPrefix(s, q) && strings.HasSuffix(s, q) {
			return s[len(q) : len(s)-len(q)], true
		}
	}
	return "", false
}

var limitItem = regexp.MustCompile(`^\s*(\d+)\s*(?:/|per)\s*(\d+)?\s*(second|minute|hour|day|month|year)s?\s*$`)

var periodSeconds = map[string]int{"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 30 * 86400, "year": 365 * 86400}

// parseLimitString reads the limits library's notation ("5/minute",
// "100 per 2 hours", "10/second;1000/day") as (requests, window seconds)
// pairs.
func parseLimitString(s string) ([][2]int, bool) {
	var out [][2]int
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '|' }) {
		m := limitItem.FindStringSubmatch(strings.ToLower(item))
		if m == nil {
			return nil, false
		}
		n, _ := strconv.Atoi(m[1])
		mult := 1
		if m[2] != "" {
			mult, _ = strconv.Atoi(m[2])
		}
		if n <= 0 || mult <= 0 {
			return nil, false
		}
		out = append(out, [2]int{n, mult * periodSeconds[m[3]]})
	}
	return out, len(out) > 0
}
