package codeactions

import (
	"regexp"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// replaceClassCounter is the RATE002 fix for a limiter kept on a class
// (self.requests = defaultdict(list), this.requests = new Map()) and checked
// by one method (is_allowed / isAllowed). Routes call the method, often from
// other files, so the class, its constructor signature and every call site
// stay; the container goes, and the method's body becomes one call of the
// scaffolded module's programmatic API with the same identity argument and
// the limit and window the old code read. What the method told its callers
// is kept: a bool (allowed, or limited), or the exception it raised.
//
// It offers nothing unless it understands the whole class: one checking
// method, the container used nowhere else, one instance in the file, the
// class and its counter not mentioned by other files.
func replaceClassCounter(fc *fileCtx, f analysis.Finding) []fix {
	var fx fix
	var ok bool
	if fc.family == "python" {
		fx, ok = pyReplaceClassCounter(fc, f)
	} else {
		fx, ok = nodeReplaceClassCounter(fc, f)
	}
	if !ok {
		return nil
	}
	fx.title = "Replace in-memory limiter with Redis-backed rate limit"
	fx.preferred = true
	return []fix{fx}
}

// verdict is what a checking method returns to its callers.
type verdict int

const (
	verdictAllowed verdict = iota // true when the request may pass
	verdictLimited                // true when the request must be refused
	verdictRaises                 // returns nothing, raises/throws when refusing
)

// windowName recognizes attributes and constants that hold a window length
// (self.window, this.windowMs, WINDOW_SECONDS, self.period).
var windowName = regexp.MustCompile(`(?i)(window|period|interval|duration|ttl|timeframe|time_frame|per_seconds)`)

// millisName recognizes window names given in milliseconds (windowMs,
// WINDOW_MS, window_millis).
var millisName = regexp.MustCompile(`(Ms|MS|_ms|_millis|Millis|milliseconds|Milliseconds)$|^ms$`)

// secondsName recognizes window names given in seconds (windowSeconds,
// window_sec).
var secondsName = regexp.MustCompile(`(?i)(sec|seconds|secs)$`)

// simpleExpr accepts the limit and window expressions the fix may carry
// over as written: a number, a name, or a dotted attribute path.
var simpleExpr = regexp.MustCompile(`^([0-9][0-9_]*(\.[0-9]+)?|[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*)$`)

// literalBool reports whether a returned expression is a bool literal in
// the file's language, and its value.
func literalBool(family, text string) (value, ok bool) {
	t, f := "True", "False"
	if family == "node" {
		t, f = "true", "false"
	}
	switch strings.TrimSpace(text) {
	case t:
		return true, true
	case f:
		return false, true
	}
	return false, false
}

// comparisonVerdict reads `return <count> < limit` style returns: the
// verdict they give when the limit expression is on the right of the
// comparison (a smaller count means allowed), or on the left.
func comparisonVerdict(op string, limitOnRight bool) (verdict, bool) {
	less := op == "<" || op == "<="
	greater := op == ">" || op == ">="
	if !less && !greater {
		return 0, false
	}
	if less == limitOnRight {
		return verdictAllowed, true
	}
	return verdictLimited, true
}

// sameNode reports whether a and b are the same node of the tree.
func sameNode(a, b syntax.Node) bool {
	return a.Start() == b.Start() && a.End() == b.End() && a.Kind() == b.Kind()
}

// inside reports whether n lies within outer.
func inside(n, outer syntax.Node) bool {
	return outer.Start() <= n.Start() && n.End() <= outer.End()
}

// windowInMillis decides the unit of a window expression: by its name
// when it says so, else by the language's clock (Date.now() is in
// milliseconds unless the method divides it, time.time() in seconds
// unless the method multiplies it).
func windowInMillis(family, expr, methodText string) bool {
	last := expr[strings.LastIndexAny(expr, ".")+1:]
	switch {
	case millisName.MatchString(last):
		return true
	case secondsName.MatchString(last):
		return false
	case family == "node":
		return !strings.Contains(methodText, "/ 1000") && !strings.Contains(methodText, "/1000")
	default:
		return strings.Contains(methodText, "* 1000") || strings.Contains(methodText, "*1000")
	}
}

// reindent moves a statement copied from its old place (whose first line
// was indented by from) to a line indented by to: its continuation lines
// keep their indentation relative to the first.
func reindent(text, from, to string) string {
	lines := strings.Split(text, "\n")
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], from) {
			lines[i] = to + lines[i][len(from):]
		}
	}
	return strings.Join(lines, "\n")
}

// indentUnit is one level of the file's indentation: what inner adds to
// outer, else a tab or four spaces in the style of inner.
func indentUnit(inner, outer string) string {
	if strings.HasPrefix(inner, outer) && len(inner) > len(outer) {
		return inner[len(outer):]
	}
	if strings.HasPrefix(inner, "\t") {
		return "\t"
	}
	return "    "
}
