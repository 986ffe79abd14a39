package javascript

import (
	"bytes"

	"github.com/stablestack/stablestack/analysis/syntax"
)

// containerMethods are the calls that read or write a keyed container.
var containerMethods = map[string]bool{
	"get": true, "set": true, "has": true, "add": true, "push": true, "delete": true,
	"filter": true, "increment": true, "incr": true,
}

// counterCollector finds comparisons that read a container (directly, or
// through a local derived from it) against a threshold:
//
//	const count = (hits.get(ip) || 0) + 1; if (count > MAX) ...
//	const recent = (log[ip] || []).filter(...); if (recent.length >= LIMIT) ...
//
// Only plain identifiers and this.x are containers; req.headers['x'] and the
// like are never counters. It is fed the nodes of one function body by the
// signals walk (nested functions have their own checks, merged by signals).
type counterCollector struct {
	x        *extractor
	taint    map[string]string // name -> container it derives from
	assigns  [][2]syntax.FlatNode
	compares []syntax.FlatNode
}

func (c *counterCollector) visit(n syntax.FlatNode, kind string) {
	x := c.x
	var obj syntax.FlatNode
	switch kind {
	case "call_expression":
		f := unwrap(n.Field("function"))
		if f.Kind() == "member_expression" && containerMethods[string(x.bytes(f.Field("property")))] {
			obj = unwrap(f.Field("object"))
		}
	case "subscript_expression":
		obj = unwrap(n.Field("object"))
	case "variable_declarator":
		c.assigns = append(c.assigns, [2]syntax.FlatNode{n.Field("name"), n.Field("value")})
	case "assignment_expression", "augmented_assignment_expression":
		c.assigns = append(c.assigns, [2]syntax.FlatNode{n.Field("left"), n.Field("right")})
	case "binary_expression":
		switch string(x.bytes(n.Field("operator"))) {
		case ">", ">=", "<", "<=":
			c.compares = append(c.compares, n)
		}
	}
	if name, ok := x.containerName(obj); ok {
		if c.taint == nil {
			c.taint = map[string]string{}
		}
		c.taint[name] = name
	}
}

func (c *counterCollector) checks() []CounterCheck {
	x, taint := c.x, c.taint
	if len(taint) == 0 || len(c.compares) == 0 {
		return nil
	}
	// Two passes propagate through chains of locals (entry -> count).
	for pass := 0; pass < 2; pass++ {
		for _, a := range c.assigns {
			left, right := a[0], a[1]
			if left.Kind() != "identifier" || right.IsNull() {
				continue
			}
			name := left.Text(x.text)
			if t, done := taint[name]; done && t != name {
				continue
			}
			// A local that is itself used like a container (log.push(now))
			// still derives from the container it was read from.
			if ct := x.taintOf(right, taint); ct != "" && ct != name {
				taint[name] = ct
			}
		}
	}
	var checks []CounterCheck
	seen := map[string]int{}
	for _, n := range c.compares {
		if timeComparison(x.bytes(n)) {
			continue // an age or expiry check (now - t > TTL): caches do it too
		}
		l, r := n.Field("left"), n.Field("right")
		lc, rc := x.taintOf(l, taint), x.taintOf(r, taint)
		if (lc == "") == (rc == "") {
			continue
		}
		ct, other := lc, r
		if ct == "" {
			ct, other = rc, l
		}
		if seen[ct] >= 3 {
			continue
		}
		seen[ct]++
		checks = append(checks, CounterCheck{Container: ct, Threshold: x.value(other, 1), Span: x.rel(n)})
	}
	return checks
}

// containerName names a container expression: an identifier or this.x.
func (x *extractor) containerName(n syntax.FlatNode) (string, bool) {
	switch n.Kind() {
	case "identifier":
		return n.Text(x.text), true
	case "member_expression":
		if unwrap(n.Field("object")).Kind() == "this" {
			return "this." + n.Field("property").Text(x.text), true
		}
	}
	return "", false
}

// taintOf returns the container an expression reads, or "".
func (x *extractor) taintOf(n syntax.FlatNode, taint map[string]string) string {
	found := ""
	n.Walk(func(c syntax.FlatNode) bool {
		if found != "" {
			return false
		}
		if name, ok := x.containerName(c); ok {
			if t, ok := taint[name]; ok {
				found = t
				return false
			}
		}
		return true
	})
	return found
}

// containerKind recognizes a fresh container: new Map(), {}, [], ...
func containerKind(v Value) string {
	switch v.Kind {
	case KObject:
		if len(v.Keys) == 0 {
			return "object"
		}
	case KArray:
		if len(v.Elems) == 0 {
			return "array"
		}
	case KNew:
		switch lastName(v.Name) {
		case "Map":
			return "Map"
		case "Set":
			return "Set"
		case "LRUCache", "LRU", "TTLCache":
			return "LRUCache"
		}
	case KCall:
		if v.Name == "Object.create" {
			return "object"
		}
	}
	return ""
}

// classCounters finds container fields of a class: hits = new Map() and
// this.hits = new Map() in the constructor.
func (x *extractor) classCounters(n syntax.FlatNode) []Counter {
	class := n.Field("name").Text(x.text)
	var out []Counter
	n.Field("body").NamedChildren(func(m syntax.FlatNode) bool {
		switch m.Kind() {
		case "field_definition", "public_field_definition":
			name := m.Field("property")
			if name.IsNull() {
				name = m.Field("name")
			}
			if k := containerKind(x.value(m.Field("value"), 1)); k != "" {
				out = append(out, Counter{Name: "this." + name.Text(x.text), Class: class, Kind: k, Span: x.rel(m)})
			}
		case "method_definition":
			if m.Field("name").Text(x.text) != "constructor" {
				return true
			}
			m.Field("body").Walk(func(a syntax.FlatNode) bool {
				if a.Kind() != "assignment_expression" {
					return true
				}
				name, ok := x.containerName(unwrap(a.Field("left")))
				if !ok || len(name) < 6 || name[:5] != "this." {
					return true
				}
				if k := containerKind(x.value(a.Field("right"), 1)); k != "" {
					out = append(out, Counter{Name: name, Class: class, Kind: k, Span: x.rel(a)})
				}
				return true
			})
		}
		return true
	})
	return out
}

// timeComparison recognizes comparisons of times rather than counts.
func timeComparison(text []byte) bool {
	l := bytes.ToLower(text)
	for _, w := range [][]byte{[]byte("now"), []byte("date"), []byte("time"), []byte("expir"), []byte("ttl")} {
		if bytes.Contains(l, w) {
			return true
		}
	}
	return false
}
