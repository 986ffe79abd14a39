package codeactions

import (
	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// nodeLimiterToRedis points a Node limiter library at Redis:
// express-rate-limit (and express-slow-down) get a rate-limit-redis store on
// a node-redis client, @fastify/rate-limit an ioredis client.
func nodeLimiterToRedis(fc *fileCtx, f analysis.Finding, lib string) (fix, bool) {
	call := fc.nodeAt(f.Span.Start, "call_expression")
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
	semi := ""
	if ni := fc.imports.(*nodeImports); ni.semi {
		semi = ";"
	}
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
	}
	return fix{}, false
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
