// Package python is the Python frontend: it summarizes each top-level
// statement of a module into facts (imports, app and router objects, routes,
// functions, classes, settings, in-memory counters) and implements RATE001 and
// RATE002 on top of those facts.
//
// Facts are kept per top-level statement with offsets relative to the
// statement, so after an edit only the statements whose text changed are
// examined again; the others are reused by comparing their text. Extraction
// of one statement never looks at another: whether "path" is Django's or
// "web" is aiohttp's is decided by the checks, which see the whole file's
// imports and the rest of the workspace.
package python

import (
	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// Facts are the facts of one Python file.
type Facts struct {
	Units []*Unit // top-level statements, in source order
	// Witness is the text that made the file Relevant; Update rescans the
	// file only when an edit comes near it.
	Witness analysis.Span
	// Clean is set when the facts come from a parse without syntax errors.
	// Update only splices into clean facts: error recovery can make a
	// broken statement swallow its neighbours, so a region parsed on its
	// own would disagree with the whole file's parse.
	Clean bool
}

// Language implements analysis.Facts.
func (*Facts) Language() syntax.Language { return syntax.Python }

// Unit is one top-level statement and what it contributes. Spans inside
// UnitFacts are relative to Start, so a unit can be reused unchanged when
// text before it moves.
type Unit struct {
	Start, End int    // absolute byte offsets in the file
	Hash       uint64 // of the statement's text, to recognize it after edits
	// *UnitFacts is shared by every version of the file in which the
	// statement's text is unchanged: moving a unit copies 40 bytes.
	*UnitFacts
}

// Abs converts a unit-relative span to file offsets.
func (u *Unit) Abs(s analysis.Span) analysis.Span { return s.Shift(u.Start) }

// UnitFacts is what one top-level statement says about the web application.
// Everything nested in the statement (an app factory's body, a class's
// methods) is included.
type UnitFacts struct {
	Imports  []Import
	Objects  []Object  // name = Callee(...), at any depth (app factories)
	Routes   []Route   // decorator routes and registration calls
	Links    []Link    // app/router wiring and app-wide protections
	Funcs    []Func    // every function and method
	Classes  []Class   // every class
	Settings []Setting // UPPERCASE constants and config entries
	Stores   []Store   // long-lived containers that could hold counters
	Uses     []Use     // keyed, compared uses of a container in a function

	deps *unitDeps // what other statements can observe of this one
}

// Import is one name bound by an import statement.
type Import struct {
	Module string // "fastapi", ".routers.users"
	Name   string // imported name, "" for "import module"
	Alias  string // the local name
}

// Object is a name bound to a constructor call, such as app = FastAPI() or
// limiter = Limiter(key_func=get_remote_address).
type Object struct {
	Name     string
	Callee   string            // dotted callee as written: "FastAPI", "web.Application"
	Args     []string          // positional arguments, source text
	Kwargs   map[string]string // keyword arguments, source text of each value
	KwNames  []string          // dotted names mentioned in keyword values (middleware, dependencies)
	TopLevel bool              // bound at module level (not inside a function)
	Span     analysis.Span     // the constructor call, relative to the unit
}

// RouteKind says how a route was declared, which decides where a fix goes.
type RouteKind int

const (
	// Decorated: @app.post("/x") on the handler itself.
	Decorated RouteKind = iota
	// Registered: a call naming the handler (add_url_rule, path(), web.get()...).
	Registered
)

// Route is a request handler registration.
type Route struct {
	Kind     RouteKind
	Receiver string   // object the route is registered on ("app", "bp", "router"); "" for path()/Route()
	Via      string   // the registering method or function: "post", "route", "add_url_rule", "path", "web.get"
	Methods  []string // upper case; nil when the handler decides (class views, Django)
	Path     string   // as written, without quotes; "" when not a literal
	// Handler is the handler's name: the decorated function or class for
	// Decorated routes, the reference as written ("views.login") otherwise.
	Handler string
	IsClass bool // the handler is a class (MethodView, Resource, CBV, viewset)
	// Names are the dotted names in the registration's and handler's
	// decorators and arguments (limiters, Depends(...) targets, wrappers).
	Names []string
	// Limited is set when one of Names is a rate limiter by its name alone
	// (limiter.limit, rate_limit, RateLimiter, throttle...): the common
	// case, decided at extraction so checks after an edit skip the route.
	Limited bool
	Span    analysis.Span // the route decorator or registration call
}

// LinkKind is the kind of wiring a Link records.
type LinkKind int

const (
	// Mount: Child's routes are served by Parent (include_router,
	// register_blueprint, add_subapp, add_routes, add_namespace, mount).
	Mount LinkKind = iota
	// Middleware: Names wrap every route of Parent (add_middleware,
	// @app.middleware, wsgi_app wrapping, middlewares.append).
	Middleware
	// Hook: the function Names[0] runs before each route of Parent
	// (before_request).
	Hook
	// LimitApplied: limiter.limit(...)(Parent) puts a limit on a blueprint or view.
	LimitApplied
	// LimiterAttach: limiter.init_app(Parent) binds a Flask-Limiter/slowapi limiter (Child) to an app.
	LimiterAttach
)

// Link is one piece of wiring between apps, routers and protections.
type Link struct {
	Kind   LinkKind
	Parent string   // the app or router acted on
	Child  string   // mounted router / attached limiter
	Names  []string // protections: middleware, dependencies=[...] of include_router
	Span   analysis.Span
}

// Func is a function or method definition.
type Func struct {
	Name       string
	Class      string   // enclosing class, "" for functions
	Decorators []string // dotted names in its decorators, including names inside their arguments
	Deps       []string // targets of Depends(...)/Security(...) in its parameters
	Calls      []string // dotted names of functions it calls (bounded)
	Rejects429 bool     // its body answers 429 / raises a too-many-requests error
	Async      bool
	Span       analysis.Span // the def line's name
}

// Class is a class definition.
type Class struct {
	Name       string
	Bases      []string
	Decorators []string // dotted names in its decorators (method_decorator(ratelimit) gives both)
	// MethodDecorators are @method_decorator(..., name="post") decorators:
	// method name -> dotted names of what they apply.
	MethodDecorators map[string][]string
	Attrs            map[string]string // class-level assignments: throttle_classes, decorators, ...
	AttrNames        map[string][]string
	Methods          []string // names of the methods it defines
	Span             analysis.Span
}

// Setting is an UPPERCASE assignment (module or class level), an entry of a
// dict assigned to one (REST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": ...}),
// or an app.config entry.
type Setting struct {
	Name    string
	Value   string   // source text
	Strings []string // string literals in the value
	Names   []string // dotted names in the value
	Span    analysis.Span
}

// Store is a container that outlives a request: a module-level or class-level
// dict/list/deque/Counter/cache, or self.x created in __init__.
type Store struct {
	Name  string // "hits", or "self.hits" for instance attributes
	Class string // enclosing class for self.x and class attributes
	Kind  string // "dict", "defaultdict", "Counter", "deque", "list", "TTLCache", ...
	Span  analysis.Span
}

// Use is a function that reads a container by key and compares what it read
// against a threshold: the shape of a hand-written rate limiter.
type Use struct {
	Store    string // "hits" or "self.hits"
	Class    string // enclosing class of the function
	Func     string
	Identity bool   // the key (or the function) names a client: ip, user, api key...
	Rejects  bool   // the function rejects: 429, raise, abort, return False
	Vocab    bool   // the function or container names rate limiting (limit, attempts, 429...)
	Limit    string // the threshold as written ("100", "MAX_ATTEMPTS")
	LimitOp  string // ">", ">=", "<", "<="
	Window   string // the window as written ("60", "WINDOW"), "" when not found
	Span     analysis.Span
}
