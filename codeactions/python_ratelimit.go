package codeactions

import (
	"fmt"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

func init() {
	fixers["add-rate-limit"] = addRateLimit
}

// addRateLimit is the RATE001 fix: put the limiter on the route.
func addRateLimit(fc *fileCtx, f analysis.Finding) []fix {
	var fx fix
	var ok bool
	if fc.family == "python" {
		fx, ok = pyAddRateLimit(fc, f)
	} else {
		fx, ok = nodeAddRateLimit(fc, f)
		if !ok {
			if rx, ok := nodeWrapReexport(fc, f); ok {
				return []fix{rx}
			}
		}
	}
	if !ok {
		return nil
	}
	requests, window := fc.limits()
	fx.title = fmt.Sprintf("Add rate limit (%d requests / %d s)", requests, window)
	fx.preferred, fx.safe = true, true
	return []fix{fx}
}

// pyRouteMethods are the decorator methods that register a route, across
// FastAPI, Starlette, Flask, aiohttp's RouteTableDef and Quart.
var pyRouteMethods = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true,
	"options": true, "trace": true, "route": true, "api_route": true, "view": true,
	"websocket": true, "websocket_route": true,
}

// pyAddRateLimit adds @rate_limit(requests=N, window=W) to the handler.
//
// Decorators apply bottom-up and a route decorator registers whatever it
// receives, so on a decorated route the limiter goes directly below the
// lowest route decorator: the registered function is then the limited one
// whatever other decorators (auth, caching) sit above or below. A handler
// registered by a call (Django path(), Starlette Route, aiohttp web.get,
// add_url_rule) gets the decorator on its def when it is defined in the same
// file, and is wrapped where it is registered otherwise:
// path("login/", rate_limit(requests=100, window=60)(views.login)). Class
// handlers get the decorator on each HTTP-method method.
func pyAddRateLimit(fc *fileCtx, f analysis.Finding) (fix, bool) {
	requests, window := fc.limits()
	mod := need{module: pythonModule, name: "rate_limit", limiter: true}
	deco := fmt.Sprintf("%s(requests=%d, window=%d)", fc.imports.ref(mod), requests, window)
	edits, covers := fc.pyRateLimitEdits(f, deco)
	if len(edits) == 0 {
		return fix{}, false
	}
	return fix{edits: edits, needs: []need{mod}, covers: covers}, true
}

// pyRateLimitEdits returns the edits and, for a decorated handler, the
// decorators the new limiter covers (every route decorator above it).
func (fc *fileCtx) pyRateLimitEdits(f analysis.Finding, deco string) ([]Edit, analysis.Span) {
	if dd := fc.nodeAt(f.Span.Start, "decorated_definition"); !dd.IsNull() {
		if route := fc.pyLowestRouteDecorator(dd, f.Span.Start); !route.IsNull() {
			covers := analysis.Span{Start: dd.Start(), End: route.End()}
			if def := dd.Field("definition"); def.Kind() == "class_definition" {
				return fc.pyDecorateMethods(def, deco), covers
			}
			at := nextLineStart(fc.text, route.End())
			return []Edit{insertAt(at, indentAt(fc.text, route.Start())+"@"+deco+fc.nl)}, covers
		}
	}
	if call := fc.pyRegistration(f.Span); !call.IsNull() {
		return fc.pyGuardRegistered(call, f.Fix, deco), analysis.Span{}
	}
	// A finding on a handler's own definition.
	if def := fc.nodeAt(f.Span.Start, "function_definition"); !def.IsNull() {
		return fc.pyDecorateDef(def, deco), analysis.Span{}
	}
	if def := fc.pyFindDef(f.Fix["handler"]); !def.IsNull() {
		return fc.pyDecorateDef(def, deco), analysis.Span{}
	}
	return nil, analysis.Span{}
}

// pyLowestRouteDecorator returns the route decorator containing off, or a
// route decorator on the same receiver below it.
func (fc *fileCtx) pyLowestRouteDecorator(dd syntax.Node, off int) syntax.Node {
	var route syntax.Node
	recv := ""
	dd.NamedChildren(func(d syntax.Node) bool {
		if d.Kind() != "decorator" {
			return true
		}
		r, isRoute := pyRouteDecorator(d, fc.text)
		inFinding := d.Start() <= off && off < d.End()
		if isRoute && (inFinding || (!route.IsNull() && r == recv)) {
			route, recv = d, r
		}
		return true
	})
	return route
}

// pyDecorateDef puts the decorator directly above a def (below its other
// decorators); for a class, on its HTTP-method methods.
func (fc *fileCtx) pyDecorateDef(def syntax.Node, deco string) []Edit {
	if def.Kind() == "class_definition" {
		return fc.pyDecorateMethods(def, deco)
	}
	if !onlySpaceBefore(fc.text, def.Start()) {
		return nil
	}
	return []Edit{insertAt(lineStart(fc.text, def.Start()), indentAt(fc.text, def.Start())+"@"+deco+fc.nl)}
}

// pyHTTPMethods are the method names class-based views dispatch to.
var pyHTTPMethods = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true, "options": true,
}

func (fc *fileCtx) pyDecorateMethods(class syntax.Node, deco string) []Edit {
	var out []Edit
	class.Field("body").NamedChildren(func(n syntax.Node) bool {
		def := n
		if n.Kind() == "decorated_definition" {
			def = n.Field("definition")
		}
		if def.Kind() == "function_definition" && pyHTTPMethods[def.Field("name").Text(fc.text)] {
			out = append(out, fc.pyDecorateDef(def, deco)...)
		}
		return true
	})
	return out
}

// pyRegistration is the call a Registered route's finding points at.
func (fc *fileCtx) pyRegistration(span analysis.Span) syntax.Node {
	var found syntax.Node
	fc.root.Walk(func(n syntax.Node) bool {
		if n.Start() > span.Start || n.End() <= span.Start {
			return false
		}
		if n.Kind() == "call" && (found.IsNull() || n.Start() == span.Start) {
			found = n
		}
		return true
	})
	return found
}

// pyGuardRegistered limits the handler a registration call names. A class
// is never wrapped (the framework needs the class itself): a class defined
// here gets the decorator on its HTTP-method methods, except DRF views,
// whose methods receive DRF's Request rather than Django's; as_view() and
// function views are wrapped where they are registered, where they receive
// the framework's own request.
func (fc *fileCtx) pyGuardRegistered(call syntax.Node, facts map[string]string, deco string) []Edit {
	handler := facts["handler"]
	var arg syntax.Node
	call.Field("arguments").NamedChildren(func(a syntax.Node) bool {
		v := a
		if a.Kind() == "keyword_argument" {
			v = a.Field("value")
		}
		if handler != "" && pyNamesHandler(v, fc.text, handler) {
			arg = v
			return false
		}
		return true
	})
	if arg.IsNull() {
		return nil
	}
	if arg.Kind() == "identifier" {
		if def := fc.pyFindDefOrClass(arg.Text(fc.text)); !def.IsNull() && def.Start() < call.Start() {
			if def.Kind() == "class_definition" && facts["framework"] == "drf" {
				return nil
			}
			return fc.pyDecorateDef(def, deco)
		}
	}
	if facts["handler_kind"] == "class" && arg.Kind() != "call" {
		return nil
	}
	return []Edit{insertAt(arg.Start(), deco+"("), insertAt(arg.End(), ")")}
}

// pyNamesHandler reports whether an argument refers to the handler: login,
// views.login, or a class view's views.LoginView.as_view().
func pyNamesHandler(v syntax.Node, text []byte, handler string) bool {
	if v.Kind() == "call" {
		fn := v.Field("function")
		if fn.Kind() != "attribute" || fn.Field("attribute").Text(text) != "as_view" {
			return false
		}
		v = fn.Field("object")
	}
	if v.Kind() != "identifier" && v.Kind() != "attribute" {
		return false
	}
	t := v.Text(text)
	return t == handler || strings.HasSuffix(t, "."+handler)
}

// pyFindDefOrClass finds a module-level function or class by name.
func (fc *fileCtx) pyFindDefOrClass(name string) syntax.Node {
	var found syntax.Node
	fc.root.NamedChildren(func(n syntax.Node) bool {
		def := n
		if n.Kind() == "decorated_definition" {
			def = n.Field("definition")
		}
		if (def.Kind() == "function_definition" || def.Kind() == "class_definition") && def.Field("name").Text(fc.text) == name {
			found = def
		}
		return true
	})
	return found
}

// pyRouteDecorator recognizes @receiver.method(...) with a route method and
// returns the receiver.
func pyRouteDecorator(d syntax.Node, text []byte) (string, bool) {
	call := d.NamedChild(0)
	if call.Kind() != "call" {
		return "", false
	}
	callee := call.Field("function").Text(text)
	i := strings.LastIndexByte(callee, '.')
	if i < 0 || !pyRouteMethods[callee[i+1:]] {
		return "", false
	}
	return callee[:i], true
}

// pyFindDef finds the definition of a handler by name: "login" at module
// level, or "LoginView.post" for a method. It returns the function_definition
// node (after any decorators).
func (fc *fileCtx) pyFindDef(name string) syntax.Node {
	if name == "" {
		return syntax.Node{}
	}
	parts := strings.Split(name, ".")
	scope := fc.root
	for i, p := range parts {
		found := syntax.Node{}
		scope.NamedChildren(func(n syntax.Node) bool {
			def := n
			if n.Kind() == "decorated_definition" {
				def = n.Field("definition")
			}
			want := "function_definition"
			if i < len(parts)-1 {
				want = "class_definition"
			}
			if def.Kind() == want && def.Field("name").Text(fc.text) == p {
				found = def
			}
			return true
		})
		if found.IsNull() {
			return found
		}
		if i == len(parts)-1 {
			return found
		}
		scope = found.Field("body")
	}
	return syntax.Node{}
}
