package python

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stablestack/stablestack/analysis"
)

// whyMemory is the part of every RATE002 message that says why process
// memory is the wrong place for a limiter.
const whyMemory = "resets on every restart or deploy, is counted separately by each worker and instance, and is not updated atomically"

// checkInMemoryLimiters implements RATE002 for Python: hand-written counters
// (a container keyed by client and compared with a limit) and limiter
// libraries left on their in-memory storage.
func checkInMemoryLimiters(f *analysis.File, ws analysis.Workspace, cfg *analysis.Config) []analysis.Finding {
	facts, ok := f.Facts.(*Facts)
	if !ok || len(facts.Units) == 0 || isTestFile(f.Path) {
		return nil
	}
	ix := indexFor(ws, cfg)
	fi := ix.fileFor(f, facts)
	out := ix.counterFindings(fi, cfg, hasVocab(f.Text))
	out = append(out, ix.libraryFindings(fi, cfg)...)
	return out
}

// counterFindings reports Stores that some function in the file uses as a
// rate-limit counter.
//
// fileVocab says the file talks about limits somewhere (MAX_REQUESTS, "too
// many requests"): a counter function need not repeat the word itself.
func (ix *index) counterFindings(fi *fileInfo, cfg *analysis.Config, fileVocab bool) []analysis.Finding {
	var out []analysis.Finding
	for _, u := range fi.facts.Units {
		for _, s := range u.Stores {
			if strings.HasPrefix(s.Name, "self.") && !ix.longLivedClass(s.Class) {
				continue
			}
			use, uu, ok := findUse(fi, s, fileVocab)
			usePath := ""
			if !ok && s.Class == "" {
				// from state import attempts; attempts.get(user) > 5 elsewhere
				for _, r := range ix.remoteUses[objKey{fi.path, s.Name}] {
					if r.use.Identity && r.use.Rejects && (r.use.Vocab || fileVocab) {
						use, uu, ok, usePath = r.use, r.u, true, r.fi.path
						break
					}
				}
			}
			if !ok {
				continue
			}
			name := strings.TrimPrefix(s.Name, "self.")
			fix := map[string]string{
				"fix":      "replace-counter",
				"counter":  s.Name,
				"limit":    use.Limit,
				"limit_op": use.LimitOp,
				"function": use.Func,
				"requests": ix.number(use.Limit, strconv.Itoa(cfg.Requests)),
				"window":   ix.number(use.Window, strconv.Itoa(cfg.Window)),
			}
			if fw := importedFramework(fi); fw != "" {
				fix["framework"] = fw
			} else if fi.libs["django"] {
				fix["framework"] = Django
			}
			if s.Class != "" {
				fix["class"] = s.Class
			}
			if use.Window != "" {
				fix["window_expr"] = use.Window
			}
			out = append(out, analysis.Finding{
				Span: u.Abs(s.Span),
				Message: fmt.Sprintf("in-memory rate limit counter %q (%s): it %s; keep the count in a shared store such as Redis",
					name, s.Kind, whyMemory),
				Related: []analysis.Related{{Path: usePath, Span: uu.Abs(use.Span), Message: fmt.Sprintf("%s is checked against the limit here (%s %s)", name, use.LimitOp, use.Limit)}},
				Fix:     fix,
			})
		}
	}
	return out
}

// findUse finds the function that compares store s with a limit.
func findUse(fi *fileInfo, s Store, fileVocab bool) (Use, *Unit, bool) {
	for _, u := range fi.facts.Units {
		for _, use := range u.Uses {
			if !use.Identity || !use.Rejects || !(use.Vocab || fileVocab) {
				continue
			}
			switch {
			case strings.HasPrefix(s.Name, "self."):
				if use.Store == s.Name && use.Class == s.Class {
					return use, u, true
				}
			case s.Class != "": // class attribute: self.x or Class.x
				if (use.Store == "self."+s.Name && use.Class == s.Class) || use.Store == s.Name && use.Class == "" {
					return use, u, true
				}
			default:
				if use.Store == s.Name {
					return use, u, true
				}
			}
		}
	}
	return Use{}, nil, false
}

// longLivedClass reports whether instances of a class outlive a request:
// middleware, or instantiated at module level (limiter = RateLimiter()).
func (ix *index) longLivedClass(name string) bool {
	return ix.longLived[name] || strings.Contains(name, "Middleware") || strings.Contains(name, "Limiter") || strings.Contains(name, "Throttle")
}

// number resolves a limit or window as written to a number: a literal, or
// a module constant (MAX_ATTEMPTS = 5); def when it cannot.
func (ix *index) number(expr, def string) string {
	expr = strings.TrimSpace(expr)
	if _, err := strconv.ParseFloat(expr, 64); err == nil && expr != "" {
		return strings.TrimSuffix(strings.TrimSuffix(expr, ".0"), ".")
	}
	name := lastPart(expr)
	for _, s := range ix.settings {
		if s.s.Name == name {
			if _, err := strconv.ParseFloat(s.s.Value, 64); err == nil {
				return s.s.Value
			}
		}
	}
	return def
}

// libraryFindings reports limiter libraries constructed with in-memory
// storage in this file, and django-ratelimit's LocMemCache.
func (ix *index) libraryFindings(fi *fileInfo, cfg *analysis.Config) []analysis.Finding {
	var out []analysis.Finding
	djangoRatelimit := false
	for _, u := range fi.facts.Units {
		if len(u.Settings) > 0 {
			djangoRatelimit = ix.usesDjangoRatelimit()
			break
		}
	}
	for _, u := range fi.facts.Units {
		for _, o := range u.Objects {
			lib := libraryOf(fi, o.Callee)
			var why, framework string
			switch {
			case lastPart(o.Callee) == "Limiter" && lib == "slowapi":
				framework = "slowapi"
				why = memoryStorage(o.Kwargs["storage_uri"], "")
			case lastPart(o.Callee) == "Limiter" && lib == "flask_limiter":
				framework = "flask-limiter"
				why = memoryStorage(o.Kwargs["storage_uri"], ix.settingValue("RATELIMIT_STORAGE_URI", "RATELIMIT_STORAGE_URL"))
			case lastPart(o.Callee) == "MemoryStorage" && lib == "limits":
				framework, why = "limits", "uses limits.storage.MemoryStorage"
			case lastPart(o.Callee) == "storage_from_string" && lib == "limits" && len(o.Args) > 0 && strings.Contains(o.Args[0], "memory://"):
				framework, why = "limits", "uses memory:// storage"
			}
			if why == "" {
				continue
			}
			out = append(out, analysis.Finding{
				Span:    u.Abs(o.Span),
				Message: fmt.Sprintf("%s limiter %q %s: its counts live in process memory, so the limit %s; configure a Redis storage", framework, o.Name, why, whyMemory),
				Fix: map[string]string{
					"fix": "limiter-to-redis", "framework": framework, "counter": o.Name,
					"storage": o.Kwargs["storage_uri"], "limit": o.Kwargs["default_limits"],
					"requests": strconv.Itoa(cfg.Requests), "window": strconv.Itoa(cfg.Window),
				},
			})
		}
		if djangoRatelimit {
			for _, s := range u.Settings {
				if s.Name == "INSTALLED_APPS" && !ix.hasSetting("CACHES") {
					// No CACHES at all: Django's default cache is LocMemCache.
					out = append(out, analysis.Finding{
						Span:    u.Abs(analysis.Span{Start: 0, End: len("INSTALLED_APPS")}),
						Message: "django-ratelimit counts in LocMemCache (no CACHES setting, so Django's default): each process keeps its own counts, so the limit " + whyMemory + "; configure a Redis or Memcached cache",
						Fix: map[string]string{
							"fix": "limiter-to-redis", "framework": "django-ratelimit", "counter": "CACHES",
							"requests": strconv.Itoa(cfg.Requests), "window": strconv.Itoa(cfg.Window),
						},
					})
				}
				if s.Name != "BACKEND" {
					continue
				}
				for _, str := range s.Strings {
					if strings.HasSuffix(str, "locmem.LocMemCache") {
						out = append(out, analysis.Finding{
							Span:    u.Abs(s.Span),
							Message: "django-ratelimit counts in LocMemCache: each process keeps its own counts, so the limit " + whyMemory + "; use a Redis or Memcached cache for ratelimit",
							Fix: map[string]string{
								"fix": "limiter-to-redis", "framework": "django-ratelimit", "counter": "CACHES",
								"storage": str, "requests": strconv.Itoa(cfg.Requests), "window": strconv.Itoa(cfg.Window),
							},
						})
					}
				}
			}
		}
	}
	return out
}

// memoryStorage explains why a storage_uri (or the app config's) is in
// memory, or returns "" when it is a shared store or not a literal.
func memoryStorage(kwarg, config string) string {
	for _, v := range []string{kwarg, config} {
		if v == "" {
			continue
		}
		s, err := strconv.Unquote(v)
		if err != nil {
			if u, ok := unquotePy(v); ok {
				s = u
			} else {
				return "" // computed (os.environ[...]): assume it is configured
			}
		}
		if strings.HasPrefix(s, "memory://") {
			return "uses memory:// storage"
		}
		return ""
	}
	return "has no storage_uri (defaults to memory://)"
}

func unquotePy(v string) (string, bool) {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1], true
	}
	return "", false
}

// settingValue is the source text of the first setting with one of names.
func (ix *index) settingValue(names ...string) string {
	for _, s := range ix.settings {
		for _, n := range names {
			if s.s.Name == n {
				return s.s.Value
			}
		}
	}
	return ""
}

// hasSetting reports whether some file sets name.
func (ix *index) hasSetting(name string) bool {
	for _, s := range ix.settings {
		if s.s.Name == name {
			return true
		}
	}
	return false
}

// usesDjangoRatelimit reports whether some file imports django-ratelimit.
func (ix *index) usesDjangoRatelimit() bool {
	for _, fi := range ix.files {
		if fi.libs["django_ratelimit"] || fi.libs["ratelimit"] && fi.libs["django"] {
			return true
		}
	}
	return false
}
