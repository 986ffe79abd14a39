package python

import (
	"strings"
)

// limiterName reports whether a dotted name says "rate limiter": our
// rate_limit, slowapi/Flask-Limiter limiter.limit, django-ratelimit
// ratelimit, fastapi-limiter RateLimiter, DRF throttles, anything named
// *RateLimit*/*Throttle*/*Limiter*, plus the configured names.
func (ix *index) limiterName(name string) bool {
	if name == "" {
		return false
	}
	if ix.cfg != nil && ix.cfg.IsLimiterName(name) {
		return true
	}
	return builtinLimiterName(name)
}

// builtinLimiterName is limiterName without the configured names; it
// depends on nothing but the name, so extraction can decide it.
func builtinLimiterName(name string) bool {
	last := strings.ToLower(strings.ReplaceAll(lastPart(name), "_", ""))
	switch last {
	case "limit", "sharedlimit", "ratelimit", "ratelimited", "throttle", "throttleclasses", "exempt":
		// exempt: limiter.exempt is a deliberate decision, not an oversight.
		if last == "exempt" || last == "limit" || last == "sharedlimit" {
			return strings.Contains(strings.ToLower(receiverOf(name)), "limit")
		}
		return true
	}
	for _, w := range []string{"ratelimit", "throttl", "limiter"} {
		if strings.Contains(strings.ToLower(strings.ReplaceAll(name, "_", "")), w) {
			return true
		}
	}
	return false
}

// routeLimited reports whether one of the route's names is a limiter by
// name alone (built-in names were decided at extraction).
func (ix *index) routeLimited(r *Route) bool {
	if r.Limited {
		return true
	}
	if ix.cfg == nil || len(ix.cfg.Limiters) == 0 {
		return false
	}
	for _, n := range r.Names {
		if ix.cfg.IsLimiterName(n) {
			return true
		}
	}
	return false
}

// guarded reports whether any of names is a limiter, or resolves (from fi)
// to a function or class whose code answers 429.
func (ix *index) guarded(fi *fileInfo, names []string) bool {
	for _, n := range names {
		if ix.limiterName(n) || ix.rejects(fi, n) {
			return true
		}
	}
	return false
}

// rejects reports whether name resolves to a function that answers 429, or
// a class one of whose methods does (middleware, dependency classes).
func (ix *index) rejects(fi *fileInfo, name string) bool {
	return ix.memoBool(memoRejects, fi, "", name, func() bool { return ix.rejectsUncached(fi, name) })
}

func (ix *index) rejectsUncached(fi *fileInfo, name string) bool {
	def, n := ix.resolve(fi, name)
	if def == nil || n == "" {
		return false
	}
	if f, ok := def.funcMap()[n]; ok {
		return f.v.Rejects429 || ix.callsLimiter(def, *f.v, 0)
	}
	if _, ok := def.classes[n]; ok {
		for _, m := range def.methodMap()[n] {
			if m.v.Rejects429 {
				return true
			}
		}
	}
	return false
}

// callsLimiter reports whether f calls a limiter (rate_limiter.check(ip)) or
// a function that answers 429, following calls a couple of levels deep.
func (ix *index) callsLimiter(fi *fileInfo, f Func, depth int) bool {
	for _, c := range f.Calls {
		if ix.limiterName(c) {
			return true
		}
		if depth >= 2 {
			continue
		}
		if def, n := ix.resolve(fi, c); def != nil && n != "" {
			if g, ok := def.funcMap()[n]; ok && (g.v.Rejects429 || ix.callsLimiter(def, *g.v, depth+1)) {
				return true
			}
		}
	}
	return false
}

// funcProtected reports whether a handler function protects itself:
// a limiter decorator or dependency, or code that answers 429.
func (ix *index) funcProtected(fi *fileInfo, f Func) bool {
	return f.Rejects429 || ix.guarded(fi, f.Decorators) || ix.guarded(fi, f.Deps) || ix.callsLimiter(fi, f, 0)
}

// build computes the cross-file wiring: mounts, links and guards.
func (ix *index) build() {
	for _, fi := range ix.files {
		for _, u := range fi.facts.Units {
			for _, l := range u.Links {
				switch l.Kind {
				case Mount:
					if l.Child == "" {
						continue
					}
					child := ix.objectKey(fi, l.Child)
					ix.parents[child] = append(ix.parents[child], mountRef{ix.objectKey(fi, l.Parent), l.Names, fi})
				case LimitApplied, Middleware, Hook, LimiterAttach:
					key := ix.objectKey(fi, l.Parent)
					ix.links[key] = append(ix.links[key], linkRef{l, fi})
				}
			}
			for _, s := range u.Settings {
				ix.settings = append(ix.settings, settingRef{s, u, fi})
			}
			for _, o := range u.Objects {
				if o.TopLevel {
					ix.longLived[lastPart(o.Callee)] = true
				}
				// Api(app), api.namespace(...): a Flask-RESTful API serves
				// its resources through the app it was made for.
				parent := ""
				if lastPart(o.Callee) == "namespace" {
					parent = receiverOf(o.Callee)
				} else if len(o.Args) > 0 && (lastPart(o.Callee) == "Api") {
					parent = o.Args[0]
				}
				if parent != "" {
					child := ix.objectKey(fi, o.Name)
					ix.parents[child] = append(ix.parents[child], mountRef{ix.objectKey(fi, parent), nil, fi})
				}
			}
			for _, use := range u.Uses {
				head, _, _ := strings.Cut(use.Store, ".")
				if _, imported := fi.imports[head]; !imported || use.Class != "" {
					continue
				}
				if def, name := ix.resolve(fi, use.Store); def != nil && def != fi && name != "" {
					key := objKey{def.path, name}
					ix.remoteUses[key] = append(ix.remoteUses[key], useRef{use, u, fi})
				}
			}
		}
	}
	// Long-lived classes also include installed middleware.
	for _, refs := range ix.links {
		for _, r := range refs {
			if r.link.Kind == Middleware {
				for _, n := range r.link.Names {
					ix.longLived[lastPart(n)] = true
				}
			}
		}
	}
	ix.buildGuards()
}

// buildGuards finds the protections that cover a whole framework.
func (ix *index) buildGuards() {
	var flaskLimiter, flaskDefaults, slowapiDefaults bool
	var defaultLimiters []objKey // Flask-Limiter limiters with default limits
	for _, fi := range ix.files {
		for name, o := range fi.objects {
			lib := libraryOf(fi, o.v.Callee)
			if lastPart(o.v.Callee) != "Limiter" {
				continue
			}
			_, dl := o.v.Kwargs["default_limits"]
			_, al := o.v.Kwargs["application_limits"]
			switch lib {
			case "flask_limiter":
				flaskLimiter = true
				flaskDefaults = flaskDefaults || dl || al
				if dl || al {
					defaultLimiters = append(defaultLimiters, objKey{fi.path, name})
				}
			case "slowapi":
				slowapiDefaults = slowapiDefaults || dl || al
			}
		}
		for _, u := range fi.facts.Units {
			for _, l := range u.Links {
				if l.Kind == Middleware && ix.guarded(fi, l.Names) {
					ix.appGuard[ix.receiverFramework(fi, l.Parent, 0)] = true
				}
				if l.Kind == Middleware && slowapiDefaults && hasSlowAPIMiddleware(l.Names) {
					ix.appGuard[ix.receiverFramework(fi, l.Parent, 0)] = true
				}
				if l.Kind == Hook && ix.guarded(fi, l.Names) {
					ix.appGuard[Flask] = true
				}
			}
			for _, o := range u.Objects {
				if fw := ix.frameworkOf(fi, o); fw != "" && ix.objectGuarded(fi, o) {
					ix.appGuard[fw] = true
				}
			}
		}
	}
	for _, s := range ix.settings {
		switch s.s.Name {
		case "RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION":
			flaskDefaults = true
		case "DEFAULT_THROTTLE_CLASSES":
			if len(s.s.Strings) > 0 || len(s.s.Names) > 0 {
				ix.guard[DRF] = true
			}
		case "MIDDLEWARE", "MIDDLEWARE_CLASSES":
			for _, m := range s.s.Strings {
				if ix.limiterName(m) && !strings.HasPrefix(m, "django_ratelimit.") {
					ix.guard[Django] = true
					ix.guard[DRF] = true
				}
			}
		}
	}
	if flaskLimiter && flaskDefaults {
		// Default limits cover the apps the limiter is attached to (and
		// their blueprints); when an attachment cannot be traced (limits
		// from RATELIMIT_DEFAULT, a limiter handed around), every Flask app.
		attached := ix.limiterApps(defaultLimiters)
		if len(attached) == 0 || len(defaultLimiters) == 0 {
			ix.guard[Flask] = true
			ix.guard[FlaskRESTful] = true
		}
		for _, k := range attached {
			ix.limitedApps[k] = true
		}
	}
	if ix.appGuard[Flask] {
		ix.appGuard[FlaskRESTful] = true
	}
	if ix.appGuard[Starlette] || ix.appGuard[FastAPI] {
		ix.appGuard[Starlette], ix.appGuard[FastAPI] = true, true
	}
}

// limiterApps returns the apps each limiter is attached to, with
// Limiter(app=app), Limiter(app, ...) (Flask-Limiter 1.x) or
// limiter.init_app(app); nil when one of the limiters has no known app.
func (ix *index) limiterApps(limiters []objKey) []objKey {
	var out []objKey
	for _, lk := range limiters {
		fi := ix.files[lk.path]
		o := fi.objects[lk.name].v
		found := false
		candidates := []string{o.Kwargs["app"]}
		if len(o.Args) > 0 {
			candidates = append(candidates, o.Args[0])
		}
		for _, c := range candidates {
			if c != "" && ix.receiverFramework(fi, c, 0) == Flask {
				out, found = append(out, ix.objectKey(fi, c)), true
			}
		}
		for key, links := range ix.links {
			for _, l := range links {
				if l.link.Kind == LimiterAttach && ix.objectKey(l.fi, l.link.Child) == lk {
					out, found = append(out, key), true
				}
			}
		}
		if !found {
			return nil
		}
	}
	return out
}

func hasSlowAPIMiddleware(names []string) bool {
	for _, n := range names {
		switch lastPart(n) {
		case "SlowAPIMiddleware", "SlowAPIASGIMiddleware":
			return true
		}
	}
	return false
}

// objectGuarded reports whether an app or router's constructor installs a
// protection: FastAPI(dependencies=[Depends(RateLimiter(...))]),
// Starlette(middleware=[Middleware(RateLimitMiddleware)]),
// web.Application(middlewares=[rate_limit_middleware]).
func (ix *index) objectGuarded(fi *fileInfo, o Object) bool {
	if ix.guarded(fi, o.KwNames) {
		return true
	}
	return hasSlowAPIMiddleware(o.KwNames) && ix.slowapiDefaults()
}

func (ix *index) slowapiDefaults() bool {
	for _, fi := range ix.files {
		for _, o := range fi.objects {
			if lastPart(o.v.Callee) == "Limiter" && libraryOf(fi, o.v.Callee) == "slowapi" {
				if _, ok := o.v.Kwargs["default_limits"]; ok {
					return true
				}
				if _, ok := o.v.Kwargs["application_limits"]; ok {
					return true
				}
			}
		}
	}
	return false
}

// receiverGuarded reports whether the app or router key (or anything it is
// mounted into) carries a protection for all its routes.
func (ix *index) receiverGuarded(key objKey, framework string, seen map[objKey]bool) bool {
	if len(seen) == 0 {
		return ix.memoBool(memoRecvGuarded, nil, key.path, key.name+"\x00"+framework, func() bool {
			return ix.receiverGuardedUncached(key, framework, seen)
		})
	}
	return ix.receiverGuardedUncached(key, framework, seen)
}

func (ix *index) receiverGuardedUncached(key objKey, framework string, seen map[objKey]bool) bool {
	if seen[key] || len(seen) > 16 {
		return false
	}
	seen[key] = true
	if fi := ix.files[key.path]; fi != nil {
		if o, ok := fi.objects[key.name]; ok && ix.objectGuarded(fi, *o.v) {
			return true
		}
	}
	if ix.limitedApps[key] {
		return true
	}
	for _, l := range ix.links[key] {
		switch l.link.Kind {
		case LimitApplied:
			return true
		case Middleware, Hook:
			if ix.guarded(l.fi, l.link.Names) || (hasSlowAPIMiddleware(l.link.Names) && ix.slowapiDefaults()) {
				return true
			}
		}
	}
	parents := ix.parents[key]
	for _, p := range parents {
		if ix.guarded(p.fi, p.names) || ix.receiverGuarded(p.parent, framework, seen) {
			return true
		}
	}
	return false
}
