// Package python is the Python frontend: it summarizes each top-level
// statement of a module into facts (imports, app and router objects, routes
// and their decorators) and implements the rules on top of those facts.
//
// Facts are kept per top-level statement with offsets relative to the
// statement, so after an edit only the statements whose text changed are
// examined again; the others are reused by comparing their text.
package python

import (
	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Facts are the facts of one Python file.
type Facts struct {
	Units []*Unit // top-level statements, in source order
}

// Language implements analysis.Facts.
func (*Facts) Language() syntax.Language { return syntax.Python }

// Unit is one top-level statement and what it contributes. Spans inside
// UnitFacts are relative to Start, so a unit can be reused unchanged when
// text before it moves.
type Unit struct {
	Start, End int    // absolute byte offsets in the file
	Hash       uint64 // of the statement's text, to recognize it after edits
	UnitFacts
}

// Abs converts a unit-relative span to file offsets.
func (u *Unit) Abs(s analysis.Span) analysis.Span { return s.Shift(u.Start) }

// UnitFacts is what one top-level statement says about the web application.
type UnitFacts struct {
	Imports []Import
	Objects []Object // name = Constructor(...) at module level
	Routes  []Route
}

// Import is one name bound by an import statement.
type Import struct {
	Module string // "fastapi", ".routers.users"
	Name   string // imported name, "" for "import module"
	Alias  string // the local name
}

// Object is a module-level name bound to a constructor call, such as
// app = FastAPI() or limiter = Limiter(key_func=get_remote_address).
type Object struct {
	Name   string
	Callee string            // dotted callee as written: "FastAPI", "fastapi.APIRouter"
	Kwargs map[string]string // keyword arguments, source text of each value
	Span   analysis.Span     // the assignment, relative to the unit
}

// Route is a request handler registered with a decorator.
type Route struct {
	Receiver   string        // the object the route is registered on: "app", "router", "bp"
	Methods    []string      // upper case, e.g. ["POST"]; ["GET"] by default
	Path       string        // as written, without quotes; "" when not a literal
	Handler    string        // function name
	Async      bool          // async def
	Decorators []Decorator   // every decorator of the handler, top to bottom
	Span       analysis.Span // the route's own decorator, relative to the unit
	DefSpan    analysis.Span // the whole decorated definition, relative to the unit
}

// Decorator is one decorator applied to a handler.
type Decorator struct {
	Callee string        // dotted name: "app.get", "limiter.limit", "rate_limit"
	Args   string        // argument list source, "" without a call
	Span   analysis.Span // relative to the unit
}
