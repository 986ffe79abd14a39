package python

import (
	"bytes"

	"github.com/stablestack/stablestack/analysis"
)

// The text pre-filter. A file it rules out is not parsed, and Summarize
// gives such a file no facts even when it is parsed anyway, so findings are
// identical with and without the pre-filter by construction; what the
// filter must get right is that real code passes it.
//
// Every fact the checks use comes with one of these words:
//   - framework and limiter imports (fastapi, flask, aiohttp, ...; Django by
//     the modules routes and views import: django.urls, django.http, ...);
//   - route registrations on objects imported from another file
//     (add_url_rule, include_router, urlpatterns, as_view, ...) and route
//     decorators (@name.get( at the start of a line);
//   - protections installed on objects from other files (add_middleware,
//     before_request, Depends) and settings read across files (MIDDLEWARE,
//     CACHES, RATELIMIT_*, DEFAULT_THROTTLE_CLASSES);
//   - the vocabulary of rate limiting (hasVocab): protections named for it
//     (limiter.limit, RateLimiter, throttle_classes, 429) and hand-written
//     limiters, which RATE002 only reports in files that use it.
//
// It is one pass over the words of the text: ~50 separate substring
// searches cost more than parsing the files they rule out.

// relevantWords are identifiers (exact, case-sensitive) that make a file relevant.
var relevantWords = map[string]bool{
	"fastapi": true, "starlette": true, "flask": true, "Flask": true, "aiohttp": true,
	"rest_framework": true, "slowapi": true, "quart": true, "flask_limiter": true,
	"add_api_route": true, "add_url_rule": true, "add_resource": true, "include_router": true,
	"register_blueprint": true, "add_routes": true, "add_subapp": true, "add_get": true,
	"add_post": true, "add_put": true, "add_patch": true, "add_delete": true, "add_view": true,
	"add_route": true, "add_namespace": true, "urlpatterns": true, "as_view": true,
	"init_app": true, "wsgi_app": true, "add_middleware": true, "middlewares": true,
	"MIDDLEWARE": true, "CACHES": true, "before_request": true, "before_app_request": true,
	"Depends": true,
}

// djangoModules follow "django." in the imports of URL confs and views.
var djangoModules = [][]byte{
	[]byte("urls"), []byte("conf.urls"), []byte("http"), []byte("views"), []byte("shortcuts"),
	[]byte("utils.decorators"), []byte("contrib.auth"),
}

// Relevant is the text pre-filter.
func Relevant(text []byte) bool {
	_, ok := relevantAt(text)
	return ok
}

// relevantAt is Relevant that also says where the deciding text is: an edit
// elsewhere cannot change the answer (see witnessMargin), so Update need not
// rescan the whole file.
func relevantAt(text []byte) (analysis.Span, bool) {
	if at, ok := scanWords(text, false); ok {
		return at, true
	}
	return routeDecorator(text)
}

// witnessMargin is how far around the deciding word the scan looks (the
// word before a phrase, "django." and its module, the "(" after .limit).
const witnessMargin = 32

// hasVocab reports whether text uses the vocabulary of rate limiting.
func hasVocab(text []byte) bool {
	_, ok := scanWords(text, true)
	return ok
}

// scanWords walks the identifiers (and numbers) of text once; with
// vocabOnly it looks for rate-limiting vocabulary alone. It returns the
// span of the first word that decides.
func scanWords(text []byte, vocabOnly bool) (analysis.Span, bool) {
	var v vocabScanner
	for i := 0; i < len(text); {
		if !isIdentByte(text[i]) {
			i++
			continue
		}
		start := i
		for i < len(text) && isIdentByte(text[i]) {
			i++
		}
		word := text[start:i]
		// "rate limit", "rate-limit": a phrase continues over one space or dash.
		joined := start >= 2 && (text[start-1] == ' ' || text[start-1] == '-') && isIdentByte(text[start-2])
		at := analysis.Span{Start: start, End: i}
		if v.word(word, joined) {
			return at, true
		}
		if string(word) == "limit" && start > 0 && text[start-1] == '.' && i < len(text) && text[i] == '(' {
			return at, true // limiter.limit("5/minute")
		}
		if vocabOnly || len(word) < 5 {
			continue
		}
		if relevantWords[string(word)] {
			return at, true
		}
		if string(word) == "django" && i < len(text) && text[i] == '.' {
			for _, m := range djangoModules {
				if bytes.HasPrefix(text[i+1:], m) {
					return at, true
				}
			}
		}
	}
	return analysis.Span{}, false
}

// vocabScanner recognizes rate-limiting vocabulary in the sub-words of
// identifiers and phrases (rate_limit, RateLimiter, HTTP_429_TOO_MANY_REQUESTS,
// "Too many requests", MAX_ATTEMPTS, token bucket, lockout), comparing each
// lower-case sub-word with the one before it.
type vocabScanner struct {
	prev    [16]byte
	prevLen int
	cur     [16]byte
}

func (v *vocabScanner) word(word []byte, joined bool) bool {
	if !joined {
		v.prevLen = 0
	}
	for i := 0; i < len(word); {
		// One sub-word: split at '_', lower-to-upper and letter-digit changes.
		if word[i] == '_' {
			i++
			continue
		}
		start := i
		digits := isDigit(word[i])
		i++
		for i < len(word) && word[i] != '_' && isDigit(word[i]) == digits {
			c, p := word[i], word[i-1]
			if c >= 'A' && c <= 'Z' && p >= 'a' && p <= 'z' {
				break
			}
			// HTTPServer: the last capital before a lower-case letter starts a new word
			if c >= 'a' && c <= 'z' && p >= 'A' && p <= 'Z' && i-start > 1 {
				i--
				break
			}
			i++
		}
		sub := word[start:i]
		if len(sub) > len(v.cur) || len(sub) < 3 || !vocabStart[sub[0]] {
			v.prevLen = 0
			continue
		}
		n := copy(v.cur[:], sub)
		for j := 0; j < n; j++ {
			if c := v.cur[j]; c >= 'A' && c <= 'Z' {
				v.cur[j] = c + 'a' - 'A'
			}
		}
		if vocabPair(string(v.prev[:v.prevLen]), string(v.cur[:n])) {
			return true
		}
		v.prev, v.prevLen = v.cur, n
	}
	return false
}

// vocabPair is the table of vocabulary: a sub-word alone, or after another.
func vocabPair(prev, cur string) bool {
	switch cur {
	case "429":
		return true
	case "ratelimit", "ratelimits", "ratelimited", "ratelimiter", "ratelimiting", "limiter", "limiters",
		"throttle", "throttled", "throttles", "throttling", "throttler", "lockout", "tokenbucket":
		return true
	case "limit", "limits", "limited", "limiting":
		return prev == "rate" || prev == "request" || prev == "requests"
	case "requests":
		return prev == "many" || prev == "max"
	case "attempts":
		return prev == "max" || prev == "login" || prev == "failed"
	case "login", "logins":
		return prev == "failed"
	case "out":
		return prev == "lock" || prev == "locked"
	case "bucket", "buckets":
		return prev == "token"
	case "per":
		return prev == "requests"
	}
	return false
}

// routeDecoratorMethods are the last parts of decorators that register
// routes or middleware: @x.get(, @x.route(, @x.middleware(...
var routeDecoratorMethods = map[string]bool{
	"get": true, "post": true, "put": true, "patch": true, "delete": true, "head": true,
	"options": true, "route": true, "api_route": true, "view": true, "middleware": true,
}

// routeDecorator finds "@name.method(" at the start of a line, for route
// modules whose app or router is imported from another file.
func routeDecorator(text []byte) (analysis.Span, bool) {
	for off := 0; off < len(text); {
		i := bytes.IndexByte(text[off:], '@')
		if i < 0 {
			return analysis.Span{}, false
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
			return analysis.Span{Start: lineStart, End: end + 1}, true
		}
	}
	return analysis.Span{}, false
}

func isIdentByte(c byte) bool { return identBytes[c] }

var identBytes = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	return t
}()

// vocabStart are the first letters of every sub-word vocabPair looks at
// (either side); others are skipped without lower-casing.
var vocabStart = func() (t [256]bool) {
	for _, c := range "4rltbaopmf" {
		t[c] = true
		t[c-'a'+'A'] = c >= 'a'
	}
	return t
}()

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
