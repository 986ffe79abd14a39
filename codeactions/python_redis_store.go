package codeactions

import (
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

func init() {
	fixers["limiter-to-redis"] = libraryFixes
}

// libraryFixes are the RATE002 fixes for a limiter library left on its
// in-memory store: first the switch to the Redis-backed limiter (when every
// use of the library can be carried over), then keeping the library and
// pointing its storage at Redis (REDIS_URL, falling back to a local server)
// for users who want its other features.
func libraryFixes(fc *fileCtx, f analysis.Finding) []fix {
	lib := f.Fix["library"]
	if lib == "" {
		lib = f.Fix["framework"] // the Python analyzer names the library there
	}
	var out []fix
	var fx fix
	var ok bool
	if fc.family == "python" {
		fx, ok = pyReplaceLibrary(fc, f, lib)
	} else {
		fx, ok = nodeReplaceLibrary(fc, f, lib)
	}
	if ok {
		fx.title = "Replace in-memory limiter with Redis-backed rate limit"
		fx.preferred = true
		out = append(out, fx)
	}
	if fc.family == "python" {
		fx, ok = pyLimiterToRedis(fc, f, lib)
	} else {
		fx, ok = nodeLimiterToRedis(fc, f, lib)
	}
	if ok {
		fx.title = "Keep " + lib + " and store its counts in Redis (REDIS_URL)"
		fx.preferred = len(out) == 0
		out = append(out, fx)
	}
	return out
}

// pyRedisURL is the expression the Python fixes read the Redis URL from.
func (fc *fileCtx) pyRedisURL(osRef string) string {
	q := fc.pyQuote()
	return osRef + ".environ.get(" + q + "REDIS_URL" + q + ", " + q + "redis://localhost:6379" + q + ")"
}

// pyQuote is the file's usual string quote: single when most of its plain
// string literals use it, else double (PEP 8 has no preference; black
// prefers double).
func (fc *fileCtx) pyQuote() string {
	single, double := 0, 0
	fc.root.Walk(func(n syntax.Node) bool {
		if n.Kind() == "string" {
			switch s := n.Text(fc.text); {
			case strings.HasPrefix(s, "'"):
				single++
			case strings.HasPrefix(s, `"`):
				double++
			}
			return false
		}
		return true
	})
	if single > double {
		return "'"
	}
	return `"`
}

func pyLimiterToRedis(fc *fileCtx, f analysis.Finding, lib string) (fix, bool) {
	osNeed := need{module: "os"}
	url := fc.pyRedisURL(fc.imports.ref(osNeed))
	call := fc.pyRegistration(f.Span)
	switch lib {
	case "slowapi", "flask-limiter":
		if call.IsNull() {
			return fix{}, false
		}
		return fix{edits: fc.pySetKwarg(call, "storage_uri", url), needs: []need{osNeed}}, true
	case "limits":
		if call.IsNull() {
			return fix{}, false
		}
		fn := call.Field("function")
		args := call.Field("arguments")
		if strings.HasSuffix(fn.Text(fc.text), "storage_from_string") {
			first := args.NamedChild(0)
			if first.IsNull() {
				return fix{}, false
			}
			return fix{edits: []Edit{{Span: analysis.Span{Start: first.Start(), End: first.End()}, NewText: url}}, needs: []need{osNeed}}, true
		}
		// MemoryStorage() -> RedisStorage(url), keeping the qualification.
		callee := fn.Text(fc.text)
		needs := []need{osNeed}
		var newCallee string
		if strings.Contains(callee, ".") {
			newCallee = strings.TrimSuffix(callee, "MemoryStorage") + "RedisStorage"
		} else {
			rs := need{module: "limits.storage", name: "RedisStorage"}
			newCallee = fc.imports.ref(rs)
			needs = append(needs, rs)
		}
		return fix{edits: []Edit{{Span: analysis.Span{Start: fn.Start(), End: args.End()}, NewText: newCallee + "(" + url + ")"}}, needs: needs}, true
	case "django-ratelimit":
		return fc.pyDjangoRedisCache(f, url, osNeed)
	}
	return fix{}, false
}

// pySetKwarg sets a keyword argument of a call: replaces its value when
// present, else appends it, on its own line when the arguments are laid out
// one per line.
func (fc *fileCtx) pySetKwarg(call syntax.Node, name, value string) []Edit {
	args := call.Field("arguments")
	var last syntax.Node
	var existing syntax.Node
	args.NamedChildren(func(a syntax.Node) bool {
		if a.Kind() == "comment" {
			return true
		}
		last = a
		if a.Kind() == "keyword_argument" && a.Field("name").Text(fc.text) == name {
			existing = a.Field("value")
		}
		return true
	})
	if !existing.IsNull() {
		return []Edit{{Span: analysis.Span{Start: existing.Start(), End: existing.End()}, NewText: value}}
	}
	if last.IsNull() {
		at := args.End() - 1 // before ")"
		return []Edit{insertAt(at, name+"="+value)}
	}
	// A trailing comma after the last argument stays last.
	after := last.End()
	rest := fc.text[after : args.End()-1]
	trailingComma := strings.HasPrefix(strings.TrimLeft(string(rest), " \t"), ",")
	if fc.lineOf(args.Start()) != fc.lineOf(last.Start()) && onlySpaceBefore(fc.text, last.Start()) {
		ind := indentAt(fc.text, last.Start())
		if trailingComma {
			at := after + strings.Index(string(rest), ",") + 1
			return []Edit{insertAt(at, fc.nl+ind+name+"="+value+",")}
		}
		return []Edit{insertAt(after, ","+fc.nl+ind+name+"="+value)}
	}
	return []Edit{insertAt(after, ", "+name+"="+value)}
}

// pyDjangoRedisCache points the cache django-ratelimit counts in at Redis:
// the LocMemCache BACKEND becomes Django's RedisCache, with LOCATION from
// REDIS_URL.
func (fc *fileCtx) pyDjangoRedisCache(f analysis.Finding, url string, osNeed need) (fix, bool) {
	str := fc.nodeAt(f.Span.Start, "string")
	var pair syntax.Node
	fc.root.Walk(func(n syntax.Node) bool {
		if n.Start() > f.Span.Start || n.End() <= f.Span.Start {
			return false
		}
		if n.Kind() == "pair" {
			pair = n
		}
		return true
	})
	if pair.IsNull() {
		return fix{}, false
	}
	val := pair.Field("value")
	if str.IsNull() || str.Start() < val.Start() {
		str = val
	}
	if str.Kind() != "string" {
		return fix{}, false
	}
	q := fc.pyQuote()
	edits := []Edit{{Span: analysis.Span{Start: str.Start(), End: str.End()}, NewText: q + "django.core.cache.backends.redis.RedisCache" + q}}
	dict := pair.Parent()
	var location syntax.Node
	dict.NamedChildren(func(p syntax.Node) bool {
		if p.Kind() == "pair" && strings.Trim(p.Field("key").Text(fc.text), `'"`) == "LOCATION" {
			location = p.Field("value")
		}
		return true
	})
	if !location.IsNull() {
		edits = append(edits, Edit{Span: analysis.Span{Start: location.Start(), End: location.End()}, NewText: url})
	} else if fc.lineOf(dict.Start()) != fc.lineOf(pair.Start()) && onlySpaceBefore(fc.text, pair.Start()) {
		end := pair.End()
		if end < len(fc.text) && fc.text[end] == ',' {
			end++
			edits = append(edits, insertAt(end, fc.nl+indentAt(fc.text, pair.Start())+q+"LOCATION"+q+": "+url+","))
		} else {
			edits = append(edits, insertAt(end, ","+fc.nl+indentAt(fc.text, pair.Start())+q+"LOCATION"+q+": "+url))
		}
	} else {
		edits = append(edits, insertAt(pair.End(), ", "+q+"LOCATION"+q+": "+url))
	}
	return fix{edits: edits, needs: []need{osNeed}}, true
}
