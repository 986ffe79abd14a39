package javascript

import (
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
	"key": true, "ipAddress": true,
}

// signals collects the rate-limiting evidence of a function body, nested
// functions included (their own summaries are merged, not re-walked): a
// limiter inside a factory's returned middleware still makes the factory a
// limiter.
func (x *extractor) signals(body syntax.Node, params []string) Signals {
	var s Signals
	for _, p := range params {
		if identityNames[p] {
			s.Identity = true
		}
	}
	called := map[string]bool{}
	cc := counterCollector{x: x, taint: map[string]string{}}
	body.Walk(func(n syntax.Node) bool {
		if isFunctionNode(n) && n.Start() != body.Start() {
			s.merge(x.funcSignals(n), called)
			return false
		}
		cc.visit(n)
		if n.Kind() == "method_definition" || n.Kind() == "class_declaration" || n.Kind() == "class" {
			return false // methods are functions of their own
		}
		switch n.Kind() {
		case "number":
			if n.Text(x.text) == "429" {
				s.Responds429, s.Rejects = true, true
			}
		case "identifier", "property_identifier":
			switch t := n.Text(x.text); t {
			case "TOO_MANY_REQUESTS", "TooManyRequests", "tooManyRequests":
				s.Responds429, s.Rejects = true, true
			default:
				if identityNames[t] && n.Kind() == "identifier" {
					s.Identity = true
				}
			}
		case "string_fragment":
			if identityHeaders[strings.ToLower(n.Text(x.text))] {
				s.Identity = true
			}
		case "member_expression":
			prop := n.Field("property").Text(x.text)
			if identityProperties[prop] {
				s.Identity = true
			}
			if prop == "id" && strings.HasSuffix(strings.ToLower(unwrap(n.Field("object")).Text(x.text)), "user") {
				s.Identity = true
			}
		case "throw_statement":
			s.Rejects = true
		case "return_statement":
			if v := n.NamedChild(0); v.Kind() == "true" || v.Kind() == "false" {
				s.Rejects = true
			}
		case "binary_expression":
			if m, ok := x.methodComparison(n); ok {
				s.Methods = appendUnique(s.Methods, m)
			}
		case "call_expression":
			x.callSignals(n, &s, called)
		}
		return true
	})
	s.Checks = append(cc.checks(), s.Checks...)
	for _, c := range s.Called {
		if limiterLikeName(c) {
			s.CallsLimiter = true
			break
		}
	}
	return s
}

// merge adds a nested function's evidence.
func (s *Signals) merge(o *Signals, called map[string]bool) {
	s.Responds429 = s.Responds429 || o.Responds429
	s.Consumes = s.Consumes || o.Consumes
	s.Identity = s.Identity || o.Identity
	s.Rejects = s.Rejects || o.Rejects
	s.CallsLimiter = s.CallsLimiter || o.CallsLimiter
	for _, c := range o.Called {
		if !called[c] && len(s.Called) < maxCalled {
			called[c] = true
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

// maxCalled bounds the names kept per function.
const maxCalled = 48

func (x *extractor) callSignals(n syntax.Node, s *Signals, called map[string]bool) {
	fn := unwrap(n.Field("function"))
	args := n.Field("arguments")
	name := ""
	switch fn.Kind() {
	case "identifier":
		name = fn.Text(x.text)
		if name == "next" && args.NamedChildCount() > 0 {
			if a, _ := stringLit(args.NamedChild(0), x.text); a != "route" && a != "router" {
				s.Rejects = true
			}
		}
	case "member_expression":
		name = fn.Field("property").Text(x.text)
		recv, _ := x.path(fn.Field("object"))
		defer func() {
			// Keep the receiver too: limiter.check(res, 10, token) limits
			// because of what it is called on.
			if full := recv + "." + name; recv != "" && !called[full] && len(s.Called) < maxCalled {
				called[full] = true
				s.Called = append(s.Called, full)
			}
		}()
		switch name {
		case "consume": // rate-limiter-flexible
			s.Consumes = true
		case "limit": // @upstash/ratelimit: ratelimit.limit(identifier)
			first := args.NamedChild(0)
			if strings.Contains(strings.ToLower(lastName(recv)), "limit") && !first.IsNull() && first.Kind() != "number" {
				s.Consumes = true
			}
		}
	}
	if name != "" && !called[name] && len(s.Called) < maxCalled {
		called[name] = true
		s.Called = append(s.Called, name)
	}
}

// methodComparison recognizes req.method === 'POST' (either side).
func (x *extractor) methodComparison(n syntax.Node) (string, bool) {
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
