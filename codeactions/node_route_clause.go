package codeactions

import (
	"github.com/stablestack/stablestack/analysis"
	"github.com/stablestack/stablestack/analysis/syntax"
)

// wrapRouteClause wraps Next.js App Router handlers that a route module
// exports through an export clause, as NextAuth's route does:
//
//	const handler = NextAuth({...})
//	export { handler as GET, handler as POST }
//	  -> const handler = NextAuth({...})
//	     const handlerWithRateLimit = withRateLimit(handler, { requests: 100, window: 60 })
//	     export { handlerWithRateLimit as GET, handlerWithRateLimit as POST }
//	export { GET }
//	  -> const GETWithRateLimit = withRateLimit(GET, { requests: 100, window: 60 })
//	     export { GETWithRateLimit as GET }
//
// Every specifier of the clause with a finding of the same kind is wrapped
// (the fix covers the whole statement, so fix-all counts them as fixed); a
// handler exported under several methods is wrapped once. Like the Pages
// Router specifier fix it only adds text. It declines for re-exports (a
// source), type-only exports, string names and a taken new name.
func (fc *fileCtx) wrapRouteClause(f analysis.Finding, exp syntax.Node, wrapper, opts, semi string) ([]Edit, bool) {
	if !exp.Field("source").IsNull() || fc.typeOnlyExport(exp) {
		return nil, false
	}
	clause := exportClause(exp)
	if clause.IsNull() {
		return nil, false
	}
	var edits []Edit
	var locals []string
	ownFound := false
	ok := true
	clause.NamedChildren(func(sp syntax.Node) bool {
		if sp.Kind() != "export_specifier" || !fc.flagged(f, sp) {
			return true
		}
		name := sp.Field("name")
		if name.Kind() != "identifier" {
			ok = false
			return false
		}
		ownFound = ownFound || (sp.Start() <= f.Span.Start && f.Span.Start < sp.End())
		local := name.Text(fc.text)
		if sp.Field("alias").IsNull() {
			edits = append(edits, insertAt(name.End(), "WithRateLimit as "+local))
		} else {
			edits = append(edits, insertAt(name.End(), "WithRateLimit"))
		}
		for _, l := range locals {
			if l == local {
				return true
			}
		}
		locals = append(locals, local)
		return true
	})
	if !ok || !ownFound {
		return nil, false
	}
	// One declaration per handler, where it is initialized; declarations
	// landing at the same place go in one edit, so their order is fixed.
	var at []analysis.Span
	group := map[analysis.Span][]string{}
	first := map[analysis.Span]string{}
	for _, local := range locals {
		if fc.nameUsed(local + "WithRateLimit") {
			return nil, false
		}
		decl := "const " + local + "WithRateLimit = " + wrapper + "(" + local + ", " + opts + ")" + semi
		sp := fc.declareForExport(local, exp, []string{decl}).Span
		if _, seen := group[sp]; !seen {
			at, first[sp] = append(at, sp), local
		}
		group[sp] = append(group[sp], decl)
	}
	for _, sp := range at {
		edits = append(edits, fc.declareForExport(first[sp], exp, group[sp]))
	}
	return edits, true
}

// flagged reports whether a specifier carries a finding like f (f's own
// included) among the findings of the request.
func (fc *fileCtx) flagged(f analysis.Finding, sp syntax.Node) bool {
	for _, g := range fc.req.Findings {
		if g.Rule == f.Rule && g.Fix["fix"] == f.Fix["fix"] && sp.Start() <= g.Span.Start && g.Span.Start < sp.End() {
			return true
		}
	}
	return sp.Start() <= f.Span.Start && f.Span.Start < sp.End()
}

// exportClause is the { ... } of an export statement, or the null node
// (export default, export const, export * from).
func exportClause(exp syntax.Node) (clause syntax.Node) {
	exp.NamedChildren(func(c syntax.Node) bool {
		if c.Kind() == "export_clause" {
			clause = c
		}
		return clause.IsNull()
	})
	return clause
}

// typeOnlyExport reports whether an export statement is `export type {...}`.
func (fc *fileCtx) typeOnlyExport(exp syntax.Node) bool {
	typeOnly := false
	exp.Children(func(c syntax.Node) bool {
		typeOnly = typeOnly || (!c.IsNamed() && c.Kind() == "type")
		return !typeOnly
	})
	return typeOnly
}
