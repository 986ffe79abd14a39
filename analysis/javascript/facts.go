// Package javascript is the JavaScript/TypeScript frontend (.js .mjs .cjs
// .jsx .ts .tsx, ES modules and CommonJS) and its rules.
//
// Like the Python frontend it keeps facts per top-level statement, with spans
// relative to the statement, so an edit re-examines only the statements whose
// text changed; the rest are reused by text hash (Summarize), or without a
// whole-file parse at all (Update, which parses the edited statements with
// their neighbours). Facts never hold trees: an expression is kept as a small
// Value (a name path, a call with its arguments, an object literal's keys, a
// function's summary).
//
// The checks interpret those values against the whole workspace: program.go
// indexes every file's facts, interp.go runs the registration calls of every
// module in order (following routers, plugins and installer functions across
// files, resolve.go resolving names through imports and requires), and
// rate001.go / nextjs.go / rate002.go turn the result into findings. The
// interpretation is shared by all checks of one workspace generation, and an
// edit that only touches route registrations builds on the previous one
// (reuse.go).
package javascript

import (
	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Facts are the facts of one JS/TS file.
type Facts struct {
	Lang  syntax.Language
	Units []*Unit // top-level statements, in source order
	// Broken is set when the text had syntax errors: its statements may be
	// cut anywhere, so Update never builds on such facts.
	Broken bool
}

// Language implements analysis.Facts.
func (f *Facts) Language() syntax.Language { return f.Lang }

// Unit is one top-level statement. Spans inside are relative to Start so the
// unit is reused unchanged when text before it moves.
type Unit struct {
	Start, End int    // absolute byte offsets in the file
	Hash       uint64 // of the statement's text
	// UnitFacts is shared, never copied, when the unit moves: an edit
	// shifting 5,000 statements copies 5,000 small headers, not their facts.
	*UnitFacts
	// has says which of UnitFacts' lists are not empty, in the header:
	// the passes over every unit that each check makes (newModule, the
	// reuse of an interpretation, RATE002's libraries) skip the statements
	// with nothing for them without reading their facts, which are spread
	// over the heap (a cache miss per statement in a file of thousands).
	// Set with the facts (setFacts); a copy of the facts keeps it.
	has unitHas
}

// unitHas is a set of the UnitFacts lists that are not empty.
type unitHas uint16

const (
	hasImports unitHas = 1 << iota
	hasExports
	hasBindings
	hasFuncs
	hasActive
	hasCounters
	hasLibraries
	hasRouteOnly // not a list: UnitFacts.RouteOnly
	// hasSemicolonEnd is syntax, not facts: the statement's last token is
	// a ";" (endsWithSemicolon). Set with the facts by Unit.summarize.
	hasSemicolonEnd
)

// setFacts gives the unit its facts and their summary.
func (u *Unit) setFacts(uf *UnitFacts) {
	u.UnitFacts = uf
	u.has = hasOf(uf)
}

// summarize gives the unit the facts of its statement n (text is what n's
// offsets index, base n's start in it).
func (u *Unit) summarize(n syntax.FlatNode, text []byte, base int) {
	u.setFacts(safeSummarize(n, text, base))
	if endsWithSemicolon(n) {
		u.has |= hasSemicolonEnd
	}
}

// endsWithSemicolon reports whether a statement's last token is a ";"
// (not a comment, not an automatic semicolon): the statement then ends
// there whatever follows it, but for an "else".
func endsWithSemicolon(n syntax.FlatNode) bool {
	for {
		var last syntax.FlatNode
		n.Children(func(c syntax.FlatNode) bool { last = c; return true })
		if last.IsNull() {
			return n.Kind() == ";" && !n.IsExtra() && !n.IsError()
		}
		if last.End() != n.End() {
			return false
		}
		n = last
	}
}

func hasOf(uf *UnitFacts) unitHas {
	var h unitHas
	set := func(bit unitHas, on bool) {
		if on {
			h |= bit
		}
	}
	set(hasImports, len(uf.Imports) > 0)
	set(hasExports, len(uf.Exports) > 0)
	set(hasBindings, len(uf.Bindings) > 0)
	set(hasFuncs, len(uf.Funcs) > 0)
	set(hasActive, len(uf.Active) > 0)
	set(hasCounters, len(uf.Counters) > 0)
	set(hasLibraries, len(uf.Libraries) > 0)
	set(hasRouteOnly, uf.RouteOnly)
	return h
}

// newModuleMask is what newModule reads of a unit.
const newModuleMask = hasImports | hasExports | hasBindings | hasFuncs | hasActive | hasCounters

// Abs converts a unit-relative span to file offsets.
func (u *Unit) Abs(s analysis.Span) analysis.Span { return s.Shift(u.Start) }

// UnitFacts is what one top-level statement contributes.
type UnitFacts struct {
	Imports []Import
	Exports []Export
	// Scope holds the statement's bindings, registration calls and functions,
	// in source order, exactly as a function body's Scope does.
	Scope
	// Counters are containers that could hold per-client counts: module-level
	// Map/Set/object/array bindings and class fields.
	Counters []Counter
	// Active are the unit's functions (nested ones included) that register
	// something or check a counter: the only ones the checks run or scan.
	Active []*Func
	// RouteOnly is set when the statement only registers routes (see
	// routeOnly): edits to such statements reuse the last interpretation.
	RouteOnly bool
	// Libraries are constructions of rate-limit libraries and stores
	// (rateLimit({...}), new RateLimiterMemory(...), register(@fastify/rate-limit)).
	Libraries []Value
}

// Import is one local name bound by import or require.
type Import struct {
	Local  string // the local name ("" for a side-effect import)
	Module string // the specifier as written: "express", "./routes/users"
	Name   string // the imported export: "default", "*" (namespace or whole require), or a name
}

// Export is one name a module exports.
type Export struct {
	Name  string // "default" for export default / module.exports = x
	Value Value  // what is exported (an Ident for export { x }, the expression otherwise)
	// From is set for re-exports (export { x } from './y', module.exports = require('./y')).
	From     string
	FromName string
}

// Scope is a body of code: a top-level statement or a function body.
type Scope struct {
	Bindings []Binding
	Calls    []Call  // registration-shaped calls, in source order
	Funcs    []*Func // named functions declared here (declarations and const f = () => ...)
}

// Binding is const/let/var name = value (also this.x = value in constructors).
type Binding struct {
	Name  string
	Value Value
	Span  analysis.Span
}

// Call is receiver.method(args) or callee(args) where the shape could
// register a route, install middleware, mount a router or invoke an
// installer function.
type Call struct {
	Recv   Value  // the object of the member call; Kind KNone for plain calls
	Method string // the member name, or the plain callee's name
	Callee Value  // the whole callee (for plain calls: the function invoked)
	Args   []Value
	Span   analysis.Span // the whole call expression
	// Chain is the path of app.route('/x').get(...) chains: the receiver
	// chain's route() argument, with Recv set to the chain's base object.
	Chain *Value
}

// Func summarizes a function: what it registers and whether it limits.
type Func struct {
	Name   string
	Params []string // identifier parameters ("" for patterns)
	Scope
	Returns []Value
	Signals
	Span     analysis.Span
	NameSpan analysis.Span
}

// Signals are the rate-limiting evidence found in a function body,
// including nested functions.
type Signals struct {
	Responds429  bool     // 429 / TOO_MANY_REQUESTS / TooManyRequests
	Consumes     bool     // rate-limiter-flexible .consume(...), @upstash/ratelimit .limit(...)
	Called       []string // names of plain functions and methods called, for name heuristics
	CallsLimiter bool     // one of Called is named like a limiter (checkRateLimit, limiter.check)
	Methods      []string // request methods compared against (req.method === 'POST')
	// Counter evidence (RATE002).
	Identity bool           // reads a client identity (req.ip, x-forwarded-for, user id, API key)
	Rejects  bool           // 429, next(err), throw, return true/false
	Checks   []CounterCheck // comparisons of a container's values against a threshold
}

// CounterCheck is a comparison reading a container against a threshold.
type CounterCheck struct {
	Container string // identifier or "this.x"
	Threshold Value  // the other side of the comparison
	Span      analysis.Span
}

// Counter is a container definition that may keep per-client counts.
type Counter struct {
	Name  string // identifier, or "this.x" for a class field
	Class string // enclosing class, for fields
	Kind  string // "Map", "Set", "object", "array", "LRUCache"
	Span  analysis.Span
}

// Kind is the kind of a Value.
type Kind uint8

const (
	KNone   Kind = iota
	KIdent       // Name: identifier
	KMember      // Name: dotted path a.b.c (may start with require('m'))
	KCall        // Name: callee path; Callee: the callee when not a path
	KNew         // Name: constructor path
	KFunc        // Fn
	KString      // Str: literal text (template literals without substitutions too)
	KNumber      // Str: source text
	KBool        // Str: "true"/"false"
	KObject      // Keys
	KArray       // Elems
	KOther
)

// Value is an expression kept without its tree.
type Value struct {
	Kind   Kind
	Name   string
	Str    string
	Callee *Value
	Args   []Value
	Keys   []KeyValue
	Elems  []Value
	Fn     *Func
	Span   analysis.Span
	InKey  string // for Libraries: the object key the construction sits under
}

// KeyValue is one property of an object literal.
type KeyValue struct {
	Key   string
	Value Value
}

// Key returns the value of an object literal's property.
func (v Value) Key(k string) (Value, bool) {
	for _, kv := range v.Keys {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return Value{}, false
}
