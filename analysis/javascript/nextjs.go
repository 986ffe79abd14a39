package javascript

import (
	"path/filepath"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// nextMethods are the App Router's route handler exports.
var nextMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// nextRoute derives a Next.js route from a file path: app/**/route.ts is an
// App Router handler module, pages/api/** a Pages Router API route. Route
// groups "(x)" and parallel slots "@x" do not appear in the URL.
func nextRoute(path string) (kind, route string, ok bool) {
	segs := strings.Split(filepath.ToSlash(path), "/")
	name := segs[len(segs)-1]
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	dirs := segs[:len(segs)-1]
	urlOf := func(parts []string) string {
		var keep []string
		for _, s := range parts {
			if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") || strings.HasPrefix(s, "@") || s == "" {
				continue
			}
			keep = append(keep, s)
		}
		return "/" + strings.Join(keep, "/")
	}
	if stem == "route" {
		for i := len(dirs) - 1; i >= 0; i-- {
			if dirs[i] == "app" {
				return "nextjs-app", urlOf(dirs[i+1:]), true
			}
		}
	}
	for i := len(dirs) - 2; i >= 0; i-- {
		if dirs[i] == "pages" && dirs[i+1] == "api" {
			parts := append([]string{}, dirs[i+1:]...)
			if stem != "index" {
				parts = append(parts, stem)
			}
			return "nextjs-pages", urlOf(parts), true
		}
	}
	return "", "", false
}

// checkNextRoutes reports App Router handlers and Pages API routes that
// neither limit themselves (a wrapper like withRateLimit, a 429, an
// @upstash/ratelimit .limit call) nor sit behind a limiting middleware.ts.
func checkNextRoutes(f *analysis.File, p *program, cfg *analysis.Config) []analysis.Finding {
	kind, route, ok := nextRoute(f.Path)
	if !ok || isHealth(cfg, route) {
		return nil
	}
	m := p.modules[f.Path]
	if m == nil {
		return nil
	}
	it := p.newInterp()
	fr := it.moduleFrame(m)
	if it.middlewareLimits(f.Path, route) {
		return nil
	}
	var out []analysis.Finding
	for _, u := range m.facts.Units {
		for _, e := range u.Exports {
			var methods []string
			switch {
			case kind == "nextjs-app" && isNextMethod(e.Name):
				methods = []string{e.Name}
			case kind == "nextjs-pages" && e.Name == "default":
				methods = []string{"ALL"}
			default:
				continue
			}
			// A re-export (export { default } from '../../lib/handler') is
			// judged by the value it names in the module it comes from.
			vfr, v := fr, e.Value
			if e.From != "" {
				if tm, val, ok := it.p.export(m, e.Name, 0); ok {
					vfr, v = it.moduleFrame(tm), val
				}
			}
			if kind == "nextjs-pages" {
				if fn := it.nextHandler(vfr, v, 0); fn != nil && len(fn.Methods) > 0 {
					methods = fn.Methods
				}
			}
			if it.nextLimited(vfr, v, 0) {
				continue
			}
			out = append(out, routeFinding(u.Abs(e.Value.Span), methods, route, kind))
		}
	}
	return out
}

// nextLimited is isLimiter for an exported Next.js handler, which is often a
// stack of higher-order wrappers: withSession(withRateLimit(handler, ...)).
// A limiter anywhere in the stack protects the route (every wrapper runs
// for every request), whether it wraps the handler directly, is bound to a
// name first (const limited = withRateLimit(...); withSession(limited)) or
// is passed to a curried wrapper (withMiddlewares(limiter)(handler)). An
// unknown wrapper around an unprotected handler leaves the route open.
func (it *interp) nextLimited(fr *frame, v Value, depth int) bool {
	if depth > 12 {
		return false
	}
	if it.isLimiter(fr, v, depth) {
		return true
	}
	switch v.Kind {
	case KCall:
		for _, a := range v.Args {
			if (a.Kind == KCall || a.Kind == KIdent || a.Kind == KMember) && it.nextLimited(fr, a, depth+1) {
				return true
			}
		}
		if v.Callee != nil && v.Callee.Kind == KCall {
			return it.nextLimited(fr, *v.Callee, depth+1)
		}
	case KIdent, KMember:
		if f2, val, ok := it.deref(fr, v, depth+1); ok && val.Kind == KCall {
			return it.nextLimited(f2, val, depth+1)
		}
	}
	return false
}

// nextHandler is the function an exported Next.js handler runs: the value
// itself, the function a binding holds, or the first function found among
// the arguments of the wrappers around it (withSession(handler)), so that
// the methods the handler checks name the route.
func (it *interp) nextHandler(fr *frame, v Value, depth int) *Func {
	if depth > 12 {
		return nil
	}
	if fn, _, _ := it.funcOf(fr, v, depth); fn != nil {
		return fn
	}
	switch v.Kind {
	case KCall:
		for _, a := range v.Args {
			if a.Kind != KFunc && a.Kind != KCall && a.Kind != KIdent && a.Kind != KMember {
				continue
			}
			if fn := it.nextHandler(fr, a, depth+1); fn != nil {
				return fn
			}
		}
	case KIdent, KMember:
		if f2, val, ok := it.deref(fr, v, depth+1); ok && val.Kind == KCall {
			return it.nextHandler(f2, val, depth+1)
		}
	}
	return nil
}

func isNextMethod(name string) bool {
	for _, m := range nextMethods {
		if m == name {
			return true
		}
	}
	return false
}

// middlewareLimits reports whether a middleware.(ts|js) next to the app or
// pages directory (or in src/) limits requests and its matcher covers route.
func (it *interp) middlewareLimits(path, route string) bool {
	segs := strings.Split(filepath.ToSlash(path), "/")
	for i := len(segs) - 2; i >= 0; i-- {
		if segs[i] != "app" && segs[i] != "pages" {
			continue
		}
		dir := filepath.FromSlash(strings.Join(segs[:i], "/"))
		dirs := []string{dir}
		if filepath.Base(dir) == "src" {
			dirs = append(dirs, filepath.Dir(dir))
		}
		for _, d := range dirs {
			for _, ext := range resolveExtensions {
				m := it.p.modules[filepath.Join(d, "middleware"+ext)]
				if m == nil {
					continue
				}
				if it.moduleMiddlewareLimits(m, route) {
					return true
				}
			}
		}
	}
	return false
}

func (it *interp) moduleMiddlewareLimits(m *module, route string) bool {
	fr := it.moduleFrame(m)
	limits := false
	for _, name := range []string{"middleware", "default"} {
		if e, ok := m.exports[name]; ok && it.nextLimited(fr, e.Value, 0) {
			limits = true
		}
	}
	if !limits {
		return false
	}
	e, ok := m.exports["config"]
	if !ok {
		return true
	}
	f2, cfg, ok := it.deref(fr, e.Value, 0)
	if e.Value.Kind == KObject {
		f2, cfg, ok = fr, e.Value, true
	}
	_ = f2
	if !ok {
		return true
	}
	matcher, ok := cfg.Key("matcher")
	if !ok {
		return true
	}
	var prefixes []string
	for _, s := range stringList(matcher) {
		if i := strings.IndexAny(s, ":("); i >= 0 {
			s = s[:i]
		}
		prefixes = append(prefixes, strings.TrimSuffix(s, "/"))
	}
	return covers(prefixes, route, false)
}
