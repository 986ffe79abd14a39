package python

import (
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// assignment records objects (app = FastAPI()), stores, settings and the
// assignments that install middleware (app.wsgi_app = M(app.wsgi_app)).
func (x *extractor) assignment(a syntax.FlatNode, sc scope) {
	left, right := a.Field("left"), a.Field("right")
	if right.IsNull() {
		return
	}
	if right.Kind() == "call" {
		callee := dotted(right.Field("function"), x.text)
		// Objects matter at module level (apps, limiters, long-lived
		// instances) and, inside functions, when they create an app, a
		// router or a limiter (app factories).
		keep := callee != "" && (sc.moduleLevel() || objectCallees[lastPart(callee)])
		if left.Kind() == "identifier" && keep {
			o := Object{Name: x.src(left), Callee: callee, TopLevel: sc.moduleLevel(), Span: x.span(right)}
			ar := x.args(right)
			for _, p := range ar.pos {
				if len(o.Args) < 4 {
					o.Args = append(o.Args, clip(x.src(p)))
				}
			}
			for k, v := range ar.kw {
				if o.Kwargs == nil {
					o.Kwargs = map[string]string{}
				}
				o.Kwargs[k] = clip(x.src(v))
				o.KwNames = namesIn(v, x.text, o.KwNames)
			}
			x.uf.Objects = append(x.uf.Objects, o)
		}
		// app.wsgi_app = RateLimit(app.wsgi_app) / app = Throttle(app)
		if target := dotted(left, x.text); target != "" && callee != "" && (strings.HasSuffix(target, "wsgi_app") || keep) {
			if ar := x.args(right); len(ar.pos) > 0 && dotted(ar.pos[0], x.text) == target {
				x.uf.Links = append(x.uf.Links, Link{Kind: Middleware, Parent: strings.TrimSuffix(target, ".wsgi_app"), Names: []string{callee}, Span: x.span(a)})
			}
		}
	}
	switch left.Kind() {
	case "identifier":
		name := x.src(left)
		if sc.moduleLevel() {
			if kind := containerKind(right, x.text); kind != "" {
				x.uf.Stores = append(x.uf.Stores, Store{Name: name, Kind: kind, Span: x.span(left)})
			}
			if isUpper(name) {
				x.settings(name, right, 0)
			}
		}
	case "attribute":
		if sc.init && x.src(left.Field("object")) == "self" {
			if kind := containerKind(right, x.text); kind != "" {
				x.uf.Stores = append(x.uf.Stores, Store{Name: "self." + x.src(left.Field("attribute")), Class: sc.class, Kind: kind, Span: x.span(left)})
			}
		}
	case "subscript":
		// app.config["RATELIMIT_STORAGE_URI"] = "..."
		if strings.HasSuffix(dotted(left.Field("value"), x.text), "config") {
			if key, ok := stringValue(left.Field("subscript"), x.text); ok {
				x.settings(key, right, 0)
			}
		}
	}
}

// objectCallees are the constructors whose objects are recorded even inside
// functions.
var objectCallees = func() map[string]bool {
	m := map[string]bool{"Limiter": true, "MemoryStorage": true, "storage_from_string": true}
	for k := range constructors {
		m[k] = true
	}
	return m
}()

// clip bounds the source text kept in a fact.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

// settings records name = value, flattening dict literals so nested keys
// (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"], CACHES["default"]["BACKEND"])
// are settings of their own.
func (x *extractor) settings(name string, value syntax.FlatNode, depth int) {
	if value.IsNull() {
		return
	}
	s := Setting{Name: name, Value: clip(x.src(value)), Span: x.span(value)}
	walkNamed(value, func(n syntax.FlatNode) bool {
		if n.Kind() == "string" && len(s.Strings) < maxNames {
			if v, ok := stringValue(n, x.text); ok {
				s.Strings = append(s.Strings, v)
			}
			return false
		}
		return n.Kind() != "dictionary" || (n.Start() == value.Start() && n.End() == value.End())
	})
	if value.Kind() != "dictionary" {
		s.Names = namesIn(value, x.text, nil)
	}
	x.uf.Settings = append(x.uf.Settings, s)
	if value.Kind() != "dictionary" || depth > 3 {
		return
	}
	kids(value, func(p syntax.FlatNode) bool {
		if p.Kind() == "pair" {
			if k, ok := stringValue(p.Field("key"), x.text); ok {
				x.settings(k, p.Field("value"), depth+1)
			}
		}
		return true
	})
}

// call records route registrations and wiring made by calls.
func (x *extractor) call(n syntax.FlatNode, sc scope) {
	fn := n.Field("function")
	a := x.args(n)
	if fn.Kind() == "call" {
		// limiter.limit("5/minute")(bp): a limit applied to a blueprint or view.
		inner := dotted(fn.Field("function"), x.text)
		if m := lastPart(inner); (m == "limit" || m == "shared_limit") && len(a.pos) == 1 {
			if target := dotted(a.pos[0], x.text); target != "" {
				x.uf.Links = append(x.uf.Links, Link{Kind: LimitApplied, Parent: target, Child: receiverOf(inner), Span: x.span(n)})
			}
		}
		return
	}
	callee := dotted(fn, x.text)
	if callee == "" {
		return
	}
	recv, meth := receiverOf(callee), lastPart(callee)
	route := func(r Route) {
		r.Kind, r.Via, r.Span = Registered, meth, x.span(n)
		if r.Receiver == "" {
			r.Receiver = recv
		}
		x.addRoute(r)
	}
	link := func(l Link) {
		l.Span = x.span(n)
		if l.Parent == "" {
			l.Parent = recv
		}
		x.uf.Links = append(x.uf.Links, l)
	}
	switch meth {
	case "add_api_route":
		r := x.handler(a.arg(1, "endpoint"))
		r.Path, r.Methods = x.str(a, 0, "path"), x.methodsOf(a)
		if r.Methods == nil {
			r.Methods = []string{"GET"}
		}
		r.Names = namesIn(n.Field("arguments"), x.text, r.Names)
		route(r)
	case "add_route":
		if m, ok := stringValue(a.arg(0, ""), x.text); ok && len(a.pos) >= 3 && (httpMethods[strings.ToLower(m)] != "" || m == "*") {
			// aiohttp: router.add_route("POST", "/x", handler)
			r := x.handler(a.arg(2, "handler"))
			r.Path, r.Methods = x.str(a, 1, "path"), []string{strings.ToUpper(m)}
			if m == "*" {
				r.Methods = []string{"ANY"}
			}
			r.Receiver = strings.TrimSuffix(recv, ".router")
			route(r)
			return
		}
		r := x.handler(a.arg(1, "endpoint"))
		r.Path, r.Methods = x.str(a, 0, "path"), x.methodsOf(a)
		route(r)
	case "add_url_rule":
		r := x.handler(a.arg(2, "view_func"))
		if r.Handler == "" {
			return // endpoint-only rule: the view is attached elsewhere
		}
		r.Path, r.Methods = x.str(a, 0, "rule"), x.methodsOf(a)
		if r.Methods == nil && !r.IsClass {
			r.Methods = []string{"GET"}
		}
		route(r)
	case "add_resource":
		r := x.handler(a.arg(0, "resource"))
		r.IsClass = true
		for _, p := range a.pos[min(1, len(a.pos)):] {
			if s, ok := stringValue(p, x.text); ok {
				r.Path = s
				break
			}
		}
		route(r)
	case "add_get", "add_post", "add_put", "add_patch", "add_delete", "add_head", "add_view":
		r := x.handler(a.arg(1, "handler"))
		r.Path = x.str(a, 0, "path")
		if meth == "add_view" {
			r.IsClass = true
		} else {
			r.Methods = []string{strings.ToUpper(strings.TrimPrefix(meth, "add_"))}
		}
		r.Receiver = strings.TrimSuffix(recv, ".router")
		route(r)
	case "Route", "path", "re_path", "url":
		// Starlette Route("/x", endpoint) and Django path("x/", view): which
		// one (if any) is decided by the file's imports when checking.
		p, ok := stringValue(a.arg(0, ""), x.text)
		if !ok && meth != "Route" {
			return
		}
		if !ok {
			p = x.str(a, 0, "path")
		}
		view := a.arg(1, "endpoint")
		if meth != "Route" {
			view = a.arg(1, "view")
		}
		if view.IsNull() || isInclude(view, x.text) {
			return
		}
		r := x.handler(view)
		if r.Handler == "" {
			return
		}
		r.Path, r.Methods, r.Receiver = p, x.methodsOf(a), ""
		route(r)
	case "register":
		// DRF router.register(r"users", UserViewSet)
		if p, ok := stringValue(a.arg(0, "prefix"), x.text); ok && len(a.pos) >= 2 {
			r := x.handler(a.arg(1, "viewset"))
			r.Path, r.IsClass = p, true
			route(r)
		}
	case "include_router", "register_blueprint", "add_namespace":
		link(Link{Kind: Mount, Child: dotted(a.arg(0, ""), x.text), Names: namesIn(n.Field("arguments"), x.text, nil)})
	case "add_subapp", "mount":
		link(Link{Kind: Mount, Child: dotted(a.arg(1, "app"), x.text)})
	case "add_routes":
		if child := dotted(a.arg(0, ""), x.text); child != "" {
			link(Link{Kind: Mount, Parent: strings.TrimSuffix(recv, ".router"), Child: child})
		}
	case "add_middleware":
		link(Link{Kind: Middleware, Names: namesIn(n.Field("arguments"), x.text, nil)})
	case "append", "insert":
		if strings.HasSuffix(recv, ".middlewares") {
			link(Link{Kind: Middleware, Parent: strings.TrimSuffix(recv, ".middlewares"), Names: namesIn(n.Field("arguments"), x.text, nil)})
		}
	case "before_request", "before_app_request":
		if d := dotted(a.arg(0, ""), x.text); d != "" {
			link(Link{Kind: Hook, Names: []string{d}})
		}
	case "init_app":
		if app := dotted(a.arg(0, "app"), x.text); app != "" {
			link(Link{Kind: LimiterAttach, Parent: app, Child: recv})
		}
	case "update", "from_mapping":
		if strings.HasSuffix(recv, "config") {
			for k, v := range a.kw {
				if isUpper(k) {
					x.settings(k, v, 1)
				}
			}
		}
	}
	// Web framework calls inside a list: web.get("/x", handler) (aiohttp).
	if recv != "" && !strings.Contains(recv, ".") && len(a.pos) >= 2 {
		if m := httpMethods[meth]; m != "" || meth == "view" || meth == "route" {
			var r Route
			if meth == "route" {
				mm, _ := stringValue(a.arg(0, ""), x.text)
				r = x.handler(a.arg(2, "handler"))
				r.Path, r.Methods = x.str(a, 1, "path"), []string{strings.ToUpper(mm)}
			} else {
				if _, ok := stringValue(a.arg(0, ""), x.text); !ok {
					return
				}
				r = x.handler(a.arg(1, "handler"))
				r.Path = x.str(a, 0, "path")
				if m != "" {
					r.Methods = []string{m}
				} else {
					r.IsClass = true
				}
			}
			if r.Handler != "" {
				r.Receiver = ""
				r.Kind, r.Via, r.Span = Registered, callee, x.span(n)
				x.addRoute(r)
			}
		}
	}
}

// isInclude recognizes path("api/", include(...)) and path("admin/", admin.site.urls).
func isInclude(view syntax.FlatNode, text []byte) bool {
	if view.Kind() == "call" {
		return lastPart(dotted(view.Field("function"), text)) == "include"
	}
	return strings.HasSuffix(dotted(view, text), ".urls") || view.Kind() == "tuple" || view.Kind() == "list"
}

// handler reads a handler reference: a name, View.as_view(...), or a name
// wrapped in decorators applied by hand (limiter.limit("1/s")(view),
// csrf_exempt(view)); the wrappers' names go to Names.
func (x *extractor) handler(n syntax.FlatNode) Route {
	var r Route
	for depth := 0; depth < 6 && !n.IsNull(); depth++ {
		if d := dotted(n, x.text); d != "" {
			r.Handler = d
			return r
		}
		if n.Kind() != "call" {
			return r
		}
		fn := n.Field("function")
		if callee := dotted(fn, x.text); strings.HasSuffix(callee, ".as_view") {
			r.Handler, r.IsClass = receiverOf(callee), true
			r.Names = namesIn(n.Field("arguments"), x.text, r.Names)
			return r
		}
		r.Names = namesIn(fn, x.text, r.Names)
		a := x.args(n)
		n = a.arg(0, "")
	}
	return r
}
