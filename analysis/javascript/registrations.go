package javascript

import (
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// registration interprets one member call on an instance: a route, a
// middleware, a mount, a plugin or a hook.
func (it *interp) registration(fr *frame, inst *instance, c *Call, span analysis.Span, at anchor, base int) {
	it.base = base
	if m := httpMethodOf(c.Method); m != "" {
		it.methodRoute(fr, inst, c, m, span, at)
		return
	}
	switch c.Method {
	case "route":
		it.routeCall(fr, inst, c, span, at)
	case "on":
		// Hono: app.on('POST', '/x', h) / app.on(['GET', 'POST'], '/x', h).
		if inst.framework == fwHono && len(c.Args) >= 3 {
			methods := stringList(c.Args[0])
			it.addRoute(fr, inst, methods, c.Args[1], c.Args[2:], nil, span, at)
		}
	case "use":
		it.useCall(fr, inst, c, at)
	case "register":
		it.registerCall(fr, inst, c, at)
	case "addHook":
		if len(c.Args) >= 2 && c.Args[0].Kind == KString && requestHooks[c.Args[0].Str] && it.isLimiter(fr, c.Args[1], 0) {
			inst.uses = append(inst.uses, use{at: at})
		}
	}
}

// requestHooks are the Fastify hooks that run before the handler.
var requestHooks = map[string]bool{"onRequest": true, "preParsing": true, "preValidation": true, "preHandler": true}

// methodRoute handles app.get(path, ...handlers) and chain links
// app.route(path).get(...handlers).
func (it *interp) methodRoute(fr *frame, inst *instance, c *Call, method string, span analysis.Span, at anchor) {
	args := c.Args
	var path Value
	if c.Chain != nil {
		path = *c.Chain
	} else {
		if len(args) < 2 {
			return // app.get('env'): a setting, not a route
		}
		path, args = args[0], args[1:]
		// koa-router named routes: router.get('name', '/path', handler)
		if inst.framework == fwKoa && path.Kind == KString && args[0].Kind == KString && len(args) > 1 {
			path, args = args[0], args[1:]
		}
		if !pathLike(path) {
			return
		}
	}
	var opts *Value
	if inst.framework == fwFastify && len(args) > 1 && args[0].Kind == KObject {
		opts, args = &args[0], args[1:]
	}
	if len(args) == 0 {
		return
	}
	if inst.guessed && !handlerLike(args[len(args)-1]) {
		return
	}
	it.addRoute(fr, inst, []string{method}, path, args, opts, span, at)
}

// routeCall handles fastify.route({ method, url, handler }), Hono's
// app.route('/prefix', subApp) mount; Express's app.route('/x') alone
// registers nothing (its chain links do).
func (it *interp) routeCall(fr *frame, inst *instance, c *Call, span analysis.Span, at anchor) {
	switch {
	case len(c.Args) == 1 && c.Args[0].Kind == KObject:
		o := c.Args[0]
		method, _ := o.Key("method")
		path, ok := o.Key("url")
		if !ok {
			path, _ = o.Key("path")
		}
		handler, ok := o.Key("handler")
		if !ok {
			return
		}
		methods := stringList(method)
		if len(methods) == 0 {
			methods = []string{"GET"}
		}
		it.addRoute(fr, inst, methods, path, []Value{handler}, &o, span, at)
	case len(c.Args) == 2 && pathLike(c.Args[0]):
		if child := it.inst(fr, c.Args[1], 0); child != nil && child != inst {
			prefix := it.constant(fr, c.Args[0])
			child.mounts = append(child.mounts, mountEdge{parent: inst, prefix: prefix.Str, at: at})
		}
	}
}

// useCall handles app.use([path], ...middleware | router): limiters become
// uses, routers become mounts (limited when a limiter precedes them in the
// same call).
func (it *interp) useCall(fr *frame, inst *instance, c *Call, at anchor) {
	args := c.Args
	if len(args) > 1 {
		args = append([]Value{it.constant(fr, args[0])}, args[1:]...)
	}
	var prefixes []string
	if len(args) > 1 && (args[0].Kind == KString || (args[0].Kind == KArray && len(stringList(args[0])) > 0)) {
		prefixes, args = stringList(args[0]), args[1:]
	} else if len(args) > 1 && args[0].Kind == KOther && strings.HasPrefix(args[0].Str, "`") {
		args = args[1:] // a template path: unknown prefix, treated as every path
	}
	limited := false
	for _, a := range flatten(args) {
		if child := it.inst(fr, a, 0); child != nil {
			if child != inst {
				prefix := ""
				if len(prefixes) > 0 {
					prefix = prefixes[0]
				}
				child.mounts = append(child.mounts, mountEdge{parent: inst, prefix: prefix, at: at, limited: limited})
			}
			continue
		}
		if it.isLimiter(fr, a, 0) {
			limited = true
			inst.uses = append(inst.uses, use{prefixes: prefixes, at: at})
		}
	}
}

// registerCall handles fastify.register(plugin, opts): the rate-limit
// plugin protects the instance (unless global: false), other plugins run
// in a child context under opts.prefix.
func (it *interp) registerCall(fr *frame, inst *instance, c *Call, at anchor) {
	if len(c.Args) == 0 {
		return
	}
	var opts Value
	if len(c.Args) > 1 {
		opts = c.Args[1]
	}
	if targets, ok := it.autoloadTargets(fr, c); ok {
		it.autoload(fr, inst, targets, at)
		return
	}
	// A plugin function that registers things is run as a plugin, even when
	// it mentions a limiter (fastify.rateLimit() in one route's options).
	f, m, encapsulated := it.funcOf(fr, c.Args[0], 0)
	if f == nil || len(f.Calls) == 0 {
		if it.isLimiter(fr, c.Args[0], 0) {
			if g, ok := opts.Key("global"); !ok || g.Str != "false" {
				inst.uses = append(inst.uses, use{at: at})
			}
		}
		return
	}
	if len(f.Params) == 0 || f.Params[0] == "" {
		return
	}
	child := inst
	if encapsulated {
		child = &instance{framework: fwFastify}
		prefix := ""
		if p, ok := opts.Key("prefix"); ok && p.Kind == KString {
			prefix = p.Str
		}
		child.mounts = append(child.mounts, mountEdge{parent: inst, prefix: prefix, at: at})
	}
	it.invoke(m, f, map[string]*instance{f.Params[0]: child}, fr, at)
}

// addRoute records a route and whether its own chain protects it.
func (it *interp) addRoute(fr *frame, inst *instance, methods []string, path Value, handlers []Value, opts *Value, span analysis.Span, at anchor) {
	path = it.constant(fr, path)
	r := &routeReg{inst: inst, methods: methods, file: fr.m.path, span: span, at: at,
		unit: it.unit, rel: span.Shift(-it.base), relInsert: -1}
	if len(handlers) > 0 && handlers[0].Span != (analysis.Span{}) {
		r.relInsert = handlers[0].Span.Start
	}
	switch ps := stringList(path); {
	case path.Kind == KString:
		r.path = path.Str
	case len(ps) > 0:
		r.path = ps[0]
	default:
		r.dynamic = true
	}
	for _, h := range flatten(handlers) {
		if it.isLimiter(fr, h, 0) {
			r.protected = true
		}
	}
	if opts != nil && !r.protected {
		r.protected = it.optionsLimit(fr, *opts)
	}
	it.res.routes[r.file] = append(it.res.routes[r.file], r)
}

// constant resolves a name bound to a string or an array of strings
// (const PREFIX = '/api'), for paths and mount prefixes.
func (it *interp) constant(fr *frame, v Value) Value {
	if v.Kind != KIdent && v.Kind != KMember {
		return v
	}
	if _, val, ok := it.deref(fr, v, 0); ok && (val.Kind == KString || (val.Kind == KArray && len(stringList(val)) > 0)) {
		return val
	}
	return v
}

// optionsLimit reads Fastify route options: a limiter hook, or
// config: { rateLimit: {...} } for @fastify/rate-limit with global: false.
func (it *interp) optionsLimit(fr *frame, o Value) bool {
	for hook := range requestHooks {
		if h, ok := o.Key(hook); ok {
			for _, v := range flatten([]Value{h}) {
				if it.isLimiter(fr, v, 0) {
					return true
				}
			}
		}
	}
	if h, ok := o.Key("beforeHandler"); ok && it.isLimiter(fr, h, 0) {
		return true
	}
	if cfg, ok := o.Key("config"); ok {
		if rl, ok := cfg.Key("rateLimit"); ok && rl.Str != "false" {
			return true
		}
	}
	return false
}

// pathLike reports whether a first argument can be a route path.
func pathLike(v Value) bool {
	switch v.Kind {
	case KString:
		return v.Str == "" || v.Str[0] == '/' || v.Str[0] == '*' || v.Str[0] == ':'
	case KArray:
		return len(stringList(v)) > 0
	case KOther:
		return strings.HasPrefix(v.Str, "`") // template path
	case KIdent, KMember:
		return true // a constant or config path
	}
	return false
}

// handlerLike reports whether a value can be a request handler.
func handlerLike(v Value) bool {
	switch v.Kind {
	case KFunc, KIdent, KMember, KArray:
		return true
	case KCall:
		return true // asyncHandler(fn), controller.bind(...)
	}
	return false
}

// stringList reads 'POST' or ['GET', 'POST'] (upper-casing methods is the caller's job).
func stringList(v Value) []string {
	switch v.Kind {
	case KString:
		return []string{v.Str}
	case KArray:
		var out []string
		for _, e := range v.Elems {
			if e.Kind == KString {
				out = append(out, e.Str)
			}
		}
		return out
	}
	return nil
}

// flatten expands arrays of middleware.
func flatten(vals []Value) []Value {
	nested := false
	for _, v := range vals {
		nested = nested || v.Kind == KArray
	}
	if !nested {
		return vals
	}
	var out []Value
	for _, v := range vals {
		if v.Kind == KArray {
			out = append(out, flatten(v.Elems)...)
			continue
		}
		out = append(out, v)
	}
	return out
}
