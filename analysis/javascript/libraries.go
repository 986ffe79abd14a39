package javascript

import (
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// libraryCallees are the (lower-cased) last names of calls that construct
// rate limiters or their stores; which library they belong to is decided by
// the checks from the file's imports.
var libraryCallees = map[string]bool{
	"ratelimit": true, "ratelimiter": true, "slowdown": true, "ratelimitermemory": true,
	"memorystore": true, "expressbrute": true, "register": true, "default": true,
}

// library records a construction of a rate limiter or store, anywhere in
// the statement: rateLimit({...}), new RateLimiterMemory({...}),
// fastify.register(require('@fastify/rate-limit'), {...}).
func (x *extractor) library(n syntax.FlatNode, inKey string) (Value, bool) {
	fn := n.Field("function")
	if n.Kind() == "new_expression" {
		fn = n.Field("constructor")
	}
	fn = unwrap(fn)
	p, ok := x.path(fn)
	switch {
	case ok && libraryCallees[strings.ToLower(lastName(p))]:
	case ok && strings.HasPrefix(p, "require('"):
	case !ok && fn.Kind() == "call_expression":
		if _, req := x.requireOf(fn); !req {
			return Value{}, false
		}
	default:
		return Value{}, false
	}
	shallow := extractor{text: x.text, base: x.base, shallow: true, funcs: x.funcs}
	v := shallow.value(n, 3)
	v.InKey = inKey
	return v, true
}
