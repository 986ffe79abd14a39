package python

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// checkUnprotectedRoutes implements RATE001 for Python.
func checkUnprotectedRoutes(f *analysis.File, ws analysis.Workspace, cfg *analysis.Config) []analysis.Finding {
	return checkRoutes(f, ws, cfg, true)
}

// checkRoutes is RATE001, reusing the findings of unchanged statements of a
// large file when cached is set (route_cache.go).
func checkRoutes(f *analysis.File, ws analysis.Workspace, cfg *analysis.Config, cached bool) []analysis.Finding {
	facts, ok := f.Facts.(*Facts)
	if !ok || len(facts.Units) == 0 || isTestFile(f.Path) {
		return nil
	}
	ix := indexFor(ws, cfg)
	fi := ix.fileFor(f, facts)
	var rc *routeCache
	if cached {
		rc = routeCacheFor(f.Path, facts)
	}
	if rc != nil {
		defer rc.mu.Unlock()
		rc.begin(ws, cfg, ix, f.Path, facts)
	}
	var out []analysis.Finding
	for i, u := range facts.Units {
		var found []analysis.Finding
		if rc == nil {
			found = ix.unprotectedRoutes(fi, u, f.Path, cfg)
		} else if c := &rc.results[i]; c.ok {
			found = c.found
			rc.hits++
		} else {
			found = ix.unprotectedRoutes(fi, u, f.Path, cfg)
			*c = cachedFindings{found, true}
		}
		for _, x := range found {
			x.Span = u.Abs(x.Span)
			out = append(out, x)
		}
	}
	return out
}

// unprotectedRoutes checks the routes of one statement; spans are relative
// to it, so the result can be reused wherever the statement moves.
func (ix *index) unprotectedRoutes(fi *fileInfo, u *Unit, path string, cfg *analysis.Config) []analysis.Finding {
	var out []analysis.Finding
	for i := range u.Routes {
		if ix.routeLimited(&u.Routes[i]) {
			continue // decided without looking further: the common case
		}
		r := u.Routes[i]
		rt, ok := ix.classify(fi, u, r)
		if !ok || ix.routeProtected(fi, rt) {
			continue
		}
		display := rt.displayPath()
		if cfg.IsHealthPath(display) || cfg.IsHealthPath(r.Path) {
			continue
		}
		methods := rt.methods
		if len(methods) == 0 {
			methods = []string{"ANY"}
		}
		name := strings.Join(methods, ", ") + " " + display
		out = append(out, analysis.Finding{
			Span:    r.Span,
			Message: fmt.Sprintf("%s has no rate limiting", name),
			Fix:     rt.fix(path, name),
		})
	}
	return out
}

// route is a Route recognized as a real request handler, with what was
// learned about it from the rest of the workspace.
type route struct {
	Route
	framework string
	methods   []string // the unprotected methods
	prefix    string   // router prefix (APIRouter(prefix=...), Blueprint(url_prefix=...))
	fn        *located[Func]
	fnFile    *fileInfo
	class     *located[Class]
	classFile *fileInfo
	recvKey   objKey
	hasRecv   bool
}

// classify decides whether r is a route of a framework we know, and
// resolves its handler.
func (ix *index) classify(fi *fileInfo, u *Unit, r Route) (*route, bool) {
	rt := &route{Route: r, methods: r.Methods}
	switch {
	case r.Via == "path" || r.Via == "re_path" || r.Via == "url":
		if !fi.importsFrom(r.Via, "django.urls", "django.conf.urls") {
			return nil, false
		}
		rt.framework = Django
	case r.Via == "Route":
		if !fi.importsFrom("Route", "starlette", "fastapi") {
			return nil, false
		}
		rt.framework = Starlette
	case strings.Contains(r.Via, "."):
		// web.get("/x", handler) in an aiohttp route list
		if !fi.importsFrom(receiverOf(r.Via), "aiohttp") {
			return nil, false
		}
		rt.framework = AIOHTTP
	case r.Receiver == "self" || r.Receiver == "cls" || strings.HasPrefix(r.Receiver, "self.") || strings.HasPrefix(r.Receiver, "cls."):
		// A method forwarding to its own router (FastAPI.add_api_route
		// calling self.router.add_api_route): the route is the caller's.
		return nil, false
	default:
		rt.framework = ix.receiverFramework(fi, r.Receiver, 0)
		if rt.framework == "" && appName(lastPart(r.Receiver)) {
			// def setup_routes(app): app.router.add_get(...) in a module that
			// imports no framework: the method names it.
			rt.framework = viaFrameworks[r.Via]
		}
		if rt.framework == "" {
			return nil, false
		}
		rt.recvKey, rt.hasRecv = ix.objectKey(fi, r.Receiver), true
		if !viaFits(rt.framework, r) {
			return nil, false
		}
		if o, ok := ix.objectOf(fi, r.Receiver); ok {
			keys := []string{"prefix", "url_prefix"}
			if strings.EqualFold(lastPart(o.Callee), "namespace") {
				keys = append(keys, "path")
			}
			for _, k := range keys {
				if p, err := strconv.Unquote(o.Kwargs[k]); err == nil {
					rt.prefix = p
				}
			}
		}
	}
	if r.Via == "register" {
		rt.framework = DRF
	}
	// The handler: in this unit for decorated routes, anywhere otherwise.
	if r.Kind == Decorated && !r.IsClass {
		for i := range u.Funcs {
			if u.Funcs[i].Name == r.Handler {
				rt.fn, rt.fnFile = &located[Func]{&u.Funcs[i], u}, fi
			}
		}
	} else if def, name := ix.resolve(fi, r.Handler); def != nil && name != "" {
		if c, ok := def.classes[name]; ok {
			rt.class, rt.classFile, rt.IsClass = &c, def, true
		} else if fn, ok := def.funcMap()[name]; ok && !r.IsClass {
			rt.fn, rt.fnFile = &fn, def
		}
	}
	if rt.framework == Django && rt.class != nil && ix.isDRFClass(rt.classFile, *rt.class.v, 0) {
		rt.framework = DRF
	}
	if rt.framework == Django && rt.fn != nil && containsLast(rt.fn.v.Decorators, "api_view") {
		rt.framework = DRF
	}
	if rt.framework == Starlette && r.Methods == nil && !rt.IsClass {
		rt.methods = []string{"GET"}
	}
	if rt.framework == Django && rt.fn != nil {
		rt.methods = djangoMethods(rt.fn.v.Decorators)
	}
	if rt.IsClass && r.Methods == nil {
		rt.methods = nil
		if rt.class != nil {
			rt.methods = ix.classMethods(rt.classFile, *rt.class.v, 0)
		} else {
			rt.methods = viewsetMethods(nil, []string{lastPart(r.Handler)})
		}
	}
	return rt, true
}

// viaFrameworks are registration methods only one framework has.
var viaFrameworks = map[string]string{
	"add_get": AIOHTTP, "add_post": AIOHTTP, "add_put": AIOHTTP, "add_patch": AIOHTTP,
	"add_delete": AIOHTTP, "add_head": AIOHTTP, "add_view": AIOHTTP,
	"add_url_rule": Flask, "add_api_route": FastAPI, "add_resource": FlaskRESTful,
}

// viaFits rejects registrations the framework does not have (a Flask app has
// no add_api_route; @x.view is aiohttp's).
func viaFits(fw string, r Route) bool {
	switch r.Via {
	case "view":
		return fw == AIOHTTP
	case "add_resource":
		return fw == FlaskRESTful
	case "register":
		return fw == DRF
	case "route":
		return fw != DRF
	}
	if r.Kind == Decorated && r.IsClass {
		return false
	}
	return fw != DRF
}

func (ix *index) objectOf(fi *fileInfo, recv string) (Object, bool) {
	if def, name := ix.resolve(fi, recv); def != nil && name != "" {
		if o, ok := def.objects[name]; ok {
			return *o.v, true
		}
	}
	return Object{}, false
}

// routeProtected applies every protection rule to a route; it also trims
// rt.methods to the methods left unprotected.
func (ix *index) routeProtected(fi *fileInfo, rt *route) bool {
	if ix.guarded(fi, rt.Names) || ix.guard[rt.framework] {
		return true
	}
	if rt.framework == DRF && ix.guard[Django] {
		return true
	}
	if rt.fn != nil && ix.funcProtected(rt.fnFile, *rt.fn.v) {
		return true
	}
	if rt.class != nil {
		left, all := ix.classUnprotected(rt.classFile, *rt.class.v, rt.methods)
		if all {
			return true
		}
		rt.methods = left
	}
	if rt.hasRecv {
		if ix.receiverGuarded(rt.recvKey, rt.framework, map[objKey]bool{}) {
			return true
		}
		if len(ix.parents[rt.recvKey]) == 0 && ix.appGuard[rt.framework] && ix.isRouterObject(ix.files[rt.recvKey.path], rt.recvKey.name) {
			return true
		}
		return false
	}
	// Route lists (Django urlpatterns, Starlette routes, aiohttp web.get)
	// are served by an app we do not trace: app-wide guards apply.
	return ix.appGuard[rt.framework]
}

func (rt *route) displayPath() string {
	p := rt.Path
	switch rt.framework {
	case Django, DRF:
		p = strings.TrimSuffix(strings.TrimPrefix(p, "^"), "$")
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		if rt.Via == "register" && !strings.HasSuffix(p, "/") {
			p += "/"
		}
	default:
		if p == "" && rt.prefix == "" {
			return "(dynamic path)"
		}
		p = rt.prefix + p
	}
	return p
}

// Keys of Finding.Fix for RATE001 and RATE002 (the quick fixes and the CLI's
// --fix rebuild their edits from these; values are plain strings):
//
//	fix          "add-rate-limit" (RATE001), "replace-counter" or
//	             "limiter-to-redis" (RATE002)
//	framework    fastapi, starlette, flask, flask-restful, django, drf,
//	             aiohttp; for limiter-to-redis the library: slowapi,
//	             flask-limiter, limits, django-ratelimit
//	handler      RATE001: the handler function or class name
//	handler_kind RATE001: "function" or "class"
//	handler_path RATE001: file defining the handler when not the finding's file
//	route        RATE001: "POST /login" as in the message
//	methods      RATE001: unprotected methods, comma-separated ("" = any)
//	path         RATE001: the route path as displayed
//	registration RATE001: "decorator" (the route decorator is on the handler)
//	             or "call" (add_url_rule, path(), web.get(): the handler is
//	             referenced by name)
//	async        "true" when the handler is async def
//	requests     RATE002: the limit read from the old code, else the configured
//	window       default (seconds); RATE001 fixes use Config.Requests/Window
//	counter      RATE002: the in-memory counter or limiter variable
//	limit        RATE002: the threshold as written ("100", "MAX_ATTEMPTS")
//	limit_op     RATE002: how the counter is compared to it (">", ">=", ...)
//	window_expr  RATE002: the window as written ("60", "WINDOW_SECONDS"), when found
//	function     RATE002: the function that checks the counter
//	class        RATE002: the class owning a self.x counter
//	storage      RATE002 limiter-to-redis: the storage setting found ("" = none)
func (rt *route) fix(path, name string) map[string]string {
	m := make(map[string]string, 10)
	m["fix"] = "add-rate-limit"
	m["framework"] = rt.framework
	m["handler"] = lastPart(rt.Handler)
	m["route"] = name
	m["methods"] = strings.Join(rt.methods, ",")
	m["path"] = rt.displayPath()
	m["handler_kind"] = "function"
	if rt.IsClass {
		m["handler_kind"] = "class"
	}
	m["registration"] = "call"
	if rt.Kind == Decorated {
		m["registration"] = "decorator"
	}
	if rt.fn != nil {
		if rt.fn.v.Async {
			m["async"] = "true"
		}
		if rt.fnFile.path != path {
			m["handler_path"] = rt.fnFile.path
		}
	}
	if rt.class != nil && rt.classFile.path != path {
		m["handler_path"] = rt.classFile.path
	}
	return m
}

// isTestFile recognizes test modules: routes registered there are fixtures.
func isTestFile(path string) bool {
	base := filepath.Base(path)
	if strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") || base == "conftest.py" || base == "tests.py" {
		return true
	}
	for _, dir := range strings.Split(filepath.ToSlash(filepath.Dir(path)), "/") {
		if dir == "tests" || dir == "test" {
			return true
		}
	}
	return false
}

func containsLast(names []string, last string) bool {
	for _, n := range names {
		if lastPart(n) == last {
			return true
		}
	}
	return false
}

// djangoMethods reads @require_POST-style decorators; nil means any method.
func djangoMethods(decorators []string) []string {
	for _, d := range decorators {
		switch lastPart(d) {
		case "require_POST":
			return []string{"POST"}
		case "require_GET", "require_safe":
			return []string{"GET"}
		}
	}
	return nil
}

func sortedMethods(set map[string]bool) []string {
	order := map[string]int{"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4, "HEAD": 5, "OPTIONS": 6}
	var out []string
	for m := range set {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return order[out[i]] < order[out[j]] })
	return out
}
