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
// receives, so the limiter goes directly below the lowest route decorator of
// the handler: the registered function is then the limited one whatever other
// decorators (auth, caching) sit above or below. A handler registered
// elsewhere (Django urls.py, Starlette Route lists, aiohttp add_get) gets it
// directly above its def.
func pyAddRateLimit(fc *fileCtx, f analysis.Finding) (fix, bool) {
	requests, window := fc.limits()
	mod := need{module: pythonModule, name: "rate_limit", limiter: true}
	line := fmt.Sprintf("@%s(requests=%d, window=%d)", fc.imports.ref(mod), requests, window)
	at, indent, ok := fc.pyDecoratorSlot(f)
	if !ok {
		return fix{}, false
	}
	return fix{
		edits: []Edit{insertAt(at, indent+line+fc.nl)},
		needs: []need{mod},
	}, true
}

// pyDecoratorSlot is where a new innermost-of-the-route decorator line goes,
// and its indentation.
func (fc *fileCtx) pyDecoratorSlot(f analysis.Finding) (at int, indent string, ok bool) {
	if dd := fc.nodeAt(f.Span.Start, "decorated_definition"); !dd.IsNull() {
		var route syntax.Node
		recv := ""
		dd.NamedChildren(func(d syntax.Node) bool {
			if d.Kind() != "decorator" {
				return true
			}
			r, isRoute := pyRouteDecorator(d, fc.text)
			inFinding := d.Start() <= f.Span.Start && f.Span.Start < d.End()
			if isRoute && (inFinding || (!route.IsNull() && r == recv)) {
				route, recv = d, r
			}
			return true
		})
		if !route.IsNull() {
			return nextLineStart(fc.text, route.End()), indentAt(fc.text, route.Start()), true
		}
	}
	def := fc.nodeAt(f.Span.Start, "function_definition")
	if def.IsNull() {
		def = fc.pyFindDef(f.Fix["handler"])
	}
	if def.IsNull() || !onlySpaceBefore(fc.text, def.Start()) {
		return 0, "", false
	}
	return lineStart(fc.text, def.Start()), indentAt(fc.text, def.Start()), true
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
