package server

import "reflect"

// fixJSONCache keeps the encoded "fix" object of each diagnostic's data
// between publishes of one document. Analyses hand back the same Fix map for
// a finding that did not change (the Python frontend caches findings per
// statement), so after a keystroke in a file with hundreds of findings only
// the new ones are encoded; sorting and escaping every map again was a
// visible share of the edit-to-diagnostics time.
//
// Entries are keyed by the map's identity and hold the map itself, so an
// address is never reused while its entry lives. Fix maps are never
// modified after a finding is made. Two generations: what the last publish
// used survives one more publish.
type fixJSONCache struct {
	cur, prev map[uintptr]fixJSON
}

type fixJSON struct {
	m    map[string]string // keeps the key's address alive
	json []byte
}

// appendFix appends the JSON of m, from the cache when it was encoded for
// an earlier publish. A nil cache encodes every time.
func (c *fixJSONCache) appendFix(b []byte, m map[string]string) []byte {
	if c == nil {
		return appendStringMap(b, m)
	}
	key := reflect.ValueOf(m).Pointer()
	e, ok := c.cur[key]
	if !ok {
		if e, ok = c.prev[key]; ok {
			c.cur[key] = e
		}
	}
	if !ok {
		e = fixJSON{m: m, json: appendStringMap(nil, m)}
		c.cur[key] = e
	}
	return append(b, e.json...)
}

// begin starts a publish: entries the previous one did not use are dropped.
func (c *fixJSONCache) begin() {
	c.prev, c.cur = c.cur, make(map[uintptr]fixJSON, len(c.cur))
}
