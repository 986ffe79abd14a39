package javascript

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// whyMemory is the common reason, kept in one place so every RATE002
// message says the same thing.
const whyMemory = "it resets on every deploy or restart, each instance keeps its own count (N instances allow N times the limit), and its check-then-update is not atomic"

// checkInMemoryLimiters implements RATE002 for JavaScript and TypeScript:
// hand-rolled counters in module-level or class-field containers, and
// limiter libraries left on their memory store.
func checkInMemoryLimiters(f *analysis.File, ws analysis.Workspace, cfg *analysis.Config) []analysis.Finding {
	facts, ok := f.Facts.(*Facts)
	if !ok || isTestFile(f.Path) {
		return nil
	}
	m := programFor(f, ws, cfg).modules[f.Path]
	if m == nil || m.facts != facts {
		m = newModule(f.Path, facts)
	}
	out := handRolledCounters(m, programFor(f, ws, cfg))
	// Library calls repeat (rateLimit({...}) on every route): decide once
	// per callee whether it can be a memory-store library at all.
	candidate := map[string]bool{}
	lastName, lastOK := "\x00", false // the same callee on consecutive routes: no hashing
	for _, u := range facts.Units {
		if u.has&hasLibraries == 0 {
			continue
		}
		for _, v := range u.Libraries {
			ok := lastOK
			if v.Name != lastName {
				var seen bool
				ok, seen = candidate[v.Name]
				if !seen {
					ok = v.Name == "" || libraryCandidate(m, v.Name)
					candidate[v.Name] = ok
				}
				lastName, lastOK = v.Name, ok
			}
			if !ok {
				continue
			}
			if fd, ok := memoryLibrary(m, u, v); ok {
				out = append(out, fd)
			}
		}
	}
	return out
}

// handRolledCounters finds containers that a function reads, keyed by a
// client identity, against a threshold before rejecting.
func handRolledCounters(m *module, p *program) []analysis.Finding {
	var out []analysis.Finding
	for _, u := range m.counterUnits {
		for _, c := range u.Counters {
			name := c.Name
			checker, fn, check, ok := m, (*Func)(nil), CounterCheck{}, false
			if fn, check, ok = m.checkOf(name); !ok && c.Class == "" {
				checker, fn, check, ok = p.importedCheck(m, name)
			}
			if !ok {
				continue
			}
			fix := map[string]string{"fix": "replace-counter", "counter": name, "framework": frameworkFor(m)}
			if c.Class != "" {
				fix["class"] = c.Class
				// The checking method and the threshold as written
				// (this.maxRequests, MAX_REQUESTS, 100): the fix for a
				// class limiter keeps reading the limit from there.
				if fn != nil && fn.Name != "" {
					fix["function"] = fn.Name
				}
				switch check.Threshold.Kind {
				case KIdent, KMember:
					fix["limit_expr"] = check.Threshold.Name
				case KNumber:
					fix["limit_expr"] = check.Threshold.Str
				}
			}
			if n, ok := checker.number(check.Threshold); ok {
				fix["limit"] = strconv.Itoa(n)
			}
			if w, ok := m.windowSeconds(); ok {
				fix["window"] = strconv.Itoa(w)
			}
			rel := analysis.Related{Span: checker.units[fn].Abs(check.Span), Message: fmt.Sprintf("`%s` is checked against the limit here", name)}
			if checker != m {
				rel.Path = checker.path
			}
			out = append(out, analysis.Finding{
				Span:    u.Abs(c.Span),
				Message: fmt.Sprintf("`%s` is an in-memory rate limiter: %s", name, whyMemory),
				Related: []analysis.Related{rel},
				Fix:     fix,
			})
		}
	}
	return out
}

// importedCheck finds a check of counter name in another module that
// imports it (const { hits } = require('./store'); import { hits } from
// './store').
func (p *program) importedCheck(m *module, name string) (*module, *Func, CounterCheck, bool) {
	if p == nil {
		return nil, nil, CounterCheck{}, false
	}
	paths := make([]string, 0, len(p.modules))
	for path := range p.modules {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		other := p.modules[path]
		if other == m {
			continue
		}
		for local, im := range other.imports {
			if im.Name != name || p.resolve(other.path, im.Module) != m {
				continue
			}
			if fn, check, ok := other.checkOf(local); ok {
				return other, fn, check, true
			}
		}
	}
	return nil, nil, CounterCheck{}, false
}

// checkOf finds the function that checks container name: it reads a client
// identity, compares the container's values with a threshold, and rejects.
// The check whose threshold looks like a limit (a number, MAX_REQUESTS) is
// preferred over window-expiry comparisons.
func (m *module) checkOf(name string) (*Func, CounterCheck, bool) {
	var bestFn *Func
	var best CounterCheck
	score := -1
	for _, f := range m.all {
		if !f.Identity || !f.Rejects {
			continue
		}
		for _, c := range f.Checks {
			if c.Container != name {
				continue
			}
			s := 0
			switch {
			case c.Threshold.Kind == KNumber:
				s = 2
			case c.Threshold.Kind == KIdent && limitLikeName(c.Threshold.Name):
				s = 2
			case c.Threshold.Kind == KIdent || c.Threshold.Kind == KMember:
				s = 1
			}
			if s > score {
				bestFn, best, score = f, c, s
			}
		}
	}
	return bestFn, best, bestFn != nil
}

func limitLikeName(n string) bool {
	l := strings.ToLower(lastName(n))
	return strings.Contains(l, "max") || strings.Contains(l, "limit") || strings.Contains(l, "threshold") ||
		strings.Contains(l, "attempt") || strings.Contains(l, "allowed") || strings.Contains(l, "quota")
}

// number evaluates a literal or a module-level constant (100, 60 * 1000, 1e3).
func (m *module) number(v Value) (int, bool) {
	switch v.Kind {
	case KNumber, KOther:
		return evalNumber(v.Str)
	case KIdent:
		if b, ok := m.bindings[v.Name]; ok && (b.Value.Kind == KNumber || b.Value.Kind == KOther) {
			return evalNumber(b.Value.Str)
		}
	}
	return 0, false
}

var productRe = regexp.MustCompile(`^[0-9.e_ ]+(\*[0-9.e_ ]+)*$`)

// evalNumber evaluates a number or a product of numbers.
func evalNumber(s string) (int, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", ""))
	if s == "" || !productRe.MatchString(s) {
		return 0, false
	}
	total := 1.0
	for _, part := range strings.Split(s, "*") {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil {
			return 0, false
		}
		total *= f
	}
	return int(total), true
}

// windowSeconds reads the window of a hand-rolled limiter from a module
// constant named like one (WINDOW_MS = 60 * 1000, WINDOW_SECONDS = 60).
func (m *module) windowSeconds() (int, bool) {
	for _, u := range m.facts.Units {
		for _, b := range u.Bindings {
			l := strings.ToLower(b.Name)
			if !strings.Contains(l, "window") && !strings.Contains(l, "interval") && !strings.Contains(l, "duration") && !strings.Contains(l, "period") {
				continue
			}
			n, ok := m.number(b.Value)
			if !ok || n <= 0 {
				continue
			}
			if strings.HasSuffix(l, "ms") || strings.Contains(l, "millis") || n >= 1000 {
				n /= 1000
			}
			if n > 0 {
				return n, true
			}
		}
	}
	return 0, false
}

// frameworkFor names the file's framework for the fix map: the Next.js
// route kind for route modules, else the framework imported ("express" when
// none is).
func frameworkFor(m *module) string {
	if kind, _, ok := nextRoute(m.path); ok {
		return kind
	}
	if fw := m.importsFramework(); fw != "" {
		return fw
	}
	for _, u := range m.facts.Units {
		for _, im := range u.Imports {
			if im.Module == "next" || strings.HasPrefix(im.Module, "next/") {
				return "nextjs-app"
			}
		}
	}
	return fwExpress
}

// libraryCandidate reports whether a callee could be one of the libraries
// memoryLibrary knows (by its module, or by the names used unimported).
func libraryCandidate(m *module, name string) bool {
	if lastName(name) == "register" || lastName(name) == "RateLimiterMemory" {
		return true
	}
	mod, _ := m.origin(name)
	switch mod {
	case "express-rate-limit", "express-slow-down", "rate-limiter-flexible", "koa-ratelimit", "hono-rate-limiter", "express-brute":
		return true
	}
	return false
}

// memoryLibrary recognizes a limiter library on its memory store.
func memoryLibrary(m *module, u *Unit, v Value) (analysis.Finding, bool) {
	name := v.Name
	if name == "" && v.Callee != nil && v.Callee.Kind == KCall && v.Callee.Name == "require" && len(v.Callee.Args) == 1 {
		name = "require('" + v.Callee.Args[0].Str + "')"
	}
	mod, member := m.origin(name)
	member = strings.TrimPrefix(member, "default")
	member = strings.TrimPrefix(member, ".")
	opts := firstObject(m, v.Args)
	var lib, why string
	limit, window := "", ""
	switch {
	case mod == "express-rate-limit" && (member == "" || member == "rateLimit" || member == "RateLimit"):
		if _, ok := opts.Key("store"); ok || opts.Kind != KObject {
			return analysis.Finding{}, false
		}
		lib, why = mod, "without a `store` keeps its counters in process memory"
		limit, window = optNumber(m, opts, "limit", "max"), optSeconds(m, opts, 1000, "windowMs")
	case mod == "express-slow-down" && (member == "" || member == "slowDown"):
		if _, ok := opts.Key("store"); ok || opts.Kind != KObject {
			return analysis.Finding{}, false
		}
		lib, why = mod, "without a `store` keeps its counters in process memory"
		limit, window = optNumber(m, opts, "delayAfter"), optSeconds(m, opts, 1000, "windowMs")
	case lastName(member) == "RateLimiterMemory" || (mod == "" && lastName(name) == "RateLimiterMemory"):
		if v.InKey == "insuranceLimiter" {
			return analysis.Finding{}, false // a fallback for a Redis limiter
		}
		lib, why = "rate-limiter-flexible", "RateLimiterMemory keeps its counters in process memory"
		limit, window = optNumber(m, opts, "points"), optSeconds(m, opts, 1, "duration")
	case lastName(name) == "register" && len(v.Args) >= 1 && isFastifyRateLimit(m, v.Args[0]):
		if _, ok := opts.Key("redis"); ok {
			return analysis.Finding{}, false
		}
		if _, ok := opts.Key("store"); ok {
			return analysis.Finding{}, false
		}
		lib, why = "@fastify/rate-limit", "without `redis` keeps its counters in process memory"
		limit = optNumber(m, opts, "max")
		if tw, ok := opts.Key("timeWindow"); ok && tw.Kind == KString {
			window = durationSeconds(tw.Str)
		} else {
			window = optSeconds(m, opts, 1000, "timeWindow")
		}
	case mod == "koa-ratelimit":
		d, ok := opts.Key("driver")
		if !ok || d.Str != "memory" {
			return analysis.Finding{}, false
		}
		lib, why = mod, "with driver 'memory' keeps its counters in process memory"
		limit, window = optNumber(m, opts, "max"), optSeconds(m, opts, 1000, "duration")
	case mod == "hono-rate-limiter" && (member == "rateLimiter" || member == ""):
		if _, ok := opts.Key("store"); ok || opts.Kind != KObject {
			return analysis.Finding{}, false
		}
		lib, why = mod, "without a `store` keeps its counters in process memory"
		limit, window = optNumber(m, opts, "limit", "max"), optSeconds(m, opts, 1000, "windowMs")
	case mod == "express-brute" && lastName(member) == "MemoryStore" && v.Kind == KNew:
		lib, why = mod, "MemoryStore keeps its counters in process memory"
	default:
		return analysis.Finding{}, false
	}
	fix := map[string]string{"fix": "limiter-to-redis", "library": lib, "framework": frameworkFor(m)}
	if limit != "" {
		fix["limit"] = limit
	}
	if window != "" {
		fix["window"] = window
	}
	return analysis.Finding{
		Span:    u.Abs(v.Span),
		Message: fmt.Sprintf("%s %s: %s", lib, why, whyMemory),
		Fix:     fix,
	}, true
}

// firstObject returns the first argument when it is (or names) an object literal.
func firstObject(m *module, args []Value) Value {
	for _, a := range args {
		switch a.Kind {
		case KObject:
			return a
		case KIdent:
			if b, ok := m.bindings[a.Name]; ok && b.Value.Kind == KObject {
				return b.Value
			}
		}
	}
	if len(args) > 1 && args[1].Kind == KObject {
		return args[1]
	}
	return Value{}
}

// isFastifyRateLimit recognizes the @fastify/rate-limit plugin value.
func isFastifyRateLimit(m *module, v Value) bool {
	name := v.Name
	if v.Kind == KCall && v.Name == "require" && len(v.Args) == 1 {
		name = "require('" + v.Args[0].Str + "')"
	}
	if v.Kind == KCall && v.Name == "import" && len(v.Args) == 1 {
		name = "require('" + v.Args[0].Str + "')"
	}
	mod, _ := m.origin(name)
	return mod == "@fastify/rate-limit" || mod == "fastify-rate-limit"
}

func optNumber(m *module, o Value, keys ...string) string {
	for _, k := range keys {
		if v, ok := o.Key(k); ok {
			if n, ok := m.number(v); ok {
				return strconv.Itoa(n)
			}
		}
	}
	return ""
}

// optSeconds reads a duration option in the given unit per second (1000 for ms).
func optSeconds(m *module, o Value, perSecond int, keys ...string) string {
	for _, k := range keys {
		if v, ok := o.Key(k); ok {
			if n, ok := m.number(v); ok && n/perSecond > 0 {
				return strconv.Itoa(n / perSecond)
			}
		}
	}
	return ""
}

// durationSeconds parses @fastify/rate-limit's '1 minute' style windows.
func durationSeconds(s string) string {
	f := strings.Fields(strings.ToLower(s))
	if len(f) != 2 {
		return ""
	}
	n, err := strconv.Atoi(f[0])
	if err != nil {
		return ""
	}
	unit := map[string]int{"second": 1, "seconds": 1, "minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}[f[1]]
	if unit == 0 {
		return ""
	}
	return strconv.Itoa(n * unit)
}
