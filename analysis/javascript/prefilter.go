package javascript

import (
	"bytes"
)

// Relevant implements analysis.Frontend. A file can matter to the rules only
// through one of these, and each has a textual marker that the check
// cannot do without:
//
//   - a registration call: ".get(", ".use(", ".register(", ... (a member call
//     whose name is in registrationMethods, found by scanning every "."
//     followed by that name and "(", whitespace allowed in between);
//   - an app, router or limiter construction or import: framework and
//     limiter names ("express", "Router", "Hono", "imit" as in rateLimit /
//     RateLimiterMemory / limiter, "throttl", "slowDown", "Brute");
//   - a handler's own limiting: "429", "TOO_MANY", "TooMany", "consume";
//   - a Next.js handler module: an HTTP method name, "export default",
//     "as default", or "exports" with a request parameter ("req");
//   - a link to another file of the project (re-exports, installers run as
//     require('./routes')(app)): a relative or aliased specifier ("./",
//     "../", "@/", "~/");
//   - a hand-rolled counter: a container ("new Map", "= {}", "= []", ...) and a
//     rejection ("throw", "next", "return") or an export (the check is in
//     the module that imports it).
//
// The equivalence test runs every golden case with and without this filter.
// Configured extra limiter names (cfg.Limiters) are not seen here: a file
// that only defines a configured limiter under an unrelated name is skipped,
// so the name must appear where the limiter is used (documented).
func (frontend) Relevant(text []byte) bool {
	for _, m := range markers {
		if bytes.Contains(text, m) {
			return true
		}
	}
	if containsAny(text, "'./", `"./`, "'../", `"../`, "'@/", `"@/`, "'~/", `"~/`, "`./", "`../") {
		return true
	}
	// A CommonJS Pages API route (module.exports = (req, res) => ...) or
	// export { handler as default }.
	if (bytes.Contains(text, []byte("exports")) && bytes.Contains(text, []byte("req"))) || bytes.Contains(text, []byte("as default")) {
		return true
	}
	if containsAny(text, containerMarkers...) &&
		(containsAny(text, "throw", "next", "return", "module.exports = {", "export {") || exportedContainer(text)) { // rejections (return count <= LIMIT), or a counter exported to its checker
		return true
	}
	return hasRegistrationCall(text)
}

var markers = [][]byte{
	[]byte("express"), []byte("Router"), []byte("astify"), []byte("Koa"), []byte("koa"), []byte("Hono"), []byte("hono"),
	[]byte("imit"), []byte("throttl"), []byte("Throttl"), []byte("slowDown"), []byte("Brute"), []byte("brute"),
	[]byte("429"), []byte("TOO_MANY"), []byte("TooMany"), []byte("tooMany"), []byte("consume"),
	[]byte("export default"), []byte("GET"), []byte("POST"), []byte("PUT"), []byte("PATCH"), []byte("DELETE"),
	[]byte("HEAD"), []byte("OPTIONS"),
}

func containsAny(text []byte, subs ...string) bool {
	for _, s := range subs {
		if bytes.Contains(text, []byte(s)) {
			return true
		}
	}
	return false
}

// hasRegistrationCall scans for ".name(" with name a registration method.
func hasRegistrationCall(text []byte) bool {
	for i := 0; i < len(text); i++ {
		if text[i] != '.' {
			continue
		}
		j := i + 1
		for j < len(text) && isSpace(text[j]) {
			j++
		}
		k := j
		for k < len(text) && isIdentByte(text[k]) {
			k++
		}
		if k == j || !registrationMethods[string(text[j:k])] {
			continue
		}
		for k < len(text) && isSpace(text[k]) {
			k++
		}
		if k < len(text) && text[k] == '(' {
			return true
		}
	}
	return false
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

var containerMarkers = []string{"new Map", "new Set", "= {}", "={}", "= []", "=[]", "Object.create", "LRU", "TTLCache"}

// exportedContainer reports whether a container is created on a line that
// exports it (export const hits = new Map(), exports.hits = {}).
func exportedContainer(text []byte) bool {
	for _, m := range containerMarkers {
		for off := 0; ; {
			i := bytes.Index(text[off:], []byte(m))
			if i < 0 {
				break
			}
			at := off + i
			line := text[bytes.LastIndexByte(text[:at], '\n')+1 : at]
			if bytes.Contains(line, []byte("export")) {
				return true
			}
			off = at + len(m)
		}
	}
	return false
}
