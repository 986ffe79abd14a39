package codeactions

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// expressRateLimitKeys are the express-rate-limit options the swap carries
// over or can drop without changing who gets limited.
var expressRateLimitKeys = map[string]bool{
	"windowMs": true, "max": true, "limit": true, "keyGenerator": true,
	"standardHeaders": true, "legacyHeaders": true, "message": true, "statusCode": true,
}

// nodeReplaceLibrary swaps express-rate-limit for the Redis-backed
// middleware: the import becomes ours (same local name, so app.use(limiter)
// and friends stay as they are) and each rateLimit({ windowMs, max }) call
// becomes rateLimit({ requests, window }), keyGenerator carried over as key.
// Options with no equivalent (skip, handler, store...) leave the swap out.
func nodeReplaceLibrary(fc *fileCtx, f analysis.Finding, lib string) (fix, bool) {
	ni := fc.imports.(*nodeImports)
	if lib != "express-rate-limit" {
		return fix{}, false
	}
	call := fc.nodeAt(f.Span.Start, "call_expression")
	callee := call.Field("function")
	if call.IsNull() || callee.Kind() != "identifier" {
		return fix{}, false
	}
	local := callee.Text(fc.text)
	var decl *jsImport
	for i, imp := range ni.all {
		if imp.source == "express-rate-limit" && (imp.def == local || imp.names["rateLimit"] == local || imp.names["default"] == local) {
			decl = &ni.all[i]
		}
	}
	if decl == nil || len(decl.names)+boolInt(decl.def != "" && decl.namespace == "") > 1 {
		return fix{}, false // binds more than the limiter factory
	}
	var edits []Edit
	for _, use := range fc.refs(fc.root, local) {
		if decl.node.Start() <= use.Start() && use.End() <= decl.node.End() {
			continue
		}
		c := use.Parent()
		if c.Kind() != "call_expression" || c.Field("function").Start() != use.Start() {
			return fix{}, false
		}
		as := args(c)
		if len(as) != 1 || as[0].Kind() != "object" {
			return fix{}, false
		}
		opts, ok := fc.expressRateLimitOptions(as[0], f)
		if !ok {
			return fix{}, false
		}
		edits = append(edits, Edit{Span: analysis.Span{Start: as[0].Start(), End: as[0].End()}, NewText: opts})
	}
	spec := ni.moduleSpecifier()
	item := "rateLimit"
	if local != "rateLimit" {
		item = "rateLimit: " + local
		if ni.esm {
			item = "rateLimit as " + local
		}
	}
	line := ni.declaration(spec, []string{item})
	edits = append(edits, Edit{Span: analysis.Span{Start: decl.node.Start(), End: decl.node.End()}, NewText: strings.TrimSuffix(line, ";") + semicolonOf(decl.node, fc.text)})
	return fix{edits: edits, needs: []need{{module: nodeFileName, name: "rateLimit", limiter: true, provisionOnly: true}}}, true
}

// expressRateLimitOptions renders the new options of one call.
func (fc *fileCtx) expressRateLimitOptions(obj syntax.Node, f analysis.Finding) (string, bool) {
	requests, window := 5, 60 // express-rate-limit v7 defaults (limit 5, one minute)
	if n, err := strconv.Atoi(f.Fix["limit"]); err == nil && n > 0 {
		requests = n
	}
	if n, err := strconv.Atoi(f.Fix["window"]); err == nil && n > 0 {
		window = n
	}
	key := ""
	ok := true
	obj.NamedChildren(func(p syntax.Node) bool {
		if p.Kind() == "comment" {
			return true
		}
		if p.Kind() != "pair" {
			ok = false
			return false
		}
		k := strings.Trim(p.Field("key").Text(fc.text), `'"`)
		v := p.Field("value")
		if !expressRateLimitKeys[k] {
			ok = false
			return false
		}
		switch k {
		case "windowMs":
			ms, good := evalProduct(v.Text(fc.text))
			if !good || ms < 1000 {
				ok = false
			}
			window = int(ms / 1000)
		case "max", "limit":
			n, good := evalProduct(v.Text(fc.text))
			if !good || n < 1 {
				ok = false
			}
			requests = int(n)
		case "keyGenerator":
			key = v.Text(fc.text)
		}
		return ok
	})
	if !ok {
		return "", false
	}
	s := fmt.Sprintf("{ requests: %d, window: %d", requests, window)
	if key != "" {
		s += ", key: " + key
	}
	return s + " }", true
}

// evalProduct evaluates a number or a product of numbers (15 * 60 * 1000).
func evalProduct(s string) (float64, bool) {
	total := 1.0
	for _, part := range strings.Split(strings.ReplaceAll(s, "_", ""), "*") {
		v, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil {
			return 0, false
		}
		total *= v
	}
	return total, true
}

func semicolonOf(n syntax.Node, text []byte) string {
	if strings.HasSuffix(n.Text(text), ";") {
		return ";"
	}
	return ""
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
