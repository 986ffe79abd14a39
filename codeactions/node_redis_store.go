package codeactions

import (
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// nodeLimiterToRedis points a Node limiter library at Redis:
// express-rate-limit (and express-slow-down) get a rate-limit-redis store on
// a node-redis client; @fastify/rate-limit, koa-ratelimit and
// rate-limiter-flexible (RateLimiterMemory -> RateLimiterRedis) an ioredis
// client.
func nodeLimiterToRedis(fc *fileCtx, f analysis.Finding, lib string) (fix, bool) {
	call := fc.nodeAt(f.Span.Start, "call_expression", "new_expression")
	if call.IsNull() {
		return fix{}, false
	}
	var opts syntax.Node
	for _, a := range args(call) {
		if a.Kind() == "object" {
			opts = a
			break
		}
	}
	if opts.IsNull() {
		return fix{}, false
	}
	semi := fc.semi()
	stmt := fc.topStatement(call)
	ind := indentAt(fc.text, stmt.Start())
	switch lib {
	case "express-rate-limit", "express-slow-down":
		store := need{module: "rate-limit-redis", name: "RedisStore"}
		client := need{module: "redis", name: "createClient"}
		edits := fc.addProperty(opts, "store", "new "+fc.imports.ref(store)+"({ sendCommand: (...args) => redisClient.sendCommand(args) })")
		if !fc.declares("redisClient") {
			edits = append(edits, insertAt(lineStart(fc.text, stmt.Start()),
				ind+"const redisClient = "+fc.imports.ref(client)+"({ url: process.env.REDIS_URL })"+semi+fc.nl+
					ind+"redisClient.connect().catch(console.error)"+semi+fc.nl))
		}
		return fix{edits: edits, needs: []need{store, client}}, true
	case "@fastify/rate-limit":
		redis := need{module: "ioredis", name: "Redis", def: true}
		return fix{edits: fc.addProperty(opts, "redis", "new "+fc.imports.ref(redis)+"(process.env.REDIS_URL)"), needs: []need{redis}}, true
	case "koa-ratelimit":
		redis := need{module: "ioredis", name: "Redis", def: true}
		q := fc.imports.(*nodeImports).quote
		edits := fc.setProperty(opts, "driver", q+"redis"+q)
		edits = append(edits, fc.setProperty(opts, "db", "new "+fc.imports.ref(redis)+"(process.env.REDIS_URL)")...)
		return fix{edits: edits, needs: []need{redis}}, true
	case "rate-limiter-flexible":
		if call.Kind() != "new_expression" {
			return fix{}, false
		}
		redis := need{module: "ioredis", name: "Redis", def: true}
		needs := []need{redis}
		ctor := call.Field("constructor")
		var edits []Edit
		switch ctor.Kind() {
		case "identifier":
			cls := need{module: "rate-limiter-flexible", name: "RateLimiterRedis"}
			needs = append(needs, cls)
			edits = append(edits, Edit{Span: analysis.Span{Start: ctor.Start(), End: ctor.End()}, NewText: fc.imports.ref(cls)})
		case "member_expression":
			prop := ctor.Field("property")
			edits = append(edits, Edit{Span: analysis.Span{Start: prop.Start(), End: prop.End()}, NewText: "RateLimiterRedis"})
		default:
			return fix{}, false
		}
		edits = append(edits, fc.setProperty(opts, "storeClient", "new "+fc.imports.ref(redis)+"(process.env.REDIS_URL)")...)
		return fix{edits: edits, needs: needs}, true
	}
	return fix{}, false
}

// setProperty gives an object literal's key the value: replacing a pair's
// value, expanding a shorthand property, or adding the pair first.
func (fc *fileCtx) setProperty(obj syntax.Node, key, value string) []Edit {
	var edit *Edit
	obj.NamedChildren(func(p syntax.Node) bool {
		switch {
		case p.Kind() == "pair" && strings.Trim(p.Field("key").Text(fc.text), `'"`) == key:
			v := p.Field("value")
			edit = &Edit{Span: analysis.Span{Start: v.Start(), End: v.End()}, NewText: value}
		case p.Kind() == "shorthand_property_identifier" && p.Text(fc.text) == key:
			edit = &Edit{Span: analysis.Span{Start: p.Start(), End: p.End()}, NewText: key + ": " + value}
		}
		return edit == nil
	})
	if edit != nil {
		return []Edit{*edit}
	}
	return fc.addProperty(obj, key, value)
}

// topStatement is the top-level statement containing n.
func (fc *fileCtx) topStatement(n syntax.Node) syntax.Node {
	for p := n; !p.IsNull(); p = p.Parent() {
		if par := p.Parent(); !par.IsNull() && par.Kind() == "program" {
			return p
		}
	}
	return n
}

// declares reports whether the file binds name at its top level.
func (fc *fileCtx) declares(name string) bool {
	found := false
	fc.root.NamedChildren(func(n syntax.Node) bool {
		if n.Kind() == "lexical_declaration" || n.Kind() == "variable_declaration" {
			n.NamedChildren(func(d syntax.Node) bool {
				if d.Kind() == "variable_declarator" && d.Field("name").Text(fc.text) == name {
					found = true
				}
				return true
			})
		}
		return !found
	})
	return found
}
