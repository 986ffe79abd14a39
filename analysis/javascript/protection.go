package javascript

import (
	"strings"
)

// isLimiter decides whether a middleware, handler, hook or plugin value
// limits the request rate:
//   - a call or reference to a limiter package's export (express-rate-limit,
//     @fastify/rate-limit, koa-ratelimit, hono-rate-limiter, ours, ...);
//   - express-brute's bruteforce.prevent;
//   - a function that responds 429 or consumes a limiter
//     (rate-limiter-flexible .consume, @upstash/ratelimit .limit), or calls
//     something named like a limiter;
//   - a name that says so (apiLimiter, loginRateLimit) or that the user
//     configured as a limiter.
//
// Names are followed through bindings, imports and requires across files.
func (it *interp) isLimiter(fr *frame, v Value, depth int) bool {
	if depth > 12 {
		return false
	}
	cfg := it.p.cfg
	if (v.Kind == KIdent || v.Kind == KMember || v.Kind == KCall || v.Kind == KNew) && v.Name != "" && cfg.IsLimiterName(v.Name) {
		return true
	}
	switch v.Kind {
	case KFunc:
		return v.Fn != nil && it.funcLimits(v.Fn)
	case KArray:
		for _, e := range v.Elems {
			if it.isLimiter(fr, e, depth+1) {
				return true
			}
		}
		return false
	case KMember:
		if lastName(v.Name) == "prevent" || lastName(v.Name) == "getMiddleware" {
			return true // express-brute
		}
	case KCall, KNew:
		if v.Name != "" && v.Name != "require" && !hasFuncArg(v) {
			// Most chains repeat the same limiter call on every route: without
			// function arguments (wrappers) the answer depends on the name and
			// the frame only.
			key := limiterKey{fr, v.Name, v.Kind}
			if r, ok := it.limiterMemo[key]; ok {
				return r
			}
			r := it.callIsLimiter(fr, v, depth)
			it.limiterMemo[key] = r
			return r
		}
		return it.callIsLimiter(fr, v, depth)
	}
	if v.Kind == KIdent || v.Kind == KMember {
		if f2, val, ok := it.deref(fr, v, depth+1); ok {
			if it.isLimiter(f2, val, depth+1) {
				return true
			}
			return limiterLikeName(v.Name)
		}
		if mod, _ := fr.m.origin(v.Name); mod != "" && isLimiterModule(mod) {
			return true
		}
		return limiterLikeName(v.Name)
	}
	return false
}

// limiterKey memoizes isLimiter for calls.
type limiterKey struct {
	fr   *frame
	name string
	kind Kind
}

func hasFuncArg(v Value) bool {
	for _, a := range v.Args {
		if a.Kind == KFunc {
			return true
		}
	}
	return false
}

// callIsLimiter is isLimiter for calls and constructions.
func (it *interp) callIsLimiter(fr *frame, v Value, depth int) bool {
	name := v.Name
	{
		if name == "" && v.Callee != nil {
			if v.Callee.Kind == KCall && v.Callee.Name == "require" && len(v.Callee.Args) == 1 {
				return isLimiterModule(v.Callee.Args[0].Str)
			}
			return false
		}
		if mod, _ := fr.m.origin(name); mod != "" && isLimiterModule(mod) {
			return true
		}
		if name == "require" && len(v.Args) == 1 && isLimiterModule(v.Args[0].Str) {
			return true // fastify.register(require('@fastify/rate-limit'))
		}
		if limiterLikeName(name) {
			return true
		}
		// A factory of our own: makeLimiter({...}) whose body limits.
		if f, _, _ := it.funcOf(fr, Value{Kind: KIdent, Name: name}, depth+1); f != nil && !containsDot(name) {
			return it.funcLimits(f)
		}
		// A wrapper around a limiting handler: asyncHandler(async (req, res) => { ... 429 ... }).
		for _, a := range v.Args {
			if a.Kind == KFunc && a.Fn != nil && it.funcLimits(a.Fn) {
				return true
			}
		}
		if f2, val, ok := it.deref(fr, v, depth+1); ok {
			return it.isLimiter(f2, val, depth+1)
		}
		return false
	}
}

// funcLimits reports whether a function's body limits requests.
func (it *interp) funcLimits(f *Func) bool {
	if f.Responds429 || f.Consumes || f.CallsLimiter {
		return true
	}
	if len(it.p.cfg.Limiters) == 0 {
		return false
	}
	for _, c := range f.Called {
		if it.p.cfg.IsLimiterName(c) {
			return true
		}
	}
	return false
}

// unprotectedPath walks a route's instance up its mount chain. It returns
// the full path of the first chain on which no limiter runs before the
// route, or ok=false when every chain is protected.
func unprotectedPath(inst *instance, at anchor, path string, dynamic bool, depth int) (string, bool) {
	if depth > 16 {
		return "", false
	}
	for _, u := range inst.uses {
		if u.at.before(at) && covers(u.prefixes, path, dynamic) {
			return "", false
		}
	}
	full := joinPath(inst.base, path)
	if len(inst.mounts) == 0 {
		return full, true
	}
	for _, e := range inst.mounts {
		if e.limited {
			continue
		}
		mountAt := e.at
		if mountAt.off < 0 { // a Hono basePath view: the route's own position orders it
			mountAt = at
		}
		if p, ok := unprotectedPath(e.parent, mountAt, joinPath(e.prefix, full), dynamic, depth+1); ok {
			return p, true
		}
	}
	return "", false
}

// covers reports whether middleware installed on prefixes runs for path.
// Unknown paths are covered (erring toward no finding).
func covers(prefixes []string, path string, dynamic bool) bool {
	if len(prefixes) == 0 || dynamic {
		return true
	}
	for _, p := range prefixes {
		p = strings.TrimSuffix(strings.TrimSuffix(p, "*"), "/")
		if p == "" || path == p || strings.HasPrefix(path, p+"/") || strings.ContainsAny(p, ":(") {
			return true
		}
	}
	return false
}

// joinPath joins a mount prefix and a path: "/api" + "/login" = "/api/login".
func joinPath(prefix, path string) string {
	prefix = strings.TrimSuffix(prefix, "/")
	switch {
	case prefix == "":
		return path
	case path == "" || path == "/":
		return prefix
	case strings.HasPrefix(path, "/"):
		return prefix + path
	}
	return prefix + "/" + path
}
