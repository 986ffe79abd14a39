package javascript

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// The Fix map of a finding carries what a quick fix needs without
// re-deriving it:
//
//	fix        "add-rate-limit" (RATE001), "replace-counter" (RATE002, a
//	           hand-rolled counter) or "limiter-to-redis" (RATE002, a library
//	           on its memory store)
//	framework  express | fastify | koa | hono | nextjs-app | nextjs-pages
//	route      "POST /api/login" as in the message (RATE001)
//	method     the first method ("POST"); path: the full path ("/api/login")
//	insert_at  Express/Koa/Hono: where a limiter middleware argument goes
//	           (the route's first handler), in bytes from the start of the
//	           finding's span, so the map stays the same when text before
//	           the route moves
//	counter    the container's name, "this.x" for class fields (replace-counter)
//	class      the class of a field counter (replace-counter)
//	library    express-rate-limit | express-slow-down | rate-limiter-flexible |
//	           @fastify/rate-limit | koa-ratelimit | hono-rate-limiter |
//	           express-brute (limiter-to-redis)
//	limit      requests per window read from the old code, when literal
//	window     window in seconds read from the old code, when literal

// checkUnprotectedRoutes implements RATE001 for JavaScript and TypeScript.
func checkUnprotectedRoutes(f *analysis.File, ws analysis.Workspace, cfg *analysis.Config) []analysis.Finding {
	if _, ok := f.Facts.(*Facts); !ok || isTestFile(f.Path) {
		return nil
	}
	p := programFor(f, ws, cfg)
	res := p.interpret()
	facts := f.Facts.(*Facts)
	loc := unitLocator{units: facts.Units}
	// A route registered by a function that runs more than once (an
	// installer used by two apps) is reported when any run leaves it open.
	memo := routeMemos.begin(f.Path)
	defer routeMemos.end(f.Path, memo)
	found, seen := memo.found, memo.seen
	for _, r := range res.open[f.Path] {
		start, ok := loc.start(r.unit)
		if r.protected || !ok {
			continue
		}
		span := r.rel.Shift(start)
		if seen[span] {
			continue
		}
		if p, ok := unprotectedPath(r.inst, r.at, r.path, r.dynamic, 0); ok {
			seen[span] = true
			found = append(found, openRoute{r, span, p})
		}
	}
	memo.found = found
	sort.Slice(found, func(i, j int) bool { return found[i].span.Start < found[j].span.Start })
	var out []analysis.Finding
	if len(found) > 0 {
		out = make([]analysis.Finding, 0, len(found)) // findings are large: no regrowing
	}
	for _, o := range found {
		r, path := o.r, o.full
		if r.dynamic {
			path = "(dynamic path)"
		} else if isHealth(cfg, path) || isCatchAll(r.path) {
			continue
		}
		insert := -1
		if r.relInsert >= 0 && r.inst.framework != fwFastify {
			insert = r.relInsert - r.rel.Start
		}
		out = append(out, memo.finding(o.span, r.methods, path, r.inst.framework, insert))
	}
	out = append(out, checkNextRoutes(f, p, cfg)...)
	return out
}

// openRoute is a route a check found open, with its span and full path.
type openRoute struct {
	r    *routeReg
	span analysis.Span
	full string
}

// unitLocator finds the current start of a unit. Routes mostly come in
// unit order, so it scans forward from the last hit before falling back to
// a map (built on first need).
type unitLocator struct {
	units []*Unit
	next  int
	index map[*UnitFacts]int
}

func (l *unitLocator) start(uf *UnitFacts) (int, bool) {
	for i := l.next; i < len(l.units) && i < l.next+16; i++ {
		if l.units[i].UnitFacts == uf {
			l.next = i
			return l.units[i].Start, true
		}
	}
	if l.index == nil {
		l.index = make(map[*UnitFacts]int, len(l.units))
		for _, u := range l.units {
			l.index[u.UnitFacts] = u.Start
		}
	}
	s, ok := l.index[uf]
	return s, ok
}

// isHealth reports whether a route is a probe: a configured health path, or
// one mounted under a prefix (/api/health, /v1/healthz), which is how
// Next.js apps and routers mounted under /api expose them.
func isHealth(cfg *analysis.Config, path string) bool {
	if cfg.IsHealthPath(path) {
		return true
	}
	trimmed := strings.TrimSuffix(path, "/")
	if i := strings.LastIndexByte(trimmed, '/'); i > 0 {
		return cfg.IsHealthPath(trimmed[i:])
	}
	return false
}

// isCatchAll recognizes 404 and SPA fallbacks (app.all('*', ...),
// router.get('/(.*)', ...)): they answer every unmatched URL, not an API.
func isCatchAll(path string) bool {
	switch strings.TrimPrefix(path, "/") {
	case "*", "(.*)", "*all", "*splat", "{*splat}", "*path":
		return true
	}
	return false
}

// routeFinding builds a RATE001 finding.
func routeFinding(span analysis.Span, methods []string, path, framework string) analysis.Finding {
	upper := make([]string, len(methods))
	for i, m := range methods {
		upper[i] = strings.ToUpper(m)
	}
	methods = upper
	name := strings.Join(methods, ", ") + " " + path
	fix := map[string]string{
		"fix":       "add-rate-limit",
		"framework": framework,
		"route":     name,
		"path":      path,
	}
	if len(methods) > 0 {
		fix["method"] = methods[0]
	}
	return analysis.Finding{
		Span:    span,
		Message: fmt.Sprintf("%s has no rate limiting", name),
		Fix:     fix,
	}
}
