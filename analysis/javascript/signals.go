package javascript

import (
	"bytes"
	"strings"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// identityProperties are member names that read who the client is.
var identityProperties = map[string]bool{
	"ip": true, "ips": true, "remoteAddress": true, "remoteAddr": true,
	"userId": true, "user_id": true, "apiKey": true, "api_key": true, "clientIp": true, "clientIP": true,
}

// identityHeaders are header names (lower case) that carry a client identity.
var identityHeaders = map[string]bool{
	"x-forwarded-for": true, "x-real-ip": true, "cf-connecting-ip": true, "x-client-ip": true,
	"true-client-ip": true, "fly-client-ip": true, "x-api-key": true, "forwarded": true,
}

// identityNames are identifiers and parameters that hold a client identity.
var identityNames = map[string]bool{
	"ip": true, "clientIp": true, "clientIP": true, "remoteAddress": true, "userId": true, "userID": true,
	"user_id": true, "apiKey": true, "api_key": true, "identifier": true, "clientId": true, "clientKey": true,
	"ipAddress": true, "clientAddress": true,
}

// sigState collects a function's rate-limiting evidence during its scope
// walk (nil for top-level statements, which have none). Nested functions
// are merged, not re-walked: a limiter inside a factory's returned
// middleware still makes the factory a limiter.
type sigState struct {
	s  *Signals
	cc counterCollector
}

// merge adds a nested function's evidence.
func (st *sigState) merge(f *Func) {
	if st != nil && f != nil {
		st.s.merge(&f.Signals)
	}
}

// params notes identity parameters (function isAllowed(ip) {...}).
func (st *sigState) params(ps []string) {
	if st == nil {
		return
	}
	for _, p := range ps {
		if identityNames[p] {
			st.s.Identity = true
		}
	}
}

// signalNode reads one node's evidence. Hot loop (every node of every
// function): byte comparisons, no allocation unless something is found.
func (x *extractor) signalNode(n syntax.FlatNode, kind string, st *sigState) {
	s := st.s
	switch kind {
	case "number":
		if string(x.bytes(n)) == "429" {
			s.Responds429, s.Rejects = true, true
		}
	case "identifier", "property_identifier":
		switch b := x.bytes(n); string(b) {
		case "TOO_MANY_REQUESTS", "TooManyRequests", "tooManyRequests":
			s.Responds429, s.Rejects = true, true
		default:
			if kind == "identifier" && identityNames[string(b)] {
				s.Identity = true
			}
		}
	case "string_fragment":
		if b := x.bytes(n); len(b) >= 9 && len(b) <= 16 && identityHeaders[string(bytes.ToLower(b))] {
			s.Identity = true
		}
	case "member_expression":
		prop := x.bytes(n.Field("property"))
		if identityProperties[string(prop)] {
			s.Identity = true
		}
		if string(prop) == "id" && bytes.HasSuffix(bytes.ToLower(x.bytes(unwrap(n.Field("object")))), []byte("user")) {
			s.Identity = true
		}
	case "throw_statement":
		s.Rejects = true
	case "return_statement":
		// return false / return true, or the verdict itself:
		// return count <= LIMIT.
		switch v := unwrap(n.NamedChild(0)); v.Kind() {
		case "true", "false":
			s.Rejects = true
		case "binary_expression":
			switch string(x.bytes(v.Field("operator"))) {
			case ">", ">=", "<", "<=":
				s.Rejects = true
			}
		}
	case "binary_expression":
		if m, ok := x.methodComparison(n); ok {
			s.Methods = appendUnique(s.Methods, m)
		}
	case "call_expression":
		x.callSignals(n, s)
	}
}

// bytes is a node's source text without copying it.
func (x *extractor) bytes(n syntax.FlatNode) []byte {
	if n.IsNull() {
		return nil
	}
	return x.text[n.Start():n.End()]
}

// isFunctionKind is isFunctionNode on a kind already read.
func isFunctionKind(k string) bool {
	switch k {
	case "arrow_function", "function_expression", "function", "generator_function",
		"function_declaration", "generator_function_declaration":
		return true
	}
	return false
}

// merge adds a nested function's evidence.
func (s *Signals) merge(o *Signals) {
	s.Responds429 = s.Responds429 || o.Responds429
	s.Consumes = s.Consumes || o.Consumes
	s.Identity = s.Identity || o.Identity
	s.Rejects = s.Rejects || o.Rejects
	s.CallsLimiter = s.CallsLimiter || o.CallsLimiter
	for _, c := range o.Called {
		if len(s.Called) < maxCalled && !s.hasCalled(c) {
			s.Called = append(s.Called, c)
		}
	}
	for _, m := range o.Methods {
		s.Methods = appendUnique(s.Methods, m)
	}
	if len(s.Checks) < 8 {
		s.Checks = append(s.Checks, o.Checks...)
	}
}

// hasCalled reports whether name is in Called (at most maxCalled names:
// searched in order, no set to allocate per function).
func (s *Signals) hasCalled(name string) bool {
	for _, c := range s.Called {
		if c == name {
			return true
		}
	}
	return false
}

// hasCalledBytes is hasCalled on source text (no string made to compare).
func (s *Signals) hasCalledBytes(name []byte) bool {
	for _, c := range s.Called {
		if c == string(name) {
			return true
		}
	}
	return false
}

// maxCalled bounds the names kept per function.
const maxCalled = 48

func (x *extractor) callSignals(n syntax.FlatNode, s *Signals) {
	fn := unwrap(n.Field("function"))
	var name []byte
	switch fn.Kind() {
	case "identifier":
		name = x.bytes(fn)
		if string(name) == "next" {
			if args := n.Field("arguments"); args.NamedChildCount() > 0 {
				if a, _ := stringLit(args.NamedChild(0), x.text); a != "route" && a != "router" {
					s.Rejects = true
				}
			}
		}
	case "member_expression":
		name = x.bytes(fn.Field("property"))
		switch string(name) {
		case "consume": // rate-limiter-flexible
			s.Consumes = true
		case "limit": // @upstash/ratelimit: ratelimit.limit(identifier)
			first := n.Field("arguments").NamedChild(0)
			recv := x.bytes(fn.Field("object"))
			if bytes.Contains(bytes.ToLower(recv[max(0, bytes.LastIndexByte(recv, '.')+1):]), []byte("limit")) && !first.IsNull() && first.Kind() != "number" {
				s.Consumes = true
			}
		}
	default:
		return
	}
	// limiter.check(res, 10, token) limits because of what it is called on:
	// the whole callee is matched against the limiter names.
	if !s.CallsLimiter && limiterLikeBytes(x.bytes(fn)) {
		s.CallsLimiter = true
	}
	if len(name) > 0 && len(s.Called) < maxCalled && !s.hasCalledBytes(name) {
		s.Called = append(s.Called, string(name))
	}
}

// limiterLikeBytes is limiterLikeName on source text (callees are short;
// longer ones are copied).
func limiterLikeBytes(b []byte) bool {
	if len(b) > 96 {
		return limiterLikeName(string(b))
	}
	var buf [96]byte
	l := buf[:len(b)]
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l[i] = c
	}
	if bytes.Contains(l, []byte("delimiter")) {
		return limiterLikeName(string(b))
	}
	for _, s := range limiterWords {
		if bytes.Contains(l, s) {
			return true
		}
	}
	return false
}

var limiterWords = [][]byte{[]byte("ratelimit"), []byte("rate_limit"), []byte("limiter"), []byte("throttl"), []byte("slowdown"), []byte("slow_down"), []byte("brute")}

// methodComparison recognizes req.method === 'POST' (either side).
func (x *extractor) methodComparison(n syntax.FlatNode) (string, bool) {
	switch n.Field("operator").Text(x.text) {
	case "===", "==":
	default:
		return "", false
	}
	l, r := unwrap(n.Field("left")), unwrap(n.Field("right"))
	if r.Kind() == "member_expression" {
		l, r = r, l
	}
	if l.Kind() != "member_expression" || l.Field("property").Text(x.text) != "method" {
		return "", false
	}
	s, ok := stringLit(r, x.text)
	if !ok || s == "" || strings.ToUpper(s) != s {
		return "", false
	}
	return s, true
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
