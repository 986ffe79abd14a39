package python

import "bytes"

// relevantMarkers: a file that contains none of these byte strings and no
// route decorator cannot hold anything the rules read, so it is not parsed
// (Summarize also gives such a file no facts, which keeps findings identical
// with and without the pre-filter).
//
// Every fact the checks use needs one of them:
//   - framework and limiter imports (fastapi, flask, django, aiohttp, ...);
//   - route registrations made on objects imported from another file
//     (add_url_rule, include_router, urlpatterns, as_view, ...);
//   - protections (limit, throttle, 429, middleware, Depends, before_request)
//     and settings read across files (MIDDLEWARE, CACHES, RATELIMIT_*,
//     DEFAULT_THROTTLE_CLASSES);
//   - RATE002's vocabulary: a hand-written limiter always names what it does
//     (limit, attempts, bucket, quota, lockout, throttle, 429, "too many"),
//     and the rule itself requires that vocabulary (Use.Vocab).
var relevantMarkers = [][]byte{
	// frameworks and limiter libraries
	[]byte("fastapi"), []byte("starlette"), []byte("flask"), []byte("Flask"), []byte("django"),
	[]byte("aiohttp"), []byte("rest_framework"), []byte("slowapi"), []byte("quart"),
	// registrations on imported objects
	[]byte("add_api_route"), []byte("add_url_rule"), []byte("add_resource"), []byte("include_router"),
	[]byte("register_blueprint"), []byte("add_routes"), []byte("add_subapp"), []byte("add_get"),
	[]byte("add_post"), []byte("add_put"), []byte("add_patch"), []byte("add_delete"), []byte("add_view"),
	[]byte("add_route"), []byte("add_namespace"), []byte("urlpatterns"), []byte("as_view"),
	[]byte("Route("), []byte("web."), []byte("init_app"), []byte("wsgi_app"),
	// protections and settings
	[]byte("limit"), []byte("Limit"), []byte("LIMIT"), []byte("throttl"), []byte("Throttl"), []byte("THROTTL"),
	[]byte("429"), []byte("TooMany"), []byte("TOO_MANY"), []byte("too many"), []byte("Too many"), []byte("Too Many"),
	[]byte("too_many"), []byte("toomany"), []byte("middleware"), []byte("Middleware"), []byte("MIDDLEWARE"),
	[]byte("CACHES"), []byte("before_request"), []byte("before_app_request"), []byte("Depends"),
	// RATE002 vocabulary
	[]byte("attempt"), []byte("Attempt"), []byte("ATTEMPT"), []byte("bucket"), []byte("Bucket"), []byte("BUCKET"),
	[]byte("quota"), []byte("Quota"), []byte("QUOTA"), []byte("lockout"), []byte("Lockout"), []byte("LOCKOUT"),
	[]byte("locked"), []byte("Locked"), []byte("LOCKED"),
}

// Relevant is the text pre-filter (see relevantMarkers).
func Relevant(text []byte) bool {
	for _, m := range relevantMarkers {
		if bytes.Contains(text, m) {
			return true
		}
	}
	return hasRouteDecorator(text)
}

// routeDecoratorMethods are the last parts of decorators that register
// routes or middleware: @x.get(, @x.route(, @x.middleware(...
var routeDecoratorMethods = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true,
	"options": true, "route": true, "api_route": true, "view": true, "middleware": true,
}

// hasRouteDecorator finds "@name.method(" at the start of a line, for route
// modules whose app or router is imported from another file.
func hasRouteDecorator(text []byte) bool {
	for off := 0; off < len(text); {
		i := bytes.IndexByte(text[off:], '@')
		if i < 0 {
			return false
		}
		at := off + i
		off = at + 1
		lineStart := bytes.LastIndexByte(text[:at], '\n') + 1
		if len(bytes.TrimLeft(text[lineStart:at], " \t")) != 0 {
			continue
		}
		end := at + 1
		lastDot := -1
		for end < len(text) && (isIdentByte(text[end]) || text[end] == '.') {
			if text[end] == '.' {
				lastDot = end
			}
			end++
		}
		if lastDot < 0 || end >= len(text) || text[end] != '(' {
			continue
		}
		if routeDecoratorMethods[string(text[lastDot+1:end])] {
			return true
		}
	}
	return false
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
